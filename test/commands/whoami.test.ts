/**
 * AWS identity and the account guard, through the real SDK against moto.
 */
import {expect} from 'chai'
import {createHash} from 'node:crypto'
import {mkdirSync, mkdtempSync, writeFileSync} from 'node:fs'
import {tmpdir} from 'node:os'
import {join} from 'node:path'

import {isolatedEnv, runPiksel} from '../support/cli.ts'
import {MOTO_ACCOUNT, type Moto, startMoto} from '../support/moto.ts'

interface ErrorDoc {
  error: {code: string; message: string; hint: string}
}

describe('piksel whoami and the account guard', function () {
  let moto: Moto
  let cwd: string
  before(async function () {
    moto = await startMoto(this)
    cwd = mkdtempSync(join(tmpdir(), 'piksel-whoami-'))
    writeFileSync(
      join(cwd, 'piksel.config.yaml'),
      `environments:\n  staging:\n    account: "${MOTO_ACCOUNT}"\n  production:\n    account: "111111111111"\n  dev: {}\n`,
    )
  })
  after(async () => moto?.stop())

  /** A HOME whose AWS config has static-key profiles that point at moto. */
  function profileEnv(): Record<string, string | undefined> {
    const env = isolatedEnv({AWS_ENDPOINT_URL: moto.endpoint})
    mkdirSync(join(env.HOME!, '.aws'), {recursive: true})
    writeFileSync(
      env.AWS_SHARED_CREDENTIALS_FILE!,
      '[moto-prod]\naws_access_key_id = testing\naws_secret_access_key = testing\n',
    )
    writeFileSync(env.AWS_CONFIG_FILE!, '[profile moto-prod]\nregion = ap-southeast-3\n')
    return env
  }

  it('shows the caller and passes the guard for the right account', async () => {
    const r = await runPiksel(['whoami', '-e', 'staging', '--json'], {env: isolatedEnv(moto.env), cwd})
    expect(r.exitCode).to.equal(0)
    expect(r.json()).to.deep.include({
      env: 'staging',
      account: MOTO_ACCOUNT,
      arn: `arn:aws:sts::${MOTO_ACCOUNT}:user/moto`,
      region: 'ap-southeast-3',
      expectedAccount: MOTO_ACCOUNT,
    })
  })

  it('refuses (exit 2) when the caller is another account, naming both ids and the profile', async () => {
    const r = await runPiksel(['whoami', '-e', 'production', '--profile', 'moto-prod', '--json'], {
      env: profileEnv(),
      cwd,
    })
    expect(r.exitCode).to.equal(2)
    const {error} = r.json<ErrorDoc>()
    expect(error.code).to.equal('ACCOUNT_MISMATCH')
    expect(error.message).to.include('111111111111').and.include(MOTO_ACCOUNT).and.include('profile moto-prod')
    expect(error.message).to.include('Nothing was changed')
  })

  it('has no guard when the environment has no account configured', async () => {
    const r = await runPiksel(['whoami', '-e', 'dev', '--json'], {env: isolatedEnv(moto.env), cwd})
    expect(r.exitCode).to.equal(0)
    expect(r.json<{expectedAccount: null}>().expectedAccount).to.equal(null)
  })

  it('credentials in the environment beat AWS_PROFILE, as in the AWS CLI (even a profile that does not exist)', async () => {
    const r = await runPiksel(['whoami', '--json'], {env: isolatedEnv({...moto.env, AWS_PROFILE: 'nonexistent'}), cwd})
    expect(r.exitCode, r.stdout + r.stderr).to.equal(0)
    expect(r.json<{account: string; profileSource: string}>()).to.include({account: MOTO_ACCOUNT})
    expect(r.stderr).not.to.include('Multiple credential sources')
  })

  it('--region and AWS_REGION choose the region; the default is ap-southeast-3', async () => {
    const env = isolatedEnv({...moto.env, AWS_REGION: undefined})
    const def = await runPiksel(['whoami', '--json'], {env, cwd})
    expect(def.json<{region: string}>().region).to.equal('ap-southeast-3')
    const flag = await runPiksel(['whoami', '--json', '--region', 'eu-west-1'], {env, cwd})
    expect(flag.json<{region: string}>().region).to.equal('eu-west-1')
  })

  it('uses the environment profile from config when no credentials are in the environment', async () => {
    const env = profileEnv()
    writeFileSync(join(cwd, 'piksel.config.yaml'), `environments:\n  production:\n    profile: moto-prod\n`)
    try {
      const r = await runPiksel(['whoami', '-e', 'production', '--json'], {env, cwd})
      expect(r.exitCode, r.stdout).to.equal(0)
      expect(r.json<{profile: string}>().profile).to.equal('moto-prod')
    } finally {
      writeFileSync(
        join(cwd, 'piksel.config.yaml'),
        `environments:\n  staging:\n    account: "${MOTO_ACCOUNT}"\n  production:\n    account: "111111111111"\n  dev: {}\n`,
      )
    }
  })

  describe('credential problems give one line and the command that fixes them (exit 1)', () => {
    it('a profile that does not exist → aws configure sso', async () => {
      const r = await runPiksel(['whoami', '--profile', 'nosuch', '--json'], {env: profileEnv(), cwd})
      expect(r.exitCode).to.equal(1)
      const {error} = r.json<ErrorDoc>()
      expect(error.code).to.equal('PROFILE_NOT_FOUND')
      expect(error.hint).to.include('aws configure sso --profile nosuch')
    })

    it('an expired SSO session → aws sso login --profile', async () => {
      const env = profileEnv()
      writeFileSync(
        env.AWS_CONFIG_FILE!,
        [
          '[profile staging-piksel]',
          'sso_session = piksel',
          'sso_account_id = 123456789012',
          'sso_role_name = AdministratorAccess',
          'region = ap-southeast-3',
          '[sso-session piksel]',
          'sso_start_url = https://piksel.awsapps.com/start',
          'sso_region = ap-southeast-3',
          'sso_registration_scopes = sso:account:access',
          '',
        ].join('\n'),
      )
      const cache = join(env.HOME!, '.aws', 'sso', 'cache')
      mkdirSync(cache, {recursive: true})
      const file = `${createHash('sha1').update('piksel').digest('hex')}.json`
      writeFileSync(
        join(cache, file),
        JSON.stringify({
          startUrl: 'https://piksel.awsapps.com/start',
          region: 'ap-southeast-3',
          accessToken: 'expired-token',
          expiresAt: '2020-01-01T00:00:00Z',
        }),
      )
      const r = await runPiksel(['whoami', '-e', 'staging', '--json'], {env, cwd})
      expect(r.exitCode).to.equal(1)
      const {error} = r.json<ErrorDoc>()
      expect(error.code).to.equal('SSO_EXPIRED')
      expect(error.hint).to.equal('Run `aws sso login --profile staging-piksel`.')
    })

    it('no credentials at all', async () => {
      const r = await runPiksel(['whoami', '--json'], {env: isolatedEnv({AWS_ENDPOINT_URL: moto.endpoint}), cwd})
      expect(r.exitCode).to.equal(1)
      expect(r.json<ErrorDoc>().error.code).to.equal('NO_CREDENTIALS')
    })

    it('an unreachable endpoint is an operation failure, not a hang', async () => {
      const r = await runPiksel(['whoami', '--json'], {
        env: isolatedEnv({...moto.env, AWS_ENDPOINT_URL: 'http://127.0.0.1:9'}),
        cwd,
      })
      expect(r.exitCode).to.equal(1)
      expect(r.json<ErrorDoc>().error.code).to.equal('NETWORK')
    })
  })
})
