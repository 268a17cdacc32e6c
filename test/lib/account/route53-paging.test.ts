/**
 * The zone lookup pages through ListHostedZonesByName as Route 53 answers it (at most MaxItems
 * zones per answer, IsTruncated, NextDNSName/NextHostedZoneId), against a loopback stand-in:
 * moto answers every zone of the name at once, so it cannot show a zone beyond the first page.
 * The zones are written out here; nothing expected is computed by the code under test.
 */
import {expect} from 'chai'

import {checkDnsZone} from '../../../src/lib/account/checks.ts'
import type {AccountContext} from '../../../src/lib/account/context.ts'
import {dnsStep} from '../../../src/lib/account/steps.ts'
import type {AwsSession} from '../../../src/lib/aws/session.ts'
import {type Environment, resolveSettings} from '../../../src/lib/config/environment.ts'
import {PikselError} from '../../../src/lib/errors.ts'
import {type Route53Standin, type StandinZone, startRoute53Standin} from '../../support/route53-standin.ts'

const ZONE = 'staging.piksel.example.org'
const NS = ['ns-1.awsdns-01.org', 'ns-2.awsdns-02.net']
const session: AwsSession = {region: 'ap-southeast-3', profileSource: 'environment'}

/** `count` private zones named ZONE, ids Z0001... (they sort before Z9...). */
const privateZones = (count: number): StandinZone[] =>
  Array.from({length: count}, (_, i) => ({id: `Z${String(i + 1).padStart(5, '0')}`, name: ZONE, private: true}))

describe('dns zone lookup pages through ListHostedZonesByName (Route 53 stand-in)', function () {
  this.timeout(30_000)
  const saved = {...process.env}
  let standin: Route53Standin | undefined

  afterEach(async () => {
    for (const key of Object.keys(process.env)) if (!(key in saved)) delete process.env[key]
    Object.assign(process.env, saved)
    await standin?.stop()
    standin = undefined
  })

  async function serve(zones: StandinZone[]) {
    standin = await startRoute53Standin(zones)
    Object.assign(process.env, standin.env)
    delete process.env.AWS_PROFILE
  }

  const env = (): Environment => ({...resolveSettings().environments.staging!, dns: {zone: ZONE}})
  const warnings: string[] = []
  const context = (): AccountContext => ({
    env: env(),
    session,
    sessionFor: (profile) => ({region: session.region, profile, profileSource: 'config'}),
    caller: async () => ({account: '123456789012', arn: 'arn:aws:iam::123456789012:user/t', userId: 'AIDA'}),
    dryRun: false,
    confirm: async () => {
      throw new Error('the dns step never asks')
    },
    line: () => {},
    warn: (message) => warnings.push(message),
  })
  const doctor = () => checkDnsZone({env: env(), session, caller: context().caller})
  const lookupsOf = (name: string) =>
    standin!.requests.filter((r) => r.path === '/2013-04-01/hostedzonesbyname' && r.query.dnsname?.startsWith(name))

  async function failure(promise: Promise<unknown>): Promise<PikselError> {
    try {
      await promise
    } catch (error) {
      expect(error).to.be.instanceOf(PikselError)
      return error as PikselError
    }
    throw new Error('expected the step to fail')
  }

  it('finds the public zone after 11 private zones of the same name (beyond a first answer of 10)', async () => {
    await serve([...privateZones(11), {id: 'Z9PUBLIC', name: ZONE, nameServers: NS}])
    const outcome = await dnsStep(context())
    expect(outcome.status).to.equal('already-done')
    expect(outcome.details).to.deep.include({zone: ZONE, zoneId: 'Z9PUBLIC'})
    const check = await doctor()
    expect(check.status, check.detail).to.equal('warn')
    expect(check.detail).to.include('Z9PUBLIC')
  })

  it('follows NextDNSName/NextHostedZoneId across pages of at most 100 (250 private zones first)', async () => {
    await serve([...privateZones(250), {id: 'Z9PUBLIC', name: ZONE, nameServers: NS}])
    const outcome = await dnsStep(context())
    expect(outcome.details).to.deep.include({zoneId: 'Z9PUBLIC', nameServers: [...NS].sort()})
    const pages = standin!.requests.filter(
      (r) => r.path === '/2013-04-01/hostedzonesbyname' && r.query.dnsname === `${ZONE}.`,
    )
    // First page by name, the next two from where Route 53 said to go on.
    expect(pages.map((r) => r.query.hostedzoneid ?? null)).to.deep.equal([null, 'Z00101', 'Z00201'])
    expect(pages.every((r) => Number(r.query.maxitems) <= 100)).to.equal(true)
  })

  it('stops as soon as the names sort past the zone (one answer, whatever follows)', async () => {
    const later = Array.from({length: 300}, (_, i) => ({id: `ZL${i}`, name: `z${i}.example.org`, nameServers: NS}))
    await serve([{id: 'Z9PUBLIC', name: ZONE, nameServers: NS}, ...later])
    const outcome = await dnsStep(context())
    expect(outcome.details).to.deep.include({zoneId: 'Z9PUBLIC'})
    expect(lookupsOf(ZONE)).to.have.length(1)
  })

  it('two public zones of the name, on different pages: refused as ambiguous (exit 3), naming both', async () => {
    await serve([
      {id: 'Z0PUBLIC', name: ZONE, nameServers: NS},
      ...privateZones(150),
      {id: 'Z9PUBLIC', name: ZONE, nameServers: ['ns-9.awsdns-09.com']},
    ])
    const error = await failure(dnsStep(context()))
    expect(error.exitCode).to.equal(3)
    expect(error.code).to.equal('DNS_ZONE_AMBIGUOUS')
    expect(error.message).to.include('Z0PUBLIC').and.to.include('Z9PUBLIC')
    const check = await doctor()
    expect(check.status).to.equal('fail')
    expect(check.detail).to.include('Z0PUBLIC').and.to.include('Z9PUBLIC')
  })

  it('more zones of the name than the page bound: an error (exit 1), never "missing"', async () => {
    // 50 answers of 100 are read at most; the public zone is beyond them.
    await serve([...privateZones(5001), {id: 'Z9PUBLIC', name: ZONE, nameServers: NS}])
    const error = await failure(dnsStep(context()))
    expect(error.exitCode).to.equal(1)
    expect(error.code).to.equal('DNS_ZONE_LOOKUP')
    expect(lookupsOf(ZONE)).to.have.length(50)
    const check = await doctor()
    expect(check.status).to.equal('warn')
    expect(check.detail).to.include('could not check')
  })
})
