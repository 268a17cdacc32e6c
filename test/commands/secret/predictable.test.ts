/**
 * Issue 12 §4: what AWS would refuse for a write, predictable from what was
 * already read, is reported before the summary and confirmation (exit 2,
 * nothing written): a replica whose primary lives in another region (moto
 * replicates like Secrets Manager), and a secret that would pass 50 tags.
 */
import {expect} from 'chai'

import {CreateSecretCommand, GetSecretValueCommand, SecretsManagerClient} from '@aws-sdk/client-secrets-manager'

import {type Moto, startMoto} from '../../support/moto.ts'
import {SLACK_URL, SLACK_URL_2, SecretsProbe, runAgainst} from '../../support/secrets.ts'

interface ErrorDoc {
  error: {code: string; message: string; hint: string}
}

describe('secret create: refusals predicted before the confirmation (moto)', function () {
  this.timeout(60_000)
  let moto: Moto
  let probe: SecretsProbe
  let primary: SecretsManagerClient

  before(async function () {
    moto = await startMoto(this)
    probe = new SecretsProbe(moto)
    primary = new SecretsManagerClient({
      region: 'us-east-1',
      endpoint: moto.endpoint,
      credentials: {accessKeyId: 'testing', secretAccessKey: 'testing'},
    })
  })
  after(async () => {
    primary?.destroy()
    probe?.sm.destroy()
    await moto?.stop()
  })
  beforeEach(async () => {
    await moto.reset()
    // The primary in us-east-1, replicated to ap-southeast-3 (the environment's region).
    await primary.send(
      new CreateSecretCommand({
        Name: 'slack-alerts-staging',
        SecretString: SLACK_URL,
        AddReplicaRegions: [{Region: 'ap-southeast-3'}],
      }),
    )
  })
  const primaryValue = async () =>
    (await primary.send(new GetSecretValueCommand({SecretId: 'slack-alerts-staging'}))).SecretString

  const writes: Array<[string, string[]]> = [
    ['--overwrite with another value (no --yes, no TTY: it must not get as far as asking)', ['--overwrite']],
    ['another value without --overwrite (the replica is the real problem, not the conflict)', ['--yes']],
    ['--overwrite --yes', ['--overwrite', '--yes']],
    ['--dry-run --overwrite (a dry run predicts it too)', ['--overwrite', '--dry-run']],
  ]
  for (const [what, flags] of writes) {
    it(`a replica: ${what} → exit 2 SECRET_IS_REPLICA naming the primary region, nothing written`, async () => {
      const r = await runAgainst(
        moto,
        ['secret', 'create', 'slack', '-e', 'staging', '--from-stdin', '--json', ...flags],
        {
          input: SLACK_URL_2,
        },
      )
      expect(r.exitCode, r.stdout + r.stderr).to.equal(2)
      const {error} = r.json<ErrorDoc>()
      expect(error.code).to.equal('SECRET_IS_REPLICA')
      expect(error.message).to.include('its primary is in us-east-1')
      expect(error.hint).to.include('--region us-east-1')
      expect(r.stderr).not.to.match(/Create secret|Update secret|\? /)
      expect(r.stdout + r.stderr).not.to.include(SLACK_URL_2)
      expect(await primaryValue()).to.equal(SLACK_URL)
      expect((await probe.value('slack-alerts-staging')).value).to.equal(SLACK_URL)
    })
  }

  it('a replica already holding the same value: unchanged (exit 0), nothing to refuse', async () => {
    const r = await runAgainst(moto, ['secret', 'create', 'slack', '-e', 'staging', '--from-stdin', '--json'], {
      input: SLACK_URL,
    })
    expect(r.exitCode, r.stderr).to.equal(0)
    expect(r.json<{action: string}>().action).to.equal('unchanged')
  })

  it('in the primary region the same command goes ahead', async () => {
    const r = await runAgainst(
      moto,
      [
        'secret',
        'create',
        'slack',
        '-e',
        'staging',
        '--region',
        'us-east-1',
        '--from-stdin',
        '--overwrite',
        '--yes',
        '--json',
      ],
      {input: SLACK_URL_2},
    )
    expect(r.exitCode, r.stderr).to.equal(0)
    expect(r.json<{action: string}>().action).to.equal('updated')
    expect(await primaryValue()).to.equal(SLACK_URL_2)
  })

  it('more than 50 tags after the write → exit 2 TOO_MANY_TAGS before asking, nothing written', async () => {
    const tags = Object.fromEntries(Array.from({length: 47}, (_, i) => [`Team${i}`, 'x']))
    await probe.create('tagged-secret', SLACK_URL, {tags})
    const r = await runAgainst(
      moto,
      [
        'secret',
        'create',
        'slack',
        '-e',
        'staging',
        '--name',
        'tagged-secret',
        '--from-stdin',
        '--overwrite',
        '--json',
      ],
      {input: SLACK_URL_2},
    )
    expect(r.exitCode, r.stderr).to.equal(2)
    const {error} = r.json<ErrorDoc>()
    expect(error.code).to.equal('TOO_MANY_TAGS')
    expect(error.message).to.include('52 tags')
    expect((await probe.value('tagged-secret')).value).to.equal(SLACK_URL)
  })
})
