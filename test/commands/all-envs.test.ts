/**
 * The --all-envs machinery of the base command (forEachEnvironment), through the
 * smallest command that uses it with the account guard on: `whoami --all-envs`.
 * Real SDK against moto; each environment reaches AWS only through its own
 * profile (an isolated AWS config file, no credentials in the environment).
 */
import {expect} from 'chai'
import {createHash} from 'node:crypto'
import {mkdirSync, mkdtempSync, writeFileSync} from 'node:fs'
import {tmpdir} from 'node:os'
import {join} from 'node:path'

import {isolatedEnv, runPiksel} from '../support/cli.ts'
import {MOTO_ACCOUNT, type Moto, startMoto} from '../support/moto.ts'
import {Rendezvous} from '../support/rendezvous.ts'

interface WhoamiDoc {
  env: string
  account: string
  arn: string
  region: string
  profile: string | null
  expectedAccount: string | null
}
interface EnvironmentsDoc {
  environments: Array<{env: string; result?: WhoamiDoc; error?: {code: string; message: string; hint: string | null}}>
}

describe('--all-envs (whoami): every environment, each with its own profile and account guard', function () {
  let moto: Moto
  let sts: Rendezvous | undefined
  before(async function () {
    moto = await startMoto(this)
  })
  after(async () => moto?.stop())
  afterEach(async () => {
    await sts?.stop()
    sts = undefined
  })

  const CONFIG = [
    'environments:',
    '  dev: {}',
    '  staging:',
    `    account: "${MOTO_ACCOUNT}"`,
    '  production:',
    '    account: "999999999999"',
    '',
  ].join('\n')

  /** Static-key profiles for `profiles`; staging-piksel, unless listed, is an SSO profile whose session expired. */
  function setup(endpoint: string, profiles: string[]) {
    const cwd = mkdtempSync(join(tmpdir(), 'piksel-all-envs-'))
    writeFileSync(join(cwd, 'piksel.config.yaml'), CONFIG)
    const env = isolatedEnv({AWS_ENDPOINT_URL: endpoint})
    mkdirSync(join(env.HOME!, '.aws', 'sso', 'cache'), {recursive: true})
    writeFileSync(
      env.AWS_SHARED_CREDENTIALS_FILE!,
      profiles.map((p) => `[${p}]\naws_access_key_id = testing\naws_secret_access_key = testing\n`).join(''),
    )
    const sso = [
      '[profile staging-piksel]',
      'sso_session = piksel',
      `sso_account_id = ${MOTO_ACCOUNT}`,
      'sso_role_name = AdministratorAccess',
      '[sso-session piksel]',
      'sso_start_url = https://piksel.awsapps.com/start',
      'sso_region = ap-southeast-3',
      'sso_registration_scopes = sso:account:access',
    ]
    writeFileSync(
      env.AWS_CONFIG_FILE!,
      [...profiles.map((p) => `[profile ${p}]`), ...(profiles.includes('staging-piksel') ? [] : sso), ''].join('\n'),
    )
    writeFileSync(
      join(env.HOME!, '.aws', 'sso', 'cache', `${createHash('sha1').update('piksel').digest('hex')}.json`),
      JSON.stringify({
        startUrl: 'https://piksel.awsapps.com/start',
        region: 'ap-southeast-3',
        accessToken: 'expired-token',
        expiresAt: '2020-01-01T00:00:00Z',
      }),
    )
    return {cwd, env}
  }

  it('an expired SSO session and a wrong account are their environments’ rows; the others are shown (exit 1)', async () => {
    const {cwd, env} = setup(moto.endpoint, ['dev-piksel', 'prod-piksel'])
    const r = await runPiksel(['whoami', '--all-envs', '--json'], {env, cwd})
    expect(r.exitCode, r.stderr).to.equal(1)
    const mismatchHint = `Set environments.production.profile in ${join(cwd, 'piksel.config.yaml')} to a profile of account 999999999999 (it is prod-piksel), or fix environments.production.account if that account is wrong.`
    expect(r.json<EnvironmentsDoc>()).to.deep.equal({
      environments: [
        {
          env: 'dev',
          result: {
            env: 'dev',
            account: MOTO_ACCOUNT,
            arn: `arn:aws:sts::${MOTO_ACCOUNT}:user/moto`,
            userId: 'AKIAIOSFODNN7EXAMPLE',
            region: 'ap-southeast-3',
            profile: 'dev-piksel',
            expectedAccount: null,
          },
        },
        {
          env: 'staging',
          error: {
            code: 'SSO_EXPIRED',
            message: r.json<EnvironmentsDoc>().environments[1]?.error?.message,
            // What `whoami -e staging` says: the hint names this environment's own profile.
            hint: 'Run `aws sso login --profile staging-piksel`.',
          },
        },
        {
          env: 'production',
          error: {
            code: 'ACCOUNT_MISMATCH',
            message:
              'Wrong AWS account: environment production is account 999999999999, but profile prod-piksel is account 123456789012. Nothing was changed.',
            // Not `-e`'s "--profile or AWS_PROFILE", which --all-envs refuses and ignores: the config key.
            hint: mismatchHint,
          },
        },
      ],
    })
    // The same error, word for word, as the single-environment run prints.
    const alone = await runPiksel(['whoami', '-e', 'staging', '--json'], {env, cwd})
    expect(alone.exitCode).to.equal(1)
    expect(r.json<EnvironmentsDoc>().environments[1]?.error).to.deep.equal(alone.json<{error: unknown}>().error)

    const human = await runPiksel(['whoami', '--all-envs'], {env, cwd})
    expect(human.exitCode).to.equal(1)
    const lines = human.stdout.trimEnd().split('\n')
    expect(lines[0]).to.match(/^ENV\s+ACCOUNT\s+ARN\s+PROFILE\s+REGION$/)
    expect(lines[1]).to.match(
      /^dev\s+123456789012\s+arn:aws:sts::123456789012:user\/moto\s+dev-piksel\s+ap-southeast-3$/,
    )
    expect(lines[2]).to.match(/^staging\s+error\s+SSO_EXPIRED: /)
    expect(lines[3]).to.match(/^production\s+error\s+ACCOUNT_MISMATCH: Wrong AWS account/)
    expect(lines.slice(5)).to.deep.equal([
      'dev: ok: account 123456789012 (no account configured, so the account guard is off)',
      `staging: error SSO_EXPIRED: ${r.json<EnvironmentsDoc>().environments[1]?.error?.message}`,
      '         Hint: Run `aws sso login --profile staging-piksel`.',
      `production: error ACCOUNT_MISMATCH: ${r.json<EnvironmentsDoc>().environments[2]?.error?.message}`,
      `            Hint: ${mismatchHint}`,
    ])
  })

  it('a region in the shell is ignored and said once, not per environment, without advice to pass --region', async () => {
    const {cwd, env} = setup(moto.endpoint, ['dev-piksel', 'staging-piksel', 'prod-piksel'])
    writeFileSync(join(cwd, 'piksel.config.yaml'), 'environments:\n  dev: {}\n  staging: {region: eu-west-1}\n')
    const r = await runPiksel(['whoami', '--all-envs', '--json'], {env: {...env, AWS_REGION: 'us-east-1'}, cwd})
    expect(r.exitCode, r.stderr).to.equal(0)
    const doc = r.json<EnvironmentsDoc & {warnings?: string[]}>()
    expect(doc.environments.map((e) => e.result?.region)).to.deep.equal(['ap-southeast-3', 'eu-west-1'])
    expect(doc.warnings).to.deep.equal([
      'AWS_REGION=us-east-1 in the shell is ignored under --all-envs: each environment uses its own region (dev ap-southeast-3, staging eu-west-1).',
    ])
    expect(r.stderr).not.to.include('--region')
  })

  it('asks STS for every environment at once (exit 0 when all are right)', async function () {
    // No clock: the stand-in in front of moto forwards GetCallerIdentity only once all three
    // environments' calls are in flight; asked one after another, the first waits alone, gets
    // 503s past its request timeout and its row fails.
    this.timeout(60_000)
    sts = await Rendezvous.start({count: 3, giveUpMs: 8_000, forwardTo: moto.endpoint})
    const {cwd, env} = setup(sts.url, ['dev-piksel', 'staging-piksel', 'prod-piksel'])
    writeFileSync(join(cwd, 'piksel.config.yaml'), CONFIG.replace('999999999999', MOTO_ACCOUNT))
    const r = await runPiksel(['whoami', '--all-envs', '--json'], {env, cwd, timeout: 50_000})
    expect(r.exitCode, r.stdout).to.equal(0)
    const doc = r.json<EnvironmentsDoc>()
    expect(doc.environments.map((e) => [e.env, e.result?.profile, e.result?.account])).to.deep.equal([
      ['dev', 'dev-piksel', MOTO_ACCOUNT],
      ['staging', 'staging-piksel', MOTO_ACCOUNT],
      ['production', 'prod-piksel', MOTO_ACCOUNT],
    ])
    // One call per environment: the guard's identity is the one the result shows.
    expect(sts.arrived).to.have.length(3)
    expect(sts.gaveUp).to.equal(0)
  })
})
