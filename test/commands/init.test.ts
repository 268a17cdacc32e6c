import {expect} from 'chai'
import {existsSync, mkdirSync, mkdtempSync, readFileSync, readdirSync, writeFileSync} from 'node:fs'
import {tmpdir} from 'node:os'
import {join} from 'node:path'

import {isolatedEnv, runPiksel} from '../support/cli.ts'

interface InitJson {
  env: string
  dryRun: boolean
  account: string | null
  configFile: string
  written: Array<{path: string; kind: string}>
  skipped: Array<{path: string; kind: string; reason: string}>
}

function tree(dir: string): string[] {
  if (!existsSync(dir)) return []
  return readdirSync(dir, {recursive: true, withFileTypes: true})
    .filter((e) => e.isFile())
    .map((e) => join(e.parentPath, e.name).slice(dir.length + 1))
    .sort()
}

describe('piksel init (binary)', () => {
  let work: string
  beforeEach(() => {
    work = mkdtempSync(join(tmpdir(), 'piksel-init-'))
  })
  const init = (args: string[]) => runPiksel(['init', ...args], {cwd: work, env: isolatedEnv()})

  const expected = [
    'gitops/apps/staging/kustomization.yaml',
    'gitops/clusters/staging/apps.yaml',
    'gitops/clusters/staging/infrastructure.yaml',
    'gitops/clusters/staging/notifications.yaml',
    'gitops/infrastructure/staging/configs/kustomization.yaml',
    'gitops/infrastructure/staging/controllers/kustomization.yaml',
    'infra/bootstrap/staging/main.tf',
    'infra/bootstrap/staging/outputs.tf',
    'infra/bootstrap/staging/terraform.tfvars',
    'infra/bootstrap/staging/variables.tf',
    'infra/bootstrap/staging/versions.tf',
    'infra/staging/backend.tf',
    'piksel.config.yaml',
  ]

  it('writes what the environment lacks and lists it; a second run overwrites nothing', async () => {
    const r = await init([
      '-e',
      'staging',
      '--infra-dir',
      'infra',
      '--gitops-dir',
      'gitops',
      '--account',
      '123456789012',
      '--json',
    ])
    expect(r.exitCode, r.stderr).to.equal(0)
    const result = r.json<InitJson>()
    expect(result).to.deep.include({env: 'staging', dryRun: false, account: '123456789012'})
    expect(result.written.map((f) => f.path.slice(work.length + 1)).sort()).to.deep.equal(expected)
    expect(result.skipped).to.deep.equal([])
    expect(tree(work)).to.deep.equal(expected)
    expect(readFileSync(join(work, 'piksel.config.yaml'), 'utf8')).to.include('account: "123456789012"')

    const mine = join(work, 'gitops/clusters/staging/apps.yaml')
    writeFileSync(mine, '# edited by hand\n')
    const again = await init(['-e', 'staging', '--infra-dir', 'infra', '--gitops-dir', 'gitops'])
    expect(again.exitCode, again.stderr).to.equal(0)
    expect(again.stdout).to.include('0 written, 13 skipped')
    expect(again.stdout).to.include('skipped gitops/clusters/staging/apps.yaml: exists (never overwritten)')
    expect(readFileSync(mine, 'utf8')).to.equal('# edited by hand\n')
  })

  it('--dry-run lists what it would write and writes nothing', async () => {
    const r = await init(['-e', 'dev', '--dry-run'])
    expect(r.exitCode, r.stderr).to.equal(0)
    expect(r.stdout).to.include('would write  dev/backend.tf')
    expect(r.stdout).to.include('would write  clusters/dev/notifications.yaml')
    expect(r.stdout).to.include('Dry run: nothing was written (13 file(s) would be).')
    expect(tree(work)).to.deep.equal([])
  })

  it('without a TTY and no account: defaults, the account left out, the guard said to be off', async () => {
    const r = await init(['-e', 'dev'])
    expect(r.exitCode, r.stderr).to.equal(0)
    const config = readFileSync(join(work, 'piksel.config.yaml'), 'utf8')
    expect(config).to.include('# account: "123456789012"').and.to.include('guard is OFF')
    expect(config).to.match(/profile: dev-piksel\n\s+region: ap-southeast-3\n\s+cluster: piksel-dev/)
    expect(r.stdout).to.include('the account guard is off until environments.dev.account is set')
    const check = await runPiksel(['config', 'show', '-e', 'dev', '--json'], {cwd: work, env: isolatedEnv()})
    expect(check.exitCode, check.stderr).to.equal(0)
  })

  it('flags answer every prompt', async () => {
    const r = await init([
      '-e',
      'qa',
      '--profile',
      'qa-admin',
      '--region',
      'ap-southeast-1',
      '--cluster',
      'qa-eks',
      '--state-bucket',
      'qa-state',
      '--gitops-owner',
      'me',
      '--gitops-repository',
      'ops',
      '--gitops-branch',
      'trunk',
      '--json',
    ])
    expect(r.exitCode, r.stderr).to.equal(0)
    const config = readFileSync(join(work, 'piksel.config.yaml'), 'utf8')
    for (const line of [
      'profile: qa-admin',
      'region: ap-southeast-1',
      'cluster: qa-eks',
      'stateBucket: qa-state',
      'owner: me',
      'repository: ops',
      'branch: trunk',
    ]) {
      expect(config).to.include(line)
    }
    expect(readFileSync(join(work, 'qa/backend.tf'), 'utf8')).to.include('bucket       = "qa-state"')
  })

  it('does not add a backend.tf next to a backend already declared', async () => {
    mkdirSync(join(work, 'staging'))
    writeFileSync(join(work, 'staging', 'main.tf'), 'terraform {\n  backend "s3" {}\n}\n')
    const r = await init(['-e', 'staging', '--json'])
    expect(r.exitCode, r.stderr).to.equal(0)
    expect(r.json<InitJson>().skipped).to.deep.equal([
      {
        path: join(work, 'staging', 'backend.tf'),
        kind: 'terraform',
        reason:
          'backend "s3" is already declared in main.tf (bucket piksel-staging-tfstate, key staging/terraform.tfstate, region ap-southeast-3): kept, and written into the config',
      },
    ])
    expect(existsSync(join(work, 'staging', 'backend.tf'))).to.equal(false)
  })

  const bad: Array<[string, string[], RegExp]> = [
    ['a bad environment name', ['-e', 'Staging'], /environment names are lowercase/],
    ['a bad account id', ['-e', 'dev', '--account', '12345'], /12-digit/],
    ['no environment and no terminal', [], /Missing input: Environment name.* Pass -e <env>\./],
  ]
  for (const [what, args, message] of bad) {
    it(`${what}: exit 2 and nothing written`, async () => {
      const r = await init([...args, '--json'])
      expect(r.exitCode, r.stderr).to.equal(2)
      const {error} = r.json<{error: {message: string; hint: string}}>()
      expect(`${error.message} ${error.hint}`).to.match(message)
      expect(tree(work)).to.deep.equal([])
    })
  }
})
