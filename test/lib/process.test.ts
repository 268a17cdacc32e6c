/**
 * One environment policy for every child (issue 12 §3): no token reaches a child
 * that does not need it. Table-driven on the pure policy, then the one runner with
 * a stub that records what it was given.
 */
import {expect} from 'chai'

import {
  type ChildNeeds,
  type EnvClass,
  childEnv,
  classifyEnv,
  runStreaming,
  withholdTerraformCredentials,
  withoutGitHubTokens,
} from '../../src/lib/process/run.ts'
import {StubBin} from '../support/stubs.ts'

const PARENT = {
  PATH: '/usr/bin:/bin',
  HOME: '/home/me',
  HTTPS_PROXY: 'http://proxy:3128',
  KUBECONFIG: '/home/me/.kube/config',
  AWS_PROFILE: 'staging-piksel',
  AWS_REGION: 'ap-southeast-3',
  AWS_SHARED_CREDENTIALS_FILE: '/home/me/.aws/credentials',
  AWS_ENDPOINT_URL: 'http://127.0.0.1:5000',
  AWS_ACCESS_KEY_ID: 'AKIAEXAMPLE',
  AWS_SECRET_ACCESS_KEY: 'aws-secret',
  AWS_SESSION_TOKEN: 'aws-session',
  AWS_WEB_IDENTITY_TOKEN_FILE: '/var/run/token',
  GITHUB_TOKEN: 'ghp_github',
  GH_TOKEN: 'ghp_gh',
  GH_ENTERPRISE_TOKEN: 'ghe_token',
  TF_VAR_db_password: 'tf-var-secret',
  TF_TOKEN_app_terraform_io: 'tfc-token',
  TF_IN_AUTOMATION: '1',
  NPM_TOKEN: 'npm-token',
  VAULT_TOKEN: 'vault-token',
  DB_PASSWORD: 'db-password',
  DATADOG_API_KEY: 'dd-key',
  CLIENT_SECRET: 'client-secret',
  SSH_AUTH_SOCK: '/tmp/ssh-agent.sock',
}

describe('process: one environment policy for children', () => {
  const classes: Array<[string, EnvClass]> = [
    ['GITHUB_TOKEN', 'github'],
    ['GH_TOKEN', 'github'],
    ['GH_ENTERPRISE_TOKEN', 'github'],
    ['github_token', 'github'],
    ['Gh_Token', 'github'],
    ['AWS_ACCESS_KEY_ID', 'aws'],
    ['AWS_SECRET_ACCESS_KEY', 'aws'],
    ['AWS_SESSION_TOKEN', 'aws'],
    ['AWS_CONTAINER_AUTHORIZATION_TOKEN', 'aws'],
    ['AWS_PROFILE', 'plain'],
    ['AWS_SHARED_CREDENTIALS_FILE', 'plain'],
    ['AWS_ENDPOINT_URL_SECRETS_MANAGER', 'plain'],
    ['TF_VAR_db_password', 'terraform'],
    ['TF_TOKEN_app_terraform_io', 'terraform'],
    ['TF_IN_AUTOMATION', 'plain'],
    ['NPM_TOKEN', 'secret'],
    ['DB_PASSWORD', 'secret'],
    ['DATADOG_API_KEY', 'secret'],
    ['ARM_CLIENT_SECRET', 'secret'],
    ['GOOGLE_APPLICATION_CREDENTIALS', 'secret'],
    ['SSH_PRIVATE_KEY', 'secret'],
    ['PATH', 'plain'],
    ['SSH_AUTH_SOCK', 'plain'],
    ['PGPASSWORD', 'secret'],
    ['MYSQL_PWD', 'secret'],
    ['GITHUB_PAT', 'secret'],
    ['GITHUBTOKEN', 'secret'],
    ['TOKENIZERS_PARALLELISM', 'plain'],
    ['PWD', 'plain'],
    ['OLDPWD', 'plain'],
    ['PATH_INFO', 'plain'],
    ['COMPAT', 'plain'],
    ['SECRETS_DIR', 'plain'],
    ['TOKEN', 'secret'],
    ['PASSPHRASE', 'secret'],
    ['API_KEY', 'secret'],
    ['APIKEY', 'secret'],
    ['PRIVATEKEY', 'secret'],
    ['ACCESSKEY', 'secret'],
    ['CREDENTIAL', 'secret'],
    ['SSH_PASSPHRASE', 'secret'],
    ['NOT_TF_VAR_X', 'plain'],
    ['tf_var_region', 'terraform'],
  ]
  for (const [name, expected] of classes) {
    it(`${name} is ${expected}`, () => expect(classifyEnv(name)).to.equal(expected))
  }

  const plain = {
    PATH: PARENT.PATH,
    HOME: PARENT.HOME,
    HTTPS_PROXY: PARENT.HTTPS_PROXY,
    KUBECONFIG: PARENT.KUBECONFIG,
    AWS_PROFILE: PARENT.AWS_PROFILE,
    AWS_REGION: PARENT.AWS_REGION,
    AWS_SHARED_CREDENTIALS_FILE: PARENT.AWS_SHARED_CREDENTIALS_FILE,
    AWS_ENDPOINT_URL: PARENT.AWS_ENDPOINT_URL,
    TF_IN_AUTOMATION: '1',
    SSH_AUTH_SOCK: PARENT.SSH_AUTH_SOCK,
  }
  const awsCreds = {
    AWS_ACCESS_KEY_ID: PARENT.AWS_ACCESS_KEY_ID,
    AWS_SECRET_ACCESS_KEY: PARENT.AWS_SECRET_ACCESS_KEY,
    AWS_SESSION_TOKEN: PARENT.AWS_SESSION_TOKEN,
    AWS_WEB_IDENTITY_TOKEN_FILE: PARENT.AWS_WEB_IDENTITY_TOKEN_FILE,
  }
  const terraformOnly = {
    TF_VAR_db_password: PARENT.TF_VAR_db_password,
    TF_TOKEN_app_terraform_io: PARENT.TF_TOKEN_app_terraform_io,
    NPM_TOKEN: PARENT.NPM_TOKEN,
    VAULT_TOKEN: PARENT.VAULT_TOKEN,
    DB_PASSWORD: PARENT.DB_PASSWORD,
    DATADOG_API_KEY: PARENT.DATADOG_API_KEY,
    CLIENT_SECRET: PARENT.CLIENT_SECRET,
  }
  const policy: Array<[string, ChildNeeds, Record<string, string>]> = [
    ['a version probe needs nothing secret', {}, plain],
    ['the aws CLI and flux: AWS credentials, nothing else secret', {aws: true}, {...plain, ...awsCreds}],
    [
      'terraform: AWS credentials and what its providers read, never a GitHub token',
      {aws: true, terraform: true},
      {...plain, ...awsCreds, ...terraformOnly},
    ],
  ]
  for (const [what, needs, expected] of policy) {
    it(what, () => {
      expect(childEnv(PARENT, {}, needs)).to.deep.equal(expected)
    })
  }

  it('what a child is given wins over what it inherits (flux gets the environment’s region, not the shell’s)', () => {
    const env = childEnv(
      {...PARENT, AWS_REGION: 'us-east-1'},
      {AWS_REGION: 'ap-southeast-3', AWS_PROFILE: 'p'},
      {aws: true},
    )
    expect(env).to.deep.include({AWS_REGION: 'ap-southeast-3', AWS_PROFILE: 'p'})
  })

  it('a GitHub token reaches a child only when given to it', () => {
    expect(childEnv(PARENT, {GITHUB_TOKEN: 'ghp_given'}, {aws: true})).to.deep.include({GITHUB_TOKEN: 'ghp_given'})
    expect(childEnv(PARENT, {GITHUB_TOKEN: 'ghp_given'}, {aws: true})).not.to.have.property('GH_TOKEN')
  })

  it('withoutGitHubTokens drops them in place, nothing else', () => {
    const env: NodeJS.ProcessEnv = {...PARENT}
    withoutGitHubTokens(env)
    expect(Object.keys(env).filter((k) => /GITHUB|GH_/.test(k))).to.deep.equal([])
    expect(env.AWS_SECRET_ACCESS_KEY).to.equal('aws-secret')
    expect(Object.keys(env)).to.have.length(Object.keys(PARENT).length - 3)
    const bootstrap: NodeJS.ProcessEnv = {...PARENT}
    withoutGitHubTokens(bootstrap, ['GITHUB_TOKEN'])
    expect(Object.keys(bootstrap).filter((k) => /GITHUB|GH_/.test(k))).to.deep.equal(['GITHUB_TOKEN'])
  })

  describe('runStreaming applies it (a stub records its environment)', () => {
    const saved = {...process.env}
    const stubs = new StubBin().add('probe', {stdout: 'v1.2.3\n', stderr: 'on stderr\n'})
    beforeEach(() => {
      Object.assign(process.env, PARENT, {PATH: `${stubs.dir}:${saved.PATH}`})
    })
    afterEach(() => {
      for (const key of Object.keys(process.env)) if (!(key in saved)) delete process.env[key]
      Object.assign(process.env, saved)
    })

    it('a probe gets no token and no AWS credential; stdout and stderr come back apart', async () => {
      const out = await runStreaming('probe', ['--version'], {streamStdout: false})
      expect(out).to.include({exitCode: 0, stdout: 'v1.2.3', stderr: 'on stderr\n', timedOut: false})
      const [call] = stubs.calls('probe').slice(-1)
      for (const name of ['GITHUB_TOKEN', 'GH_TOKEN', 'AWS_ACCESS_KEY_ID', 'AWS_SECRET_ACCESS_KEY', 'NPM_TOKEN']) {
        expect(call?.env, name).not.to.have.property(name)
      }
      expect(call?.env).to.include({AWS_PROFILE: 'staging-piksel', AWS_REGION: 'ap-southeast-3'})
    })

    it('a child that calls AWS gets the AWS credentials, still no GitHub token', async () => {
      await runStreaming('probe', [], {needs: {aws: true}})
      const [call] = stubs.calls('probe').slice(-1)
      expect(call?.env).to.include({AWS_ACCESS_KEY_ID: 'AKIAEXAMPLE', AWS_SECRET_ACCESS_KEY: 'aws-secret'})
      expect(call?.env).not.to.have.property('GITHUB_TOKEN')
      expect(call?.env).not.to.have.property('GH_TOKEN')
    })

    it('credentials withheld from piksel’s own environment (for library-started children) still reach terraform alone', async () => {
      withholdTerraformCredentials(process.env)
      // Out of the environment a library's child (the kube client's exec plugin) would inherit...
      for (const name of ['TF_VAR_db_password', 'NPM_TOKEN', 'DB_PASSWORD']) {
        expect(process.env, name).not.to.have.property(name)
      }
      expect(process.env).to.include({AWS_ACCESS_KEY_ID: 'AKIAEXAMPLE', AWS_PROFILE: 'staging-piksel'})
      // ...but terraform still gets them, and a child that only calls AWS does not.
      await runStreaming('probe', ['terraform'], {needs: {aws: true, terraform: true}})
      await runStreaming('probe', ['aws'], {needs: {aws: true}})
      const [terraform, aws] = stubs.calls('probe').slice(-2)
      expect(terraform?.env).to.include({TF_VAR_db_password: 'tf-var-secret', NPM_TOKEN: 'npm-token'})
      expect(aws?.env).not.to.have.property('TF_VAR_db_password')
      expect(aws?.env).not.to.have.property('NPM_TOKEN')
      expect(aws?.env).to.include({AWS_ACCESS_KEY_ID: 'AKIAEXAMPLE'})
    })

    it('kills a child that does not answer within timeoutMs, with its process group', async () => {
      const slow = new StubBin().add('slow', {sleep: 30})
      process.env.PATH = `${slow.dir}:${process.env.PATH}`
      const out = await runStreaming('slow', [], {timeoutMs: 300})
      expect(out.timedOut).to.equal(true)
    })
  })
})
