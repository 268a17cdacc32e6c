/**
 * `piksel status -e ENV` uses the environment's context (named after its
 * cluster) or nothing: never the current context in its place (issue 11 §1).
 */
import {expect} from 'chai'
import {mkdtempSync} from 'node:fs'
import {tmpdir} from 'node:os'
import {join} from 'node:path'

import {isolatedEnv, runPiksel} from '../support/cli.ts'
import {KubeStandin, readFixture} from '../support/kube-standin.ts'

describe('piksel status -e: the environment’s context or nothing', function () {
  this.timeout(30_000)
  let standin: KubeStandin
  let kubeconfig: string
  before(async () => {
    // A healthy cluster, current, but under a context not named after the staging cluster.
    standin = await KubeStandin.start({objects: readFixture('healthy.yaml')})
    kubeconfig = standin.writeKubeconfig(mkdtempSync(join(tmpdir(), 'piksel-status-ctx-')), {context: 'elsewhere'})
  })
  after(async () => standin?.stop())

  const run = (args: string[], extra: Record<string, string> = {}) =>
    runPiksel(['status', ...args], {env: isolatedEnv({KUBECONFIG: kubeconfig, ...extra})})

  const refused: Array<[string, string[], Record<string, string>]> = [
    ['-e staging', ['-e', 'staging'], {}],
    ['PIKSEL_ENV=staging', [], {PIKSEL_ENV: 'staging'}],
    ['-e production --kubeconfig FILE', ['-e', 'production', '--kubeconfig', ''], {}],
  ]
  for (const [what, args, extra] of refused) {
    it(`${what}: exit 2 naming the missing context and the current one, the current cluster never read`, async () => {
      const mark = standin.requests.length
      const argv = args.map((a) => (a === '' ? kubeconfig : a))
      const r = await run([...argv, '--json'], extra)
      expect(r.exitCode, r.stdout).to.equal(2)
      const {error} = r.json<{error: {code: string; message: string; hint: string}}>()
      expect(error.code).to.equal('NO_CONTEXT')
      const cluster = what.includes('production') ? 'piksel-production' : 'piksel-staging'
      expect(error.message).to.equal(
        `No kube context "${cluster}" for environment ${what.includes('production') ? 'production' : 'staging'} in ${kubeconfig}; the current context ("elsewhere") is never used in its place.`,
      )
      expect(error.hint).to.include('--context')
      // The command in the hint repeats the run's --kubeconfig, so it works when pasted.
      const write = `piksel bootstrap -e ${cluster.slice('piksel-'.length)} --only kubeconfig`
      expect(error.hint).to.include(
        argv.includes('--kubeconfig') ? `${write} --kubeconfig ${kubeconfig}\`` : `${write}\``,
      )
      expect(standin.requests.length).to.equal(mark)
    })
  }

  it('--context chooses a context explicitly, with -e too', async () => {
    const r = await run(['-e', 'staging', '--context', 'elsewhere', '--json'])
    expect(r.exitCode, r.stderr).to.equal(0)
    expect(r.json<{context: string}>().context).to.equal('elsewhere')
  })

  it('without an environment, the current context is used as before', async () => {
    const r = await run(['--json'])
    expect(r.exitCode, r.stderr).to.equal(0)
    expect(r.json<{context: string}>().context).to.equal('elsewhere')
  })
})

describe('no kubeconfig where kubectl looks: NO_KUBECONFIG says where that was', function () {
  this.timeout(30_000)
  const home = mkdtempSync(join(tmpdir(), 'piksel-nokube-'))

  it('KUBECONFIG names files that do not exist: they are named (not "KUBECONFIG is unset")', async () => {
    const missing = join(home, 'missing-config')
    const r = await runPiksel(['status', '--json'], {env: isolatedEnv({HOME: home, KUBECONFIG: missing})})
    expect(r.exitCode, r.stderr).to.equal(1)
    const error = r.json<{error: {code: string; message: string}}>().error
    expect(error.code).to.equal('NO_KUBECONFIG')
    expect(error.message).to.equal(`No kubeconfig found (none of the files KUBECONFIG names exists: ${missing}).`)
  })

  it('KUBECONFIG unset and no ~/.kube/config: says so', async () => {
    const env = isolatedEnv({HOME: home})
    delete env.KUBECONFIG
    const r = await runPiksel(['status', '--json'], {env})
    expect(r.exitCode, r.stderr).to.equal(1)
    expect(r.json<{error: {message: string}}>().error.message).to.equal(
      'No kubeconfig found (KUBECONFIG is unset and ~/.kube/config does not exist).',
    )
  })
})
