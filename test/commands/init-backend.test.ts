import {expect} from 'chai'
import {existsSync, mkdirSync, mkdtempSync, readFileSync, readdirSync, writeFileSync} from 'node:fs'
import {tmpdir} from 'node:os'
import {join} from 'node:path'

import {isolatedEnv, runPiksel} from '../support/cli.ts'

/** `piksel init` in a piksel-infra checkout whose environment root already declares its S3 backend. */
describe('piksel init: a root that already declares its S3 backend (binary)', () => {
  let work: string
  beforeEach(() => {
    work = mkdtempSync(join(tmpdir(), 'piksel-init-be-'))
    mkdirSync(join(work, 'infra', 'staging'), {recursive: true})
  })
  const init = (args: string[]) =>
    runPiksel(['init', '-e', 'staging', '--infra-dir', 'infra', '--gitops-dir', 'gitops', '--yes', '--json', ...args], {
      cwd: work,
      env: isolatedEnv(),
    })
  const root = (name: string, text: string) => writeFileSync(join(work, 'infra', 'staging', name), text)
  const read = (...path: string[]) => readFileSync(join(work, ...path), 'utf8')

  const TEAM_BLOCK = `# The team's remote state, set up by hand long before piksel.
terraform {
  backend "s3" {
    # bucket = "piksel-staging-tfstate"
    bucket       = "team-tfstate"
    key          = "platform/staging.tfstate"
    region       = "us-west-2"
    use_lockfile = true
  }
}
`

  it('keeps it: the declared bucket, key and region go into the config and the bootstrap root; no backend.tf', async () => {
    root('main.tf', TEAM_BLOCK)
    const r = await init([])
    expect(r.exitCode, r.stderr).to.equal(0)
    const out = r.json<{backend: unknown; skipped: Array<{path: string; reason: string}>}>()
    expect(out.backend).to.deep.equal({
      file: 'main.tf',
      bucket: 'team-tfstate',
      key: 'platform/staging.tfstate',
      region: 'us-west-2',
    })
    expect(out.skipped.find((s) => s.path.endsWith('/backend.tf'))?.reason).to.equal(
      'backend "s3" is already declared in main.tf (bucket team-tfstate, key platform/staging.tfstate, region us-west-2): kept, and written into the config',
    )
    expect(existsSync(join(work, 'infra', 'staging', 'backend.tf'))).to.equal(false)
    const config = read('piksel.config.yaml')
    expect(config).to.include('      stateBucket: team-tfstate\n')
    expect(config).to.include('      stateKey: platform/staging.tfstate\n')
    expect(config).to.match(/ {6}stateRegion: us-west-2 #/)
    expect(config).to.include('    region: ap-southeast-3\n')
    const tfvars = read('infra', 'bootstrap', 'staging', 'terraform.tfvars')
    expect(tfvars).to.include('bucket_name = "team-tfstate"')
    expect(tfvars).to.include('region      = "us-west-2"')
    // The config it wrote is one the loader accepts, with the declared values.
    const shown = await runPiksel(['config', 'show', '-e', 'staging', '--json'], {cwd: work, env: isolatedEnv()})
    expect(shown.exitCode, shown.stderr).to.equal(0)
    expect(shown.stdout).to.include('"stateRegion": "us-west-2"')
    expect(shown.stdout).to.include('"stateBucket": "team-tfstate"')
  })

  it('a --state-bucket that contradicts the declared bucket: exit 2, nothing written', async () => {
    root('main.tf', TEAM_BLOCK)
    const r = await init(['--state-bucket', 'piksel-staging-tfstate'])
    expect(r.exitCode, r.stderr).to.equal(2)
    const {error} = r.json<{error: {code: string; message: string}}>()
    expect(error.code).to.equal('BACKEND_CONFLICT')
    expect(error.message).to.include('the root already declares backend "s3" with bucket "team-tfstate" (main.tf)')
    expect(readdirSync(work).sort()).to.deep.equal(['infra'])
    expect(readdirSync(join(work, 'infra'))).to.deep.equal(['staging'])
  })

  it('a backend only in comments is no backend: backend.tf is written with the convention', async () => {
    root(
      'main.tf',
      '# terraform {\n#   backend "s3" { bucket = "old" }\n# }\n/* backend "s3" {} */\nresource "terraform_data" "a" {}\n',
    )
    const r = await init([])
    expect(r.exitCode, r.stderr).to.equal(0)
    expect(read('infra', 'staging', 'backend.tf')).to.include('bucket       = "piksel-staging-tfstate"')
    expect(read('piksel.config.yaml')).not.to.include('stateRegion')
  })

  it('a partial block (key only): the declared key is kept, the rest is the convention', async () => {
    root('backend.tf.json', JSON.stringify({terraform: {backend: {s3: {key: 'custom/staging.tfstate'}}}}))
    const r = await init([])
    expect(r.exitCode, r.stderr).to.equal(0)
    expect(r.json<{backend: unknown}>().backend).to.deep.equal({
      file: 'backend.tf.json',
      bucket: 'piksel-staging-tfstate',
      key: 'custom/staging.tfstate',
      region: 'ap-southeast-3',
    })
    expect(read('piksel.config.yaml')).to.include('      stateKey: custom/staging.tfstate\n')
    expect(existsSync(join(work, 'infra', 'staging', 'backend.tf'))).to.equal(false)
  })
})
