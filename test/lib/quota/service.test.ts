/**
 * The quota service through the real SDK over HTTP: Service Quotas from the
 * loopback stand-in, STS and IAM from moto.
 */
import {expect} from 'chai'
import {join} from 'node:path'
import {tmpdir} from 'node:os'

import {getCallerIdentity} from '../../../src/lib/aws/identity.ts'
import type {AwsSession} from '../../../src/lib/aws/session.ts'
import {OperationError, UsageError} from '../../../src/lib/errors.ts'
import {DEFAULT_TIMEOUTS, setRequestTimeouts, timeoutsFor} from '../../../src/lib/timeouts.ts'
import {type GpuQuotaReport, checkGpuQuotas, requestGpuQuotaIncreases} from '../../../src/lib/quota/service.ts'
import {MOTO_ACCOUNT, type Moto, startMoto} from '../../support/moto.ts'
import {type ServiceQuotasStandin, startServiceQuotasStandin} from '../../support/service-quotas-standin.ts'

const session: AwsSession = {region: 'ap-southeast-3', profileSource: 'environment'}
const caller = () => getCallerIdentity(session)
const G_OD = 'L-DB2E81BA'
const G_SPOT = 'L-3819A6DF'
const P_OD = 'L-417A185B'
const P_SPOT = 'L-7212CCBC'
const hour = 3600

describe('quota service (real SDK, stand-in + moto)', function () {
  this.timeout(60_000)
  let moto: Moto
  let standin: ServiceQuotasStandin
  const saved: Record<string, string | undefined> = {}

  before(async function () {
    moto = await startMoto(this)
    const env: Record<string, string> = {
      ...moto.env,
      AWS_CONFIG_FILE: join(tmpdir(), 'piksel-none', 'config'),
      AWS_SHARED_CREDENTIALS_FILE: join(tmpdir(), 'piksel-none', 'credentials'),
      AWS_EC2_METADATA_DISABLED: 'true',
    }
    for (const [key, value] of Object.entries(env)) {
      saved[key] = process.env[key]
      process.env[key] = value
    }
    saved.AWS_PROFILE = process.env.AWS_PROFILE
    delete process.env.AWS_PROFILE
  })

  after(async () => {
    for (const [key, value] of Object.entries(saved)) {
      if (value === undefined) delete process.env[key]
      else process.env[key] = value
    }
    delete process.env.AWS_ENDPOINT_URL_SERVICE_QUOTAS
    await moto?.stop()
  })

  beforeEach(async () => {
    await moto.reset()
    const now = Math.floor(Date.now() / 1000)
    // Mixed: G on-demand met, G spot below (only a default), P on-demand below with a
    // decided request, P spot pending (open request).
    standin = await startServiceQuotasStandin({
      quotas: {[G_OD]: {applied: 8}, [P_OD]: {applied: 0}},
      history: {
        [P_OD]: [{DesiredValue: 4, Status: 'DENIED', Created: now - 30 * 24 * hour}],
        [P_SPOT]: [{DesiredValue: 8, Status: 'CASE_OPENED', CaseId: '17000000001', Created: now - 5 * hour}],
      },
    })
    process.env.AWS_ENDPOINT_URL_SERVICE_QUOTAS = standin.endpoint
  })

  afterEach(async () => {
    await standin.stop()
  })

  const byCode = (report: GpuQuotaReport, code: string) => {
    const row = report.quotas.find((q) => q.code === code)
    if (!row) throw new Error(`no row ${code}`)
    return row
  }

  describe('check', () => {
    it('reports met, below and pending quotas with their requests', async () => {
      const report = await checkGpuQuotas({session, caller, target: 8})
      expect(report.account).to.equal(MOTO_ACCOUNT)
      expect(report.region).to.equal('ap-southeast-3')
      expect(report.target).to.equal(8)
      expect(report.quotas.map((q) => [q.code, q.family, q.market, q.value, q.status])).to.deep.equal([
        [G_OD, 'g', 'on-demand', 8, 'ok'],
        [G_SPOT, 'g', 'spot', 0, 'below'],
        [P_OD, 'p', 'on-demand', 0, 'below'],
        [P_SPOT, 'p', 'spot', 0, 'pending'],
      ])
      expect(byCode(report, G_OD).name).to.equal('Running On-Demand G and VT instances')
      expect(byCode(report, G_OD).valueSource).to.equal('applied')
      expect(byCode(report, G_SPOT).valueSource).to.equal('default')
      expect(byCode(report, P_SPOT).request).to.include({status: 'CASE_OPENED', caseId: '17000000001', desiredValue: 8})
      expect(byCode(report, P_OD).lastDecided).to.include({status: 'DENIED', desiredValue: 4})
      expect(byCode(report, P_OD).request).to.equal(undefined)
      // Every call was signed by the real SDK; nothing was filed by a check.
      expect(standin.received.every((c) => c.signed)).to.equal(true)
      expect(standin.filed()).to.deep.equal([])
    })

    it('falls back to the AWS default only where no value is applied', async () => {
      standin.load({quotas: {[G_SPOT]: {defaultValue: 4}}})
      const report = await checkGpuQuotas({session, caller, families: ['g'], target: 8})
      expect(byCode(report, G_SPOT)).to.include({value: 4, valueSource: 'default', status: 'below'})
      const defaults = standin.calls('GetAWSDefaultServiceQuota').map((b) => b.QuotaCode)
      expect(defaults).to.deep.equal([G_SPOT])
    })

    it('checks all ten quotas with at most four calls in flight', async () => {
      standin.latencyMs = 20
      const report = await checkGpuQuotas({
        session,
        caller,
        families: ['g', 'p', 'inf', 'trn', 'dl'],
        markets: ['on-demand', 'spot'],
        target: 8,
      })
      expect(report.quotas).to.have.length(10)
      expect(standin.maxInFlight).to.be.at.most(4)
      expect(standin.maxInFlight).to.be.at.least(2)
    })

    it('follows NextToken through the request history', async () => {
      const now = Math.floor(Date.now() / 1000)
      standin.load({
        history: {
          [G_SPOT]: [
            {DesiredValue: 2, Status: 'DENIED', Created: now - 90 * 24 * hour},
            {DesiredValue: 2, Status: 'CASE_CLOSED', Created: now - 60 * 24 * hour},
            {DesiredValue: 4, Status: 'APPROVED', Created: now - 40 * 24 * hour},
            {DesiredValue: 8, Status: 'PENDING', Created: now - hour},
          ],
        },
      })
      const report = await checkGpuQuotas({session, caller, families: ['g'], markets: ['spot'], target: 8})
      const row = byCode(report, G_SPOT)
      expect(row.status).to.equal('pending')
      expect(row.request).to.include({status: 'PENDING', desiredValue: 8})
      expect(row.lastDecided).to.include({status: 'APPROVED', desiredValue: 4})
      expect(standin.calls('ListRequestedServiceQuotaChangeHistoryByQuota').length).to.equal(2)
    })

    it('retries throttling (TooManyRequestsException, HTTP 400) until it succeeds', async () => {
      standin.inject({operation: 'GetServiceQuota', quotaCode: G_OD, error: 'TooManyRequestsException', times: 2})
      standin.inject({
        operation: 'ListRequestedServiceQuotaChangeHistoryByQuota',
        quotaCode: P_OD,
        error: 'TooManyRequestsException',
        times: 1,
      })
      const report = await checkGpuQuotas({session, caller, target: 8})
      expect(byCode(report, G_OD).status).to.equal('ok')
      expect(byCode(report, P_OD).lastDecided?.status).to.equal('DENIED')
      expect(standin.calls('GetServiceQuota').filter((b) => b.QuotaCode === G_OD)).to.have.length(3)
    })

    it('gives up after five attempts when throttling does not stop, saying so', async () => {
      standin.inject({operation: 'GetServiceQuota', quotaCode: G_OD, error: 'TooManyRequestsException'})
      let error: unknown
      try {
        await checkGpuQuotas({session, caller, families: ['g'], markets: ['on-demand'], target: 8})
      } catch (e) {
        error = e
      }
      expect(error).to.be.instanceOf(OperationError)
      expect((error as OperationError).code, (error as Error).message).to.equal('THROTTLED')
      expect((error as OperationError).hint).to.match(/run again/)
      expect(standin.calls('GetServiceQuota')).to.have.length(5)
    })

    it('throttling that outlasts the request timeout is THROTTLED (it answered, "slow down"), not TIMEOUT', async () => {
      standin.inject({operation: 'GetServiceQuota', quotaCode: G_OD, error: 'TooManyRequestsException'})
      setRequestTimeouts(timeoutsFor(1000))
      let error: unknown
      try {
        await checkGpuQuotas({session, caller, families: ['g'], markets: ['on-demand'], target: 8})
      } catch (e) {
        error = e
      } finally {
        setRequestTimeouts(DEFAULT_TIMEOUTS)
      }
      expect(error).to.be.instanceOf(OperationError)
      expect((error as OperationError).code, (error as Error).message).to.equal('THROTTLED')
      expect((error as Error).message).to.match(
        /still throttling Service Quotas after the SDK.s retries \(TooManyRequestsException\)/,
      )
      expect((error as Error).message).not.to.match(/no answer/)
      expect((error as OperationError).hint).to.match(/run again/)
      expect(standin.calls('GetServiceQuota').length).to.be.at.least(1)
    })

    it('names the IAM actions when access is denied', async () => {
      standin.inject({operation: 'GetServiceQuota', error: 'AccessDeniedException'})
      let error: unknown
      try {
        await checkGpuQuotas({session, caller, target: 8})
      } catch (e) {
        error = e
      }
      expect(error).to.be.instanceOf(OperationError)
      const e = error as OperationError
      expect(e.code).to.equal('ACCESS_DENIED')
      expect(e.exitCode).to.equal(1)
      expect(e.hint).to.include('servicequotas:GetServiceQuota')
      expect(e.hint).to.include('servicequotas:ListRequestedServiceQuotaChangeHistoryByQuota')
    })

    it('sees the Spot service-linked role once it exists', async () => {
      expect((await checkGpuQuotas({session, caller, families: ['g']})).spotRole).to.equal('missing')
      const {IAMClient, CreateRoleCommand} = await import('@aws-sdk/client-iam')
      const iam = new IAMClient({region: 'ap-southeast-3'})
      await iam.send(
        new CreateRoleCommand({
          RoleName: 'AWSServiceRoleForEC2Spot',
          Path: '/aws-service-role/spot.amazonaws.com/',
          AssumeRolePolicyDocument: JSON.stringify({
            Version: '2012-10-17',
            Statement: [{Effect: 'Allow', Principal: {Service: 'spot.amazonaws.com'}, Action: 'sts:AssumeRole'}],
          }),
        }),
      )
      iam.destroy()
      const report = await checkGpuQuotas({session, caller, families: ['g']})
      expect(report.spotRole).to.equal('present')
      expect(report.warnings).to.deep.equal([])
    })
  })

  describe('request', () => {
    it('files the target for below quotas only: never for met or pending ones', async () => {
      const before = await checkGpuQuotas({session, caller, target: 8})
      const after = await requestGpuQuotaIncreases({session, report: before})
      const filed = standin.filed().sort((a, b) => a.QuotaCode.localeCompare(b.QuotaCode))
      expect(filed).to.deep.equal([
        {ServiceCode: 'ec2', QuotaCode: G_SPOT, DesiredValue: 8},
        {ServiceCode: 'ec2', QuotaCode: P_OD, DesiredValue: 8},
      ])
      expect(after.quotas.map((q) => [q.code, q.status, q.action ?? null])).to.deep.equal([
        [G_OD, 'ok', null],
        [G_SPOT, 'pending', 'filed'],
        [P_OD, 'pending', 'filed'],
        [P_SPOT, 'pending', null],
      ])
      expect(byCode(after, G_SPOT).request).to.include({status: 'PENDING', desiredValue: 8})
      // A second run finds everything open and files nothing more.
      const again = await checkGpuQuotas({session, caller, target: 8})
      await requestGpuQuotaIncreases({session, report: again})
      expect(standin.filed()).to.have.length(2)
    })

    it('never asks for a value at or under the current one', async () => {
      standin.load({quotas: {[G_SPOT]: {applied: 12}}})
      const report = await checkGpuQuotas({session, caller, families: ['g'], target: 16})
      await requestGpuQuotaIncreases({session, report})
      const filed = standin.filed().sort((a, b) => b.QuotaCode.localeCompare(a.QuotaCode))
      expect(filed.map((f) => [f.QuotaCode, f.DesiredValue])).to.deep.equal([
        [G_OD, 16],
        [G_SPOT, 16],
      ])
      const current: Record<string, number> = {[G_OD]: 8, [G_SPOT]: 12}
      for (const f of filed) expect(f.DesiredValue).to.be.greaterThan(current[f.QuotaCode] ?? 0)
    })

    it('files nothing in a dry run', async () => {
      const report = await checkGpuQuotas({session, caller, target: 8})
      const after = await requestGpuQuotaIncreases({session, report, dryRun: true})
      expect(standin.filed()).to.deep.equal([])
      expect(after.quotas.filter((q) => q.action === 'would-file').map((q) => q.code)).to.deep.equal([G_SPOT, P_OD])
    })

    it('files nothing for another account than the environment’s', async () => {
      const report = await checkGpuQuotas({session, caller, target: 8})
      let error: unknown
      try {
        await requestGpuQuotaIncreases({session, report, env: {name: 'production', account: '999999999999'}})
      } catch (e) {
        error = e
      }
      expect(error).to.be.instanceOf(UsageError)
      expect(standin.filed()).to.deep.equal([])
    })

    it('retries a throttled request and files it once', async () => {
      const report = await checkGpuQuotas({session, caller, families: ['g'], markets: ['spot'], target: 8})
      standin.inject({operation: 'RequestServiceQuotaIncrease', error: 'TooManyRequestsException', times: 2})
      const after = await requestGpuQuotaIncreases({session, report})
      expect(byCode(after, G_SPOT).action).to.equal('filed')
      expect(standin.filed()).to.have.length(3)
      expect(standin.history.get(G_SPOT)?.filter((r) => r.Status === 'PENDING')).to.have.length(1)
    })

    describe('throttling that outlasts the request timeout', () => {
      afterEach(() => setRequestTimeouts(DEFAULT_TIMEOUTS))

      it('every attempt throttled: THROTTLED, nothing filed (a throttled request is not processed), not TIMEOUT', async () => {
        const report = await checkGpuQuotas({session, caller, families: ['g'], markets: ['spot'], target: 8})
        standin.inject({
          operation: 'RequestServiceQuotaIncrease',
          error: 'TooManyRequestsException',
          message: 'Rate exceeded',
        })
        setRequestTimeouts(timeoutsFor(1000))
        const after = await requestGpuQuotaIncreases({session, report})
        const row = byCode(after, G_SPOT)
        expect(row.action).to.equal('failed')
        expect(row.error?.code, row.error?.message).to.equal('THROTTLED')
        expect(row.error?.message).not.to.match(/no answer|may or may not/)
        expect(standin.history.get(G_SPOT)?.filter((r) => r.Status === 'PENDING') ?? []).to.have.length(0)
      })

      it('an attempt that failed otherwise first (HTTP 500): the outcome stays unknown, TIMEOUT with how to check', async () => {
        const report = await checkGpuQuotas({session, caller, families: ['g'], markets: ['spot'], target: 8})
        standin.inject({operation: 'RequestServiceQuotaIncrease', error: 'ServiceException', status: 500, times: 1})
        standin.inject({operation: 'RequestServiceQuotaIncrease', error: 'TooManyRequestsException'})
        setRequestTimeouts(timeoutsFor(1000))
        const after = await requestGpuQuotaIncreases({session, report})
        const row = byCode(after, G_SPOT)
        expect(row.action).to.equal('failed')
        expect(row.error?.code, row.error?.message).to.equal('TIMEOUT')
        expect(row.error?.message).to.include('may or may not have been made')
        expect(standin.calls('RequestServiceQuotaIncrease').length).to.be.at.least(2)
      })
    })

    it('one failed request does not stop the others; access errors name the IAM actions', async () => {
      const report = await checkGpuQuotas({session, caller, target: 8})
      standin.inject({operation: 'RequestServiceQuotaIncrease', quotaCode: G_SPOT, error: 'AccessDeniedException'})
      const after = await requestGpuQuotaIncreases({session, report})
      const failed = byCode(after, G_SPOT)
      expect(failed.action).to.equal('failed')
      expect(failed.status).to.equal('below')
      expect(failed.error?.code).to.equal('ACCESS_DENIED')
      expect(failed.error?.hint).to.include('servicequotas:RequestServiceQuotaIncrease')
      expect(byCode(after, P_OD).action).to.equal('filed')
      expect(standin.history.get(P_OD)?.some((r) => r.Status === 'PENDING')).to.equal(true)
    })

    it('DependencyAccessDeniedException fails that request with the dependencies named', async () => {
      const report = await checkGpuQuotas({session, caller, families: ['g'], target: 8})
      standin.inject({operation: 'RequestServiceQuotaIncrease', error: 'DependencyAccessDeniedException'})
      const after = await requestGpuQuotaIncreases({session, report})
      expect(byCode(after, G_SPOT).error?.code).to.equal('DEPENDENCY_ACCESS_DENIED')
      expect(byCode(after, G_SPOT).error?.hint).to.match(/organizations:DescribeOrganization/)
    })

    it('reports ResourceAlreadyExistsException as pending with the open request', async () => {
      const report = await checkGpuQuotas({session, caller, families: ['g'], markets: ['spot'], target: 8})
      // Someone files one between the check and the request.
      standin.addRequest(G_SPOT, {DesiredValue: 16, Status: 'PENDING', Id: 'theirs'})
      const after = await requestGpuQuotaIncreases({session, report})
      const row = byCode(after, G_SPOT)
      expect(row).to.include({action: 'already-open', status: 'pending'})
      expect(row.request).to.include({id: 'theirs', desiredValue: 16})
      expect(row.error).to.equal(undefined)
    })

    it('reports an injected ResourceAlreadyExistsException as pending, not failed', async () => {
      const report = await checkGpuQuotas({session, caller, families: ['g'], markets: ['spot'], target: 8})
      standin.inject({operation: 'RequestServiceQuotaIncrease', error: 'ResourceAlreadyExistsException'})
      const after = await requestGpuQuotaIncreases({session, report})
      expect(byCode(after, G_SPOT)).to.include({action: 'already-open', status: 'pending'})
    })

    it('a request for less than the target opened meanwhile: blocked (below target), none filed', async () => {
      const report = await checkGpuQuotas({session, caller, families: ['g'], markets: ['spot'], target: 8})
      standin.addRequest(G_SPOT, {DesiredValue: 4, Status: 'PENDING', Id: 'too-low'})
      const after = await requestGpuQuotaIncreases({session, report})
      const row = byCode(after, G_SPOT)
      expect(row).to.include({action: 'blocked', status: 'below'})
      expect(row.request).to.include({id: 'too-low', desiredValue: 4})
      expect(standin.history.get(G_SPOT)?.map((r) => r.Id)).to.deep.equal(['too-low'])
    })

    it('an open request for less than the target found by the check: below, blocked, nothing filed', async () => {
      standin.addRequest(G_SPOT, {DesiredValue: 4, Status: 'CASE_OPENED', CaseId: '17000000009', Id: 'low'})
      const report = await checkGpuQuotas({session, caller, families: ['g'], markets: ['spot'], target: 8})
      expect(byCode(report, G_SPOT)).to.include({status: 'below'})
      expect(byCode(report, G_SPOT).request).to.include({id: 'low', desiredValue: 4})
      const after = await requestGpuQuotaIncreases({session, report})
      expect(byCode(after, G_SPOT)).to.include({action: 'blocked', status: 'below'})
      expect(standin.filed()).to.deep.equal([])
    })

    it('reports IllegalArgumentException as already met when the quota was raised meanwhile', async () => {
      const report = await checkGpuQuotas({session, caller, families: ['g'], markets: ['spot'], target: 8})
      standin.setApplied(G_SPOT, 10)
      const after = await requestGpuQuotaIncreases({session, report})
      expect(byCode(after, G_SPOT)).to.include({action: 'already-met', status: 'ok', value: 10})
      expect(standin.history.get(G_SPOT) ?? []).to.have.length(0)
    })

    it('fails an IllegalArgumentException when the quota is still under the target', async () => {
      const report = await checkGpuQuotas({session, caller, families: ['g'], markets: ['spot'], target: 8})
      standin.inject({operation: 'RequestServiceQuotaIncrease', error: 'IllegalArgumentException'})
      const after = await requestGpuQuotaIncreases({session, report})
      expect(byCode(after, G_SPOT).action).to.equal('failed')
      expect(byCode(after, G_SPOT).error?.message).to.include('IllegalArgumentException')
    })
  })
})
