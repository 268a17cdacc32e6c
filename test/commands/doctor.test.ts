import {expect} from 'chai'
import {mkdtempSync, writeFileSync} from 'node:fs'
import {tmpdir} from 'node:os'
import {join} from 'node:path'

import {isolatedEnv, runPiksel} from '../support/cli.ts'
import {MOTO_ACCOUNT, type Moto, startMoto} from '../support/moto.ts'
import {StubBin, type StubSpec} from '../support/stubs.ts'
import {createAwsSpotRole} from '../support/iam.ts'

interface DoctorDoc {
  env: string | null
  checks: Array<{name: string; status: 'pass' | 'warn' | 'fail'; detail: string}>
}

/** Stubs for every tool doctor probes, each answering with a good version unless overridden. */
const GOOD: Record<string, StubSpec> = {
  terraform: {stdout: '{"terraform_version":"1.11.4"}'},
  flux: {stdout: 'flux: v2.6.0\n'},
  kubectl: {stdout: '{"clientVersion":{"gitVersion":"v1.32.4"}}'},
  aws: {stderr: 'aws-cli/1.45.11 Python/3.11.7 Linux/6 botocore/1.43.11\n'},
  git: {stdout: 'git version 2.39.5\n'},
}

function tools(overrides: Record<string, Parameters<StubBin['add']>[1] | null> = {}): StubBin {
  const stubs = new StubBin()
  for (const [name, spec] of Object.entries({...GOOD, ...overrides})) if (spec) stubs.add(name, spec)
  return stubs
}

describe('piksel doctor', function () {
  let moto: Moto
  before(async function () {
    moto = await startMoto(this)
  })
  after(async () => moto?.stop())

  async function doctor(stubs: StubBin, args: string[] = [], extra: Record<string, string> = {}, timeout = 30_000) {
    const cwd = mkdtempSync(join(tmpdir(), 'piksel-doctor-'))
    writeFileSync(
      join(cwd, 'piksel.config.yaml'),
      `environments:\n  staging:\n    account: "${MOTO_ACCOUNT}"\n  production:\n    account: "999999999999"\n`,
    )
    // PATH holds only the stubs (and the shell basics), so a tool not stubbed is truly missing.
    const env = isolatedEnv({...moto.env, PATH: `${stubs.dir}:/bin`, ...extra})
    return runPiksel(['doctor', '--json', ...args], {env, cwd, timeout})
  }
  const byName = (doc: DoctorDoc) => Object.fromEntries(doc.checks.map((c) => [c.name, c]))

  it('passes with every tool present, valid credentials and the right account', async () => {
    await moto.reset()
    await createAwsSpotRole(moto)
    const r = await doctor(tools(), ['-e', 'staging'])
    const checks = byName(r.json<DoctorDoc>())
    expect(r.exitCode, r.stdout).to.equal(0)
    for (const name of [
      'node',
      'terraform',
      'flux',
      'kubectl',
      'aws',
      'git',
      'aws-credentials',
      'aws-account',
      'config',
      'spot-role',
    ]) {
      expect(checks[name]?.status, `${name}: ${checks[name]?.detail}`).to.equal('pass')
    }
    expect(checks['aws-credentials']?.detail).to.include(`arn:aws:sts::${MOTO_ACCOUNT}:user/moto`)
    expect(checks['kube-context']?.status).to.equal('warn')
    // Not configured: reported, not failed.
    expect(checks['ci-role']?.status).to.equal('warn')
    expect(checks['dns-zone']?.status).to.equal('warn')
    expect(checks['kube-context']?.detail).to.include('aws eks update-kubeconfig --name piksel-staging')
    expect(r.json<DoctorDoc>().env).to.equal('staging')
  })

  it('fails (exit 3) when a tool is missing, naming where to get it', async () => {
    const r = await doctor(tools({flux: null}))
    expect(r.exitCode).to.equal(3)
    const flux = byName(r.json<DoctorDoc>()).flux
    expect(flux?.status).to.equal('fail')
    expect(flux?.detail).to.include('not found on PATH')
  })

  it('fails when terraform is too old for S3-native locking', async () => {
    const r = await doctor(tools({terraform: {stdout: '{"terraform_version":"1.9.8"}'}}))
    expect(r.exitCode).to.equal(3)
    expect(byName(r.json<DoctorDoc>()).terraform?.detail).to.match(/1\.9\.8 is not >=1\.10\.0/)
  })

  it('fails when flux is 0.x', async () => {
    const r = await doctor(tools({flux: {stdout: 'flux version 0.41.2\n'}}))
    expect(r.exitCode).to.equal(3)
    expect(byName(r.json<DoctorDoc>()).flux?.status).to.equal('fail')
  })

  it('fails the account check when the caller is not the environment account', async () => {
    const r = await doctor(tools(), ['-e', 'production'])
    expect(r.exitCode).to.equal(3)
    expect(byName(r.json<DoctorDoc>())['aws-account']?.detail).to.equal(
      `caller is account ${MOTO_ACCOUNT}, but production is account 999999999999`,
    )
  })

  it('reports a broken config as a failed check instead of refusing to run', async () => {
    const stubs = tools()
    const cwd = mkdtempSync(join(tmpdir(), 'piksel-doctor-'))
    writeFileSync(join(cwd, 'piksel.config.yaml'), 'region: mars-1\n')
    const r = await runPiksel(['doctor', '--json'], {env: isolatedEnv({...moto.env, PATH: `${stubs.dir}:/bin`}), cwd})
    expect(r.exitCode).to.equal(3)
    expect(byName(r.json<DoctorDoc>()).config?.detail).to.include('region: must look like an AWS region')
  })

  it('runs the checks concurrently', async function () {
    // No clock: each tool stub answers only once all five have started, so only
    // concurrent probes can all pass. Probed one after another, the first stub waits
    // alone, gives up after 10 s (under doctor's 15 s probe timeout) and fails its check.
    this.timeout(90_000)
    const names = Object.keys(GOOD)
    const together = Object.fromEntries(
      names.map((name) => [name, {...GOOD[name], rendezvous: {count: names.length, giveUpSeconds: 10}}]),
    )
    const stubs = tools(together)
    const r = await doctor(stubs, [], {}, 80_000)
    const checks = byName(r.json<DoctorDoc>())
    for (const name of names) expect(checks[name]?.status, `${name}: ${checks[name]?.detail}`).to.equal('pass')
    expect(stubs.ended()).to.equal(names.length)
  })

  it('prints a table for people', async () => {
    const stubs = tools()
    const r = await runPiksel(['doctor'], {env: isolatedEnv({...moto.env, PATH: `${stubs.dir}:/bin`})})
    expect(r.stdout).to.match(/^CHECK\s+STATUS\s+DETAIL/)
    expect(r.stdout).to.match(/terraform\s+pass\s+1\.11\.4/)
    expect(r.stdout).to.match(/ready: 0 failed/)
  })
})
