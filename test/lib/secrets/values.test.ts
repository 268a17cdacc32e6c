import {expect} from 'chai'

import {UsageError} from '../../../src/lib/errors.ts'
import {
  MAX_SECRET_BYTES,
  assertOAuthPart,
  assertSlackWebhook,
  assertValueSize,
  maskValue,
  oauthPartProblem,
  oauthValue,
  slackWebhookProblem,
  splitOAuthValue,
  trimOneNewline,
} from '../../../src/lib/secrets/values.ts'

const TOKEN = 'abcdefghijklmnopqrstuvwx' // 24 letters, like Slack's

function catchError(fn: () => unknown): UsageError {
  try {
    fn()
  } catch (error) {
    expect(error).to.be.instanceOf(UsageError)
    return error as UsageError
  }
  throw new Error('expected a UsageError, nothing was thrown')
}
const GOOD = `https://hooks.slack.com/services/T0123ABCD/B0456EFGH/${TOKEN}`
const TRIGGER = 'https://hooks.slack.com/triggers/T0123ABCD/1234567890123/0123456789abcdef0123456789abcdef'

describe('secrets/values', () => {
  describe('Slack webhook URL: the host is exactly hooks.slack.com', () => {
    // The rule: after WHATWG URL parsing (which lower-cases the host and drops the
    // scheme's default port), the host equals hooks.slack.com: no subdomain, no
    // look-alike, no other port, no user info. A suffix or prefix match is not enough.
    const PATH = `/services/T0123ABCD/B0456EFGH/${TOKEN}`
    const hosts: Array<[string, string, RegExp | undefined]> = [
      ['the host itself', 'https://hooks.slack.com', undefined],
      ['upper-case host (DNS names ignore case)', 'https://HOOKS.SLACK.COM', undefined],
      ['mixed-case scheme and host', 'HTTPS://Hooks.Slack.Com', undefined],
      ['the default port 443 spelled out (the same endpoint)', 'https://hooks.slack.com:443', undefined],
      ['a name that ends with it', 'https://evilhooks.slack.com', /host is evilhooks\.slack\.com,/],
      ['a subdomain of it', 'https://x.hooks.slack.com', /host is x\.hooks\.slack\.com,/],
      ['it as a subdomain of another', 'https://hooks.slack.com.evil.com', /host is hooks\.slack\.com\.evil\.com,/],
      ['a prefix of it', 'https://hooks.slack.co', /host is hooks\.slack\.co,/],
      ['its parent domain', 'https://slack.com', /host is slack\.com,/],
      ['a trailing dot', 'https://hooks.slack.com.', /host is hooks\.slack\.com\.,/],
      ['a homoglyph (Cyrillic a)', 'https://hooks.sl\u0430ck.com', /host is hooks\.xn--/],
      [
        'an encoded dot that joins another domain',
        'https://hooks.slack.com%2Eevil.example',
        /host is hooks\.slack\.com\.evil/,
      ],
      ['an IP address', 'https://127.0.0.1', /host is 127\.0\.0\.1,/],
      ['it as the user name before another host', 'https://hooks.slack.com@evil.example', /user name or password/],
      ['a user name only', 'https://u@hooks.slack.com', /user name or password/],
      ['a password only', 'https://:p@hooks.slack.com', /user name or password/],
      [
        'a backslash that makes it part of the path',
        'https://evil.example\\@hooks.slack.com',
        /host is evil\.example,/,
      ],
      ['another port', 'https://hooks.slack.com:8443', /names a port/],
      ['port 80 on https', 'https://hooks.slack.com:80', /names a port/],
      ['http://', 'http://hooks.slack.com', /uses http:\/\//],
      ['HTTP:// in capitals', 'HTTP://hooks.slack.com', /uses http:\/\//],
      // Browsers forgive these; Go's net/url (Flux, Alertmanager) finds no host in them.
      ['https: without the slashes', 'https:hooks.slack.com', /does not start with https:\/\//],
      ['https: with one slash', 'https:/hooks.slack.com', /does not start with https:\/\//],
      [
        'https: without slashes, https:// further on',
        'https:hooks.slack.com/https://',
        /does not start with https:\/\//,
      ],
      ['https: with backslashes', 'https:\\\\hooks.slack.com', /does not start with https:\/\//],
    ]
    for (const [what, origin, problem] of hosts) {
      it(`${problem ? 'refuses' : 'accepts'} ${what}`, () => {
        const url = `${origin}${PATH}`
        if (problem) {
          expect(slackWebhookProblem(url)).to.match(problem)
          expect(() => assertSlackWebhook(url))
            .to.throw(UsageError)
            .with.property('code', 'INVALID_SLACK_WEBHOOK')
        } else {
          expect(slackWebhookProblem(url)).to.equal(undefined)
          expect(maskValue('slack', url)).to.equal('https://hooks.slack.com/services/****')
        }
      })
    }
  })

  describe('Slack webhook URL', () => {
    const valid = [
      GOOD,
      TRIGGER,
      `https://hooks.slack.com/services/T0AB12CD34E/B0XY98ZW76V/${TOKEN.toUpperCase()}`,
      `https://hooks.slack.com/triggers/E0123ABCD/9876543/${TOKEN}`,
    ]
    for (const url of valid) {
      it(`accepts ${url.slice(0, 60)}…`, () => {
        expect(slackWebhookProblem(url)).to.equal(undefined)
        expect(() => assertSlackWebhook(url)).not.to.throw()
      })
    }

    const invalid: Array<[string, string, RegExp]> = [
      ['empty', '', /empty/],
      ['malformed', 'hooks.slack.com/services/T0123ABCD', /not a URL/],
      ['not a URL at all', 'xoxb-not-a-webhook', /not a URL/],
      ['http://', GOOD.replace('https:', 'http:'), /http:\/\//],
      ['ftp scheme', GOOD.replace('https:', 'ftp:'), /ftp URL/],
      [
        'wrong host',
        GOOD.replace('hooks.slack.com', 'hooks.slack.com.evil.example'),
        /host is hooks\.slack\.com\.evil/,
      ],
      ['lookalike host', GOOD.replace('hooks.slack.com', 'hooks-slack.com'), /host/],
      ['discord webhook', `https://discord.com/api/webhooks/123/${TOKEN}`, /host is discord\.com/],
      ['truncated: no token', 'https://hooks.slack.com/services/T0123ABCD/B0456EFGH', /truncated/],
      ['truncated: only workspace', 'https://hooks.slack.com/services/T0123ABCD', /truncated/],
      ['truncated token', GOOD.slice(0, -5), /token of at least 24/],
      ['a token of 23 letters (one short)', GOOD.slice(0, -1), /token of at least 24/],
      [
        'a trigger token of 23 letters (one short)',
        TRIGGER.replace(/[^/]+$/, TOKEN.slice(1)),
        /its path is not \/triggers\//,
      ],
      ['trailing slash', `${GOOD}/`, /path is not/],
      ['extra path part', `${GOOD}/extra`, /path is not/],
      ['bad workspace id', GOOD.replace('T0123ABCD', 'X0123ABCD'), /path is not/],
      ['query', `${GOOD}?x=1`, /query/],
      ['fragment', `${GOOD}#x`, /query or fragment/],
      ['port', GOOD.replace('slack.com', 'slack.com:8443'), /port/],
      ['credentials', GOOD.replace('https://', 'https://u:p@'), /user name/],
      ['space inside', GOOD.replace('services', 'ser vices'), /whitespace/],
      ['trailing newline', `${GOOD}\n`, /whitespace/],
      ['control character', `${GOOD}\u0007`, /control/],
      ['other path', `https://hooks.slack.com/workflows/T0123ABCD/${TOKEN}`, /neither/],
      ['truncated trigger', TRIGGER.slice(0, -10), /its path is not \/triggers\//],
      ['extra path part after a trigger', `${TRIGGER}/extra`, /its path is not \/triggers\//],
      ['a services path below another directory', GOOD.replace('/services/', '/x/services/'), /neither/],
      ['a triggers path below another directory', TRIGGER.replace('/triggers/', '/x/triggers/'), /neither/],
    ]
    for (const [what, url, problem] of invalid) {
      it(`refuses ${what}`, () => {
        expect(slackWebhookProblem(url)).to.match(problem)
        let error: unknown
        try {
          assertSlackWebhook(url)
        } catch (e) {
          error = e
        }
        expect(error).to.be.instanceOf(UsageError)
        expect((error as UsageError).exitCode).to.equal(2)
        expect((error as UsageError).code).to.equal('INVALID_SLACK_WEBHOOK')
        expect((error as UsageError).message).to.equal(
          `That is not a Slack webhook URL: ${slackWebhookProblem(url)}. Nothing was changed.`,
        )
        expect((error as UsageError).hint).to.include('--skip-validation')
        // The message never quotes the value.
        if (url.length >= 8) expect((error as UsageError).message).not.to.include(url)
        expect((error as UsageError).message).not.to.include(TOKEN.slice(0, 19))
      })
    }
  })

  describe('OAuth parts', () => {
    const cases: Array<[string, string, RegExp | undefined]> = [
      ['plain id', 'AbC123-_.~', undefined],
      ['long secret', 'x'.repeat(200), undefined],
      ['empty', '', /empty/],
      ['colon', 'id:more', /':'/],
      ['space', 'ab cd', /whitespace/],
      ['tab', 'ab\tcd', /whitespace/],
      ['trailing newline', 'abcd\n', /whitespace/],
      ['non-breaking space', 'ab\u00a0cd', /whitespace/],
      ['control character', 'ab\u0001cd', /control/],
      ['DEL', 'ab\u007fcd', /control/],
      ['C1 control', 'ab\u0085cd', /whitespace|control/],
      ['U+FFFD (a lossy decoding, e.g. of a --client-id argument)', 'ab\ufffdcd', /U\+FFFD/],
      ['other non-ASCII text', 'clïent-ß', undefined],
    ]
    for (const [what, value, problem] of cases) {
      it(`${problem ? 'refuses' : 'accepts'} ${what}`, () => {
        if (problem) {
          expect(oauthPartProblem(value)).to.match(problem)
          expect(() => assertOAuthPart('client secret', value))
            .to.throw(UsageError)
            .with.property('exitCode', 2)
        } else {
          expect(oauthPartProblem(value)).to.equal(undefined)
          expect(() => assertOAuthPart('client secret', value)).not.to.throw()
        }
      })
    }

    it('names the part and what is wrong, never the value; the default hint explains the format', () => {
      const error = catchError(() => assertOAuthPart('client id', 'has space'))
      expect(error.code).to.equal('INVALID_OAUTH_CLIENT')
      expect(error.message).to.equal('The OAuth client id contains whitespace. Nothing was changed.')
      expect(error.hint).to.equal(
        'The secret is stored as client_id:client_secret: neither part may be empty or contain ":", whitespace or control characters.',
      )
      expect(catchError(() => assertOAuthPart('client secret', '', 'Pass --client-id.')).hint).to.equal(
        'Pass --client-id.',
      )
    })

    it('joins client_id:client_secret', () => {
      expect(oauthValue({clientId: 'id', clientSecret: 'secret'})).to.equal('id:secret')
    })

    it('splits client_id:client_secret on the first colon', () => {
      expect(splitOAuthValue('id:secret')).to.deep.equal({clientId: 'id', clientSecret: 'secret'})
      expect(splitOAuthValue('id:sec:ret')).to.deep.equal({clientId: 'id', clientSecret: 'sec:ret'})
      expect(splitOAuthValue(':secret')).to.deep.equal({clientId: '', clientSecret: 'secret'})
      expect(splitOAuthValue('nocolon')).to.equal(undefined)
    })
  })

  describe('input handling', () => {
    const trims: Array<[string, string]> = [
      ['abc\n', 'abc'],
      ['abc\r\n', 'abc'],
      ['abc\n\n', 'abc\n'],
      ['abc', 'abc'],
      [' abc ', ' abc '],
      ['', ''],
    ]
    for (const [input, output] of trims) {
      it(`trims one trailing newline: ${JSON.stringify(input)}`, () => {
        expect(trimOneNewline(input)).to.equal(output)
      })
    }

    it('refuses an empty value and one over the Secrets Manager limit', () => {
      expect(() => assertValueSize('')).to.throw(UsageError, 'empty')
      const empty = catchError(() => assertValueSize(''))
      expect([empty.code, empty.exitCode]).to.deep.equal(['EMPTY_SECRET', 2])
      expect(empty.hint).to.include('--from-stdin reads until end of input')
      const large = catchError(() => assertValueSize('x'.repeat(MAX_SECRET_BYTES + 1)))
      expect([large.code, large.exitCode]).to.deep.equal(['SECRET_TOO_LARGE', 2])
      expect(large.message).to.equal(
        `The secret value is ${MAX_SECRET_BYTES + 1} bytes; Secrets Manager takes at most ${MAX_SECRET_BYTES}.`,
      )
      expect(large.hint).to.equal('Check that the input is the secret and nothing more.')
      expect(() => assertValueSize('x'.repeat(MAX_SECRET_BYTES))).not.to.throw()
      expect(() => assertValueSize('x'.repeat(MAX_SECRET_BYTES + 1))).to.throw(UsageError, 'at most 65536')
      // Bytes, not characters.
      expect(() => assertValueSize('é'.repeat(MAX_SECRET_BYTES / 2 + 1))).to.throw(UsageError)
    })
  })

  describe('masking', () => {
    const cases: Array<[string, 'slack' | 'oauth', string, string]> = [
      ['slack services', 'slack', GOOD, 'https://hooks.slack.com/services/****'],
      ['slack triggers', 'slack', TRIGGER, 'https://hooks.slack.com/triggers/****'],
      ['unchecked slack', 'slack', 'https://example.com/hook/secretpart', '**** (not checked)'],
      ['oauth', 'oauth', 'client-id-123:client-secret-456', '****:****'],
      ['oauth without colon', 'oauth', 'weird', '****'],
    ]
    for (const [what, kind, value, mask] of cases) {
      it(`${what}: shows the form, no part of the value`, () => {
        const masked = maskValue(kind, value)
        expect(masked).to.equal(mask)
        for (const part of value
          .split(/[/:]/)
          .filter((p) => p.length >= 4 && !/^(https|hooks\.slack\.com|services|triggers)$/.test(p))) {
          expect(masked).not.to.include(part)
        }
      })
    }
  })
})
