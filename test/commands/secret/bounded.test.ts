/**
 * No input can exhaust memory (issue 12 §2), through the built binary against moto:
 * every kind of unbounded source is refused quickly with exit 2 SECRET_TOO_LARGE,
 * invalid UTF-8 with SECRET_NOT_UTF8, nothing is written, and the value never shows.
 * "Quickly" is a generous bound (each run is killed after 20 s, long before an
 * unbounded read could fill memory); the peak memory of the process is checked
 * through /proc where the kernel offers it.
 */
import {type ChildProcess, execFileSync, spawn} from 'node:child_process'
import {closeSync, mkdtempSync, openSync, writeFileSync} from 'node:fs'
import {tmpdir} from 'node:os'
import {join} from 'node:path'

import {expect} from 'chai'

import {BIN, ROOT, isolatedEnv} from '../../support/cli.ts'
import {type Moto, startMoto} from '../../support/moto.ts'
import {SLACK_URL, SecretsProbe} from '../../support/secrets.ts'

const NEEDLE = 'BOUNDEDneedleBOUNDEDneedle'

interface Outcome {
  exitCode: number | null
  stdout: string
  stderr: string
  /** Peak resident memory of piksel (VmHWM, kB), when /proc told it. */
  peakKb?: number
}

/** Runs piksel with stdin from `stdin` (a file descriptor or a child's stdout); kills it after 20 s. */
async function runWith(
  moto: Moto,
  args: string[],
  stdin: 'ignore' | number | NodeJS.ReadableStream = 'ignore',
): Promise<Outcome> {
  // ['sh', '-c', script]: a shell pipeline (a real pipe on stdin, as `yes | piksel` has).
  const [file, argv] = args[0] === 'sh' ? ['sh', args.slice(1)] : [process.execPath, [BIN, ...args]]
  const child: ChildProcess = spawn(file, argv, {
    cwd: ROOT,
    env: isolatedEnv(moto.env),
    stdio: [typeof stdin === 'object' ? 'pipe' : stdin, 'pipe', 'pipe'],
  })
  if (typeof stdin === 'object' && child.stdin) {
    stdin.pipe(child.stdin)
    child.stdin.on('error', () => {})
  }
  let stdout = ''
  let stderr = ''
  let peakKb: number | undefined
  child.stdout?.on('data', (c) => (stdout += String(c)))
  child.stderr?.on('data', (c) => (stderr += String(c)))
  const sample = setInterval(() => {
    try {
      const status = execFileSync('cat', [`/proc/${child.pid}/status`], {encoding: 'utf8'})
      const hwm = Number(/VmHWM:\s+(\d+)/.exec(status)?.[1])
      if (hwm) peakKb = Math.max(peakKb ?? 0, hwm)
    } catch {
      // gone already
    }
  }, 50)
  const killer = setTimeout(() => child.kill('SIGKILL'), 20_000)
  const exitCode = await new Promise<number | null>((resolve) => child.on('close', (code) => resolve(code)))
  clearTimeout(killer)
  clearInterval(sample)
  return {exitCode, stdout, stderr, peakKb}
}

describe('secret create: every input is bounded (binary, moto)', function () {
  this.timeout(60_000)
  let moto: Moto
  let probe: SecretsProbe
  const dir = mkdtempSync(join(tmpdir(), 'piksel-bounded-'))

  before(async function () {
    moto = await startMoto(this)
    probe = new SecretsProbe(moto)
  })
  after(async () => {
    probe?.sm.destroy()
    await moto?.stop()
  })

  const slack = (...extra: string[]) => ['secret', 'create', 'slack', '-e', 'staging', '--yes', '--json', ...extra]
  const oauth = (...extra: string[]) => [
    'secret',
    'create',
    'oauth',
    '--app',
    'grafana',
    '-e',
    'staging',
    '--yes',
    '--json',
    ...extra,
  ]

  async function expectRefused(r: Outcome, code: 'SECRET_TOO_LARGE' | 'SECRET_NOT_UTF8'): Promise<void> {
    expect(r.exitCode, r.stderr).to.equal(2)
    const {error} = JSON.parse(r.stdout) as {error: {code: string; message: string}}
    expect(error.code).to.equal(code)
    expect(r.stdout + r.stderr).not.to.include(NEEDLE)
    expect(await probe.names()).to.deep.equal([])
    // A bounded read: far below what an unbounded one reaches in these seconds (gigabytes).
    if (r.peakKb !== undefined) expect(r.peakKb).to.be.below(400_000)
  }

  describe('SECRET_TOO_LARGE from each kind of unbounded source', () => {
    it('--from-file /dev/zero (grew to 5.9 GB before)', async () => {
      const r = await runWith(moto, slack('--from-file', '/dev/zero'))
      await expectRefused(r, 'SECRET_TOO_LARGE')
      expect(JSON.parse(r.stdout).error.message).to.match(/^--from-file \/dev\/zero holds more than 65538 bytes/)
    })

    it('--from-file /dev/urandom', async () => {
      await expectRefused(await runWith(moto, slack('--from-file', '/dev/urandom')), 'SECRET_TOO_LARGE')
    })

    it('--from-file on a FIFO fed continuously', async () => {
      const fifo = join(dir, 'fifo')
      execFileSync('mkfifo', [fifo])
      const writer = spawn('sh', ['-c', `while :; do printf '%s' ${NEEDLE}; done > ${fifo}`], {stdio: 'ignore'})
      try {
        await expectRefused(await runWith(moto, slack('--from-file', fifo)), 'SECRET_TOO_LARGE')
      } finally {
        writer.kill('SIGKILL')
      }
    })

    it('--from-file /dev/stdin fed by `yes` (a shell pipe)', async () => {
      const argv = [process.execPath, BIN, ...slack('--from-file', '/dev/stdin')].map((a) => `'${a}'`).join(' ')
      await expectRefused(await runWith(moto, ['sh', '-c', `yes ${NEEDLE} | ${argv}`]), 'SECRET_TOO_LARGE')
    })

    it('--from-file /dev/stdin when stdin is a socket: exit 2 saying so (use --from-stdin)', async () => {
      const yes = spawn('yes', [NEEDLE], {stdio: ['ignore', 'pipe', 'ignore']})
      try {
        const r = await runWith(moto, slack('--from-file', '/dev/stdin'), yes.stdout)
        expect(r.exitCode).to.equal(2)
        expect(JSON.parse(r.stdout).error).to.include({
          code: 'SECRET_FILE_UNREADABLE',
          message:
            'Cannot read --from-file /dev/stdin: it is a socket, which cannot be opened as a file (use --from-stdin). Nothing was changed.',
        })
        expect(await probe.names()).to.deep.equal([])
      } finally {
        yes.kill('SIGKILL')
      }
    })

    it('--from-stdin fed by `yes`', async () => {
      const yes = spawn('yes', [NEEDLE], {stdio: ['ignore', 'pipe', 'ignore']})
      try {
        const r = await runWith(moto, slack('--from-stdin'), yes.stdout)
        await expectRefused(r, 'SECRET_TOO_LARGE')
        expect(JSON.parse(r.stdout).error.message).to.match(/^stdin \(--from-stdin\) holds more than 65538 bytes/)
      } finally {
        yes.kill('SIGKILL')
      }
    })

    it('--from-stdin redirected from /dev/zero', async () => {
      const fd = openSync('/dev/zero', 'r')
      try {
        await expectRefused(await runWith(moto, slack('--from-stdin'), fd), 'SECRET_TOO_LARGE')
      } finally {
        closeSync(fd)
      }
    })

    it('a regular file of 50 MB', async () => {
      const file = join(dir, 'large')
      writeFileSync(file, Buffer.alloc(50 * 1024 * 1024, NEEDLE))
      await expectRefused(await runWith(moto, slack('--from-file', file)), 'SECRET_TOO_LARGE')
    })

    it('oauth: client_id:client_secret from `yes` on stdin', async () => {
      const yes = spawn('yes', [`id:${NEEDLE}`], {stdio: ['ignore', 'pipe', 'ignore']})
      try {
        await expectRefused(await runWith(moto, oauth('--from-stdin'), yes.stdout), 'SECRET_TOO_LARGE')
      } finally {
        yes.kill('SIGKILL')
      }
    })

    it('oauth with --client-id: the secret from /dev/zero', async () => {
      await expectRefused(
        await runWith(moto, oauth('--client-id', 'visible-id', '--from-file', '/dev/zero')),
        'SECRET_TOO_LARGE',
      )
    })
  })

  describe('SECRET_NOT_UTF8: never stored as U+FFFD', () => {
    const invalid = Buffer.concat([Buffer.from(`${SLACK_URL}${NEEDLE}`), Buffer.from([0xff, 0xfe])])

    it('from a file (bytes FF FE)', async () => {
      const file = join(dir, 'latin')
      writeFileSync(file, invalid)
      await expectRefused(await runWith(moto, slack('--from-file', file, '--skip-validation')), 'SECRET_NOT_UTF8')
    })

    it('from stdin (bytes FF FE)', async () => {
      const file = join(dir, 'latin-stdin')
      writeFileSync(file, invalid)
      const fd = openSync(file, 'r')
      try {
        await expectRefused(await runWith(moto, slack('--from-stdin', '--skip-validation'), fd), 'SECRET_NOT_UTF8')
      } finally {
        closeSync(fd)
      }
    })

    it('a UTF-16 file (with its byte-order mark)', async () => {
      const file = join(dir, 'utf16')
      writeFileSync(file, Buffer.concat([Buffer.from([0xff, 0xfe]), Buffer.from(`${SLACK_URL}\n`, 'utf16le')]))
      await expectRefused(await runWith(moto, slack('--from-file', file)), 'SECRET_NOT_UTF8')
    })

    it('oauth: --client-id with a byte that is not UTF-8 (Node decodes argv to U+FFFD) is refused', async () => {
      // The client id is half of the stored value: `ab\xFF` must not become `ab\uFFFD:…` in AWS.
      const file = join(dir, 'client-secret')
      writeFileSync(file, `${NEEDLE}\n`)
      const argv = [process.execPath, BIN, ...oauth('--from-file', file)].map((a) => `'${a}'`).join(' ')
      const r = await runWith(moto, ['sh', '-c', `${argv} --client-id "$(printf 'ab\\377')"`])
      expect(r.exitCode, r.stderr).to.equal(2)
      const {error} = JSON.parse(r.stdout) as {error: {code: string; message: string}}
      expect(error).to.include({code: 'INVALID_OAUTH_CLIENT'})
      expect(error.message).to.match(/client id contains U\+FFFD/)
      expect(r.stdout + r.stderr).not.to.include(NEEDLE)
      expect(await probe.names()).to.deep.equal([])
    })

    it('oauth: client_id:client_secret whose id carries U+FFFD (EF BF BD) is refused', async () => {
      // Valid UTF-8, but the mark of an earlier lossy decoding: never a real client id or secret.
      const file = join(dir, 'replacement-char')
      writeFileSync(
        file,
        Buffer.concat([Buffer.from('ab'), Buffer.from([0xef, 0xbf, 0xbd]), Buffer.from(`:${NEEDLE}`)]),
      )
      const r = await runWith(moto, oauth('--from-file', file))
      expect(r.exitCode, r.stderr).to.equal(2)
      expect(JSON.parse(r.stdout).error.code).to.equal('INVALID_OAUTH_CLIENT')
      expect(r.stdout + r.stderr).not.to.include(NEEDLE)
      expect(await probe.names()).to.deep.equal([])
    })

    it('oauth: a client secret in Latin-1 on stdin', async () => {
      const file = join(dir, 'latin-oauth')
      writeFileSync(file, Buffer.concat([Buffer.from(`id:${NEEDLE}`), Buffer.from([0xe9])]))
      const fd = openSync(file, 'r')
      try {
        await expectRefused(await runWith(moto, oauth('--from-stdin'), fd), 'SECRET_NOT_UTF8')
      } finally {
        closeSync(fd)
      }
    })
  })

  describe('within the bound, nothing is changed but the one trailing newline', () => {
    it('the largest value Secrets Manager takes (65,536 bytes) plus "\\r\\n" is stored byte for byte', async () => {
      const value = 'v'.repeat(65_535) + 'é'.slice(0, 0) + 'w'
      const file = join(dir, 'max')
      writeFileSync(file, `${value}\r\n`)
      const r = await runWith(moto, slack('--from-file', file, '--skip-validation', '--name', 'bounded-max'))
      expect(r.exitCode, r.stderr).to.equal(0)
      expect((await probe.value('bounded-max')).value).to.equal(value)
      await probe.sm.send(
        new (await import('@aws-sdk/client-secrets-manager')).DeleteSecretCommand({
          SecretId: 'bounded-max',
          ForceDeleteWithoutRecovery: true,
        }),
      )
    })

    it('multibyte text and a leading UTF-8 byte-order mark are kept as they are', async () => {
      const value = '\uFEFFzaq€ß漢字🙂'
      const file = join(dir, 'utf8')
      writeFileSync(file, `${value}\n`)
      const r = await runWith(moto, slack('--from-file', file, '--skip-validation', '--name', 'bounded-utf8'))
      expect(r.exitCode, r.stderr).to.equal(0)
      expect((await probe.value('bounded-utf8')).value).to.equal(value)
      await probe.sm.send(
        new (await import('@aws-sdk/client-secrets-manager')).DeleteSecretCommand({
          SecretId: 'bounded-utf8',
          ForceDeleteWithoutRecovery: true,
        }),
      )
    })

    it('one byte more than 65,536 after the newline is dropped: SECRET_TOO_LARGE', async () => {
      const file = join(dir, 'max-plus-one')
      writeFileSync(file, `${'v'.repeat(65_537)}\n`)
      const r = await runWith(moto, slack('--from-file', file, '--skip-validation'))
      expect(r.exitCode).to.equal(2)
      expect(JSON.parse(r.stdout).error.code).to.equal('SECRET_TOO_LARGE')
      expect(await probe.names()).to.deep.equal([])
    })
  })
})
