/**
 * The one secret-value reader (lib/secrets/input.ts) that `secret create` and
 * bootstrap's secrets step share: in-process, with a scripted terminal, real
 * files and real streams.
 */
import {mkdtempSync, writeFileSync} from 'node:fs'
import {tmpdir} from 'node:os'
import {join} from 'node:path'
import {PassThrough} from 'node:stream'

import {expect} from 'chai'

import {PikselError} from '../../../src/lib/errors.ts'
import type {AskOptions} from '../../../src/lib/prompt.ts'
import {type SecretValuePort, type SecretValueRequest, readSecretValue} from '../../../src/lib/secrets/input.ts'

const SLACK_URL = 'https://hooks.slack.com/services/T0000000/B0000000/abcdefghijklmnopqrstuvwx'

interface Asked {
  kind: 'input' | 'password'
  message: string
  flag: string
  /** The prompt re-asks: it refuses an answer that is not valid. */
  reasks: boolean
}

/** A terminal answering from a script; `interactive: false` is no terminal (every prompt fails naming its flag). */
function terminal(answers: string[], interactive = true) {
  const asked: Asked[] = []
  const sensitive: string[] = []
  const ask = (kind: 'input' | 'password') => async (o: AskOptions) => {
    asked.push({kind, message: o.message, flag: o.flag, reasks: o.validate !== undefined})
    if (!interactive) throw new PikselError(`no terminal: ${o.flag}`, 2, {code: 'INPUT_REQUIRED'})
    const answer = answers.shift()
    if (answer === undefined) throw new Error(`unexpected question: ${o.message}`)
    return answer
  }
  const port: SecretValuePort = {
    interactive,
    input: ask('input'),
    password: ask('password'),
    sensitive: (v) => sensitive.push(v),
  }
  return {port, asked, sensitive}
}

function fileWith(text: string): string {
  const path = join(mkdtempSync(join(tmpdir(), 'piksel-input-')), 'secret.txt')
  writeFileSync(path, text)
  return path
}

function pipe(text: string): PassThrough {
  const stream = new PassThrough()
  stream.end(text)
  return stream
}

async function refusal(promise: Promise<unknown>): Promise<PikselError> {
  try {
    await promise
  } catch (error) {
    expect(error).to.be.instanceOf(PikselError)
    return error as PikselError
  }
  throw new Error('expected a refusal')
}

describe('secret value: one reader for secret create and bootstrap', () => {
  describe('secret create (prompts name its flags, a bad answer fails)', () => {
    it('slack from the hidden prompt', async () => {
      const {port, asked, sensitive} = terminal([SLACK_URL])
      expect(await readSecretValue({kind: 'slack'}, port)).to.equal(SLACK_URL)
      expect(asked).to.deep.equal([
        {kind: 'password', message: 'Slack webhook URL (hidden)', flag: '--from-stdin or --from-file', reasks: false},
      ])
      expect(sensitive).to.deep.equal([SLACK_URL])
    })

    it('slack from a file: one trailing newline dropped, nothing asked', async () => {
      const {port, asked} = terminal([])
      expect(await readSecretValue({kind: 'slack', fromFile: fileWith(`${SLACK_URL}\n`)}, port)).to.equal(SLACK_URL)
      expect(asked).to.deep.equal([])
    })

    it('slack from stdin', async () => {
      const {port} = terminal([])
      expect(await readSecretValue({kind: 'slack', fromStdin: true, stdin: pipe(`${SLACK_URL}\r\n`)}, port)).to.equal(
        SLACK_URL,
      )
    })

    it('--from-stdin on a terminal is refused before reading', async () => {
      const stdin = Object.assign(pipe(SLACK_URL), {isTTY: true})
      const error = await refusal(readSecretValue({kind: 'slack', fromStdin: true, stdin}, terminal([]).port))
      expect([error.code, error.exitCode]).to.deep.equal(['STDIN_IS_TTY', 2])
    })

    const refused: Array<[string, SecretValueRequest, string[], string]> = [
      ['a prompt answer that is not a webhook', {kind: 'slack'}, ['https://example.com/x'], 'INVALID_SLACK_WEBHOOK'],
      ['a file that is not a webhook', {kind: 'slack', fromFile: fileWith('hunter2')}, [], 'INVALID_SLACK_WEBHOOK'],
      [
        'an empty file with --skip-validation',
        {kind: 'slack', fromFile: fileWith('\n'), skipValidation: true},
        [],
        'EMPTY_SECRET',
      ],
      [
        'oauth input without a colon and no --client-id',
        {kind: 'oauth', fromStdin: true, stdin: pipe('only-a-secret')},
        [],
        'INVALID_OAUTH_CLIENT',
      ],
      [
        'oauth --client-id with a colon',
        {kind: 'oauth', clientId: 'a:b', fromStdin: true, stdin: pipe('s3cret')},
        [],
        'INVALID_OAUTH_CLIENT',
      ],
      [
        'oauth client secret with whitespace',
        {kind: 'oauth', clientId: 'id', fromStdin: true, stdin: pipe('s3 cret')},
        [],
        'INVALID_OAUTH_CLIENT',
      ],
    ]
    for (const [what, request, answers, code] of refused) {
      it(`refuses ${what}: exit 2 ${code}`, async () => {
        const error = await refusal(readSecretValue(request, terminal(answers).port))
        expect([error.code, error.exitCode]).to.deep.equal([code, 2])
      })
    }

    it('--skip-validation stores what it is given', async () => {
      const {port} = terminal([])
      const value = await readSecretValue({kind: 'slack', fromFile: fileWith('not-a-url'), skipValidation: true}, port)
      expect(value).to.equal('not-a-url')
    })

    it('oauth: client_id:client_secret on stdin; only the secret parts are sensitive', async () => {
      const {port, sensitive, asked} = terminal([])
      const value = await readSecretValue({kind: 'oauth', fromStdin: true, stdin: pipe('grafana:s3cret\n')}, port)
      expect(value).to.equal('grafana:s3cret')
      expect(asked).to.deep.equal([])
      expect(sensitive).to.include('s3cret').and.to.include('grafana:s3cret').and.not.to.include('grafana')
    })

    it('oauth: --client-id and the secret alone from a file', async () => {
      const {port} = terminal([])
      const value = await readSecretValue({kind: 'oauth', clientId: 'abc', fromFile: fileWith('s3cret\n')}, port)
      expect(value).to.equal('abc:s3cret')
    })

    it('oauth with --client-id: a colon in the input says the input holds the secret alone', async () => {
      const request: SecretValueRequest = {kind: 'oauth', clientId: 'abc', fromStdin: true, stdin: pipe('abc:s3cret')}
      const error = await refusal(readSecretValue(request, terminal([]).port))
      expect(error.hint).to.equal(
        'With --client-id, the input holds the client secret alone (not client_id:client_secret).',
      )
    })

    it('oauth: the client id visible, then the secret hidden', async () => {
      const {port, asked} = terminal(['abc', 's3cret'])
      expect(await readSecretValue({kind: 'oauth'}, port)).to.equal('abc:s3cret')
      expect(asked).to.deep.equal([
        {kind: 'input', message: 'OAuth client id', flag: '--client-id', reasks: false},
        {kind: 'password', message: 'OAuth client secret (hidden)', flag: '--from-stdin or --from-file', reasks: false},
      ])
    })

    it('oauth without a terminal fails naming the secret’s flags first', async () => {
      const {port, asked} = terminal([], false)
      const error = await refusal(readSecretValue({kind: 'oauth'}, port))
      expect(error.code).to.equal('INPUT_REQUIRED')
      expect(asked.map((a) => a.flag)).to.deep.equal([
        '--from-stdin or --from-file (with --client-id, or client_id:client_secret on the input)',
      ])
    })
  })

  describe('bootstrap (prompts name the secret and its command, and re-ask)', () => {
    const slack = {name: 'slack-alerts-staging', command: '`piksel secret create slack -e staging`'}
    const oauth = {name: 'argo-oauth-staging', command: '`piksel secret create oauth --app argo -e staging`'}

    it('slack', async () => {
      const {port, asked, sensitive} = terminal([SLACK_URL])
      expect(await readSecretValue({kind: 'slack', asking: slack, reask: true}, port)).to.equal(SLACK_URL)
      expect(asked).to.deep.equal([
        {kind: 'password', message: 'Slack webhook URL for slack-alerts-staging', flag: slack.command, reasks: true},
      ])
      expect(sensitive).to.deep.equal([SLACK_URL])
    })

    it('oauth', async () => {
      const {port, asked, sensitive} = terminal(['argo-client', 's3cret'])
      expect(await readSecretValue({kind: 'oauth', asking: oauth, reask: true}, port)).to.equal('argo-client:s3cret')
      expect(asked).to.deep.equal([
        {kind: 'input', message: 'OAuth client id for argo-oauth-staging', flag: oauth.command, reasks: true},
        {kind: 'password', message: 'OAuth client secret for argo-oauth-staging', flag: oauth.command, reasks: true},
      ])
      expect(sensitive).to.deep.equal(['s3cret', 'argo-client:s3cret'])
    })
  })
})
