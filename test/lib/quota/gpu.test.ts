import {expect} from 'chai'

import {quotaRow} from '../../support/quota.ts'

import {UsageError} from '../../../src/lib/errors.ts'
import {
  type FamilyId,
  GPU_FAMILIES,
  SERVICE_CODE,
  type QuotaRequest,
  type QuotaRow,
  accessHint,
  blockedAdvice,
  blockedByOpenRequest,
  classifyRequestError,
  describeRequest,
  fallbackQuotaName,
  familyById,
  formatAge,
  isAccessDenied,
  isOpen,
  markBlocked,
  parseFamilies,
  parseMarkets,
  parseMin,
  assertBoundedTargets,
  planRequests,
  quotaStatus,
  resolveTarget,
  selectQuotas,
  splitHistory,
  spotRoleWarning,
  summarise,
} from '../../../src/lib/quota/gpu.ts'
import {createLimiter} from '../../../src/lib/quota/limit.ts'

const request = (status: string, created: string | null, desiredValue = 8, id = status): QuotaRequest => ({
  id,
  caseId: null,
  status,
  desiredValue,
  created,
})

const row = quotaRow

describe('quota/gpu (pure)', () => {
  describe('the GPU family table (DESIGN.md §4)', () => {
    const cases: Array<[string, string, string]> = [
      ['g', 'L-DB2E81BA', 'L-3819A6DF'],
      ['p', 'L-417A185B', 'L-7212CCBC'],
      ['inf', 'L-1945791B', 'L-B5D1601B'],
      ['trn', 'L-2C3B7624', 'L-6B0D517C'],
      ['dl', 'L-6E869C2A', 'L-85EED4F7'],
    ]
    for (const [id, onDemand, spot] of cases) {
      it(`${id}: on-demand ${onDemand}, spot ${spot}`, () => {
        const family = GPU_FAMILIES.find((f) => f.id === id)
        expect(family?.codes).to.deep.equal({'on-demand': onDemand, spot})
      })
    }
    it('has ten distinct codes', () => {
      const codes = GPU_FAMILIES.flatMap((f) => Object.values(f.codes))
      expect(new Set(codes).size).to.equal(10)
    })
    it('selects in table order, on-demand before spot', () => {
      expect(selectQuotas(['p', 'g'], ['spot', 'on-demand']).map((r) => r.code)).to.deep.equal([
        'L-DB2E81BA',
        'L-3819A6DF',
        'L-417A185B',
        'L-7212CCBC',
      ])
      expect(selectQuotas(['inf'], ['spot'])).to.deep.equal([{family: 'inf', market: 'spot', code: 'L-B5D1601B'}])
    })
    it('names a quota when AWS gives no name', () => {
      expect(fallbackQuotaName({family: 'g', market: 'on-demand', code: 'L-DB2E81BA'})).to.equal(
        'Running On-Demand G and VT instances',
      )
      expect(fallbackQuotaName({family: 'trn', market: 'spot', code: 'L-6B0D517C'})).to.equal(
        'All Trn Spot Instance Requests',
      )
    })
  })

  describe('--family and --market', () => {
    const good: Array<[string[] | undefined, string[]]> = [
      [undefined, ['g', 'p']],
      [[], ['g', 'p']],
      [['g'], ['g']],
      [['g,p,inf,trn,dl'], ['g', 'p', 'inf', 'trn', 'dl']],
      [
        ['dl', 'g'],
        ['g', 'dl'],
      ],
      [
        ['g,p', 'inf'],
        ['g', 'p', 'inf'],
      ],
      [
        ['G', ' p '],
        ['g', 'p'],
      ],
      [['g,g'], ['g']],
    ]
    for (const [input, expected] of good) {
      it(`--family ${JSON.stringify(input)} -> ${expected.join(',')}`, () => {
        expect(parseFamilies(input)).to.deep.equal(expected)
      })
    }
    const bad: Array<[string[], RegExp]> = [
      [['x'], /"x" is not a GPU family/],
      [['g,'], /an empty value/],
      [['gpu'], /"gpu"/],
      [['g', 'vt'], /"vt"/],
      [['g p'], /"g p"/],
    ]
    for (const [input, message] of bad) {
      it(`refuses --family ${JSON.stringify(input)} (exit 2)`, () => {
        expect(() => parseFamilies(input))
          .to.throw(UsageError, message)
          .with.property('exitCode', 2)
      })
    }
    const markets: Array<[string[] | undefined, string[] | RegExp]> = [
      [undefined, ['on-demand', 'spot']],
      [['spot'], ['spot']],
      [['spot,on-demand'], ['on-demand', 'spot']],
      [['On-Demand'], ['on-demand']],
      [['ondemand'], /"ondemand" is not a market/],
      [['reserved'], /Use one or more of: on-demand, spot/],
      [[''], /an empty value/],
    ]
    for (const [input, expected] of markets) {
      it(`--market ${JSON.stringify(input)}`, () => {
        if (expected instanceof RegExp) {
          expect(() => parseMarkets(input))
            .to.throw(UsageError, expected)
            .with.property('exitCode', 2)
        } else {
          expect(parseMarkets(input)).to.deep.equal(expected)
        }
      })
    }
  })

  describe('--min', () => {
    const good: Array<[string, number]> = [
      ['1', 1],
      ['8', 8],
      ['016', 16],
      [' 32 ', 32],
      ['+4', 4],
    ]
    for (const [text, value] of good) {
      it(`accepts "${text}" as ${value}`, () => expect(parseMin(text)).to.equal(value))
    }
    for (const text of ['0', '-1', '1.5', '8.0', 'abc', '', '1e3', '0x10', '99999999999999999999', 'Infinity']) {
      it(`refuses "${text}" (exit 2)`, () => {
        expect(() => parseMin(text))
          .to.throw(UsageError, /not a positive whole number/)
          .with.property('exitCode', 2)
      })
    }
    const targets: Array<[number | undefined, number | undefined, number]> = [
      [undefined, undefined, 8],
      [undefined, 16, 16],
      [4, 16, 4],
    ]
    for (const [min, configured, expected] of targets) {
      it(`target: --min ${min}, config ${configured} -> ${expected}`, () => {
        expect(resolveTarget(min, configured)).to.equal(expected)
      })
    }
  })

  describe('status rules', () => {
    const open = request('PENDING', '2026-01-01T00:00:00Z')
    const cases: Array<[string, number, number | null, QuotaRequest | undefined, string]> = [
      ['value meets target', 8, 8, undefined, 'ok'],
      // No target (an unbounded NodePool): no value meets it, no request covers it.
      ['no target (unbounded), value 0', 0, null, undefined, 'unbounded'],
      ['no target (unbounded), a large value and an open request', 4096, null, open, 'unbounded'],
      ['value above target', 64, 8, undefined, 'ok'],
      ['above target with an open request', 16, 8, open, 'ok'],
      ['below, nothing open', 0, 8, undefined, 'below'],
      ['below, request open', 0, 8, open, 'pending'],
      ['just under', 7, 8, undefined, 'below'],
      // An open request covers the quota only if it asks for the target (issue 12 §3).
      ['below, an open request for less than the target', 0, 8, request('PENDING', null, 4), 'below'],
      ['below, an open request for exactly the target', 0, 8, request('CASE_OPENED', null, 8), 'pending'],
      ['below, an open request for more than the target', 4, 8, request('PENDING', null, 32), 'pending'],
      ['below, an open request for less, but above the value', 4, 16, request('PENDING', null, 8), 'below'],
    ]
    for (const [what, value, target, req, expected] of cases) {
      it(`${what}: ${expected}`, () => expect(quotaStatus(value, target, req)).to.equal(expected))
    }
    const statuses: Array<[string, boolean]> = [
      ['PENDING', true],
      ['CASE_OPENED', true],
      ['APPROVED', false],
      ['DENIED', false],
      ['CASE_CLOSED', false],
      ['NOT_APPROVED', false],
      ['INVALID_REQUEST', false],
    ]
    for (const [status, expected] of statuses) {
      it(`${status} is ${expected ? 'open' : 'decided'}`, () => expect(isOpen(status)).to.equal(expected))
    }
    it('finds the open request and the newest decided one', () => {
      const history = [
        request('DENIED', '2026-01-01T00:00:00Z', 4, 'old'),
        request('APPROVED', '2026-03-01T00:00:00Z', 4, 'newer'),
        request('CASE_OPENED', '2026-04-01T00:00:00Z', 8, 'open'),
        request('CASE_CLOSED', null, 2, 'undated'),
      ]
      const {open: o, lastDecided} = splitHistory(history)
      expect(o?.id).to.equal('open')
      expect(lastDecided?.id).to.equal('newer')
      expect(splitHistory([])).to.deep.equal({open: undefined, lastDecided: undefined})
    })
  })

  describe('what to file', () => {
    it('files only below quotas without an open request, asking for the target', () => {
      const rows = [
        row({code: 'A', value: 8, status: 'ok'}),
        row({code: 'B', value: 0, status: 'below'}),
        row({code: 'C', value: 0, status: 'pending', request: request('PENDING', null)}),
        row({code: 'D', value: 4, status: 'below', target: 16}),
        row({code: 'E', value: 32, status: 'ok', request: request('CASE_OPENED', null)}),
      ]
      expect(planRequests(rows).map((p) => [p.code, p.current, p.desired])).to.deep.equal([
        ['B', 0, 8],
        ['D', 4, 16],
      ])
    })
    it('never asks for a value at or under the current one, whatever the status says', () => {
      const rows = [
        row({code: 'A', value: 8, target: 8, status: 'below'}),
        row({code: 'B', value: 9, target: 8, status: 'below'}),
        row({code: 'C', value: 0, status: 'below', request: request('CASE_OPENED', null)}),
      ]
      expect(planRequests(rows)).to.deep.equal([])
    })
    it('never files for a quota without a target, whatever its status says', () => {
      const rows = [
        row({code: 'A', value: 0, status: 'below', target: null}),
        row({code: 'B', value: 0, status: 'unbounded', target: null}),
      ]
      expect(planRequests(rows)).to.deep.equal([])
    })
    it('--request refuses a quota without a target: UNBOUNDED_TARGET (exit 2) naming the quota, the pools and --min', () => {
      const unbounded = (code: string, pools: string[]) =>
        row({
          code,
          status: 'unbounded',
          target: null,
          targetSource: {from: 'nodepools', pools: [], reason: 'unbounded', unboundedPools: pools},
        })
      expect(() =>
        assertBoundedTargets([row({code: 'A', status: 'below'}), row({code: 'B', status: 'ok'})]),
      ).not.to.throw()
      let error: UsageError | undefined
      try {
        assertBoundedTargets([
          row({code: 'A', status: 'below'}),
          unbounded('B', ['training']),
          unbounded('C', ['training', 'lab']),
        ])
      } catch (e) {
        error = e as UsageError
      }
      expect(error).to.be.instanceOf(UsageError)
      expect(error?.code).to.equal('UNBOUNDED_TARGET')
      expect(error?.exitCode).to.equal(2)
      expect(error?.message).to.equal(
        '--request: B, C have no target: NodePools training, lab are unbounded (no cpu, nvidia.com/gpu or memory limit that bounds vCPUs), so Karpenter may launch any number of vCPUs. Nothing was filed.',
      )
      expect(error?.hint).to.equal(
        'Set spec.limits.cpu on NodePools training, lab (then the target is its limit), or pass --min N to file for N vCPUs.',
      )
      let one: UsageError | undefined
      try {
        assertBoundedTargets([unbounded('B', ['training'])])
      } catch (e) {
        one = e as UsageError
      }
      expect([one?.message, one?.hint]).to.deep.equal([
        '--request: B has no target: NodePool training is unbounded (no cpu, nvidia.com/gpu or memory limit that bounds vCPUs), so Karpenter may launch any number of vCPUs. Nothing was filed.',
        'Set spec.limits.cpu on NodePool training (then the target is its limit), or pass --min N to file for N vCPUs.',
      ])
    })
    it('a quota below target with an open request for less is blocked, never filed again', () => {
      const low = request('PENDING', null, 4, 'low')
      const rows = [
        row({code: 'A', value: 0, status: 'below', request: low}),
        row({code: 'B', value: 0, status: 'below'}),
        row({code: 'C', value: 0, status: 'pending', request: request('PENDING', null, 8)}),
        row({code: 'D', value: 2, status: 'below', request: request('DENIED', null, 8)}),
      ]
      expect(planRequests(rows).map((p) => p.code)).to.deep.equal(['B', 'D'])
      expect(blockedByOpenRequest(rows).map((r) => r.code)).to.deep.equal(['A'])
      expect(markBlocked(rows).map((r) => r.action)).to.deep.equal(['blocked', undefined, undefined, undefined])
      // markBlocked does not change its input.
      expect(rows[0]?.action).to.equal(undefined)
    })
    it('says what to do about a blocked quota: one open request per quota, wait or have it closed', () => {
      const withCase = row({status: 'below', request: {...request('CASE_OPENED', null, 4), caseId: '1234567890'}})
      expect(blockedAdvice(withCase)).to.equal(
        'an open request (support case 1234567890, CASE_OPENED) asks for 4 vCPUs, below the target 8; AWS allows one open request per quota, so none was filed. Wait until it is decided and run again, or ask AWS Support to close support case 1234567890 and run again.',
      )
      const withoutCase = row({status: 'below', target: 16, request: request('PENDING', null, 8, 'req-1')})
      expect(blockedAdvice(withoutCase)).to.match(
        /^an open request \(request req-1, PENDING\) asks for 8 vCPUs, below the target 16;/,
      )
    })
    const errors: Array<[string, string]> = [
      ['ResourceAlreadyExistsException', 'already-open'],
      ['IllegalArgumentException', 'already-met'],
      ['AccessDeniedException', 'failed'],
      ['DependencyAccessDeniedException', 'failed'],
      ['QuotaExceededException', 'failed'],
      ['TooManyRequestsException', 'failed'],
    ]
    for (const [name, action] of errors) {
      it(`${name} -> ${action}`, () => expect(classifyRequestError(name)).to.equal(action))
    }
  })

  describe('summary', () => {
    const cases: Array<[string, QuotaRow[], Partial<ReturnType<typeof summarise>>]> = [
      ['all ok', [row({status: 'ok'}), row({status: 'ok'})], {ok: 2, met: true, covered: true}],
      ['one pending', [row({status: 'ok'}), row({status: 'pending'})], {pending: 1, met: false, covered: true}],
      ['one below', [row({status: 'below'}), row({status: 'pending'})], {below: 1, met: false, covered: false}],
      ['a failed request', [row({status: 'below', action: 'failed'})], {failed: 1, covered: false}],
      ['nothing', [], {total: 0, met: true, covered: true}],
    ]
    for (const [what, rows, expected] of cases) {
      it(what, () => expect(summarise(rows)).to.include(expected))
    }
  })

  describe('rendering helpers', () => {
    const now = new Date('2026-06-10T12:00:00Z')
    const ages: Array<[string | null, string]> = [
      [null, '-'],
      ['not a date', '-'],
      ['2026-06-10T11:59:40Z', 'just now'],
      ['2026-06-10T11:15:00Z', '45m'],
      ['2026-06-09T12:00:00Z', '24h'],
      ['2026-06-03T12:00:00Z', '7d'],
    ]
    for (const [created, expected] of ages) {
      it(`age of ${created} is ${expected}`, () => expect(formatAge(created, now)).to.equal(expected))
    }
    it('describes a request by case id when there is one', () => {
      expect(describeRequest({...request('CASE_OPENED', '2026-06-10T10:00:00Z'), caseId: '1234'}, now)).to.equal(
        'CASE_OPENED 8 (case 1234, 2h)',
      )
      expect(describeRequest(request('PENDING', null, 16, 'abc'), now)).to.equal('PENDING 16 (id abc, -)')
      expect(describeRequest(undefined, now)).to.equal('-')
    })
    it('names the IAM actions in access hints', () => {
      expect(accessHint('check')).to.include('servicequotas:GetServiceQuota')
      expect(accessHint('check')).to.include('servicequotas:ListRequestedServiceQuotaChangeHistoryByQuota')
      expect(accessHint('request')).to.include('servicequotas:RequestServiceQuotaIncrease')
      expect(accessHint('request')).to.include('organizations:DescribeOrganization')
      expect(accessHint('request', true)).to.include('DependencyAccessDenied')
    })
    it('warns about the Spot role with the command that creates it', () => {
      expect(spotRoleWarning('present')).to.equal(undefined)
      expect(spotRoleWarning('missing')).to.include(
        'aws iam create-service-linked-role --aws-service-name spot.amazonaws.com',
      )
      expect(spotRoleWarning('unknown', 'iam:GetRole was denied')).to.include('iam:GetRole')
    })
  })

  describe('concurrency bound', () => {
    it('never runs more than the limit at once, and runs everything', async () => {
      const limit = createLimiter(3)
      let running = 0
      let peak = 0
      const results = await Promise.all(
        Array.from({length: 10}, (_, i) =>
          limit(async () => {
            running += 1
            peak = Math.max(peak, running)
            await new Promise((r) => setTimeout(r, 5))
            running -= 1
            return i
          }),
        ),
      )
      expect(results).to.deep.equal([0, 1, 2, 3, 4, 5, 6, 7, 8, 9])
      expect(peak).to.equal(3)
    })
    it('passes failures through and keeps going', async () => {
      const limit = createLimiter(1)
      const outcomes = await Promise.allSettled([
        limit(async () => {
          throw new Error('boom')
        }),
        limit(async () => 'after'),
      ])
      expect(outcomes.map((o) => o.status)).to.deep.equal(['rejected', 'fulfilled'])
    })
  })
})

describe('quota/gpu: names, messages and edges', () => {
  it('the quotas are EC2 quotas (Service Quotas service code ec2)', () => {
    expect(SERVICE_CODE).to.equal('ec2')
  })

  // AWS's own quota names ("Running On-Demand P instances", "All P Spot Instance Requests").
  const names: Array<[FamilyId, string, string]> = [
    ['g', 'Running On-Demand G and VT instances', 'All G and VT Spot Instance Requests'],
    ['p', 'Running On-Demand P instances', 'All P Spot Instance Requests'],
    ['inf', 'Running On-Demand Inf instances', 'All Inf Spot Instance Requests'],
    ['trn', 'Running On-Demand Trn instances', 'All Trn Spot Instance Requests'],
    ['dl', 'Running On-Demand DL instances', 'All DL Spot Instance Requests'],
  ]
  for (const [family, onDemand, spot] of names) {
    it(`${family}: "${onDemand}" and "${spot}"`, () => {
      const [od, sp] = selectQuotas([family], ['on-demand', 'spot'])
      expect(fallbackQuotaName(od!)).to.equal(onDemand)
      expect(fallbackQuotaName(sp!)).to.equal(spot)
      expect(familyById(family).id).to.equal(family)
    })
  }
  it('an unknown family is a bug, not a quota', () => {
    expect(() => familyById('xyz' as FamilyId)).to.throw(Error, 'unknown GPU family xyz')
  })

  const refusals: Array<[() => unknown, string, string]> = [
    [
      () => parseFamilies(['x']),
      '--family: "x" is not a GPU family. Use one or more of: g, p, inf, trn, dl.',
      'For example --family g,p (comma-separated or repeated).',
    ],
    [
      () => parseMarkets(['reserved']),
      '--market: "reserved" is not a market. Use one or more of: on-demand, spot.',
      'For example --market on-demand,spot (comma-separated or repeated).',
    ],
    [
      () => parseMin('0'),
      '--min: "0" is not a positive whole number of vCPUs.',
      'Pass a whole number of vCPUs of at least 1, e.g. --min 8 (a g5.xlarge has 4 vCPUs).',
    ],
  ]
  for (const [call, message, hint] of refusals) {
    it(`refuses with "${message}"`, () => {
      let error: UsageError | undefined
      try {
        call()
      } catch (e) {
        error = e as UsageError
      }
      expect(error).to.be.instanceOf(UsageError)
      expect([error?.message, error?.hint, error?.code]).to.deep.equal([message, hint, 'INVALID_FLAG'])
    })
  }

  const summaries: Array<[string, QuotaRow[], ReturnType<typeof summarise>]> = [
    [
      'one below, nothing pending',
      [quotaRow({status: 'below'}), quotaRow({status: 'ok'})],
      {total: 2, ok: 1, below: 1, pending: 0, unbounded: 0, failed: 0, met: false, covered: false},
    ],
    [
      'one failed among three',
      [
        quotaRow({status: 'below', action: 'failed'}),
        quotaRow({status: 'pending', action: 'filed'}),
        quotaRow({status: 'ok'}),
      ],
      {total: 3, ok: 1, below: 1, pending: 1, unbounded: 0, failed: 1, met: false, covered: false},
    ],
    [
      'all pending',
      [quotaRow({status: 'pending'}), quotaRow({status: 'pending'})],
      {total: 2, ok: 0, below: 0, pending: 2, unbounded: 0, failed: 0, met: false, covered: true},
    ],
    [
      'one unbounded (a NodePool without limits), the other ok: not met, not covered',
      [quotaRow({status: 'unbounded', target: null}), quotaRow({status: 'ok'})],
      {total: 2, ok: 1, below: 0, pending: 0, unbounded: 1, failed: 0, met: false, covered: false},
    ],
  ]
  for (const [what, rows, expected] of summaries) {
    it(`summary: ${what}`, () => expect(summarise(rows)).to.deep.equal(expected))
  }

  const now = new Date('2026-06-10T12:00:00Z')
  const ages: Array<[string, string]> = [
    ['2026-06-10T11:59:00Z', '1m'],
    ['2026-06-10T11:00:00Z', '1h'],
    ['2026-06-10T11:00:01Z', '59m'],
    ['2026-06-08T12:00:00Z', '2d'],
    ['2026-06-08T12:00:01Z', '47h'],
  ]
  for (const [created, age] of ages)
    it(`age of ${created} is ${age}`, () => expect(formatAge(created, now)).to.equal(age))

  it('the access hint lists the actions, and explains DependencyAccessDenied only when asked', () => {
    expect(accessHint('spotRole')).to.equal(
      'The caller needs iam:GetRole; the AWS managed policy ServiceQuotasFullAccess grants the Service Quotas part.',
    )
    expect(accessHint('check')).to.equal(
      'The caller needs servicequotas:GetServiceQuota, servicequotas:GetAWSDefaultServiceQuota, servicequotas:ListRequestedServiceQuotaChangeHistoryByQuota; the AWS managed policy ServiceQuotasFullAccess grants the Service Quotas part.',
    )
    expect(accessHint('check', true)).to.match(/ DependencyAccessDenied means Service Quotas itself was refused/)
  })

  const denied: Array<[string, boolean]> = [
    ['AccessDeniedException', true],
    ['DependencyAccessDeniedException', true],
    ['NotAuthorized', true],
    ['UnauthorizedOperation', true],
    ['TooManyRequestsException', false],
    ['NoSuchResourceException', false],
  ]
  for (const [name, expected] of denied) {
    it(`${name} ${expected ? 'is' : 'is not'} an access denial`, () => expect(isAccessDenied(name)).to.equal(expected))
  }

  it('the Spot role warnings name the role', () => {
    expect(spotRoleWarning('missing')).to.equal(
      'The service-linked role AWSServiceRoleForEC2Spot is missing: Karpenter cannot start Spot GPU nodes without it. Create it once per account with: piksel bootstrap -e <env> --only spot-role (or: aws iam create-service-linked-role --aws-service-name spot.amazonaws.com)',
    )
    expect(spotRoleWarning('missing', undefined, 'staging')).to.include('piksel bootstrap -e staging --only spot-role')
    // The aws command with the session's profile: typed bare it would act in the shell profile's account.
    expect(spotRoleWarning('missing', undefined, 'staging', 'staging-piksel')).to.include(
      '(or: aws iam create-service-linked-role --aws-service-name spot.amazonaws.com --profile staging-piksel)',
    )
    expect(spotRoleWarning('unknown', 'AccessDenied')).to.equal(
      'Could not tell whether the service-linked role AWSServiceRoleForEC2Spot exists (AccessDenied); Karpenter Spot nodes need it (checking needs iam:GetRole).',
    )
    expect(spotRoleWarning('unknown')).to.equal(
      'Could not tell whether the service-linked role AWSServiceRoleForEC2Spot exists; Karpenter Spot nodes need it (checking needs iam:GetRole).',
    )
  })
})
