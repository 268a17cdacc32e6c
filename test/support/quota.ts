import type {QuotaRow} from '../../src/lib/quota/gpu.ts'

/** A quota row for table tests: G and VT On-Demand at the AWS default 0, below a target of 8. */
export const quotaRow = (overrides: Partial<QuotaRow>): QuotaRow => ({
  family: 'g',
  market: 'on-demand',
  code: 'L-DB2E81BA',
  name: 'Running On-Demand G and VT instances',
  value: 0,
  valueSource: 'default',
  usage: null,
  usageSource: {reason: 'the quota declares no usage metric'},
  target: 8,
  targetSource: {from: 'config', pools: []},
  status: 'below',
  ...overrides,
})
