/**
 * The leak test of issue 4: recognisable secrets pushed through every path
 * never appear on stdout or stderr, and no child process receives them (an `aws`
 * stub on PATH records any call).
 */
import {type Server, createServer} from 'node:http'

import {expect} from 'chai'
import {execa} from 'execa'

import {type RunResult, isolatedEnv, runPiksel} from '../../support/cli.ts'
import {type Moto, freePort, startMoto} from '../../support/moto.ts'
import {SecretsProbe, secretFile} from '../../support/secrets.ts'
import {StubBin} from '../../support/stubs.ts'
import {onTerminal} from '../../support/terminal.ts'

const TOKEN = 'LEAKleakLEAKleakLEAKleak'
const URL_1 = `https://hooks.slack.com/services/T0LEAKME1/B0LEAKME1/${TOKEN}`
const TOKEN_2 = 'SPILLspillSPILLspillSPILL'
const URL_2 = `https://hooks.slack.com/services/T0LEAKME1/B0LEAKME2/${TOKEN_2}`
const CLIENT_ID = 'LeakyClientId4242'
const CLIENT_SECRET = 'LeakyClientSecret4242xyz'
const NEEDLES = [URL_1, TOKEN, URL_2, TOKEN_2, CLIENT_ID, CLIENT_SECRET]

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

  /** Runs piksel on a pseudo-terminal (util-linux `script`), typing each answer once its prompt is up. */
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

  it('the child-process check can fail: the aws stub records a call made to it', async () => {
    const probeStubs = new StubBin().add('aws', {stdout: '{}'})
    await execa('aws', ['sts', 'get-caller-identity'], {env: {PATH: `${probeStubs.dir}:${process.env.PATH}`}})
    expect(probeStubs.calls('aws').map((c) => c.argv)).to.deep.equal([['sts', 'get-caller-identity']])
  })
})
