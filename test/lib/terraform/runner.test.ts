import {expect} from 'chai'
import {existsSync} from 'node:fs'

import {applyTerraformRoot} from '../../../src/lib/bootstrap/terraform-phase.ts'
import {ChildProcessError, InterruptedError, OperationError, UsageError} from '../../../src/lib/errors.ts'
import {summarizePlan} from '../../../src/lib/terraform/plan.ts'
import {Terraform, rootUsesS3Backend} from '../../../src/lib/terraform/runner.ts'
import {copyFixture, lockFile, stateAddresses, stateInput} from '../../support/terraform.ts'
import {requireTool} from '../../support/tools.ts'

/** The real terraform binary on fixture roots that use only terraform_data and a local backend. */
describe('terraform (real binary)', function () {
  this.timeout(120_000)
  const saved = {...process.env}

  before(function () {
    requireTool(this, 'terraform')
  })
  afterEach(() => {
    for (const key of ['TF_VAR_apps', 'TF_VAR_label']) {
      if (saved[key] === undefined) delete process.env[key]
      else process.env[key] = saved[key]
    }
  })

  function root(dir: string, lines: string[] = [], extra: Partial<Parameters<typeof applyTerraformRoot>[0]> = {}) {
    return {
      label: 'infrastructure',
      dir,
      backendConfig: [],
      phases: [{name: 'all', targets: []}],
      dryRun: false,
      allowDestroy: false,
      confirm: async () => true,
      onLine: (line: string) => lines.push(line),
      ...extra,
    }
  }

  it('init, plan -out, show -json, apply the saved plan, in automation mode', async () => {
    const dir = copyFixture('basic')
    const lines: string[] = []
    const tf = new Terraform({dir, onLine: (line) => lines.push(line)})
    await tf.init()
    await tf.plan(`${dir}/p.tfplan`)
    const summary = summarizePlan(await tf.showJson(`${dir}/p.tfplan`))
    expect([summary.adds, summary.changes, summary.destroys]).to.deep.equal([3, 0, 0])
    expect(summary.resources.map((r) => r.address)).to.deep.equal([
      'terraform_data.app[0]',
      'terraform_data.cluster',
      'terraform_data.vpc',
    ])
    expect(stateAddresses(dir)).to.deep.equal([])
    await tf.apply(`${dir}/p.tfplan`)
    expect(stateAddresses(dir)).to.have.members([
      'terraform_data.app[0]',
      'terraform_data.cluster',
      'terraform_data.vpc',
    ])
    expect(lines.join('\n')).to.include('Apply complete! Resources: 3 added')
    // TF_IN_AUTOMATION: no "run terraform apply" advice in the plan output.
    expect(lines.join('\n')).not.to.include('To perform exactly these actions')
  })

  it('dry run plans and applies nothing; the real run applies; a re-run finds nothing to do', async () => {
    const dir = copyFixture('basic')
    const lines: string[] = []
    const dry = await applyTerraformRoot(
      root(dir, lines, {dryRun: true, confirm: async () => expect.fail('no confirm in a dry run')}),
    )
    expect(dry.status).to.equal('planned')
    expect(dry.detail).to.equal('phase all: 3 to add, 0 to change, 0 to destroy (planned, not applied)')
    expect(stateAddresses(dir)).to.deep.equal([])
    expect(lines).to.include('  + terraform_data.vpc')

    const asked: string[] = []
    const real = await applyTerraformRoot(root(dir, [], {confirm: async (m) => (asked.push(m), true)}))
    expect(real.status).to.equal('done')
    expect(asked).to.have.length(1)
    expect(asked[0]).to.match(/^Apply infrastructure \(phase all, .*\): 3 to add, 0 to change, 0 to destroy\?$/)
    expect(stateAddresses(dir)).to.have.length(3)

    const again = await applyTerraformRoot(root(dir, [], {confirm: async () => expect.fail('nothing to confirm')}))
    expect(again.status).to.equal('already-done')
    expect(again.detail).to.match(/^no changes/)
  })

  it('applies exactly the saved plan, not a fresh one', async () => {
    const dir = copyFixture('basic')
    process.env.TF_VAR_label = 'planned'
    await applyTerraformRoot(
      root(dir, [], {
        confirm: async () => {
          // Were apply to re-plan, it would see this value instead.
          process.env.TF_VAR_label = 'changed-after-plan'
          return true
        },
      }),
    )
    expect(stateInput(dir, 'cluster')).to.equal('planned')
  })

  it('refuses a plan that destroys, unless --allow-destroy', async () => {
    const dir = copyFixture('basic')
    process.env.TF_VAR_apps = '2'
    await applyTerraformRoot(root(dir))
    expect(stateAddresses(dir)).to.include('terraform_data.app[1]')
    process.env.TF_VAR_apps = '1'
    let error: unknown
    try {
      await applyTerraformRoot(root(dir, [], {confirm: async () => expect.fail('refused before asking')}))
    } catch (e) {
      error = e
    }
    expect(error).to.be.instanceOf(UsageError)
    expect((error as UsageError).message).to.include('destroys 1 resource(s) (terraform_data.app[1])')
    expect(stateAddresses(dir)).to.include('terraform_data.app[1]')
    const allowed = await applyTerraformRoot(root(dir, [], {allowDestroy: true}))
    expect(allowed.detail).to.include('1 to destroy (applied)')
    expect(stateAddresses(dir)).not.to.include('terraform_data.app[1]')
  })

  it('a declined confirmation applies nothing', async () => {
    const dir = copyFixture('basic')
    const error = await applyTerraformRoot(root(dir, [], {confirm: async () => false})).catch((e: Error) => e)
    expect(error).to.be.instanceOf(OperationError).with.property('code', 'DECLINED')
    expect(stateAddresses(dir)).to.deep.equal([])
  })

  it('runs phases with their -target lists', async () => {
    const dir = copyFixture('basic')
    const outcome = await applyTerraformRoot(
      root(dir, [], {
        phases: [
          {name: 'network', targets: ['terraform_data.vpc']},
          {name: 'rest', targets: []},
        ],
      }),
    )
    expect(outcome.phases.map((p) => [p.phase, p.summary.adds])).to.deep.equal([
      ['network', 1],
      ['rest', 2],
    ])
  })

  it('reports a failing plan with Terraform’s error', async () => {
    const dir = copyFixture('basic')
    process.env.TF_VAR_apps = 'many'
    const error = await applyTerraformRoot(root(dir)).catch((e: Error) => e)
    expect(error).to.be.instanceOf(ChildProcessError)
    expect((error as OperationError).message).to.match(
      /terraform plan failed .*\(exit 1\): Invalid value for input variable/,
    )
    expect(error).to.deep.include({command: 'terraform plan', childExitCode: 1, code: 'TERRAFORM_FAILED'})
    expect((error as ChildProcessError).outputTail).to.match(/^Invalid value for input variable/)
  })

  it('Ctrl-C during an apply: SIGINT forwarded, terraform exits, no lock left, the next plan works', async () => {
    const dir = copyFixture('slow')
    const abort = new AbortController()
    const lines: string[] = []
    const outcome = applyTerraformRoot(
      root(dir, lines, {
        signal: abort.signal,
        onLine: (line) => {
          lines.push(line)
          if (line.includes("Provisioning with 'local-exec'")) setTimeout(() => abort.abort(), 300)
        },
      }),
    ).catch((e: Error) => e)
    const started = Date.now()
    const error = await outcome
    expect(error).to.be.instanceOf(InterruptedError)
    expect(Date.now() - started).to.be.below(25_000)
    expect(lines.join('\n')).to.match(/Interrupt received|Gracefully shutting down/)
    expect(existsSync(lockFile(dir))).to.equal(false)
    expect(stateAddresses(dir)).to.include('terraform_data.fast')
    const tf = new Terraform({dir})
    await tf.plan(`${dir}/after.tfplan`)
    const after = summarizePlan(await tf.showJson(`${dir}/after.tfplan`))
    expect(after.resources.map((r) => r.address)).to.include('terraform_data.slow')
  })

  it('detects which roots need -backend-config', () => {
    expect(rootUsesS3Backend(copyFixture('basic'))).to.equal(false)
    expect(() => rootUsesS3Backend('/nonexistent/root')).to.throw(UsageError, 'Terraform root not found')
  })
})
