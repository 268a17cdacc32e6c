import {expect} from 'chai'
import {type ResultPromise, execa} from 'execa'
import {chmodSync, existsSync, mkdtempSync, readFileSync, writeFileSync} from 'node:fs'
import {tmpdir} from 'node:os'
import {dirname, join} from 'node:path'

import {BIN, isolatedEnv} from '../support/cli.ts'
import {type Moto, startMoto} from '../support/moto.ts'
import {STATE_KEY, createStateBucket, objectKeys, readObject, s3StateAddresses, writeObject} from '../support/s3.ts'
import {onTerminal} from '../support/terminal.ts'
import {copyFixture, lockFile, stateAddresses} from '../support/terraform.ts'
import {requireTool} from '../support/tools.ts'

const LOCK_KEY = `${STATE_KEY}.tflock`

/**
 * Every way a run can be stopped leaves Terraform's state and lock intact: the
 * built binary, the real terraform on terraform_data roots whose state is in S3
 * (use_lockfile) on moto, stopped the way a terminal or a CI runner stops it.
 */
describe('piksel bootstrap: stop signals and held locks (binary, S3 backend on moto)', function () {
  this.timeout(120_000)
  let moto: Moto
  const started: Array<{child: ResultPromise; done: () => boolean}> = []

  before(async function () {
    requireTool(this, 'terraform')
    moto = await startMoto(this)
  })
  after(async () => {
    await moto?.stop()
  })
  beforeEach(async () => {
    await moto.reset()
    // No TLS-only policy here: moto applies a conditional Deny unconditionally (it cannot
    // tell TLS from plain HTTP), so Terraform could not read its state. The posture is
    // tested apart (state-backend.test.ts).
    await createStateBucket(moto, undefined, {policy: 'none'})
  })
  afterEach(async () => {
    for (const {child, done} of started.splice(0)) {
      if (!done()) child.kill('SIGKILL')
      await child.catch(() => undefined)
    }
  })

  const env = (extra: Record<string, string> = {}) =>
    isolatedEnv({...moto.env, KUBECONFIG: join(tmpdir(), 'piksel-no-kubeconfig'), ...extra})

  /** Starts piksel in the background; `waitFor` resolves once stderr matches. */
  function start(args: string[], cwd: string, extra: Record<string, string> = {}, path?: string) {
    const childEnv = env(extra)
    if (path) childEnv.PATH = `${path}:${childEnv.PATH}`
    const child = execa(process.execPath, [BIN, ...args], {
      env: childEnv,
      extendEnv: false,
      reject: false,
      stdin: 'ignore',
      cwd,
      // The test sends the signals; execa must not add a SIGKILL of its own after a SIGTERM.
      forceKillAfterDelay: false,
    })
    let exited = false
    void child.finally(() => {
      exited = true
    })
    started.push({child, done: () => exited})
    let stderr = ''
    child.stderr!.on('data', (chunk: Buffer) => {
      stderr += chunk.toString()
    })
    const waitFor = async (pattern: RegExp, ms = 60_000) => {
      const deadline = Date.now() + ms
      while (!pattern.test(stderr)) {
        if (exited || Date.now() > deadline) {
          throw new Error(`never saw ${pattern}${exited ? ' (piksel exited)' : ''}: ${stderr}`)
        }
        await new Promise((r) => setTimeout(r, 100))
      }
    }
    return {child, waitFor, stderr: () => stderr}
  }

  /** A fresh S3-backed root with the slow apply: <infra>/staging. */
  function slowRoot(): {infra: string; root: string} {
    const root = copyFixture('slow-s3', 'staging', mkdtempSync(join(tmpdir(), 'piksel-stop-')))
    return {infra: dirname(root), root}
  }

  async function waitForKey(key: string, present: boolean) {
    const deadline = Date.now() + 30_000
    while ((await objectKeys(moto)).includes(key) !== present) {
      if (Date.now() > deadline) throw new Error(`${key} ${present ? 'never appeared' : 'never went away'}`)
      await new Promise((r) => setTimeout(r, 100))
    }
  }

  /** The next plan on the root runs (the lock is free) and still wants the interrupted resource. */
  async function nextPlanWantsSlow(root: string) {
    const plan = await execa('terraform', ['plan', '-input=false', '-no-color', '-lock-timeout=0s'], {
      cwd: root,
      env: env(),
      extendEnv: false,
      reject: false,
    })
    expect(plan.exitCode, String(plan.stderr)).to.equal(0)
    expect(String(plan.stdout)).to.match(/terraform_data\.slow (will be created|is tainted)/)
  }

  const stops: Array<['SIGTERM' | 'SIGHUP' | 'SIGINT', number, string]> = [
    ['SIGTERM', 143, 'Interrupted by SIGTERM.'],
    ['SIGHUP', 129, 'Interrupted by SIGHUP.'],
    ['SIGINT', 130, 'Interrupted.'],
  ]
  for (const [signal, code, said] of stops) {
    it(`${signal} during an apply: Terraform stops gracefully, the state is in S3, no .tflock is left, exit ${code}`, async () => {
      const {infra, root} = slowRoot()
      const run = start(
        ['bootstrap', '-e', 'staging', '--infra-dir', infra, '--only', 'infrastructure', '--yes'],
        infra,
      )
      await run.waitFor(/terraform_data\.slow: Creating/)
      await waitForKey(LOCK_KEY, true)
      run.child.kill(signal)
      const result = await run.child
      expect(result.exitCode, run.stderr()).to.equal(code)
      expect(run.stderr()).to.include(`\n${said}\n`)
      expect(run.stderr()).to.include('Hint: Resume with: piksel bootstrap -e staging --from infrastructure')
      // Terraform was given one SIGINT, whatever piksel received, and finished its graceful stop.
      expect(run.stderr()).to.match(/sent SIGINT to terraform apply/)
      expect(run.stderr()).to.match(/Interrupt received|Gracefully shutting down/)
      expect(await objectKeys(moto)).to.deep.equal([STATE_KEY])
      expect(await s3StateAddresses(moto)).to.include('terraform_data.fast')
      await nextPlanWantsSlow(root)
    })
  }

  it('SIGTERM under --json: the error envelope on stdout, exit 143, state written and lock released', async () => {
    const {infra} = slowRoot()
    const run = start(
      ['bootstrap', '-e', 'staging', '--infra-dir', infra, '--only', 'infrastructure', '--yes', '--json'],
      infra,
    )
    await run.waitFor(/terraform_data\.slow: Creating/)
    await waitForKey(LOCK_KEY, true)
    run.child.kill('SIGTERM')
    const result = await run.child
    expect(result.exitCode).to.equal(143)
    expect(JSON.parse(String(result.stdout))).to.deep.equal({
      error: {
        code: 'INTERRUPTED',
        message: 'Interrupted by SIGTERM.',
        hint: `Resume with: piksel bootstrap -e staging --from infrastructure --skip kubeconfig,flux,applications,health --infra-dir ${infra}`,
      },
    })
    expect(await objectKeys(moto)).to.deep.equal([STATE_KEY])
  })

  it('a CI cancel (SIGINT, then SIGTERM while Terraform stops): still one graceful stop, state written, no lock', async () => {
    const {infra, root} = slowRoot()
    const run = start(['bootstrap', '-e', 'staging', '--infra-dir', infra, '--only', 'infrastructure', '--yes'], infra)
    await run.waitFor(/terraform_data\.slow: Creating/)
    await waitForKey(LOCK_KEY, true)
    run.child.kill('SIGINT')
    await run.waitFor(/sent SIGINT to terraform apply/)
    run.child.kill('SIGTERM')
    const result = await run.child
    expect(result.exitCode, run.stderr()).to.equal(130)
    expect(await objectKeys(moto)).to.deep.equal([STATE_KEY])
    expect(await s3StateAddresses(moto)).to.include('terraform_data.fast')
    await nextPlanWantsSlow(root)
  })

  for (const [signal, code] of [
    ['SIGTERM', 143],
    ['SIGHUP', 129],
  ] as const) {
    it(`${signal} while the confirmation is asked on a terminal: the prompt ends, exit ${code}, nothing applied`, async function () {
      const {infra} = slowRoot()
      const r = await onTerminal(
        this,
        ['bootstrap', '-e', 'staging', '--infra-dir', infra, '--only', 'infrastructure'],
        {
          env: env(),
          cwd: infra,
          size: {cols: 120, rows: 40},
          steps: [['Apply infrastructure', signal]],
          giveUpMs: 60_000,
        },
      )
      expect(r.answered, r.output).to.equal(1)
      // Before, piksel waited for the run, and the run for an answer nobody would give: it never exited.
      expect(r.code, r.output).to.equal(code)
      expect(r.output).to.include(`Interrupted by ${signal}.`)
      expect(r.output).to.include('Resume with: piksel bootstrap -e staging --from infrastructure')
      expect(await objectKeys(moto)).to.deep.equal([])
    })
  }

  describe('a terraform that takes its time to stop (stub: records the signals it gets)', () => {
    let stub: string
    let record: string

    beforeEach(() => {
      stub = mkdtempSync(join(tmpdir(), 'piksel-slowstop-'))
      record = join(stub, 'signals.txt')
      // init/plan/show answer at once; apply runs until a signal, then needs 5 s to "write its state".
      writeFileSync(
        join(stub, 'terraform'),
        `#!${process.execPath}
const fs = require('node:fs')
const [cmd] = process.argv.slice(2)
const record = ${JSON.stringify(record)}
if (cmd === 'show') {
  process.stdout.write(JSON.stringify({format_version: '1.2', resource_changes: [{address: 'terraform_data.x', mode: 'managed', change: {actions: ['create']}}],
    configuration: {root_module: {resources: [{address: 'terraform_data.x', mode: 'managed', type: 'terraform_data', name: 'x'}]}}}))
  process.exit(0)
}
if (cmd !== 'apply') { process.stdout.write('stub terraform ' + cmd + '\\n'); process.exit(0) }
fs.writeFileSync(record + '.pid', String(process.pid))
process.stdout.write('terraform_data.x: Creating...\\n')
for (const signal of ['SIGINT', 'SIGTERM', 'SIGHUP']) {
  process.on(signal, () => {
    fs.appendFileSync(record, signal + '\\n')
    if (signal === 'SIGINT') setTimeout(() => { fs.writeFileSync(record + '.done', 'state written'); process.exit(1) }, 5000)
  })
}
setInterval(() => {}, 1000)
`,
      )
      chmodSync(join(stub, 'terraform'), 0o755)
    })
    afterEach(() => {
      // The third-signal test leaves the stub running on its own: stop it.
      if (existsSync(`${record}.pid`)) {
        try {
          process.kill(Number(readFileSync(`${record}.pid`, 'utf8')), 'SIGKILL')
        } catch {
          // already gone
        }
      }
    })

    function stubRun(extra: string[] = []) {
      const infra = mkdtempSync(join(tmpdir(), 'piksel-slowstop-infra-'))
      copyFixture('basic', 'staging', infra)
      return start(
        ['bootstrap', '-e', 'staging', '--infra-dir', infra, '--only', 'infrastructure', '--yes', ...extra],
        infra,
        {},
        stub,
      )
    }

    it('a second SIGTERM is reported and waited through: terraform got exactly one SIGINT and finished', async () => {
      const run = stubRun()
      await run.waitFor(/terraform_data\.x: Creating/)
      run.child.kill('SIGTERM')
      await run.waitFor(/sent SIGINT to terraform apply/)
      run.child.kill('SIGTERM')
      await run.waitFor(/SIGTERM again: still waiting for terraform apply to stop gracefully/)
      const result = await run.child
      expect(result.exitCode, run.stderr()).to.equal(143)
      expect(readFileSync(record, 'utf8')).to.equal('SIGINT\n')
      expect(readFileSync(`${record}.done`, 'utf8')).to.equal('state written')
      expect(run.stderr()).to.include('Interrupted by SIGTERM.')
    })

    it('SIGHUP then Ctrl-C: one SIGINT to terraform, piksel waits, exits 129 (the first signal decides)', async () => {
      const run = stubRun()
      await run.waitFor(/terraform_data\.x: Creating/)
      run.child.kill('SIGHUP')
      await run.waitFor(/SIGHUP \(the terminal closed\): sent SIGINT to terraform apply/)
      run.child.kill('SIGINT')
      await run.waitFor(/SIGINT again: still waiting/)
      const result = await run.child
      expect(result.exitCode, run.stderr()).to.equal(129)
      expect(readFileSync(record, 'utf8')).to.equal('SIGINT\n')
      expect(existsSync(`${record}.done`)).to.equal(true)
    })

    it('a third signal exits at once, saying the lock may be left (under --json, still the error envelope)', async () => {
      const run = stubRun(['--json'])
      await run.waitFor(/terraform_data\.x: Creating/)
      run.child.kill('SIGTERM')
      await run.waitFor(/sent SIGINT to terraform apply/)
      run.child.kill('SIGTERM')
      await run.waitFor(/still waiting/)
      run.child.kill('SIGTERM')
      const result = await run.child
      expect(result.exitCode).to.equal(143)
      expect(run.stderr()).to.match(/a third time: exiting without waiting for terraform apply/)
      expect(JSON.parse(String(result.stdout))).to.deep.equal({
        error: {code: 'INTERRUPTED', message: 'Interrupted by SIGTERM.', hint: null},
      })
      expect(existsSync(`${record}.done`)).to.equal(false)
      expect(readFileSync(record, 'utf8')).to.equal('SIGINT\n')
    })
  })

  describe('a lock someone else holds', () => {
    it('held by a running apply elsewhere (S3): STATE_LOCKED with its ID, operation, who and when, and the force-unlock command; never unlocked', async () => {
      // A colleague's checkout of the same root, applying with the same backend.
      const holder = copyFixture('slow-s3', 'staging', mkdtempSync(join(tmpdir(), 'piksel-holder-')))
      const backend = [
        '-backend-config=bucket=piksel-staging-tfstate',
        `-backend-config=key=${STATE_KEY}`,
        '-backend-config=region=ap-southeast-3',
      ]
      const tfEnv = {env: env(), extendEnv: false, cwd: holder}
      await execa('terraform', ['init', '-input=false', '-no-color', ...backend], tfEnv)
      const apply = execa('terraform', ['apply', '-auto-approve', '-input=false', '-no-color'], {
        ...tfEnv,
        reject: false,
      })
      started.push({child: apply, done: () => false})
      await waitForKey(LOCK_KEY, true)
      const lock = JSON.parse(await readObject(moto, LOCK_KEY)) as {ID: string; Who: string; Operation: string}
      expect(lock.Operation).to.equal('OperationTypeApply')

      const {infra, root} = slowRoot()
      const run = start(
        ['bootstrap', '-e', 'staging', '--infra-dir', infra, '--only', 'infrastructure', '--yes', '--json'],
        infra,
      )
      const result = await run.child
      expect(result.exitCode, run.stderr()).to.equal(1)
      const {error} = JSON.parse(String(result.stdout)) as {error: {code: string; message: string; hint: string}}
      expect(error.code).to.equal('STATE_LOCKED')
      expect(error.message).to.include(`lock ID ${lock.ID}`)
      expect(error.message).to.include(`by ${lock.Who} (apply since `)
      expect(error.message).to.include('on piksel-staging-tfstate/staging/terraform.tfstate')
      expect(error.hint).to.include(`release it with: terraform -chdir=${root} force-unlock ${lock.ID}`)
      // piksel unlocked nothing: the colleague's lock is still theirs.
      expect(JSON.parse(await readObject(moto, LOCK_KEY))).to.include({ID: lock.ID})
      apply.kill('SIGINT')
      await apply
      await waitForKey(LOCK_KEY, false)
    })

    it('left behind by a killed CI job (a stale .tflock): STATE_LOCKED naming it; the lock object is untouched', async () => {
      const stale = JSON.stringify({
        ID: '3f0e7d1c-5b2a-4c9e-8f11-2d6b0a9c4e77',
        Operation: 'OperationTypeApply',
        Info: '',
        Who: 'runner@gitlab-ci-42',
        Version: '1.11.4',
        Created: '2026-11-29T23:10:05.5Z',
        Path: `piksel-staging-tfstate/${STATE_KEY}`,
      })
      await writeObject(moto, LOCK_KEY, stale)
      const {infra, root} = slowRoot()
      const run = start(
        ['bootstrap', '-e', 'staging', '--infra-dir', infra, '--only', 'infrastructure', '--yes'],
        infra,
      )
      const result = await run.child
      expect(result.exitCode, run.stderr()).to.equal(1)
      expect(run.stderr()).to.match(
        /Error: terraform plan in .*: the state is locked on piksel-staging-tfstate\/staging\/terraform\.tfstate by runner@gitlab-ci-42 \(apply since 2026-11-29 23:10:05\.5 \+0000 UTC, lock ID 3f0e7d1c-5b2a-4c9e-8f11-2d6b0a9c4e77\)\. Nothing was changed\./,
      )
      expect(run.stderr()).to.include(
        `release it with: terraform -chdir=${root} force-unlock 3f0e7d1c-5b2a-4c9e-8f11-2d6b0a9c4e77`,
      )
      expect(await readObject(moto, LOCK_KEY)).to.equal(stale)
      expect(await objectKeys(moto)).to.deep.equal([LOCK_KEY])
    })

    it('held on a local backend by a running apply in the same root: STATE_LOCKED with the local lock ID', async () => {
      const root = copyFixture('slow', 'staging', mkdtempSync(join(tmpdir(), 'piksel-locallock-')))
      const tfEnv = {env: env(), extendEnv: false, cwd: root}
      await execa('terraform', ['init', '-input=false', '-no-color'], tfEnv)
      const apply = execa('terraform', ['apply', '-auto-approve', '-input=false', '-no-color'], {
        ...tfEnv,
        reject: false,
      })
      started.push({child: apply, done: () => false})
      const deadline = Date.now() + 30_000
      while (!existsSync(lockFile(root))) {
        if (Date.now() > deadline) throw new Error('the local lock never appeared')
        await new Promise((r) => setTimeout(r, 100))
      }
      const info = JSON.parse(readFileSync(lockFile(root), 'utf8')) as {ID: string}
      const run = start(
        ['bootstrap', '-e', 'staging', '--infra-dir', dirname(root), '--only', 'infrastructure', '--yes', '--json'],
        dirname(root),
      )
      const result = await run.child
      expect(result.exitCode, run.stderr()).to.equal(1)
      const {error} = JSON.parse(String(result.stdout)) as {error: {code: string; hint: string}}
      expect(error.code).to.equal('STATE_LOCKED')
      expect(error.hint).to.include(`terraform -chdir=${root} force-unlock ${info.ID}`)
      expect(existsSync(lockFile(root))).to.equal(true)
      apply.kill('SIGINT')
      await apply
      expect(stateAddresses(root)).to.include('terraform_data.fast')
    })
  })
})
