import {expect} from 'chai'
import {mkdirSync, mkdtempSync, writeFileSync} from 'node:fs'
import {tmpdir} from 'node:os'
import {join} from 'node:path'

import {defaultProfile, resolveSettings} from '../../src/lib/config/environment.ts'
import {findConfigFile, getEnvironment, parseSettings} from '../../src/lib/config/load.ts'
import {ConfigError, UsageError} from '../../src/lib/errors.ts'

describe('config', () => {
  describe('built-in defaults', () => {
    const settings = resolveSettings()
    const cases: Array<[string, string, string, string, string]> = [
      // env, profile, cluster, bucket, gitops path
      ['dev', 'dev-piksel', 'piksel-dev', 'piksel-dev-tfstate', 'clusters/dev'],
      ['staging', 'staging-piksel', 'piksel-staging', 'piksel-staging-tfstate', 'clusters/staging'],
      ['production', 'prod-piksel', 'piksel-production', 'piksel-production-tfstate', 'clusters/production'],
    ]
    for (const [name, profile, cluster, bucket, path] of cases) {
      it(`${name}: profile ${profile}, cluster ${cluster}, bucket ${bucket}`, () => {
        const env = getEnvironment(settings, name)
        expect(env.profile).to.equal(profile)
        expect(env.cluster).to.equal(cluster)
        expect(env.terraform.stateBucket).to.equal(bucket)
        expect(env.terraform.stateKey).to.equal(`${name}/terraform.tfstate`)
        expect(env.gitops).to.deep.equal({owner: 'piksel-ina', repository: 'piksel-gitops', branch: 'main', path})
        expect(env.region).to.equal('ap-southeast-3')
        expect(env.account).to.equal(undefined)
        expect(env.quota.gpuTarget).to.equal(8)
      })
    }
    it('knows the team defaults', () => {
      expect(settings.project).to.equal('Piksel')
      expect(settings.owner).to.equal('Piksel-Devops-Team')
      expect(defaultProfile('sandbox')).to.equal('sandbox-piksel')
    })
    it('refuses an unknown environment, listing the known ones', () => {
      expect(() => getEnvironment(settings, 'qa'))
        .to.throw(UsageError, 'Known: dev, staging, production')
        .with.property('exitCode', 2)
    })
  })

  describe('validation', () => {
    const bad: Array<[string, string, RegExp]> = [
      [
        'account not 12 digits',
        'environments:\n  staging:\n    account: "1234"\n',
        /environments\.staging\.account: must be a 12-digit/,
      ],
      [
        'account as a number',
        'environments:\n  staging:\n    account: 123456789012\n',
        /environments\.staging\.account/,
      ],
      ['region malformed', 'region: jakarta\n', /region: must look like an AWS region/],
      ['env region malformed', 'environments:\n  dev:\n    region: ap-southeast\n', /environments\.dev\.region/],
      ['unknown top-level key', 'projekt: Piksel\n', /projekt: unknown key/],
      [
        'unknown nested key',
        'environments:\n  dev:\n    acount: "123456789012"\n',
        /environments\.dev\.acount: unknown key/,
      ],
      ['bad env name', 'environments:\n  Staging: {}\n', /environment names are lowercase/],
      [
        'bad bucket',
        'environments:\n  dev:\n    terraform:\n      stateBucket: Bad_Bucket\n',
        /stateBucket: must be a valid S3 bucket/,
      ],
      [
        'a bucket S3 reserves',
        'environments:\n  dev:\n    terraform:\n      stateBucket: xn--piksel-dev\n',
        /environments\.dev\.terraform\.stateBucket: must be a valid S3 bucket name: must not start with xn--/,
      ],
      [
        'negative gpu target',
        'environments:\n  dev:\n    quota:\n      gpuTarget: -1\n',
        /gpuTarget: must be a positive/,
      ],
      ['not YAML', 'environments: [\n', /not valid YAML/],
      // Issue 14: what goes into a trust policy or names a zone has no wildcard and its AWS shape.
      [
        'a repository without an owner',
        'ci:\n  repository: piksel-infra\n',
        /ci\.repository: must be a GitHub repository/,
      ],
      ['a repository with a path', 'ci:\n  repository: a/b/c\n', /ci\.repository: must be a GitHub repository/],
      ['a wildcard repository owner', 'ci:\n  repository: "*/x"\n', /ci\.repository: must be a GitHub repository/],
      ['an owner ending in -', 'ci:\n  repository: piksel-/infra\n', /ci\.repository: must be a GitHub repository/],
      ['a repository named ..', 'ci:\n  repository: piksel-ina/..\n', /ci\.repository: must be a GitHub repository/],
      ['a wildcard branch', 'ci:\n  branch: "release/*"\n', /ci\.branch: must be a git branch name/],
      // A ref, not a branch: the subject would be ref:refs/heads/refs/heads/main, which no workflow presents.
      ['a ref for a branch', 'ci:\n  branch: refs/heads/main\n', /ci\.branch: must be a git branch name .*not a ref/],
      ['a path component starting with .', 'ci:\n  branch: release/.x\n', /ci\.branch: must be a git branch name/],
      ['a branch starting with .', 'ci:\n  branch: .hidden\n', /ci\.branch: must be a git branch name/],
      [
        'a policy name for an ARN',
        'environments:\n  dev:\n    ci:\n      policies: [PowerUserAccess]\n',
        /environments\.dev\.ci\.policies\.0: must be an IAM managed policy ARN/,
      ],
      [
        'no policy listed',
        'environments:\n  dev:\n    ci:\n      policies: []\n',
        /environments\.dev\.ci\.policies: list at least one managed policy ARN/,
      ],
      [
        'a role name too long',
        `environments:\n  dev:\n    ci:\n      role: ${'r'.repeat(65)}\n`,
        /environments\.dev\.ci\.role: must be an IAM role name/,
      ],
      [
        'a zone with a wildcard',
        'environments:\n  dev:\n    dns:\n      zone: "*.example.org"\n',
        /environments\.dev\.dns\.zone: must be a DNS zone name/,
      ],
      [
        'a zone label ending in -',
        'environments:\n  dev:\n    dns:\n      zone: dev-.example.org\n',
        /environments\.dev\.dns\.zone: must be a DNS zone name/,
      ],
      [
        'dns without a zone',
        'environments:\n  dev:\n    dns:\n      parentProfile: hub\n',
        /environments\.dev\.dns\.zone/,
      ],
    ]
    for (const [what, text, message] of bad) {
      it(`rejects ${what} naming file and key`, async () => {
        let error: unknown
        try {
          await parseSettings(text, '/x/piksel.config.yaml')
        } catch (e) {
          error = e
        }
        expect(error).to.be.instanceOf(ConfigError)
        expect((error as ConfigError).exitCode).to.equal(2)
        expect((error as ConfigError).message)
          .to.match(message)
          .and.to.include('/x/piksel.config.yaml')
      })
    }

    it('accepts the account keys: ci, dns; the CI role defaults to <project>-<env>-terraform', async () => {
      const settings = await parseSettings(
        [
          'ci:',
          '  repository: piksel-ina/piksel-infra',
          'environments:',
          '  staging:',
          '    ci:',
          '      policies: [arn:aws:iam::aws:policy/PowerUserAccess, arn:aws:iam::111122223333:policy/team/terraform]',
          '    dns:',
          '      zone: Staging.Piksel.example.org.',
          '      parentProfile: hub-piksel',
          '  dev: {}',
        ].join('\n'),
        'f.yaml',
      )
      expect(settings.environments.staging?.ci).to.deep.equal({
        repository: 'piksel-ina/piksel-infra',
        branch: 'main',
        role: 'piksel-staging-terraform',
        policies: ['arn:aws:iam::aws:policy/PowerUserAccess', 'arn:aws:iam::111122223333:policy/team/terraform'],
      })
      expect(settings.environments.staging?.dns).to.deep.equal({
        zone: 'Staging.Piksel.example.org.',
        parentProfile: 'hub-piksel',
      })
      expect(settings.environments.dev?.dns).to.equal(undefined)
      expect(settings.environments.dev?.ci).to.deep.equal({
        repository: 'piksel-ina/piksel-infra',
        branch: 'main',
        role: 'piksel-dev-terraform',
      })
    })

    it('reports every problem, not only the first', async () => {
      const error = await parseSettings('region: x\nfoo: 1\n', 'f.yaml').catch((e: Error) => e)
      expect((error as Error).message)
        .to.match(/region/)
        .and.to.match(/foo: unknown key/)
    })

    it('accepts a full config and merges it over the defaults', async () => {
      const settings = await parseSettings(
        [
          'project: Piksel',
          'defaultEnv: staging',
          'environments:',
          '  staging:',
          '    account: "111122223333"',
          '    terraform:',
          '      phases:',
          '        - name: platform',
          '          targets: [module.eks]',
          '    quota:',
          '      gpuTarget: 16',
          '  sandbox: {}',
        ].join('\n'),
        'piksel.config.yaml',
      )
      expect(Object.keys(settings.environments)).to.deep.equal(['staging', 'sandbox'])
      expect(settings.environments.staging?.account).to.equal('111122223333')
      expect(settings.environments.staging?.profile).to.equal('staging-piksel')
      expect(settings.environments.staging?.terraform.phases).to.deep.equal([
        {name: 'platform', targets: ['module.eks']},
      ])
      expect(settings.environments.staging?.quota.gpuTarget).to.equal(16)
      expect(settings.environments.sandbox?.cluster).to.equal('piksel-sandbox')
      expect(settings.defaultEnv).to.equal('staging')
    })

    it('treats an empty file as the defaults', async () => {
      const settings = await parseSettings('', 'piksel.config.yaml')
      expect(Object.keys(settings.environments)).to.deep.equal(['dev', 'staging', 'production'])
    })
  })

  describe('discovery', () => {
    it('finds the file in a parent directory, then the user config dir', () => {
      const root = mkdtempSync(join(tmpdir(), 'piksel-cfg-'))
      const nested = join(root, 'a', 'b')
      mkdirSync(nested, {recursive: true})
      const user = join(root, 'user')
      mkdirSync(user)
      writeFileSync(join(user, 'config.yaml'), '')
      expect(findConfigFile({cwd: nested, userConfigDir: user})).to.equal(join(user, 'config.yaml'))
      writeFileSync(join(root, 'a', 'piksel.config.yaml'), '')
      expect(findConfigFile({cwd: nested, userConfigDir: user})).to.equal(join(root, 'a', 'piksel.config.yaml'))
    })

    it('fails with exit 2 when --config names a missing file', () => {
      expect(() => findConfigFile({cwd: '/', explicit: '/nope/piksel.config.yaml'}))
        .to.throw(UsageError, 'Config file not found')
        .with.property('exitCode', 2)
    })
  })
})
