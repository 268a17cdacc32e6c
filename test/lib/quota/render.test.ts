import {expect} from 'chai'

import {quotaRow} from '../../support/quota.ts'

import {type QuotaRow, planRequests} from '../../../src/lib/quota/gpu.ts'
import {describeOutcome, renderPlan, renderReport} from '../../../src/lib/quota/render.ts'
import type {GpuQuotaReport} from '../../../src/lib/quota/service.ts'

const now = new Date('2026-06-10T12:00:00Z')

const usageSource = (usageClass: string) => ({
  namespace: 'AWS/Usage',
  metric: 'ResourceCount',
  dimensions: {Service: 'EC2', Type: 'Resource', Resource: 'vCPU', Class: usageClass},
  statistic: 'Maximum',
})

const row = quotaRow

const report: GpuQuotaReport = {
  account: '123456789012',
  region: 'ap-southeast-3',
  target: 8,
  spotRole: 'missing',
  warnings: [],
  quotas: [
    row({value: 8, valueSource: 'applied', status: 'ok', usage: 6, usageSource: usageSource('G/OnDemand')}),
    row({
      market: 'spot',
      code: 'L-3819A6DF',
      name: 'All G and VT Spot Instance Requests',
      target: 96,
      targetSource: {
        from: 'nodepools',
        pools: [
          {name: 'gpu', file: 'a.yaml', vcpus: 32, limitedBy: 'nvidia.com/gpu'},
          {name: 'batch', file: 'b.yaml', vcpus: 64, limitedBy: 'cpu'},
        ],
      },
    }),
    row({
      family: 'p',
      market: 'spot',
      code: 'L-7212CCBC',
      name: 'All P Spot Instance Requests',
      status: 'pending',
      targetSource: {
        from: 'min',
        pools: [{name: 'training', file: 'c.yaml', vcpus: null, limitedBy: null}],
        unboundedPools: ['training'],
      },
      request: {id: 'r-1', caseId: '1234', status: 'CASE_OPENED', desiredValue: 8, created: '2026-06-10T10:00:00Z'},
      lastDecided: {id: 'r-0', caseId: null, status: 'DENIED', desiredValue: 64, created: '2026-06-01T12:00:00Z'},
    }),
  ],
}

describe('quota rendering (pure)', () => {
  it('one row per quota, the default value marked, requests described, then the summary line', () => {
    const lines = renderReport(report, now).split('\n')
    expect(lines[0]).to.match(
      /^FAMILY\s+MARKET\s+CODE\s+VALUE\s+USED\s+FREE\s+TARGET\s+FROM\s+STATUS\s+OPEN REQUEST\s+LAST DECIDED\s+NAME$/,
    )
    expect(lines[1]).to.match(
      /^G and VT\s+on-demand\s+L-DB2E81BA\s+8\s+6\s+2\s+8\s+config\s+ok\s+-\s+-\s+Running On-Demand G and VT/,
    )
    expect(lines[2]).to.match(
      /^G and VT\s+spot\s+L-3819A6DF\s+0 \(default\)\s+-\s+-\s+96\s+gpu, batch\s+below\s+-\s+-\s+All G and VT Spot/,
    )
    expect(lines[3]).to.match(
      /^P\s+spot\s+L-7212CCBC\s+0 \(default\)\s+-\s+-\s+8\s+--min \(unbounded: training\)\s+pending\s+CASE_OPENED 8 \(case 1234, 2h\)/,
    )
    expect(lines[3]).to.include('DENIED 64 (id r-0, 9d)')
    expect(lines.slice(4)).to.deep.equal([
      '',
      'account 123456789012, ap-southeast-3: 1 ok, 1 pending, 1 below target; Spot service-linked role missing',
    ])
  })

  it('a quota without a target (an unbounded NodePool): TARGET and STATUS say unbounded, FROM names the pool', () => {
    const unbounded = row({
      family: 'p',
      code: 'L-417A185B',
      name: 'Running On-Demand P instances',
      target: null,
      status: 'unbounded',
      targetSource: {
        from: 'nodepools',
        pools: [
          {name: 'lab', file: 'd.yaml', vcpus: 64, limitedBy: 'cpu'},
          {name: 'training', file: 'c.yaml', vcpus: null, limitedBy: null},
        ],
        reason: 'unbounded',
        unboundedPools: ['training'],
      },
    })
    const lines = renderReport({...report, quotas: [unbounded]}, now).split('\n')
    expect(lines[1]).to.match(
      /^P\s+on-demand\s+L-417A185B\s+0 \(default\)\s+-\s+-\s+unbounded\s+unbounded: training\s+unbounded\s+-\s+-\s+Running On-Demand P/,
    )
    expect(lines.at(-1)).to.equal(
      'account 123456789012, ap-southeast-3: 0 ok, 0 pending, 0 below target, 1 unbounded (no target); Spot service-linked role missing',
    )
  })

  it('fits the table to a width by shortening the name column', () => {
    const lines = renderReport(report, now, 170).split('\n').slice(0, 4)
    for (const line of lines) expect(line.length, line).to.be.at.most(170)
    expect(lines[1]).to.match(/ {2}Run\S* .*…$/)
  })

  it('lists exactly what will be filed, with the account and region', () => {
    expect(renderPlan(planRequests(report.quotas), report)).to.equal(
      [
        'Will file 1 quota increase request in account 123456789012, region ap-southeast-3 (each opens an AWS support case; approval can take hours to days):',
        '  L-3819A6DF  All G and VT Spot Instance Requests (G and VT, spot): 0 -> 96 vCPUs',
      ].join('\n'),
    )
    const two = renderPlan(planRequests([...report.quotas, row({family: 'p', code: 'L-417A185B', value: 4})]), report)
    expect(two).to.match(/^Will file 2 quota increase requests in account/)
    expect(two).to.include('  L-417A185B  Running On-Demand G and VT instances (P, on-demand): 4 -> 8 vCPUs')
  })

  describe('what --request did', () => {
    const cases: Array<[Partial<QuotaRow>, {text: string; failed: boolean} | undefined]> = [
      [{}, undefined],
      [{action: 'would-file'}, undefined],
      [
        {action: 'filed', request: {id: 'r-9', caseId: null, status: 'PENDING', desiredValue: 8, created: null}},
        {text: 'filed: L-DB2E81BA (Running On-Demand G and VT instances): request r-9 for 8 vCPUs', failed: false},
      ],
      [
        {action: 'already-open'},
        {
          text: 'pending: L-DB2E81BA (Running On-Demand G and VT instances): a request was already open; none filed',
          failed: false,
        },
      ],
      [
        {action: 'blocked', request: {id: 'r-1', caseId: null, status: 'PENDING', desiredValue: 4, created: null}},
        {
          text: 'below target: L-DB2E81BA (Running On-Demand G and VT instances): an open request (request r-1, PENDING) asks for 4 vCPUs, below the target 8; AWS allows one open request per quota, so none was filed. Wait until it is decided and run again, or ask AWS Support to close request r-1 and run again.',
          failed: false,
        },
      ],
      [
        {action: 'already-met'},
        {
          text: 'already met: L-DB2E81BA (Running On-Demand G and VT instances): AWS reports the quota already at or above 8',
          failed: false,
        },
      ],
      [
        {action: 'failed', error: {code: 'ACCESS_DENIED', message: 'access denied', hint: 'needs X'}},
        {
          text: 'failed: L-DB2E81BA (Running On-Demand G and VT instances): access denied\n  Hint: needs X',
          failed: true,
        },
      ],
      [
        {action: 'failed', error: {code: 'X', message: 'boom', hint: null}},
        {text: 'failed: L-DB2E81BA (Running On-Demand G and VT instances): boom', failed: true},
      ],
    ]
    for (const [overrides, expected] of cases) {
      it(`${overrides.action ?? 'no action'}${overrides.error?.hint ? ' with a hint' : ''}`, () => {
        expect(describeOutcome(row(overrides))).to.deep.equal(expected)
      })
    }
  })
})
