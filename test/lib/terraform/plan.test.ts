import {expect} from 'chai'

import {UsageError} from '../../../src/lib/errors.ts'
import {backendConfigArgs, usesS3Backend} from '../../../src/lib/terraform/backend.ts'
import {
  assertDestroyAllowed,
  classifyActions,
  destroyDecision,
  formatPlanResources,
  formatPlanSummary,
  planIsEmpty,
  summarizePlan,
} from '../../../src/lib/terraform/plan.ts'
import {errorSummary, terraformEnv} from '../../../src/lib/terraform/runner.ts'

const rc = (address: string, actions: string[], mode = 'managed') => ({address, mode, change: {actions}})
const show = (changes: unknown[], outputs: Record<string, {actions: string[]}> = {}) =>
  JSON.stringify({format_version: '1.2', resource_changes: changes, output_changes: outputs})

describe('terraform plan summary', () => {
  const actions: Array<[string[], string]> = [
    [['create'], 'create'],
    [['update'], 'update'],
    [['delete'], 'delete'],
    [['delete', 'create'], 'replace'],
    [['create', 'delete'], 'replace'],
    [['read'], 'read'],
    [['no-op'], 'no-op'],
    [[], 'no-op'],
  ]
  for (const [list, expected] of actions) {
    it(`[${list.join(',')}] is ${expected}`, () => expect(classifyActions(list)).to.equal(expected))
  }

  const plans: Array<[string, string, [number, number, number, number], string]> = [
    ['an empty plan', show([]), [0, 0, 0, 0], 'no changes'],
    [
      'no-ops and data reads only',
      show([rc('terraform_data.a', ['no-op']), rc('data.x.y', ['read'], 'data')]),
      [0, 0, 0, 0],
      'no changes',
    ],
    [
      'a mixed plan',
      show([
        rc('terraform_data.a', ['create']),
        rc('module.eks.aws_eks_cluster.this', ['update']),
        rc('terraform_data.old', ['delete']),
        rc('terraform_data.c', ['delete', 'create']),
        rc('terraform_data.b', ['create']),
      ]),
      [2, 1, 1, 1],
      '2 to add, 1 to change, 1 to destroy, 1 to replace',
    ],
    ['outputs only', show([], {vpc_id: {actions: ['create']}}), [0, 0, 0, 0], '1 output change(s)'],
  ]
  for (const [what, json, [adds, changes, destroys, replaces], text] of plans) {
    it(`summarises ${what}: ${text}`, () => {
      const summary = summarizePlan(json)
      expect([summary.adds, summary.changes, summary.destroys, summary.replaces]).to.deep.equal([
        adds,
        changes,
        destroys,
        replaces,
      ])
      expect(formatPlanSummary(summary)).to.equal(text)
    })
  }

  it('lists the resource addresses with their action', () => {
    const summary = summarizePlan(
      show([
        rc('terraform_data.a', ['create']),
        rc('x.b', ['update']),
        rc('x.c', ['delete']),
        rc('x.d', ['create', 'delete']),
      ]),
    )
    expect(summary.resources.map((r) => r.address)).to.deep.equal(['terraform_data.a', 'x.b', 'x.c', 'x.d'])
    expect(formatPlanResources(summary)).to.deep.equal(['+ terraform_data.a', '~ x.b', '- x.c', '-/+ x.d'])
    expect(formatPlanResources(summary, 2)).to.deep.equal(['+ terraform_data.a', '~ x.b', '… and 2 more'])
    expect(planIsEmpty(summary)).to.equal(false)
  })

  // Terraform applies these plans (`applyable`), though no resource is created, changed or destroyed:
  // a moved block, a removed block with destroy = false, an import block. Never "no changes".
  const stateOnly: Array<[string, unknown[], string, string[]]> = [
    [
      'a moved block',
      [{...rc('terraform_data.vpc2', ['no-op']), previous_address: 'terraform_data.vpc'}],
      '0 to add, 0 to change, 0 to destroy, 1 to move',
      ['-> terraform_data.vpc2 (moved from terraform_data.vpc)'],
    ],
    [
      'a removed block with destroy = false',
      [rc('terraform_data.eks', ['forget'])],
      '0 to add, 0 to change, 0 to destroy, 1 to forget',
      ['. terraform_data.eks (forget: kept, no longer managed)'],
    ],
    [
      'an import block',
      [{address: 'terraform_data.y', mode: 'managed', change: {actions: ['no-op'], importing: {id: 'abc'}}}],
      '1 to import, 0 to add, 0 to change, 0 to destroy',
      ['<- terraform_data.y (import)'],
    ],
    [
      'an import that also updates, and a move that also updates',
      [
        {address: 'x.a', mode: 'managed', change: {actions: ['update'], importing: {id: 'a'}}},
        {address: 'x.b', mode: 'managed', previous_address: 'x.old', change: {actions: ['update']}},
      ],
      '1 to import, 0 to add, 2 to change, 0 to destroy, 1 to move',
      ['~ x.a', '~ x.b'],
    ],
  ]
  for (const [what, changes, text, lines] of stateOnly) {
    it(`${what} is a change to apply: ${text}`, () => {
      const summary = summarizePlan(show(changes))
      expect(planIsEmpty(summary)).to.equal(false)
      expect(formatPlanSummary(summary)).to.equal(text)
      expect(formatPlanResources(summary)).to.deep.equal(lines)
      expect(destroyDecision(summary, false)).to.deep.equal({allowed: true, destroyed: []})
    })
  }

  for (const bad of ['not json', '{}', 'null']) {
    it(`refuses ${bad} as show output`, () => expect(() => summarizePlan(bad)).to.throw(/terraform show/))
  }

  describe('destroy guard', () => {
    const guard: Array<[string, string[][], boolean, boolean, string[]]> = [
      ['creates only', [['create']], false, true, []],
      ['an update', [['update']], false, true, []],
      ['a delete', [['delete']], false, false, ['r0']],
      ['a replace', [['create'], ['delete', 'create']], false, false, ['r1']],
      ['a delete with --allow-destroy', [['delete']], true, true, ['r0']],
    ]
    for (const [what, lists, allow, allowed, destroyed] of guard) {
      it(`${what}: ${allowed ? 'allowed' : 'refused'}`, () => {
        const summary = summarizePlan(show(lists.map((a, i) => rc(`r${i}`, a))))
        expect(destroyDecision(summary, allow)).to.deep.equal({allowed, destroyed})
      })
    }
    it('refuses with exit 2, naming the resources and --allow-destroy', () => {
      const summary = summarizePlan(show([rc('terraform_data.db', ['delete'])]))
      expect(() => assertDestroyAllowed(summary, false, 'infrastructure'))
        .to.throw(UsageError, /destroys 1 resource\(s\) \(terraform_data\.db\)\. Nothing was applied/)
        .with.property('hint')
        .that.includes('--allow-destroy')
      expect(() => assertDestroyAllowed(summary, true, 'infrastructure')).not.to.throw()
    })
  })
})

describe('terraform backend and environment', () => {
  const roots: Array<[string, string, boolean]> = [
    ['an s3 backend', 'terraform {\n  backend "s3" {\n    bucket = "b"\n  }\n}\n', true],
    ['a partial s3 backend', 'terraform {\n  backend "s3" {}\n}', true],
    ['a local backend', 'terraform {\n  backend "local" {}\n}', false],
    ['a commented-out s3 backend', '# backend "s3" {}\n// backend "s3" {}\n/* backend "s3" {} */', false],
    ['no backend', 'resource "terraform_data" "a" {}', false],
  ]
  for (const [what, text, expected] of roots) {
    it(`${what}: ${expected ? 'gets' : 'no'} -backend-config`, () => expect(usesS3Backend(text)).to.equal(expected))
  }

  it('passes bucket, key, region, use_lockfile and encrypt', () => {
    expect(
      backendConfigArgs({
        region: 'ap-southeast-3',
        terraform: {
          dir: 'staging',
          stateBucket: 'piksel-staging-tfstate',
          stateKey: 'staging/terraform.tfstate',
          phases: [],
        },
      }),
    ).to.deep.equal([
      '-backend-config=bucket=piksel-staging-tfstate',
      '-backend-config=key=staging/terraform.tfstate',
      '-backend-config=region=ap-southeast-3',
      '-backend-config=use_lockfile=true',
      '-backend-config=encrypt=true',
    ])
  })

  it('runs terraform in automation with the environment profile', () => {
    expect(terraformEnv({profile: 'staging-piksel', region: 'ap-southeast-3'})).to.deep.equal({
      TF_IN_AUTOMATION: '1',
      TF_INPUT: '0',
      AWS_PROFILE: 'staging-piksel',
      AWS_REGION: 'ap-southeast-3',
    })
    expect(terraformEnv({})).to.deep.equal({TF_IN_AUTOMATION: '1', TF_INPUT: '0'})
  })

  it('picks the Error: lines for the failure message', () => {
    const lines = [
      '',
      '│ Error: Reference to undeclared resource',
      '│',
      'Error: Reference to undeclared resource',
      'Error: other',
    ]
    expect(errorSummary(lines)).to.equal('Reference to undeclared resource; other')
    expect(errorSummary(['all good'])).to.equal('')
  })
})
