import {expect} from 'chai'

import {
  type UsageAnswer,
  latestValue,
  metricQueries,
  nearLimit,
  nearLimitWarning,
  toUsageMetric,
  usageOf,
  usageUnavailableWarning,
} from '../../../src/lib/quota/usage.ts'

/** What Service Quotas declares for L-DB2E81BA (GetServiceQuota's UsageMetric). */
const G_ON_DEMAND = {
  MetricNamespace: 'AWS/Usage',
  MetricName: 'ResourceCount',
  MetricDimensions: {Service: 'EC2', Type: 'Resource', Resource: 'vCPU', Class: 'G/OnDemand'},
  MetricStatisticRecommendation: 'Maximum',
}
const metric = {
  namespace: 'AWS/Usage',
  metric: 'ResourceCount',
  dimensions: {Service: 'EC2', Type: 'Resource', Resource: 'vCPU', Class: 'G/OnDemand'},
  statistic: 'Maximum',
}

describe('quota/usage (pure)', () => {
  describe('toUsageMetric', () => {
    it('takes the declared namespace, name, dimensions and recommended statistic', () => {
      expect(toUsageMetric(G_ON_DEMAND)).to.deep.equal(metric)
    })
    const statistics: Array<[string | undefined, string]> = [
      ['Average', 'Average'],
      ['Sum', 'Sum'],
      ['p99', 'p99'],
      [undefined, 'Maximum'],
      ['Max', 'Maximum'],
    ]
    for (const [recommended, want] of statistics) {
      it(`recommendation ${recommended} → ${want}`, () => {
        expect(toUsageMetric({...G_ON_DEMAND, MetricStatisticRecommendation: recommended})?.statistic).to.equal(want)
      })
    }
    it('none when the quota declares no metric', () => {
      expect(toUsageMetric(undefined)).to.equal(undefined)
      expect(toUsageMetric({MetricNamespace: 'AWS/Usage'})).to.equal(undefined)
    })
  })

  it('metricQueries: one query per quota that declares a metric, id by position, dimensions as declared', () => {
    expect(metricQueries([metric, undefined, {...metric, statistic: 'Average'}])).to.deep.equal([
      {
        Id: 'q0',
        MetricStat: {
          Metric: {
            Namespace: 'AWS/Usage',
            MetricName: 'ResourceCount',
            Dimensions: [
              {Name: 'Service', Value: 'EC2'},
              {Name: 'Type', Value: 'Resource'},
              {Name: 'Resource', Value: 'vCPU'},
              {Name: 'Class', Value: 'G/OnDemand'},
            ],
          },
          Period: 60,
          Stat: 'Maximum',
        },
        ReturnData: true,
      },
      {
        Id: 'q2',
        MetricStat: {
          Metric: {
            Namespace: 'AWS/Usage',
            MetricName: 'ResourceCount',
            Dimensions: [
              {Name: 'Service', Value: 'EC2'},
              {Name: 'Type', Value: 'Resource'},
              {Name: 'Resource', Value: 'vCPU'},
              {Name: 'Class', Value: 'G/OnDemand'},
            ],
          },
          Period: 60,
          Stat: 'Average',
        },
        ReturnData: true,
      },
    ])
  })

  describe('latestValue', () => {
    const t = (minutesAgo: number) => new Date(Date.UTC(2026, 5, 10, 12, 0) - minutesAgo * 60_000)
    const cases: Array<[string, {Timestamps?: Date[]; Values?: number[]} | undefined, number | undefined]> = [
      ['newest first', {Timestamps: [t(1), t(5)], Values: [12, 20]}, 12],
      ['oldest first', {Timestamps: [t(5), t(1)], Values: [20, 12]}, 12],
      ['no datapoint', {Timestamps: [], Values: []}, undefined],
      ['no result', undefined, undefined],
      ['zero is a value', {Timestamps: [t(1)], Values: [0]}, 0],
    ]
    for (const [label, result, want] of cases) it(label, () => expect(latestValue(result)).to.equal(want))
  })

  describe('usageOf', () => {
    const ok: UsageAnswer = {ok: true, results: new Map([['q0', 12]])}
    it('the value and its metric', () => expect(usageOf(metric, 0, ok)).to.deep.equal({usage: 12, usageSource: metric}))
    it('null with a reason when there was no datapoint', () =>
      expect(usageOf(metric, 1, ok)).to.deep.equal({
        usage: null,
        usageSource: {...metric, reason: 'no datapoint in the last hour'},
      }))
    it('null with a reason when the quota declares no metric', () =>
      expect(usageOf(undefined, 0, ok)).to.deep.equal({
        usage: null,
        usageSource: {reason: 'the quota declares no usage metric'},
      }))
    it('null naming the action when GetMetricData was denied', () =>
      expect(usageOf(metric, 0, {ok: false, why: 'denied', message: 'x'})).to.deep.equal({
        usage: null,
        usageSource: {...metric, reason: 'cloudwatch:GetMetricData was denied'},
      }))
    it('null saying throttled (not "no answer") when GetMetricData was throttled', () =>
      expect(
        usageOf(metric, 0, {ok: false, why: 'throttled', message: 'ThrottlingException: Rate exceeded'}),
      ).to.deep.equal({
        usage: null,
        usageSource: {...metric, reason: 'cloudwatch:GetMetricData was throttled (ThrottlingException: Rate exceeded)'},
      }))
    it('null with CloudWatch’s own words for a timeout or another failure', () =>
      expect(usageOf(metric, 0, {ok: false, why: 'timeout', message: 'no answer within 1s'})).to.deep.equal({
        usage: null,
        usageSource: {...metric, reason: 'CloudWatch: no answer within 1s'},
      }))
  })

  describe('nearLimit (at or above 90 %)', () => {
    const cases: Array<[number, number | null, boolean]> = [
      [100, 90, true],
      [100, 89, false],
      [100, 100, true],
      [8, 8, true],
      [8, 7, false],
      [0, 0, false],
      [0, 4, true],
      [100, null, false],
      // Fractional usage at exactly 90 %: floating point put 0.9 * 13 just above 11.7.
      [13, 11.7, true],
      [13, 11.69, false],
      [10, 9, true],
      [3, 2.7, true],
      [7, 6.3, true],
    ]
    for (const [value, usage, want] of cases) {
      it(`${usage} of ${value}: ${want}`, () => expect(nearLimit(value, usage)).to.equal(want))
    }
  })

  it('warns about a quota near its limit, with the numbers', () => {
    const row = {code: 'L-DB2E81BA', name: 'Running On-Demand G and VT instances', value: 100, usage: 92}
    expect(nearLimitWarning(row)).to.equal(
      'L-DB2E81BA (Running On-Demand G and VT instances): 92 of 100 vCPUs in use (92%, at or above 90%): Karpenter may soon be unable to start more of these nodes. Raise it with --request --min N.',
    )
    expect(nearLimitWarning({...row, usage: 50})).to.equal(undefined)
  })

  it('warns when usage could not be read: denied names the action; throttled and timeout are told apart', () => {
    expect(usageUnavailableWarning({ok: false, why: 'denied', message: ''})).to.include(
      'cloudwatch:GetMetricData was denied',
    )
    const throttled = usageUnavailableWarning({ok: false, why: 'throttled', message: 'Throttling: Rate exceeded'})
    expect(throttled).to.match(
      /^Usage unknown: CloudWatch throttled cloudwatch:GetMetricData \(Throttling: Rate exceeded\)/,
    )
    expect(throttled).to.include('Wait a minute and run again')
    expect(throttled).not.to.match(/did not answer|no answer|timeout/)
    const timeout = usageUnavailableWarning({ok: false, why: 'timeout', message: 'no answer within 1s'})
    expect(timeout).to.match(/^Usage unknown: CloudWatch did not answer \(no answer within 1s\)/)
    expect(timeout).to.include('--request-timeout')
    expect(timeout).not.to.match(/throttl/)
    expect(usageUnavailableWarning({ok: false, why: 'failed', message: 'boom'})).to.include(
      'GetMetricData failed (boom)',
    )
    expect(usageUnavailableWarning({ok: true, results: new Map()})).to.equal(undefined)
  })
})
