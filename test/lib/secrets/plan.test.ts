import {expect} from 'chai'

import {OperationError, UsageError} from '../../../src/lib/errors.ts'
import {type ExistingState, type PlanFlags, planAfterRestore, planSecretWrite} from '../../../src/lib/secrets/plan.ts'

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
