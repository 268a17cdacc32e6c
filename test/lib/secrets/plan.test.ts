import {expect} from 'chai'

import {OperationError, UsageError} from '../../../src/lib/errors.ts'
import {
  type ExistingState,
  type PlanFlags,
  type SecretPlan,
  planAfterRestore,
  planSecretWrite,
} from '../../../src/lib/secrets/plan.ts'

const absent: ExistingState = {kind: 'absent'}
const deleted: ExistingState = {kind: 'scheduled-for-deletion', deletedDate: '2026-12-01T00:00:00.000Z'}
const same: ExistingState = {kind: 'present', sameValue: true, metadataDiffers: false}
const sameDrift: ExistingState = {kind: 'present', sameValue: true, metadataDiffers: true}
const empty: ExistingState = {kind: 'empty'}
const different: ExistingState = {kind: 'present', sameValue: false, metadataDiffers: false}

describe('secrets/plan', () => {
  // state, flags, action, writes in order [restore, create, putValue, updateMetadata]
  const table: Array<[string, ExistingState, PlanFlags, string, [boolean, boolean, boolean, boolean]]> = [
    ['absent', absent, {}, 'created', [false, true, false, false]],
    ['absent, dry run', absent, {dryRun: true}, 'would-create', [false, false, false, false]],
    ['absent, --overwrite', absent, {overwrite: true}, 'created', [false, true, false, false]],
    ['same value', same, {}, 'unchanged', [false, false, false, false]],
    ['same value, --overwrite', same, {overwrite: true}, 'unchanged', [false, false, false, false]],
    ['same value, dry run', same, {dryRun: true}, 'unchanged', [false, false, false, false]],
    ['same value, tags drifted', sameDrift, {}, 'unchanged', [false, false, false, false]],
    ['same value, tags drifted, --overwrite', sameDrift, {overwrite: true}, 'updated', [false, false, false, true]],
    [
      'same value, drifted, --overwrite --dry-run',
      sameDrift,
      {overwrite: true, dryRun: true},
      'would-update',
      [false, false, false, false],
    ],
    ['different value, --overwrite', different, {overwrite: true}, 'updated', [false, false, true, true]],
    [
      'different value, --overwrite --dry-run',
      different,
      {overwrite: true, dryRun: true},
      'would-update',
      [false, false, false, false],
    ],
    [
      'exists without a value: the first value, no --overwrite needed',
      empty,
      {},
      'updated',
      [false, false, true, true],
    ],
    ['exists without a value, dry run', empty, {dryRun: true}, 'would-update', [false, false, false, false]],
    ['scheduled for deletion, --restore', deleted, {restore: true}, 'updated', [true, false, false, false]],
    [
      'scheduled for deletion, --restore --dry-run',
      deleted,
      {restore: true, dryRun: true},
      'would-update',
      [false, false, false, false],
    ],
  ]
  for (const [what, state, flags, action, [restore, create, putValue, updateMetadata]] of table) {
    it(`${what} → ${action}`, () => {
      const plan = planSecretWrite('s', state, flags)
      expect(plan.action).to.equal(action)
      expect([plan.restore, plan.create, plan.putValue, plan.updateMetadata]).to.deep.equal([
        restore,
        create,
        putValue,
        updateMetadata,
      ])
      expect(plan.writes).to.equal(restore || create || putValue || updateMetadata)
      expect(plan.firstValue).to.equal(state.kind === 'empty')
    })
  }

  it('reports tag drift on an unchanged secret', () => {
    expect(planSecretWrite('s', sameDrift, {}).metadataDrift).to.equal(true)
    expect(planSecretWrite('s', same, {}).metadataDrift).to.equal(false)
  })

  const refused: Array<[string, ExistingState, PlanFlags, string]> = [
    ['a different value', different, {}, 'SECRET_CONFLICT'],
    ['a different value, dry run', different, {dryRun: true}, 'SECRET_CONFLICT'],
    ['a scheduled deletion', deleted, {}, 'SECRET_SCHEDULED_FOR_DELETION'],
    ['a scheduled deletion, --overwrite', deleted, {overwrite: true}, 'SECRET_SCHEDULED_FOR_DELETION'],
  ]
  for (const [what, state, flags, code] of refused) {
    it(`refuses ${what} with exit 2 and a hint`, () => {
      let error: unknown
      try {
        planSecretWrite('slack-alerts-staging', state, flags)
      } catch (e) {
        error = e
      }
      expect(error).to.be.instanceOf(UsageError)
      expect((error as UsageError).code).to.equal(code)
      expect((error as UsageError).hint).to.match(/--overwrite|--restore/)
      expect((error as UsageError).message).to.include('slack-alerts-staging')
    })
  }

  it('after a restore: the same value brings metadata up to date; a different one needs --overwrite', () => {
    const sameAfter = planAfterRestore('s', true, {restore: true})
    expect([sameAfter.action, sameAfter.putValue, sameAfter.updateMetadata]).to.deep.equal(['updated', false, true])
    const overwrite = planAfterRestore('s', false, {restore: true, overwrite: true})
    expect([overwrite.action, overwrite.putValue, overwrite.updateMetadata]).to.deep.equal(['updated', true, true])
    // The restore already happened: exit 1, not 2.
    expect(() => planAfterRestore('s', false, {restore: true}))
      .to.throw(OperationError, /restored/)
      .with.property('exitCode', 1)
  })
})

describe('secrets/plan: the whole plan, every field', () => {
  const plan = (action: string, fields: Partial<SecretPlan> = {}): SecretPlan => ({
    action: action as SecretPlan['action'],
    restore: false,
    create: false,
    putValue: false,
    updateMetadata: false,
    writes: false,
    compareAfterRestore: false,
    firstValue: false,
    metadataDrift: false,
    ...fields,
  })
  const rows: Array<[string, () => SecretPlan, SecretPlan]> = [
    ['absent', () => planSecretWrite('s', absent, {}), plan('created', {create: true, writes: true})],
    ['absent, dry run', () => planSecretWrite('s', absent, {dryRun: true}), plan('would-create')],
    [
      'empty',
      () => planSecretWrite('s', empty, {}),
      plan('updated', {putValue: true, updateMetadata: true, writes: true, firstValue: true}),
    ],
    ['empty, dry run', () => planSecretWrite('s', empty, {dryRun: true}), plan('would-update', {firstValue: true})],
    [
      'scheduled for deletion, --restore',
      () => planSecretWrite('s', deleted, {restore: true}),
      plan('updated', {restore: true, writes: true, compareAfterRestore: true}),
    ],
    [
      'scheduled for deletion, --restore --dry-run',
      () => planSecretWrite('s', deleted, {restore: true, dryRun: true}),
      plan('would-update', {compareAfterRestore: true}),
    ],
    ['same value', () => planSecretWrite('s', same, {}), plan('unchanged')],
    ['same value, drifted', () => planSecretWrite('s', sameDrift, {}), plan('unchanged', {metadataDrift: true})],
    [
      'same value, drifted, --overwrite',
      () => planSecretWrite('s', sameDrift, {overwrite: true}),
      plan('updated', {updateMetadata: true, writes: true}),
    ],
    [
      'same value, drifted, --overwrite --dry-run',
      () => planSecretWrite('s', sameDrift, {overwrite: true, dryRun: true}),
      plan('would-update'),
    ],
    [
      'different value, --overwrite',
      () => planSecretWrite('s', different, {overwrite: true}),
      plan('updated', {putValue: true, updateMetadata: true, writes: true}),
    ],
    [
      'different value, --overwrite --dry-run',
      () => planSecretWrite('s', different, {overwrite: true, dryRun: true}),
      plan('would-update'),
    ],
    [
      'after a restore, the same value',
      () => planAfterRestore('s', true, {restore: true}),
      plan('updated', {updateMetadata: true, writes: true}),
    ],
    [
      'after a restore, a different value with --overwrite',
      () => planAfterRestore('s', false, {restore: true, overwrite: true}),
      plan('updated', {putValue: true, updateMetadata: true, writes: true}),
    ],
  ]
  for (const [what, make, expected] of rows) {
    it(`${what} → ${expected.action}`, () => expect(make()).to.deep.equal(expected))
  }

  it('the refusals say what, when, and what to pass', () => {
    const scheduled = (state: ExistingState) => {
      try {
        planSecretWrite('grafana-oauth-dev', state, {})
      } catch (error) {
        return error as UsageError
      }
      throw new Error('expected a refusal')
    }
    expect(scheduled(deleted).message).to.equal(
      'Secret grafana-oauth-dev is scheduled for deletion on 2026-12-01T00:00:00.000Z. Nothing was changed.',
    )
    expect(scheduled({kind: 'scheduled-for-deletion'}).message).to.equal(
      'Secret grafana-oauth-dev is scheduled for deletion. Nothing was changed.',
    )
    expect(scheduled(different).message).to.equal(
      'Secret grafana-oauth-dev already exists with a different value. Nothing was changed.',
    )
    let restored: OperationError | undefined
    try {
      planAfterRestore('grafana-oauth-dev', false, {restore: true})
    } catch (error) {
      restored = error as OperationError
    }
    expect(restored?.code).to.equal('SECRET_CONFLICT')
    expect(restored?.message).to.equal(
      'Secret grafana-oauth-dev was restored, but it holds a different value, which was kept (not replaced).',
    )
    expect(restored?.hint).to.equal(
      'Run again with --overwrite to store the new value as a new version (the restored one stays as AWSPREVIOUS).',
    )
  })
})
