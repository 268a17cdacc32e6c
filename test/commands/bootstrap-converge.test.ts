import {expect} from 'chai'
import {execa} from 'execa'
import {existsSync, mkdtempSync, readFileSync, writeFileSync} from 'node:fs'
import {tmpdir} from 'node:os'
import {join} from 'node:path'

import {isolatedEnv, runPiksel} from '../support/cli.ts'
import {type Moto, startMoto} from '../support/moto.ts'
import {STATE_BUCKET, STATE_KEY, createStateBucket, objectKeys, s3StateAddresses} from '../support/s3.ts'
import {copyFixture} from '../support/terraform.ts'
import {requireTool} from '../support/tools.ts'

interface Summary {
  changed: boolean
  converged: boolean | null
  steps: Array<{id: string; status: string; detail: string}>
}
interface Failure {
  error: {code: string; message: string; hint: string}
}

/**
 * "Already done" and "nothing to change" only when true: the built binary, the
 * real terraform on the terraform_data stand-in root with its state in S3
 * (use_lockfile) on moto, phases from piksel.config.yaml.
 */
describe('piksel bootstrap: phase targets, convergence, a declared backend (binary, S3 backend on moto)', function () {
  this.timeout(180_000)
  let moto: Moto
  let work: string

  before(async function () {
    requireTool(this, 'terraform')
    moto = await startMoto(this)
  })
  after(async () => {
    await moto?.stop()
  })
  beforeEach(async () => {
    await moto.reset()
    // Without the TLS-only policy: moto denies Terraform's object reads under any conditional Deny.
    await createStateBucket(moto, STATE_BUCKET, {policy: 'none'})
    work = mkdtempSync(join(tmpdir(), 'piksel-conv-'))
    const root = copyFixture('basic', 'staging', work)
    const main = join(root, 'main.tf')
    writeFileSync(
      main,
      readFileSync(main, 'utf8').replace('backend "local" {}', 'backend "s3" {\n    use_lockfile = true\n  }'),
    )
  })

  /** piksel.config.yaml with these phases for staging. */
  function phases(list: Array<{name: string; targets: string[]}>) {
    const lines = ['environments:', '  staging:', '    terraform:', '      phases:']
    for (const p of list) lines.push(`        - name: ${p.name}`, `          targets: ${JSON.stringify(p.targets)}`)
    writeFileSync(join(work, 'piksel.config.yaml'), `${lines.join('\n')}\n`)
  }
  const run = (args: string[], extra: Record<string, string> = {}) =>
    runPiksel(['bootstrap', '-e', 'staging', '--infra-dir', work, ...args], {
      env: isolatedEnv({...moto.env, KUBECONFIG: join(work, 'kubeconfig'), ...extra}),
      cwd: work,
      timeout: 120_000,
    })
  const terraformSteps = ['--only', 'infrastructure,applications']
  /** The resources in the S3 state ([] when there is no state object yet). */
  const applied = async () => ((await objectKeys(moto)).includes(STATE_KEY) ? s3StateAddresses(moto) : [])
  const detail = (s: Summary, id: string) => s.steps.find((x) => x.id === id)?.detail

  describe('a phase target that matches nothing is refused before anything is applied (exit 2)', () => {
    const cases: Array<[string, Array<{name: string; targets: string[]}>, RegExp]> = [
      [
        'a typo (terraform_data.vcp)',
        [
          {name: 'platform', targets: ['terraform_data.vcp']},
          {name: 'apps', targets: []},
        ],
        /phase target "terraform_data\.vcp" \(phase platform\) matches nothing in the configuration \(did you mean "terraform_data\.vpc"\?\)/,
      ],
      [
        'a module the root does not have',
        [
          {name: 'platform', targets: ['module.network', 'terraform_data.vpc']},
          {name: 'apps', targets: []},
        ],
        /"module\.network" \(phase platform\) matches nothing in the configuration/,
      ],
      [
        'a typo in the second phase: the first is not applied either',
        [
          {name: 'platform', targets: ['terraform_data.vpc']},
          {name: 'apps', targets: ['terraform_data.ap']},
        ],
        /"terraform_data\.ap" \(phase apps\) matches nothing in the configuration \(did you mean "terraform_data\.app"\?\)/,
      ],
      [
        'an instance key that does not exist (count = 1)',
        [
          {name: 'platform', targets: ['terraform_data.app[3]']},
          {name: 'apps', targets: []},
        ],
        /"terraform_data\.app\[3\]" \(phase platform\) matches no resource instance/,
      ],
      [
        'a data source named as a resource',
        [{name: 'platform', targets: ['vpc.terraform_data']}],
        /"vpc\.terraform_data" \(phase platform\) matches nothing/,
      ],
    ]
    for (const [what, list, message] of cases) {
      it(what, async () => {
        phases(list)
        const r = await run([...terraformSteps, '--yes', '--json'])
        expect(r.exitCode, r.stderr).to.equal(2)
        const {error} = r.json<Failure>()
        expect(error.code).to.equal('UNKNOWN_TARGET')
        expect(error.message).to.match(message)
        expect(error.message).to.match(/Nothing was applied\.$/)
        expect(error.hint).to.include('environments.staging.terraform.phases')
        expect(await applied()).to.deep.equal([])
      })
    }

    it('a malformed target: refused before terraform runs at all', async () => {
      phases([{name: 'platform', targets: ['terraform_data']}])
      const r = await run([...terraformSteps, '--yes', '--json'])
      expect(r.exitCode, r.stderr).to.equal(2)
      expect(r.json<Failure>().error.message).to.include(
        '"terraform_data" (phase platform) is not a resource or module address',
      )
      expect(existsSync(join(work, 'staging', '.terraform'))).to.equal(false)
    })

    it('under --dry-run too: a typo is never reported as planned or already done', async () => {
      phases([
        {name: 'platform', targets: ['terraform_data.vcp']},
        {name: 'apps', targets: ['terraform_data.app']},
      ])
      const r = await run([...terraformSteps, '--dry-run', '--json'])
      expect(r.exitCode, r.stderr).to.equal(2)
      expect(r.json<Failure>().error.code).to.equal('UNKNOWN_TARGET')
    })
  })

  describe('the whole configuration converges after the phases', () => {
    const split = [
      {name: 'platform', targets: ['terraform_data.vpc']},
      {name: 'apps', targets: ['terraform_data.app']},
    ]

    it('a resource in no phase is applied by a final untargeted plan; the re-run says "Nothing to change"', async () => {
      phases(split)
      const r = await run([...terraformSteps, '--yes', '--json'])
      expect(r.exitCode, r.stderr).to.equal(0)
      const s = r.json<Summary>()
      expect(detail(s, 'infrastructure')).to.equal('phase platform: 1 to add, 0 to change, 0 to destroy (applied)')
      expect(detail(s, 'applications')).to.equal(
        'phase apps: 1 to add, 0 to change, 0 to destroy (applied); untargeted plan: 1 to add, 0 to change, 0 to destroy (applied)',
      )
      expect(s.converged).to.equal(true)
      expect(await applied()).to.deep.equal(['terraform_data.app', 'terraform_data.cluster', 'terraform_data.vpc'])

      const again = await run([...terraformSteps, '--yes'])
      expect(again.exitCode, again.stderr).to.equal(0)
      expect(again.stdout).to.match(
        /applications\s+already-done\s+\S+\s+no changes: infrastructure matches the configuration/,
      )
      expect(again.stdout).to.include('Nothing to change: every step was already done')
    })

    it('--dry-run reports what no phase targets, and does not call it converged', async () => {
      phases(split)
      const r = await run([...terraformSteps, '--dry-run', '--json'])
      expect(r.exitCode, r.stderr).to.equal(0)
      const s = r.json<Summary>()
      expect(detail(s, 'applications')).to.equal(
        'phase apps: 1 to add, 0 to change, 0 to destroy (planned, not applied); untargeted plan: 3 to add, 0 to change, 0 to destroy (planned, not applied)',
      )
      expect(r.stderr).to.include("piksel: in no phase's targets: terraform_data.cluster")
      expect(s.converged).to.equal(false)
      expect(await applied()).to.deep.equal([])
    })

    it('drift outside every phase is found: the targeted phases are empty, the untargeted plan is not', async () => {
      phases(split)
      expect((await run([...terraformSteps, '--yes'])).exitCode).to.equal(0)
      const r = await run([...terraformSteps, '--dry-run', '--json'], {TF_VAR_label: 'two'})
      expect(r.exitCode, r.stderr).to.equal(0)
      const s = r.json<Summary>()
      expect(s.steps.find((x) => x.id === 'infrastructure')).to.include({
        status: 'already-done',
        detail:
          'no changes in phase platform (targeted: the rest of the configuration is planned after the last phase)',
      })
      expect(s.steps.find((x) => x.id === 'applications')).to.include({
        status: 'planned',
        detail: 'phase apps: no changes; untargeted plan: 0 to add, 1 to change, 0 to destroy (planned, not applied)',
      })
      expect(s.converged).to.equal(false)
      const human = await run([...terraformSteps, '--dry-run'], {TF_VAR_label: 'two'})
      expect(human.stdout).not.to.include('Nothing to change')
    })

    it('only the targeted infrastructure step ran: it never says "Nothing to change"', async () => {
      phases(split)
      expect((await run([...terraformSteps, '--yes'])).exitCode).to.equal(0)
      const r = await run(['--only', 'infrastructure', '--yes'])
      expect(r.exitCode, r.stderr).to.equal(0)
      expect(r.stdout).to.match(/infrastructure\s+already-done\s+\S+\s+no changes in phase platform \(targeted/)
      expect(r.stdout).not.to.include('Nothing to change')
      expect(r.stdout).to.include('the rest of the configuration was not planned')
    })

    it('a moved block and a removed block (destroy = false) are applied, never "already done"', async () => {
      expect((await run(['--only', 'infrastructure', '--yes'])).exitCode).to.equal(0)
      expect(await applied()).to.deep.equal(['terraform_data.app', 'terraform_data.cluster', 'terraform_data.vpc'])
      const main = join(work, 'staging', 'main.tf')
      writeFileSync(
        main,
        readFileSync(main, 'utf8')
          .replace(
            'resource "terraform_data" "vpc" {',
            'moved {\n  from = terraform_data.vpc\n  to   = terraform_data.network\n}\n\nresource "terraform_data" "network" {',
          )
          .replace(
            /resource "terraform_data" "app" \{[\s\S]*?\n\}/,
            'removed {\n  from = terraform_data.app\n  lifecycle {\n    destroy = false\n  }\n}',
          ),
      )
      const r = await run(['--only', 'infrastructure', '--yes', '--json'])
      expect(r.exitCode, r.stderr).to.equal(0)
      const s = r.json<Summary>()
      expect(s.steps.find((x) => x.id === 'infrastructure')).to.include({
        status: 'done',
        detail: 'phase all: 0 to add, 0 to change, 0 to destroy, 1 to forget, 1 to move (applied)',
      })
      expect(s.changed).to.equal(true)
      // The state moved and forgot, as `terraform apply` does; the next run has nothing to do.
      expect(await applied()).to.deep.equal(['terraform_data.cluster', 'terraform_data.network'])
      const again = await run(['--only', 'infrastructure', '--yes'])
      expect(again.stdout).to.include('Nothing to change: every step was already done')
    })

    it('a single targeted phase: the infrastructure step converges the rest itself', async () => {
      phases([{name: 'platform', targets: ['terraform_data.vpc']}])
      const r = await run([...terraformSteps, '--yes', '--json'])
      expect(r.exitCode, r.stderr).to.equal(0)
      const s = r.json<Summary>()
      expect(detail(s, 'infrastructure')).to.equal(
        'phase platform: 1 to add, 0 to change, 0 to destroy (applied); untargeted plan: 2 to add, 0 to change, 0 to destroy (applied)',
      )
      expect(s.steps.find((x) => x.id === 'applications')?.status).to.equal('skipped')
      expect(s.converged).to.equal(true)
      expect(await applied()).to.deep.equal(['terraform_data.app', 'terraform_data.cluster', 'terraform_data.vpc'])
    })
  })

  describe('a root that already declares its S3 backend keeps it', () => {
    const TEAM = 'team-tfstate'
    const KEY = 'platform/staging.tfstate'

    /** The root declares the team's bucket and key, with decoys in comments; its state there is already applied. */
    async function declaredRoot(block: string) {
      const main = join(work, 'staging', 'main.tf')
      const text = readFileSync(main, 'utf8').replace(/backend "s3" \{[^}]*\}/, block)
      writeFileSync(main, text)
      writeFileSync(
        join(work, 'staging', 'notes.tf'),
        '/* terraform {\n  backend "s3" { bucket = "piksel-staging-tfstate" }\n} */\n',
      )
      await createStateBucket(moto, TEAM, {policy: 'none'})
      // The team applied it by hand before piksel: the state lives in their bucket.
      const tf = {cwd: join(work, 'staging'), env: isolatedEnv(moto.env), extendEnv: false}
      await execa('terraform', ['init', '-input=false', '-no-color'], tf)
      await execa('terraform', ['apply', '-auto-approve', '-input=false', '-no-color'], tf)
    }

    it('bucket, key and region declared: init uses them, the plan finds the existing state (already done); nothing lands in the convention bucket', async () => {
      await declaredRoot(
        `backend "s3" {\n    # bucket = "${STATE_BUCKET}" (the convention; not ours)\n    bucket       = "${TEAM}"\n    key          = "${KEY}"\n    region       = "ap-southeast-3"\n    use_lockfile = true\n  }`,
      )
      expect(await objectKeys(moto, TEAM)).to.deep.equal([KEY])
      const r = await run(['--only', 'infrastructure', '--yes', '--json'])
      expect(r.exitCode, r.stderr).to.equal(0)
      expect(r.json<Summary>().steps.find((x) => x.id === 'infrastructure')).to.include({
        status: 'already-done',
        detail: 'no changes: infrastructure matches the configuration',
      })
      expect(r.stderr).to.include(
        `declares backend "s3" bucket = "${TEAM}" (the config says "${STATE_BUCKET}"): keeping the declared one`,
      )
      expect(await objectKeys(moto)).to.deep.equal([])
      expect(await objectKeys(moto, TEAM)).to.deep.equal([KEY])
    })

    it('only the key declared: the bucket and region come from the convention, the key stays', async () => {
      const main = join(work, 'staging', 'main.tf')
      writeFileSync(
        main,
        readFileSync(main, 'utf8').replace(/backend "s3" \{[^}]*\}/, `backend "s3" {\n    key = "${KEY}"\n  }`),
      )
      const tf = {cwd: join(work, 'staging'), env: isolatedEnv(moto.env), extendEnv: false}
      await execa(
        'terraform',
        [
          'init',
          '-input=false',
          '-no-color',
          `-backend-config=bucket=${STATE_BUCKET}`,
          '-backend-config=region=ap-southeast-3',
        ],
        tf,
      )
      await execa('terraform', ['apply', '-auto-approve', '-input=false', '-no-color'], tf)
      const r = await run(['--only', 'infrastructure', '--yes', '--json'])
      expect(r.exitCode, r.stderr).to.equal(0)
      expect(r.json<Summary>().steps.find((x) => x.id === 'infrastructure')?.status).to.equal('already-done')
      expect(await objectKeys(moto)).to.deep.equal([KEY])
    })

    it('an override file’s backend wins over main.tf’s, as in Terraform', async () => {
      await declaredRoot(`backend "s3" {\n    bucket = "${TEAM}"\n    key    = "${KEY}"\n  }`)
      // main.tf is rewritten to the convention, and an override file points back at the team's state.
      const main = join(work, 'staging', 'main.tf')
      writeFileSync(main, readFileSync(main, 'utf8').replace(/backend "s3" \{[^}]*\}/, 'backend "s3" {}'))
      writeFileSync(
        join(work, 'staging', 'backend_override.tf'),
        `terraform {\n  backend "s3" {\n    bucket = "${TEAM}"\n    key    = "${KEY}"\n  }\n}\n`,
      )
      const r = await run(['--only', 'infrastructure', '--yes', '--json'])
      expect(r.exitCode, r.stderr).to.equal(0)
      expect(r.json<Summary>().steps.find((x) => x.id === 'infrastructure')?.status).to.equal('already-done')
      expect(r.stderr).to.include('backend_override.tf declares backend "s3" bucket = "team-tfstate"')
      // Its block sets no lock: a warning in the task list, and in the JSON document's warnings.
      const warning = `backend_override.tf's backend "s3" sets no state lock (use_lockfile): runs at the same time are not kept apart`
      expect(r.stderr).to.include(`piksel: warning: ${warning}`)
      expect(r.json<{warnings?: string[]}>().warnings).to.deep.equal([warning])
      expect(await objectKeys(moto)).to.deep.equal([])
    })

    it('a block edited since the root was initialised: BACKEND_CHANGED, the state is neither moved nor re-planned', async () => {
      await declaredRoot(`backend "s3" {\n    bucket = "${TEAM}"\n    key    = "${KEY}"\n  }`)
      const main = join(work, 'staging', 'main.tf')
      writeFileSync(main, readFileSync(main, 'utf8').replace(KEY, 'platform/renamed.tfstate'))
      const r = await run(['--only', 'infrastructure', '--yes', '--json'])
      expect(r.exitCode, r.stderr).to.equal(1)
      const {error} = r.json<Failure>()
      expect(error.code).to.equal('BACKEND_CHANGED')
      expect(error.hint).to.include(`terraform -chdir=${join(work, 'staging')} init -reconfigure`)
      expect(await objectKeys(moto, TEAM)).to.deep.equal([KEY])
    })
  })
})
