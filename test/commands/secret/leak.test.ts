/**
 * The leak test of issue 4: recognisable secrets pushed through every path
 * never appear on stdout or stderr, and no child process receives them (an `aws`
 * stub on PATH records any call).
 */
import {type ChildProcess, spawn} from 'node:child_process'
import {createHash} from 'node:crypto'
import {mkdtempSync, writeFileSync} from 'node:fs'
import {type Server, createServer} from 'node:http'
import {tmpdir} from 'node:os'
import {join} from 'node:path'

import {expect} from 'chai'
import {execa} from 'execa'

import {BIN, ROOT, type RunResult, isolatedEnv, runPiksel} from '../../support/cli.ts'
import {awsFaultProxy, hangingEndpoint} from '../../support/hang.ts'
import {KubeStandin, secretObject} from '../../support/kube-standin.ts'
import {type Moto, freePort, startMoto} from '../../support/moto.ts'
import {SecretsProbe, secretFile} from '../../support/secrets.ts'
import {StubBin} from '../../support/stubs.ts'
import {onTerminal} from '../../support/terminal.ts'
import {which} from '../../support/tools.ts'

const TOKEN = 'LEAKleakLEAKleakLEAKleak'
const URL_1 = `https://hooks.slack.com/services/T0LEAKME1/B0LEAKME1/${TOKEN}`
const TOKEN_2 = 'SPILLspillSPILLspillSPILL'
const URL_2 = `https://hooks.slack.com/services/T0LEAKME1/B0LEAKME2/${TOKEN_2}`
const CLIENT_ID = 'LeakyClientId4242'
const CLIENT_SECRET = 'LeakyClientSecret4242xyz'
const VALUES = [URL_1, TOKEN, URL_2, TOKEN_2, CLIENT_ID, CLIENT_SECRET]
/** Nor any form a comparison handles: a Kubernetes Secret's base64, a SHA-256 digest (hex or base64). */
const NEEDLES = [
  ...VALUES,
  ...[URL_1, URL_2, CLIENT_ID, CLIENT_SECRET, `${CLIENT_ID}:${CLIENT_SECRET}`].flatMap((v) => [
    Buffer.from(v).toString('base64'),
    createHash('sha256').update(v).digest('hex'),
    createHash('sha256').update(v).digest('base64'),
  ]),
]

function expectNoLeak(r: {stdout: string; stderr: string}, what: string): void {
  for (const needle of NEEDLES) {
    expect(r.stdout, `${what}: stdout`).not.to.include(needle)
    expect(r.stderr, `${what}: stderr`).not.to.include(needle)
  }
}

/** A Secrets Manager endpoint that echoes the request body into its error message (worst case). */
async function echoingSecretsManager(): Promise<{server: Server; endpoint: string}> {
  const server = createServer((req, res) => {
    let body = ''
    req.on('data', (c) => (body += c))
    req.on('end', () => {
      const target = String(req.headers['x-amz-target'] ?? '')
      res.setHeader('content-type', 'application/x-amz-json-1.1')
      res.statusCode = 400
      if (target.endsWith('DescribeSecret')) {
        res.end(JSON.stringify({__type: 'ResourceNotFoundException', message: 'not found'}))
      } else {
        res.end(JSON.stringify({__type: 'InvalidParameterException', message: `cannot accept request ${body}`}))
      }
    })
  })
  const port = await freePort()
  await new Promise<void>((resolve) => server.listen(port, '127.0.0.1', resolve))
  return {server, endpoint: `http://127.0.0.1:${port}`}
}

describe('secret leak test', function () {
  let moto: Moto
  let probe: SecretsProbe
  const stubs = new StubBin().add('aws', {stdout: '{}'})

  before(async function () {
    moto = await startMoto(this)
    probe = new SecretsProbe(moto)
  })
  after(async () => {
    probe?.sm.destroy()
    await moto?.stop()
  })

  const run = async (
    what: string,
    args: string[],
    options: {input?: string; extraEnv?: Record<string, string>} = {},
  ): Promise<RunResult> => {
    const r = await runPiksel(args, {
      input: options.input,
      path: [stubs.dir],
      env: isolatedEnv({...moto.env, ...options.extraEnv}),
    })
    expectNoLeak(r, what)
    // No child process received anything: the aws stub on PATH records every call.
    expect(stubs.calls(), `${what}: child processes`).to.deep.equal([])
    return r
  }
  const slack = (extra: string[]) => ['secret', 'create', 'slack', '-e', 'staging', ...extra]
  const oauth = (extra: string[]) => ['secret', 'create', 'oauth', '--app', 'grafana', '-e', 'staging', ...extra]

  it('slack: created from stdin, unchanged from a file, conflict, --json, --verbose, DEBUG, dry run', async () => {
    expect(
      (await run('created (stdin)', slack(['--from-stdin', '--yes', '--verbose']), {input: URL_1})).exitCode,
    ).to.equal(0)
    expect((await probe.value('slack-alerts-staging')).value).to.equal(URL_1)
    expect(
      (await run('unchanged (file)', slack(['--from-file', secretFile(`${URL_1}\n`), '--verbose']))).exitCode,
    ).to.equal(0)
    expect((await run('unchanged --json', slack(['--from-stdin', '--json']), {input: URL_1})).exitCode).to.equal(0)
    expect((await run('conflict', slack(['--from-stdin', '--yes', '--verbose']), {input: URL_2})).exitCode).to.equal(2)
    expect(
      (await run('conflict --json', slack(['--from-stdin', '--yes', '--json']), {input: URL_2})).exitCode,
    ).to.equal(2)
    expect(
      (await run('dry run', slack(['--from-stdin', '--dry-run', '--overwrite', '--verbose']), {input: URL_2})).exitCode,
    ).to.equal(0)
    expect(
      (await run('DEBUG=*', slack(['--from-stdin', '--yes', '--overwrite']), {input: URL_2, extraEnv: {DEBUG: '*'}}))
        .exitCode,
    ).to.equal(0)
    expect((await probe.value('slack-alerts-staging', 'AWSPREVIOUS')).value).to.equal(URL_1)
    expect(
      (
        await run('updated --json --verbose', slack(['--from-stdin', '--yes', '--overwrite', '--json', '--verbose']), {
          input: URL_1,
        })
      ).exitCode,
    ).to.equal(0)
  })

  it('invalid values and refused command-line secrets are not echoed', async () => {
    const truncated = URL_1.slice(0, -3)
    const results: RunResult[] = []
    for (const [what, args, input] of [
      ['truncated URL', slack(['--from-stdin', '--yes', '--verbose']), truncated],
      ['http URL', slack(['--from-stdin', '--yes', '--json']), URL_1.replace('https', 'http')],
      ['--value', slack([`--value=${URL_1}`, '--verbose']), undefined],
      ['--secret', slack(['--secret', URL_1, '--json']), undefined],
      ['positional', slack([URL_1, '--verbose']), undefined],
      ['unknown flag with the value', slack([`--webhook=${URL_1}`, '--verbose']), undefined],
      ['oauth --client-secret', oauth([`--client-secret=${CLIENT_SECRET}`]), undefined],
      ['oauth positional', oauth([`${CLIENT_ID}:${CLIENT_SECRET}`, '--json']), undefined],
    ] as Array<[string, string[], string | undefined]>) {
      const r = await run(what, args, {input})
      expect(r.exitCode, what).to.equal(2)
      results.push(r)
    }
    // The truncated one differs from the needles by its end: check its start too.
    for (const r of results) expect(r.stderr + r.stdout).not.to.include(truncated)
  })

  it('oauth: parts through stdin and file, created, unchanged, conflict, bad input', async () => {
    const value = `${CLIENT_ID}:${CLIENT_SECRET}`
    expect(
      (await run('oauth created', oauth(['--from-stdin', '--yes', '--verbose']), {input: value})).exitCode,
    ).to.equal(0)
    expect((await probe.value('grafana-oauth-staging')).value).to.equal(value)
    const file = secretFile(`${CLIENT_SECRET}\n`)
    expect(
      (await run('oauth unchanged', oauth(['--client-id', CLIENT_ID, '--from-file', file, '--json']))).exitCode,
    ).to.equal(0)
    expect(
      (
        await run('oauth conflict', oauth(['--client-id', CLIENT_ID, '--from-stdin', '--yes', '--verbose']), {
          input: `${CLIENT_SECRET}9`,
        })
      ).exitCode,
    ).to.equal(2)
    expect(
      (
        await run('oauth space', oauth(['--from-stdin', '--yes', '--verbose']), {
          input: `${CLIENT_ID}:${CLIENT_SECRET} x`,
        })
      ).exitCode,
    ).to.equal(2)
    expect(
      (
        await run(
          'oauth colon with --client-id',
          oauth(['--client-id', CLIENT_ID, '--from-stdin', '--yes', '--json']),
          {input: value},
        )
      ).exitCode,
    ).to.equal(2)
  })

  it('AWS errors: unreachable endpoint, and an endpoint that echoes the request into its error', async () => {
    const unreachable = await run(
      'unreachable',
      slack(['--from-stdin', '--yes', '--verbose', '--name', 'x-unreachable']),
      {
        input: URL_1,
        extraEnv: {AWS_ENDPOINT_URL: 'http://127.0.0.1:9', AWS_MAX_ATTEMPTS: '1'},
      },
    )
    expect(unreachable.exitCode).to.equal(1)
    const echo = await echoingSecretsManager()
    try {
      for (const extra of [['--verbose'], ['--json', '--verbose']]) {
        const r = await run(
          `echoing endpoint ${extra.join(' ')}`,
          slack(['--from-stdin', '--yes', '--name', 'x-echo', ...extra]),
          {
            input: URL_2,
            extraEnv: {AWS_ENDPOINT_URL_SECRETS_MANAGER: echo.endpoint, AWS_MAX_ATTEMPTS: '1'},
          },
        )
        expect(r.exitCode).to.equal(1)
        // The server did put the value into its message; piksel masked it.
        expect(r.stdout + r.stderr)
          .to.include('cannot accept request')
          .and.to.include('****')
      }
    } finally {
      echo.server.close()
    }
  })

  it('an endpoint that echoes the request: a client secret with a quote is masked in its JSON-escaped form too', async () => {
    // The SDK sends the value JSON-encoded (`"` as `\"`): the echo carries that form, not the raw one.
    const quoted = 'Quoted"Secret\\4242xyz'
    const echo = await echoingSecretsManager()
    try {
      const r = await run('echoing endpoint, quoted secret', oauth(['--from-stdin', '--yes', '--json', '--verbose']), {
        input: `${CLIENT_ID}:${quoted}`,
        extraEnv: {AWS_ENDPOINT_URL_SECRETS_MANAGER: echo.endpoint, AWS_MAX_ATTEMPTS: '1'},
      })
      expect(r.exitCode).to.equal(1)
      expect(r.stdout + r.stderr).to.include('cannot accept request')
      for (const form of [quoted, JSON.stringify(quoted).slice(1, -1), 'Quoted\\"Secret']) {
        expect(r.stdout + r.stderr, form).not.to.include(form)
      }
    } finally {
      echo.server.close()
    }
  })

  it('redaction keeps --json one valid document, even when the value looks like JSON', async () => {
    // Redacting the serialized text turned `"arn": …` into `****: …` (invalid JSON, exit 0).
    const created = await run(
      'created, value "arn"',
      slack(['--name', 'json-shaped', '--skip-validation', '--from-stdin', '--yes', '--json']),
      {input: '"arn"'},
    )
    expect(created.exitCode, created.stderr).to.equal(0)
    expect(created.json()).to.include({name: 'json-shaped', action: 'created'})
    const conflict = await run(
      'conflict, value "code"',
      slack(['--name', 'json-shaped', '--skip-validation', '--from-stdin', '--yes', '--json']),
      {input: '"code"'},
    )
    expect(conflict.exitCode).to.equal(2)
    expect(conflict.json<{error: {code: string}}>().error.code).to.equal('SECRET_CONFLICT')
    // The value is in no string of either document (its characters do spell a key, quoted).
    const strings = (v: unknown): string[] =>
      typeof v === 'string'
        ? [v]
        : v && typeof v === 'object'
          ? Object.entries(v).flatMap(([k, x]) => [k, ...strings(x)])
          : []
    for (const r of [created, conflict]) {
      for (const text of strings(r.json())) expect(text).not.to.match(/"(arn|code)"/)
    }
  })

  it('timeouts (silent, frozen mid-body, an unanswered write) and BUG errors: never the value', async function () {
    this.timeout(90_000)
    const fast = ['--request-timeout', '2s']
    for (const mode of ['silent', 'mid-body'] as const) {
      const hang = await hangingEndpoint(mode)
      try {
        for (const extra of [['--verbose'], ['--json', '--verbose']]) {
          const what = `timeout ${mode} ${extra.join(' ')}`
          const slackRun = await run(what, slack(['--from-stdin', '--yes', '--name', 'x-hang', ...fast, ...extra]), {
            input: URL_1,
            extraEnv: {AWS_ENDPOINT_URL: hang.url},
          })
          expect(slackRun.exitCode, what).to.equal(1)
          expect(slackRun.stdout + slackRun.stderr)
            .to.include(hang.url)
            .and.to.include('no answer')
          const oauthRun = await run(`oauth ${what}`, oauth(['--from-stdin', '--yes', ...fast, ...extra]), {
            input: `${CLIENT_ID}:${CLIENT_SECRET}`,
            extraEnv: {AWS_ENDPOINT_URL: hang.url},
          })
          expect(oauthRun.exitCode, what).to.equal(1)
        }
      } finally {
        await hang.close()
      }
    }
    // The write itself never answered: the value was in flight, the message says how to check.
    const write = await awsFaultProxy('json', [{operation: 'CreateSecret', hang: 'silent'}], moto.endpoint)
    try {
      const r = await run(
        'unanswered CreateSecret',
        slack(['--from-stdin', '--yes', '--name', 'x-write', '--verbose', ...fast]),
        {
          input: URL_2,
          extraEnv: {AWS_ENDPOINT_URL_SECRETS_MANAGER: write.url},
        },
      )
      expect(r.exitCode).to.equal(1)
      expect(r.stderr).to.include('may or may not have been made')
    } finally {
      await write.close()
    }
    // An answer nobody anticipated (a tag list that is not a list): BUG, with the stack under --verbose.
    const odd = await awsFaultProxy(
      'json',
      [
        {
          operation: 'DescribeSecret',
          raw: {
            status: 200,
            contentType: 'application/x-amz-json-1.1',
            body: '{"ARN":"arn:x","Name":"slack-alerts-staging","Tags":"not-a-list"}',
          },
        },
      ],
      moto.endpoint,
    )
    try {
      for (const extra of [['--verbose'], ['--json', '--verbose']]) {
        const r = await run(`BUG ${extra.join(' ')}`, slack(['--from-stdin', '--yes', '--overwrite', ...extra]), {
          input: URL_1,
          extraEnv: {AWS_ENDPOINT_URL_SECRETS_MANAGER: odd.url, DEBUG: '*'},
        })
        expect(r.exitCode).to.equal(1)
        expect(r.stdout + r.stderr).to.include('Unexpected error (TypeError)')
        if (extra.includes('--json')) expect(r.json<{error: {code: string}}>().error.code).to.equal('BUG')
      }
    } finally {
      await odd.close()
    }
  })

  /** Runs piksel on a pseudo-terminal (util-linux `script`), typing each answer once its prompt is up. */
  async function onTerminalRaw(
    ctx: Mocha.Context,
    args: string,
    // A string is typed and Enter pressed; a Buffer is sent as raw bytes (no Enter).
    steps: Array<[prompt: string, answer: string | Buffer]>,
  ): Promise<{code: number; output: string; answered: number}> {
    const script = which('script')
    if (!script) {
      if (process.env.CI) throw new Error('script (util-linux) is required for the TTY test')
      ctx.skip()
    }
    const env = {...isolatedEnv(moto.env), PATH: `${stubs.dir}:${process.env.PATH}`, TERM: 'xterm'}
    const child: ChildProcess = spawn(script, ['-qec', `${process.execPath} ${BIN} ${args}`, '/dev/null'], {
      env,
      cwd: ROOT,
      stdio: 'pipe',
    })
    let output = ''
    let answered = 0
    let seen = 0
    const done = new Promise<number>((resolve) => child.on('exit', (code) => resolve(code ?? -1)))
    child.stdout?.on('data', (chunk) => {
      output += String(chunk)
      const step = steps[answered]
      // Type only once the prompt is up (raw mode on), as a person would.
      if (step && output.indexOf(step[0], seen) >= 0) {
        seen = output.indexOf(step[0], seen) + step[0].length
        answered++
        const answer = step[1]
        setTimeout(() => child.stdin?.write(typeof answer === 'string' ? `${answer}\r` : answer), 200)
      }
    })
    const timer = setTimeout(() => child.kill('SIGKILL'), 25_000)
    const code = await done
    clearTimeout(timer)
    expect(stubs.calls(), `terminal ${args}: child processes`).to.deep.equal([])
    return {code, output, answered}
  }

  async function terminal(ctx: Mocha.Context, args: string, steps: Array<[prompt: string, answer: string]>) {
    const env = {...isolatedEnv(moto.env), PATH: `${stubs.dir}:${process.env.PATH}`}
    const r = await onTerminal(ctx, args.split(' '), {env, steps})
    expect(stubs.calls(), `terminal ${args}: child processes`).to.deep.equal([])
    return r
  }

  it('the hidden prompt and the confirmation on a real terminal (script): nothing echoed', async function () {
    const r = await terminal(this, 'secret create slack -e staging --name tty-secret', [
      ['Slack webhook URL', URL_1],
      ['Create secret tty-secret', 'y'],
    ])
    expect(r.answered, r.output).to.equal(2)
    expect(r.code, r.output).to.equal(0)
    expect(r.output).to.include('created tty-secret').and.to.include('https://hooks.slack.com/services/****')
    expectNoLeak({stdout: r.output, stderr: ''}, 'terminal slack')
    expect((await probe.value('tty-secret')).value).to.equal(URL_1)
  })

  it('a declined confirmation on a terminal writes nothing (exit 1)', async function () {
    const r = await terminal(this, 'secret create slack -e staging --name tty-declined', [
      ['Slack webhook URL', URL_2],
      ['Create secret tty-declined', 'n'],
    ])
    expect(r.code, r.output).to.equal(1)
    expect(r.output).to.include('Cancelled')
    expectNoLeak({stdout: r.output, stderr: ''}, 'terminal declined')
    expect(await probe.names()).not.to.include('tty-declined')
  })

  it('oauth on a terminal: visible client id prompt, hidden client secret', async function () {
    const r = await terminal(this, 'secret create oauth --app argo -e staging --yes --name tty-oauth', [
      ['OAuth client id', 'visible-client-id'],
      ['OAuth client secret', CLIENT_SECRET],
    ])
    expect(r.code, r.output).to.equal(0)
    expectNoLeak({stdout: r.output, stderr: ''}, 'terminal oauth')
    expect((await probe.value('tty-oauth')).value).to.equal(`visible-client-id:${CLIENT_SECRET}`)
  })

  for (const path of ['/dev/tty', '/dev/stdin']) {
    it(`--from-file ${path} on a terminal is refused at once: typed there, the secret would be echoed`, async function () {
      // As --from-stdin on a terminal is: the terminal echoes what is typed (and keeps it in scrollback).
      const script = which('script')
      if (!script) {
        if (process.env.CI) throw new Error('script (util-linux) is required for the TTY test')
        this.skip()
      }
      const name = `tty-file-${path.split('/').pop()}`
      const child = spawn(
        script,
        [
          '-qec',
          `${process.execPath} ${BIN} secret create slack -e staging --yes --json --name ${name} --from-file ${path}`,
          '/dev/null',
        ],
        {env: {...isolatedEnv(moto.env), TERM: 'xterm'}, cwd: ROOT, stdio: 'pipe'},
      )
      let output = ''
      child.stdout?.on('data', (chunk) => (output += String(chunk)))
      const done = new Promise<number>((resolve) => child.on('exit', (code) => resolve(code ?? -1)))
      // Someone types the URL and Ctrl-D, as `--from-file /dev/tty` invites.
      const typing = setTimeout(() => child.stdin?.write(`${URL_1}\n\u0004`), 1500)
      const killer = setTimeout(() => child.kill('SIGKILL'), 20_000)
      const code = await done
      clearTimeout(typing)
      clearTimeout(killer)
      expect(stubs.calls(), `terminal --from-file ${path}: child processes`).to.deep.equal([])
      expect(code, output).to.equal(2)
      expect(output).to.include('SECRET_FILE_IS_TTY')
      expectNoLeak({stdout: output, stderr: ''}, `terminal --from-file ${path}`)
      expect(await probe.names()).not.to.include(name)
    })
  }

  describe('bounded reads (issue 12 §2): refused input is never echoed', () => {
    const huge = `${URL_1}${'x'.repeat(70_000)}`
    const latin = Buffer.concat([Buffer.from(URL_2), Buffer.from([0xff, 0xfe])])

    it('too large on stdin and in a file, slack and oauth, with --verbose and --json', async () => {
      const file = secretFile(huge)
      for (const [what, args, input] of [
        ['stdin too large --verbose', slack(['--from-stdin', '--yes', '--verbose']), huge],
        ['file too large --json', slack(['--from-file', file, '--yes', '--json', '--verbose']), undefined],
        [
          'oauth stdin too large',
          oauth(['--from-stdin', '--yes', '--verbose']),
          `${CLIENT_ID}:${CLIENT_SECRET}${'y'.repeat(70_000)}`,
        ],
      ] as Array<[string, string[], string | undefined]>) {
        const r = await run(what, args, {input})
        expect(r.exitCode, what).to.equal(2)
        expect(r.stdout + r.stderr, what).to.include('too large for a secret')
      }
    })

    it('invalid UTF-8 in a file and on stdin (DEBUG=* too)', async () => {
      const file = secretFile('')
      const {writeFileSync} = await import('node:fs')
      writeFileSync(file, latin)
      for (const [what, args, extraEnv] of [
        ['file not UTF-8 --verbose', slack(['--from-file', file, '--yes', '--verbose', '--skip-validation']), {}],
        ['file not UTF-8 DEBUG', slack(['--from-file', file, '--yes', '--json']), {DEBUG: '*'}],
      ] as Array<[string, string[], Record<string, string>]>) {
        const r = await run(what, args, {extraEnv})
        expect(r.exitCode, what).to.equal(2)
        expect(r.stdout + r.stderr, what).to.include('is not valid UTF-8 text')
      }
    })

    it('the hidden prompt: 70 kB pasted is refused past 4 KiB (SECRET_TOO_LARGE), nothing echoed or stored', async function () {
      const r = await onTerminalRaw(this, 'secret create slack -e staging --yes --name tty-huge', [
        ['Slack webhook URL', huge],
      ])
      expect(r.code, r.output.slice(-500)).to.equal(2)
      expect(r.output).to.include('the hidden prompt holds more than 4096 bytes')
      expectNoLeak({stdout: r.output, stderr: ''}, 'terminal too large')
      expect(await probe.names()).not.to.include('tty-huge')
    })

    it('the hidden prompt: bytes FF FE are refused (SECRET_NOT_UTF8), not stored as U+FFFD', async function () {
      const r = await onTerminalRaw(this, 'secret create slack -e staging --yes --name tty-latin', [
        ['Slack webhook URL', Buffer.concat([latin, Buffer.from('\r')])],
      ])
      expect(r.code, r.output.slice(-500)).to.equal(2)
      expect(r.output).to.include('is not valid UTF-8 text')
      expectNoLeak({stdout: r.output, stderr: ''}, 'terminal not UTF-8')
      expect(await probe.names()).not.to.include('tty-latin')
    })
  })

  describe('secret list --cluster (issue 15 §2): values compared by digest, never shown', () => {
    let standin: KubeStandin
    let kubeconfig: string
    const config = (): string => {
      const dir = mkdtempSync(join(tmpdir(), 'piksel-leak-sync-'))
      const file = join(dir, 'piksel.config.yaml')
      const text = [
        'environments:',
        '  dev:',
        '    secrets:',
        '      grafana-oauth-dev:',
        '        cluster: {namespace: monitoring, name: grafana, keys: {clientId: id, clientSecret: secret}}',
        '',
      ].join('\n')
      writeFileSync(file, text)
      return file
    }
    before(async () => {
      standin = await KubeStandin.start({noFlux: true})
      kubeconfig = standin.writeKubeconfig(mkdtempSync(join(tmpdir(), 'piksel-leak-kube-')), {context: 'piksel-dev'})
    })
    after(async () => standin?.stop())

    it('in-sync, stale (AWSPREVIOUS), missing, forbidden; --json, --verbose, DEBUG=*; kube 500, a timeout while versions are read', async function () {
      this.timeout(90_000)
      const file = config()
      // Secrets Manager: URL_2 now, URL_1 before; the OAuth client unchanged. The cluster still holds URL_1.
      await probe.create('slack-alerts-dev', URL_1)
      await probe.put('slack-alerts-dev', URL_2)
      await probe.create('grafana-oauth-dev', `${CLIENT_ID}:${CLIENT_SECRET}`)
      standin.put(secretObject('flux-system', 'slack-webhook-dev', {address: URL_1}))
      standin.put(secretObject('monitoring', 'grafana', {id: CLIENT_ID, secret: CLIENT_SECRET}))
      const list = (extra: string[]) => ['secret', 'list', '-e', 'dev', '--cluster', '--config', file, ...extra]
      const env = {KUBECONFIG: kubeconfig}
      for (const extra of [['--json'], ['--verbose'], ['--json', '--verbose']]) {
        const r = await run(`--cluster ${extra.join(' ')}`, list(extra), {extraEnv: env})
        expect(r.exitCode, r.stderr).to.equal(3)
        expect(r.stdout).to.include('AWSPREVIOUS')
      }
      expect((await run('--cluster DEBUG=*', list([]), {extraEnv: {...env, DEBUG: '*'}})).exitCode).to.equal(3)
      // The OAuth Secret holds only the id now, and the Slack one is refused: missing and unknown.
      standin.put(secretObject('monitoring', 'grafana', {id: CLIENT_ID}))
      const lift = standin.forbid('flux-system', 'secrets')
      const refused = await run('--cluster missing + forbidden', list(['--json', '--verbose']), {extraEnv: env})
      expect(refused.stdout).to.include('"unknown"').and.to.include('"missing"')
      lift()
      // Error paths once values were read: the API server fails (500), a version read never answers.
      standin.faults.push({path: /\/secrets\/grafana$/, code: 500, reason: 'InternalError', message: 'etcd down'})
      for (const extra of [['--verbose'], ['--json', '--verbose']]) {
        const r = await run(`--cluster kube 500 ${extra.join(' ')}`, list(extra), {extraEnv: env})
        expect(r.exitCode).to.equal(1)
        expect(r.stdout + r.stderr).to.include('etcd down')
      }
      standin.faults.length = 0
      standin.put(secretObject('monitoring', 'grafana', {id: CLIENT_ID, secret: CLIENT_SECRET}))
      const slow = await awsFaultProxy('json', [{operation: 'ListSecretVersionIds', hang: 'silent'}], moto.endpoint)
      try {
        const r = await run(
          '--cluster, ListSecretVersionIds never answers',
          list(['--verbose', '--request-timeout', '2s']),
          {
            extraEnv: {...env, AWS_ENDPOINT_URL_SECRETS_MANAGER: slow.url},
          },
        )
        expect(r.exitCode).to.equal(1)
        expect(r.stderr).to.match(/TIMEOUT|no answer/)
        expect(slow.operations).to.include('GetSecretValue')
      } finally {
        await slow.close()
      }
    })
    it('a broken answer to the Secret GET is never quoted: an unparsable one (--verbose), a proxy’s error page echoing it', async () => {
      // A server in the API server's place whose answers carry the Secret's data (base64 of URL_1).
      const object = JSON.stringify({kind: 'Secret', data: {address: Buffer.from(URL_1).toString('base64')}})
      const answers: Record<string, [number, string, string]> = {
        unparsable: [
          200,
          'application/json',
          object.replace(/"(?=[A-Za-z0-9+/=]{20,})|(?<=[A-Za-z0-9+/=]{20,})"/g, ''),
        ],
        echoed: [502, 'text/plain', `bad gateway, upstream answered: ${object}`],
      }
      let mode = 'unparsable'
      const server = createServer((req, res) => {
        const [code, type, body] = req.url?.includes('/secrets/') ? answers[mode]! : [404, 'application/json', '{}']
        res.writeHead(code, {'content-type': type})
        res.end(body)
      })
      const port = await freePort()
      await new Promise<void>((resolve) => server.listen(port, '127.0.0.1', resolve))
      const dir = mkdtempSync(join(tmpdir(), 'piksel-leak-proxy-'))
      const kubeconfig = join(dir, 'kubeconfig')
      writeFileSync(
        kubeconfig,
        `apiVersion: v1\nkind: Config\nclusters:\n- name: p\n  cluster: {server: "http://127.0.0.1:${port}"}\nusers:\n- name: u\n  user: {token: t}\ncontexts:\n- name: piksel-dev\n  context: {cluster: p, user: u}\ncurrent-context: piksel-dev\n`,
      )
      try {
        // Whether or not Secrets Manager has the secret, the Secret is read (and its answer judged).
        const args = ['secret', 'list', '-e', 'dev', '--cluster', '--config', config(), '--verbose']
        for (const m of Object.keys(answers)) {
          mode = m
          const r = await run(`--cluster, ${m} answer`, args, {extraEnv: {KUBECONFIG: kubeconfig}})
          expect(r.exitCode, r.stderr).to.equal(1)
          // The reason is the secret's cluster state now (stdout), the listing beside it.
          const out = r.stdout + r.stderr
          expect(out).to.match(m === 'unparsable' ? /is not JSON/ : /failed \(502\): \(the answer is not shown/)
          // Not even a part: JSON.parse's message quotes a few characters around the fault.
          const encoded = Buffer.from(URL_1).toString('base64')
          for (let i = 0; i + 8 <= encoded.length; i++) expect(out).not.to.include(encoded.slice(i, i + 8))
        }
      } finally {
        server.closeAllConnections()
        server.close()
      }
    })
  })

  it('the child-process check can fail: the aws stub records a call made to it', async () => {
    const probeStubs = new StubBin().add('aws', {stdout: '{}'})
    await execa('aws', ['sts', 'get-caller-identity'], {env: {PATH: `${probeStubs.dir}:${process.env.PATH}`}})
    expect(probeStubs.calls('aws').map((c) => c.argv)).to.deep.equal([['sts', 'get-caller-identity']])
  })
})
