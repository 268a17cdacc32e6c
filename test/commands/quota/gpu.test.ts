/**
 * `piksel quota gpu` as a user runs it: the built binary, no TTY, stdin closed;
 * Service Quotas from the loopback stand-in, STS and IAM from moto.
 */
import {expect} from 'chai'
import {mkdtempSync, writeFileSync} from 'node:fs'
import {tmpdir} from 'node:os'
import {join} from 'node:path'

import {type RunOptions, isolatedEnv, runPiksel} from '../../support/cli.ts'
import {MOTO_ACCOUNT, type Moto, startMoto} from '../../support/moto.ts'
import {type ServiceQuotasStandin, startServiceQuotasStandin} from '../../support/service-quotas-standin.ts'

const G_OD = 'L-DB2E81BA'
const G_SPOT = 'L-3819A6DF'
const P_OD = 'L-417A185B'
const P_SPOT = 'L-7212CCBC'

interface Report {
  account: string
  region: string
  target: number
  spotRole: string
  warnings: string[]
  quotas: Array<{
    family: string
    market: string
    code: string
    name: string
    value: number
    target: number
    status: string
    action?: string
    request?: {id: string; caseId: string | null; status: string; desiredValue: number; created: string | null}
    error?: {code: string; message: string; hint: string | null}
  }>
}

describe('piksel quota gpu', function () {
  this.timeout(60_000)
  let moto: Moto
  let standin: ServiceQuotasStandin

  before(async function () {
    moto = await startMoto(this)
  })
  after(async () => {
    await moto?.stop()
  })
  beforeEach(async () => {
    await moto.reset()
    const now = Math.floor(Date.now() / 1000)
    standin = await startServiceQuotasStandin({
      quotas: {[G_OD]: {applied: 8}},
      history: {[P_SPOT]: [{DesiredValue: 8, Status: 'PENDING', Created: now - 7200}]},
    })
  })
  afterEach(async () => {
    await standin.stop()
  })

  const run = (args: string[], options: RunOptions & {extraEnv?: Record<string, string>} = {}) =>
    runPiksel(['quota', 'gpu', ...args], {
      ...options,
      env: isolatedEnv({...moto.env, AWS_ENDPOINT_URL_SERVICE_QUOTAS: standin.endpoint, ...options.extraEnv}),
    })
  const filedCodes = () =>
    standin
      .filed()
      .map((f) => `${f.QuotaCode}=${f.DesiredValue}`)
      .sort()

  describe('check', () => {
    it('exits 3 with a mixed set (met, below, pending) and prints the --json shape', async () => {
      const r = await run(['--json'])
      expect(r.exitCode, r.stderr).to.equal(3)
      const report = r.json<Report>()
      expect(Object.keys(report).sort()).to.deep.equal([
        'account',
        'quotas',
        'region',
        'spotRole',
        'target',
        'warnings',
      ])
      expect(report).to.include({account: MOTO_ACCOUNT, region: 'ap-southeast-3', target: 8, spotRole: 'missing'})
      // The Spot role warning: once on stderr (warn()), once in the JSON document.
      expect(report.warnings).to.have.length(1)
      expect(report.warnings[0]).to.include('AWSServiceRoleForEC2Spot is missing')
      expect(r.stderr.split('Warning: The service-linked role AWSServiceRoleForEC2Spot is missing')).to.have.length(2)
      expect(report.quotas.map((q) => `${q.family}/${q.market}:${q.status}`)).to.deep.equal([
        'g/on-demand:ok',
        'g/spot:below',
        'p/on-demand:below',
        'p/spot:pending',
      ])
      const pending = report.quotas[3]
      expect(pending?.request).to.include({status: 'PENDING', desiredValue: 8, caseId: null})
      expect(Object.keys(pending?.request ?? {}).sort()).to.deep.equal([
        'caseId',
        'created',
        'desiredValue',
        'id',
        'status',
      ])
      expect(standin.filed()).to.deep.equal([])
    })

    it('shows a table for people and warns about the missing Spot role with the command', async () => {
      const r = await run([])
      expect(r.exitCode).to.equal(3)
      expect(r.stdout).to.match(/G and VT\s+on-demand\s+L-DB2E81BA\s+8\s+-\s+-\s+8\s+config\s+ok/)
      expect(r.stdout).to.match(
        /P\s+spot\s+L-7212CCBC\s+0 \(default\)\s+-\s+-\s+8\s+config\s+pending\s+PENDING 8 \(id [^,]+, 2h\)/,
      )
      expect(r.stdout).to.include('Running On-Demand P instances')
      expect(r.stdout).to.include('1 ok, 1 pending, 2 below target')
      expect(r.stderr).to.include('AWSServiceRoleForEC2Spot is missing')
      expect(r.stderr).to.include('aws iam create-service-linked-role --aws-service-name spot.amazonaws.com')
      expect(r.stderr).to.include('piksel bootstrap -e <env> --only spot-role')
    })

    it('exits 0 when every quota meets its target', async () => {
      for (const code of [G_SPOT, P_OD, P_SPOT]) standin.setApplied(code, 32)
      const r = await run(['--json'])
      expect(r.exitCode, r.stderr).to.equal(0)
      expect(r.json<Report>().quotas.every((q) => q.status === 'ok')).to.equal(true)
    })

    it('takes --family and --market lists and --min', async () => {
      const r = await run(['--family', 'inf,trn', '--family', 'dl', '--market', 'spot', '--min', '4', '--json'])
      expect(r.exitCode, r.stderr).to.equal(3)
      const report = r.json<Report>()
      expect(report.target).to.equal(4)
      expect(report.quotas.map((q) => q.code)).to.deep.equal(['L-B5D1601B', 'L-6B0D517C', 'L-85EED4F7'])
    })

    it('takes the target from the environment’s quota.gpuTarget; --min wins', async () => {
      const cwd = mkdtempSync(join(tmpdir(), 'piksel-quota-'))
      writeFileSync(
        join(cwd, 'piksel.config.yaml'),
        `environments:\n  staging:\n    account: "${MOTO_ACCOUNT}"\n    quota:\n      gpuTarget: 16\n`,
      )
      const fromConfig = await run(['-e', 'staging', '--json'], {cwd})
      expect(fromConfig.json<Report>().target).to.equal(16)
      expect(fromConfig.json<Report>().quotas[0]?.status).to.equal('below')
      const fromFlag = await run(['-e', 'staging', '--min', '8', '--json'], {cwd})
      expect(fromFlag.json<Report>().target).to.equal(8)
    })

    it('exits 1 naming the IAM actions when Service Quotas denies access', async () => {
      standin.inject({operation: 'GetServiceQuota', error: 'AccessDeniedException'})
      const r = await run(['--json'])
      expect(r.exitCode).to.equal(1)
      const {error} = r.json<{error: {code: string; message: string; hint: string}}>()
      expect(error.code).to.equal('ACCESS_DENIED')
      expect(error.hint).to.include('servicequotas:GetServiceQuota')
    })
  })

  describe('bad input: exit 2, nothing called, nothing filed', () => {
    const cases: string[][] = [
      ['--min', '0'],
      ['--min=-1'],
      ['--min', '1.5'],
      ['--min', 'eight'],
      ['--min', ''],
      ['--family', 'x'],
      ['--family', 'g,'],
      ['--family', 'g', '--family', 'gpu'],
      ['--market', 'ondemand'],
      ['--market', 'spot,reserved'],
    ]
    for (const args of cases) {
      it(`${args.join(' ')}`, async () => {
        const r = await run([...args, '--request', '--yes', '--json'])
        expect(r.exitCode, r.stdout).to.equal(2)
        const {error} = r.json<{error: {code: string; message: string; hint: string}}>()
        expect(error.message).to.match(/--(min|family|market)/)
        expect(standin.received).to.deep.equal([])
      })
    }
  })

  describe('--request', () => {
    it('files exactly the below quotas, for the target, with --yes', async () => {
      const r = await run(['--request', '--yes', '--json'])
      expect(r.exitCode, r.stderr).to.equal(0)
      expect(filedCodes()).to.deep.equal([`${G_SPOT}=8`, `${P_OD}=8`])
      const report = r.json<Report>()
      expect(report.quotas.map((q) => `${q.code}:${q.status}:${q.action ?? '-'}`)).to.deep.equal([
        `${G_OD}:ok:-`,
        `${G_SPOT}:pending:filed`,
        `${P_OD}:pending:filed`,
        `${P_SPOT}:pending:-`,
      ])
      expect(r.stderr).to.include(`Will file 2 quota increase requests in account ${MOTO_ACCOUNT}`)
      // Then a check shows them pending, and a second --request files nothing.
      const again = await run(['--request', '--yes'])
      expect(again.exitCode).to.equal(0)
      expect(again.stdout).to.include('Nothing to file')
      expect(standin.filed()).to.have.length(2)
      const check = await run(['--json'])
      expect(check.json<Report>().quotas.filter((q) => q.status === 'pending')).to.have.length(3)
    })

    it('without a TTY and without --yes exits 2 naming --yes, after listing what it would file', async () => {
      const r = await run(['--request'])
      expect(r.exitCode).to.equal(2)
      expect(r.stderr).to.include('Pass --yes')
      expect(r.stderr).to.include(`${G_SPOT}  All G and VT Spot Instance Requests (G and VT, spot): 0 -> 8 vCPUs`)
      expect(r.stderr).to.include(`${P_OD}  Running On-Demand P instances (P, on-demand): 0 -> 8 vCPUs`)
      expect(r.stderr).not.to.include(G_OD)
      expect(r.stderr).not.to.include(P_SPOT)
      expect(standin.filed()).to.deep.equal([])
    })

    it('--no-input also requires --yes', async () => {
      const r = await run(['--request', '--no-input'])
      expect(r.exitCode).to.equal(2)
      expect(standin.filed()).to.deep.equal([])
    })

    it('--dry-run files nothing and marks what would be filed', async () => {
      const r = await run(['--request', '--dry-run', '--json'])
      expect(r.exitCode).to.equal(3)
      expect(standin.filed()).to.deep.equal([])
      const actions = r.json<Report>().quotas.map((q) => q.action ?? '-')
      expect(actions).to.deep.equal(['-', 'would-file', 'would-file', '-'])
    })

    it('exits 1 when a request fails, after filing the others', async () => {
      standin.inject({operation: 'RequestServiceQuotaIncrease', quotaCode: G_SPOT, error: 'AccessDeniedException'})
      const r = await run(['--request', '--yes', '--json'])
      expect(r.exitCode).to.equal(1)
      const report = r.json<Report>()
      const failed = report.quotas.find((q) => q.code === G_SPOT)
      expect(failed?.action).to.equal('failed')
      expect(failed?.error?.hint).to.include('servicequotas:RequestServiceQuotaIncrease')
      expect(report.quotas.find((q) => q.code === P_OD)?.action).to.equal('filed')
      expect(standin.history.get(P_OD)?.length).to.equal(1)
      expect(standin.history.get(G_SPOT)).to.equal(undefined)
    })

    it('prints the failure and the hint for people', async () => {
      standin.inject({operation: 'RequestServiceQuotaIncrease', quotaCode: P_OD, error: 'AccessDeniedException'})
      const r = await run(['--request', '--yes'])
      expect(r.exitCode).to.equal(1)
      expect(r.stdout).to.match(/filed: L-3819A6DF/)
      expect(r.stderr).to.match(/failed: L-417A185B .*access denied/)
      expect(r.stderr).to.include('servicequotas:RequestServiceQuotaIncrease')
    })

    it('reports ResourceAlreadyExistsException as pending and IllegalArgumentException as met (exit 0)', async () => {
      standin.inject({
        operation: 'RequestServiceQuotaIncrease',
        quotaCode: G_SPOT,
        error: 'ResourceAlreadyExistsException',
      })
      // P on-demand is raised to 8 between the check (which still reads the default 0)
      // and the request, so the stand-in answers the request IllegalArgumentException.
      standin.inject({operation: 'GetServiceQuota', quotaCode: P_OD, error: 'NoSuchResourceException', times: 1})
      standin.setApplied(P_OD, 8)
      const r = await run(['--request', '--yes', '--json'])
      expect(r.exitCode, r.stderr).to.equal(0)
      const report = r.json<Report>()
      expect(report.quotas.find((q) => q.code === G_SPOT)).to.include({status: 'pending', action: 'already-open'})
      expect(report.quotas.find((q) => q.code === P_OD)).to.include({status: 'ok', action: 'already-met', value: 8})
      expect(standin.history.get(G_SPOT)).to.equal(undefined)
    })

    describe('an open request for less than the target (issue 12 §3)', () => {
      beforeEach(() => {
        // G spot: an open support case asks for 4 vCPUs; the target is 8.
        standin.addRequest(G_SPOT, {DesiredValue: 4, Status: 'CASE_OPENED', CaseId: '17000000042', Id: 'low'})
      })

      it('a check shows the quota below target (exit 3) with that request, not pending', async () => {
        const r = await run(['--json'])
        expect(r.exitCode).to.equal(3)
        const row = r.json<Report>().quotas.find((q) => q.code === G_SPOT)
        expect(row).to.include({status: 'below'})
        expect(row?.request).to.include({id: 'low', status: 'CASE_OPENED', desiredValue: 4, caseId: '17000000042'})
        const table = await run([])
        expect(table.stdout).to.match(
          /G and VT\s+spot\s+L-3819A6DF\s+0 \(default\)\s+-\s+-\s+8\s+config\s+below\s+CASE_OPENED 4 \(case 17000000042/,
        )
      })

      it('--request files the others, never a second one for it, explains why, and exits 3', async () => {
        const r = await run(['--request', '--yes'])
        expect(r.exitCode, r.stderr).to.equal(3)
        expect(filedCodes()).to.deep.equal([`${P_OD}=8`])
        expect(r.stdout).to.include(
          `below target: ${G_SPOT} (All G and VT Spot Instance Requests): an open request (support case 17000000042, CASE_OPENED) asks for 4 vCPUs, below the target 8; AWS allows one open request per quota, so none was filed. Wait until it is decided and run again, or ask AWS Support to close support case 17000000042 and run again.`,
        )
        expect(standin.history.get(G_SPOT)?.map((q) => q.Id)).to.deep.equal(['low'])
      })

      it('--request --json marks it blocked; --dry-run too', async () => {
        const r = await run(['--request', '--dry-run', '--json'])
        expect(r.exitCode).to.equal(3)
        const actions = r.json<Report>().quotas.map((q) => `${q.code}:${q.status}:${q.action ?? '-'}`)
        expect(actions).to.deep.equal([
          `${G_OD}:ok:-`,
          `${G_SPOT}:below:blocked`,
          `${P_OD}:below:would-file`,
          `${P_SPOT}:pending:-`,
        ])
        expect(standin.filed()).to.deep.equal([])
      })

      it('when it is the only quota below target: nothing to file, explained, exit 3 (not "Nothing to file" and 0)', async () => {
        standin.setApplied(P_OD, 8)
        const r = await run(['--request', '--yes', '--family', 'g', '--market', 'spot'])
        expect(r.exitCode, r.stderr).to.equal(3)
        expect(r.stdout).to.include('AWS allows one open request per quota, so none was filed')
        expect(r.stdout).not.to.include('Nothing to file')
        expect(standin.filed()).to.deep.equal([])
      })

      it('an open request for exactly the target is pending, and --request files nothing for it (exit 0)', async () => {
        standin.history.delete(G_SPOT)
        standin.addRequest(G_SPOT, {DesiredValue: 8, Status: 'PENDING', Id: 'enough'})
        const r = await run(['--request', '--yes', '--family', 'g', '--market', 'spot', '--json'])
        expect(r.exitCode, r.stderr).to.equal(0)
        expect(r.json<Report>().quotas[0]).to.include({status: 'pending'})
        expect(standin.filed()).to.deep.equal([])
      })
    })

    it('files nothing for another account than the environment’s (exit 2)', async () => {
      const cwd = mkdtempSync(join(tmpdir(), 'piksel-quota-'))
      writeFileSync(join(cwd, 'piksel.config.yaml'), 'environments:\n  production:\n    account: "999999999999"\n')
      const r = await run(['-e', 'production', '--request', '--yes', '--json'], {cwd})
      expect(r.exitCode).to.equal(2)
      expect(r.json<{error: {code: string}}>().error.code).to.equal('ACCOUNT_MISMATCH')
      expect(standin.filed()).to.deep.equal([])
    })

    it('never creates the Spot service-linked role', async () => {
      const r = await run(['--request', '--yes'])
      expect(r.exitCode).to.equal(0)
      const {IAMClient, GetRoleCommand} = await import('@aws-sdk/client-iam')
      const iam = new IAMClient({
        region: 'ap-southeast-3',
        endpoint: moto.endpoint,
        credentials: {accessKeyId: 'testing', secretAccessKey: 'testing'},
      })
      let name = ''
      try {
        await iam.send(new GetRoleCommand({RoleName: 'AWSServiceRoleForEC2Spot'}))
      } catch (error) {
        name = (error as Error).name
      } finally {
        iam.destroy()
      }
      expect(name).to.equal('NoSuchEntityException')
    })
  })
})
