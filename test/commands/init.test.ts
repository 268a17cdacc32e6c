import {expect} from 'chai'
import {cpSync, existsSync, mkdirSync, mkdtempSync, readFileSync, readdirSync, writeFileSync} from 'node:fs'
import {tmpdir} from 'node:os'
import {join} from 'node:path'

import {isolatedEnv, runPiksel} from '../support/cli.ts'

interface InitJson {
  env: string
  dryRun: boolean
  account: string | null
  configFile: string
  written: Array<{path: string; kind: string}>
  skipped: Array<{path: string; kind: string; reason: string}>
  skippedObjects: Array<{kind: string; namespace: string | null; name: string; path: string; existing: string}>
}

/** The public piksel-gitops repository (a few real files of it). */
const PIKSEL_GITOPS = '/work/shared/reference/piksel-gitops'

function tree(dir: string): string[] {
  if (!existsSync(dir)) return []
  return readdirSync(dir, {recursive: true, withFileTypes: true})
    .filter((e) => e.isFile())
    .map((e) => join(e.parentPath, e.name).slice(dir.length + 1))
    .sort()
}

describe('piksel init (binary)', () => {
  let work: string
  beforeEach(() => {
    work = mkdtempSync(join(tmpdir(), 'piksel-init-'))
  })
  const init = (args: string[], extra: Record<string, string> = {}) =>
    runPiksel(['init', ...args], {cwd: work, env: isolatedEnv(extra)})

  const expected = [
    'gitops/apps/staging/kustomization.yaml',
    'gitops/clusters/staging/apps.yaml',
    'gitops/clusters/staging/infrastructure.yaml',
    'gitops/clusters/staging/notifications.yaml',
    'gitops/infrastructure/staging/configs/kustomization.yaml',
    'gitops/infrastructure/staging/controllers/kustomization.yaml',
    'infra/bootstrap/staging/main.tf',
    'infra/bootstrap/staging/outputs.tf',
    'infra/bootstrap/staging/terraform.tfvars',
    'infra/bootstrap/staging/variables.tf',
    'infra/bootstrap/staging/versions.tf',
    'infra/staging/backend.tf',
    'piksel.config.yaml',
  ]

  it('writes what the environment lacks and lists it; a second run overwrites nothing', async () => {
    const r = await init([
      '-e',
      'staging',
      '--infra-dir',
      'infra',
      '--gitops-dir',
      'gitops',
      '--account',
      '123456789012',
      '--json',
    ])
    expect(r.exitCode, r.stderr).to.equal(0)
    const result = r.json<InitJson>()
    expect(result).to.deep.include({env: 'staging', dryRun: false, account: '123456789012'})
    expect(result.written.map((f) => f.path.slice(work.length + 1)).sort()).to.deep.equal(expected)
    expect(result.skipped).to.deep.equal([])
    expect(tree(work)).to.deep.equal(expected)
    expect(readFileSync(join(work, 'piksel.config.yaml'), 'utf8')).to.include('account: "123456789012"')

    const mine = join(work, 'gitops/clusters/staging/apps.yaml')
    writeFileSync(mine, '# edited by hand\n')
    const again = await init(['-e', 'staging', '--infra-dir', 'infra', '--gitops-dir', 'gitops'])
    expect(again.exitCode, again.stderr).to.equal(0)
    expect(again.stdout).to.include('0 written, 13 skipped')
    expect(again.stdout).to.include('skipped gitops/clusters/staging/apps.yaml: exists (never overwritten)')
    expect(readFileSync(mine, 'utf8')).to.equal('# edited by hand\n')
  })

  it('--dry-run lists what it would write and writes nothing', async () => {
    const r = await init(['-e', 'dev', '--dry-run'])
    expect(r.exitCode, r.stderr).to.equal(0)
    expect(r.stdout).to.include('would write  dev/backend.tf')
    expect(r.stdout).to.include('would write  clusters/dev/notifications.yaml')
    expect(r.stdout).to.include('Dry run: nothing was written (13 file(s) would be).')
    expect(tree(work)).to.deep.equal([])
  })

  it('without a TTY and no account: defaults, the account left out, the guard said to be off', async () => {
    const r = await init(['-e', 'dev'])
    expect(r.exitCode, r.stderr).to.equal(0)
    const config = readFileSync(join(work, 'piksel.config.yaml'), 'utf8')
    expect(config).to.include('# account: "123456789012"').and.to.include('guard is OFF')
    expect(config).to.match(/profile: dev-piksel\n\s+region: ap-southeast-3\n\s+cluster: piksel-dev/)
    expect(r.stdout).to.include('the account guard is off until environments.dev.account is set')
    const check = await runPiksel(['config', 'show', '-e', 'dev', '--json'], {cwd: work, env: isolatedEnv()})
    expect(check.exitCode, check.stderr).to.equal(0)
  })

  it('flags answer every prompt', async () => {
    const r = await init([
      '-e',
      'qa',
      '--profile',
      'qa-admin',
      '--region',
      'ap-southeast-1',
      '--cluster',
      'qa-eks',
      '--state-bucket',
      'qa-state',
      '--gitops-owner',
      'me',
      '--gitops-repository',
      'ops',
      '--gitops-branch',
      'trunk',
      '--json',
    ])
    expect(r.exitCode, r.stderr).to.equal(0)
    const config = readFileSync(join(work, 'piksel.config.yaml'), 'utf8')
    for (const line of [
      'profile: qa-admin',
      'region: ap-southeast-1',
      'cluster: qa-eks',
      'stateBucket: qa-state',
      'owner: me',
      'repository: ops',
      'branch: trunk',
    ]) {
      expect(config).to.include(line)
    }
    expect(readFileSync(join(work, 'qa/backend.tf'), 'utf8')).to.include('bucket       = "qa-state"')
  })

  it('does not add a backend.tf next to a backend already declared', async () => {
    mkdirSync(join(work, 'staging'))
    writeFileSync(join(work, 'staging', 'main.tf'), 'terraform {\n  backend "s3" {}\n}\n')
    const r = await init(['-e', 'staging', '--json'])
    expect(r.exitCode, r.stderr).to.equal(0)
    expect(r.json<InitJson>().skipped).to.deep.equal([
      {
        path: join(work, 'staging', 'backend.tf'),
        kind: 'terraform',
        reason:
          'backend "s3" is already declared in main.tf (bucket piksel-staging-tfstate, key staging/terraform.tfstate, region ap-southeast-3): kept, and written into the config',
      },
    ])
    expect(existsSync(join(work, 'staging', 'backend.tf'))).to.equal(false)
  })

  const bad: Array<[string, string[], RegExp]> = [
    ['a bad environment name', ['-e', 'Staging'], /environment names are lowercase/],
    ['a bad account id', ['-e', 'dev', '--account', '12345'], /12-digit/],
    ['no environment and no terminal', [], /Missing input: Environment name.* Pass -e <env>\./],
    // The config loader's rules, applied before anything is written.
    [
      'a region that is not one',
      ['-e', 'staging', '--region', 'mars-1'],
      /^--region "mars-1": must look like an AWS region/,
    ],
    ['an upper-case region', ['-e', 'staging', '--region', 'AP-SOUTHEAST-3'], /--region .*AWS region/],
    [
      'a cluster name EKS refuses',
      ['-e', 'staging', '--cluster', 'piksel staging'],
      /^--cluster "piksel staging": must be an EKS cluster name/,
    ],
    [
      'a bucket name S3 refuses',
      ['-e', 'staging', '--state-bucket', 'Piksel_State'],
      /^--state-bucket "Piksel_State": must be a valid S3 bucket name/,
    ],
    ['a too-short bucket name', ['-e', 'staging', '--state-bucket', 'ab'], /--state-bucket "ab"/],
    [
      'a bucket name with two adjacent periods',
      ['-e', 'staging', '--state-bucket', 'piksel..tfstate'],
      /--state-bucket "piksel\.\.tfstate": must be a valid S3 bucket name: no two adjacent periods/,
    ],
    ['a bucket name like an IP address', ['-e', 'staging', '--state-bucket', '10.0.0.1'], /not an IP address/],
    [
      'a bucket name with a reserved suffix',
      ['-e', 'staging', '--state-bucket', 'piksel-tfstate-s3alias'],
      /must not end with -s3alias/,
    ],
    [
      'two bad values at once',
      ['-e', 'dev', '--account', '12', '--cluster', '_x'],
      /--account "12": .*; --cluster "_x": /,
    ],
    ['an empty --infra-dir', ['-e', 'dev', '--infra-dir', ''], /^--infra-dir: an empty value/],
    ['an empty --gitops-dir', ['-e', 'dev', '--gitops-dir', ''], /^--gitops-dir: an empty value/],
    ['an empty --profile', ['-e', 'dev', '--profile', ''], /^--profile: an empty value/],
  ]
  for (const [what, args, message] of bad) {
    it(`${what}: exit 2 and nothing written`, async () => {
      const r = await init([...args, '--json'])
      expect(r.exitCode, r.stderr).to.equal(2)
      const {error} = r.json<{error: {message: string; hint: string}}>()
      expect(`${error.message} ${error.hint}`).to.match(message)
      expect(tree(work)).to.deep.equal([])
    })
  }

  describe('an existing config is never changed, so it must already say what init writes', () => {
    it('it does not define the environment: exit 2 naming it, nothing written (bootstrap -e would not find it)', async () => {
      writeFileSync(join(work, 'piksel.config.yaml'), 'environments:\n  dev:\n    account: "123456789012"\n')
      const r = await init(['-e', 'qa', '--infra-dir', 'infra', '--gitops-dir', 'gitops', '--json'])
      expect(r.exitCode, r.stderr).to.equal(2)
      const {error} = r.json<{error: {code: string; message: string; hint: string}}>()
      expect(error.code).to.equal('CONFIG_LACKS_ENV')
      expect(error.message).to.equal(
        `${join(work, 'piksel.config.yaml')} exists and does not define environment qa (known: dev); init never changes an existing file. Nothing was written.`,
      )
      expect(error.hint).to.include('environments:').and.to.include('qa:')
      expect(tree(work)).to.deep.equal(['piksel.config.yaml'])
    })

    const contradictions: Array<[string, string, string[], RegExp]> = [
      [
        'an account the config does not set (the guard would stay off)',
        'environments:\n  staging: {}\n',
        ['--account', '123456789012'],
        /--account "123456789012" \(the config has none\)/,
      ],
      [
        'another account',
        'environments:\n  staging:\n    account: "210987654321"\n',
        ['--account', '123456789012'],
        /--account "123456789012" \(the config has "210987654321"\)/,
      ],
      [
        'another region (backend.tf would name a region the config does not)',
        'environments:\n  staging: {}\n',
        ['--region', 'us-west-2'],
        /--region "us-west-2" \(the config has "ap-southeast-3"\)/,
      ],
      [
        'another cluster and bucket, with a config that lists no environments',
        'region: ap-southeast-3\n',
        ['--cluster', 'eks-staging', '--state-bucket', 'team-staging-tfstate'],
        /--cluster "eks-staging" \(the config has "piksel-staging"\); --state-bucket "team-staging-tfstate" \(the config has "piksel-staging-tfstate"\)/,
      ],
    ]
    for (const [what, config, args, message] of contradictions) {
      it(`a flag that contradicts it, ${what}: exit 2, nothing written`, async () => {
        writeFileSync(join(work, 'piksel.config.yaml'), config)
        const r = await init(['-e', 'staging', ...args, '--json'])
        expect(r.exitCode, r.stderr).to.equal(2)
        const {error} = r.json<{error: {code: string; message: string; hint: string}}>()
        expect(error.code).to.equal('CONFIG_CONFLICT')
        expect(error.message).to.match(message)
        expect(error.hint).to.include('environments.staging')
        expect(tree(work)).to.deep.equal(['piksel.config.yaml'])
      })
    }

    it('flags that say what the config says: written as usual, and the Next: line works', async () => {
      writeFileSync(join(work, 'piksel.config.yaml'), 'environments:\n  staging:\n    account: "123456789012"\n')
      const r = await init(['-e', 'staging', '--account', '123456789012', '--region', 'ap-southeast-3', '--json'])
      expect(r.exitCode, r.stderr).to.equal(0)
      expect(r.json<InitJson>().account).to.equal('123456789012')
      expect(tree(work)).to.include('staging/backend.tf')
    })
  })

  describe('region and profile come from init itself, never from the shell', () => {
    const shell = {AWS_REGION: 'eu-west-1', AWS_DEFAULT_REGION: 'eu-west-1', AWS_PROFILE: 'someone-elses-admin'}

    it('an exported AWS_REGION/AWS_PROFILE is not written', async () => {
      const r = await init(['-e', 'staging'], shell)
      expect(r.exitCode, r.stderr).to.equal(0)
      const config = readFileSync(join(work, 'piksel.config.yaml'), 'utf8')
      expect(config).to.match(/profile: staging-piksel\n\s+region: ap-southeast-3\n/)
      expect(config).not.to.include('eu-west-1').and.not.to.include('someone-elses-admin')
      expect(readFileSync(join(work, 'staging', 'backend.tf'), 'utf8')).to.include('region       = "ap-southeast-3"')
    })

    it('the flags win over the shell', async () => {
      const r = await init(['-e', 'qa', '--region', 'ap-southeast-1', '--profile', 'qa-admin'], shell)
      expect(r.exitCode, r.stderr).to.equal(0)
      expect(readFileSync(join(work, 'piksel.config.yaml'), 'utf8')).to.match(
        /profile: qa-admin\n\s+region: ap-southeast-1\n/,
      )
    })

    it('the region of an existing config is kept, not the shell’s', async () => {
      writeFileSync(join(work, 'ops.yaml'), 'region: ap-southeast-1\nenvironments:\n  dev: {}\n')
      const r = await init(['-e', 'dev', '--config', 'ops.yaml', '--json'], shell)
      expect(r.exitCode, r.stderr).to.equal(0)
      expect(readFileSync(join(work, 'dev', 'backend.tf'), 'utf8')).to.include('region       = "ap-southeast-1"')
    })
  })

  describe('the real piksel-gitops repository', () => {
    let gitops: string
    beforeEach(() => {
      gitops = join(work, 'gitops')
      cpSync(PIKSEL_GITOPS, gitops, {recursive: true})
    })

    it('flux-system/infra-configs already in clusters/staging/infrastructures.yaml: not written twice, and said where', async () => {
      const r = await init(['-e', 'staging', '--gitops-dir', 'gitops', '--infra-dir', 'infra', '--json'])
      expect(r.exitCode, r.stderr).to.equal(0)
      const result = r.json<InitJson>()
      expect(result.skippedObjects).to.deep.equal([
        {
          kind: 'Kustomization',
          namespace: 'flux-system',
          name: 'infra-configs',
          path: join(gitops, 'clusters', 'staging', 'infrastructure.yaml'),
          existing: join(gitops, 'clusters', 'staging', 'infrastructures.yaml'),
        },
      ])
      const written = readFileSync(join(gitops, 'clusters', 'staging', 'infrastructure.yaml'), 'utf8')
      expect(written).to.include('name: infra-controllers').and.not.to.include('name: infra-configs')
      // Exactly one infra-configs Kustomization in the repository.
      const all = tree(gitops)
        .filter((f) => /\.ya?ml$/.test(f))
        .map((f) => readFileSync(join(gitops, f), 'utf8'))
        .join('\n---\n')
      expect(all.match(/^\s*name: infra-configs$/gm)).to.have.length(1)

      const human = await init(['-e', 'staging', '--gitops-dir', 'gitops', '--infra-dir', 'infra2', '--dry-run'])
      expect(human.stdout).to.include('skipped gitops/clusters/staging/infrastructure.yaml: exists (never overwritten)')
    })

    it('the text output names the object and where it already is', async () => {
      const r = await init(['-e', 'staging', '--gitops-dir', 'gitops', '--dry-run'])
      expect(r.exitCode, r.stderr).to.equal(0)
      expect(r.stdout).to.include(
        'skipped Kustomization flux-system/infra-configs of gitops/clusters/staging/infrastructure.yaml: already defined in gitops/clusters/staging/infrastructures.yaml',
      )
      expect(tree(gitops)).not.to.include('clusters/staging/infrastructure.yaml')
    })

    it('dev: Provider flux-system/slack-dev is already in infrastructure/staging/configs/notifications.yaml (found by content)', async () => {
      const r = await init(['-e', 'dev', '--gitops-dir', 'gitops', '--json'])
      expect(r.exitCode, r.stderr).to.equal(0)
      const result = r.json<InitJson>()
      expect(result.skippedObjects.map((o) => [o.kind, o.name, o.existing.slice(gitops.length + 1)])).to.deep.equal([
        ['Provider', 'slack-dev', 'infrastructure/staging/configs/notifications.yaml'],
      ])
      const notifications = readFileSync(join(gitops, 'clusters', 'dev', 'notifications.yaml'), 'utf8')
      expect(notifications).to.include('kind: Alert').and.not.to.include('kind: Provider')
    })

    it('every object of a file already defined elsewhere: the file is skipped, naming where', async () => {
      mkdirSync(join(gitops, 'legacy', 'deep'), {recursive: true})
      writeFileSync(
        join(gitops, 'legacy', 'deep', 'everything.yml'),
        [
          'apiVersion: kustomize.toolkit.fluxcd.io/v1beta2',
          'kind: Kustomization',
          'metadata: {name: apps, namespace: flux-system}',
          'spec: {interval: 5m, path: ./apps, prune: true, sourceRef: {kind: GitRepository, name: flux-system}}',
          '',
        ].join('\n'),
      )
      const r = await init(['-e', 'dev', '--gitops-dir', 'gitops', '--json'])
      expect(r.exitCode, r.stderr).to.equal(0)
      const result = r.json<InitJson>()
      expect(result.skipped).to.deep.include({
        path: join(gitops, 'clusters', 'dev', 'apps.yaml'),
        kind: 'gitops',
        reason: 'every object in it is already defined (legacy/deep/everything.yml)',
      })
      expect(existsSync(join(gitops, 'clusters', 'dev', 'apps.yaml'))).to.equal(false)
    })

    it('the same name in another namespace or of another kind is a different object: written', async () => {
      writeFileSync(
        join(gitops, 'others.yaml'),
        [
          'apiVersion: kustomize.toolkit.fluxcd.io/v1',
          'kind: Kustomization',
          'metadata: {name: apps, namespace: team-a}',
          '---',
          'apiVersion: helm.toolkit.fluxcd.io/v2',
          'kind: HelmRelease',
          'metadata: {name: infra-controllers, namespace: flux-system}',
          '',
        ].join('\n'),
      )
      const r = await init(['-e', 'dev', '--gitops-dir', 'gitops', '--json'])
      expect(r.exitCode, r.stderr).to.equal(0)
      const result = r.json<InitJson>()
      expect(result.skippedObjects.map((o) => o.name)).to.deep.equal(['slack-dev'])
      expect(readFileSync(join(gitops, 'clusters', 'dev', 'apps.yaml'), 'utf8')).to.include('name: apps')
      expect(readFileSync(join(gitops, 'clusters', 'dev', 'infrastructure.yaml'), 'utf8')).to.include(
        'name: infra-controllers',
      )
    })
  })

  it('another environment’s cluster directory is its own: staging’s infra-configs does not stop dev’s', async () => {
    const gitops = join(work, 'gitops')
    cpSync(PIKSEL_GITOPS, gitops, {recursive: true})
    const r = await init(['-e', 'dev', '--gitops-dir', 'gitops', '--json'])
    expect(r.exitCode, r.stderr).to.equal(0)
    expect(r.json<InitJson>().skippedObjects.map((o) => o.name)).not.to.include('infra-configs')
    expect(readFileSync(join(gitops, 'clusters', 'dev', 'infrastructure.yaml'), 'utf8')).to.include(
      'name: infra-configs',
    )
  })

  describe('the Next: line repeats the flags the run needed', () => {
    const cases: Array<[string, string[], string]> = [
      [
        '--infra-dir',
        ['--infra-dir', 'infra', '--gitops-dir', 'gitops'],
        'Next: piksel bootstrap -e staging --infra-dir infra --dry-run',
      ],
      [
        '--config and --infra-dir',
        ['--infra-dir', '../piksel infra', '--config', 'ops/piksel.yaml'],
        "Next: piksel bootstrap -e staging --config ops/piksel.yaml --infra-dir '../piksel infra' --dry-run",
      ],
      ['defaults: nothing to repeat', [], 'Next: piksel bootstrap -e staging --dry-run'],
    ]
    for (const [what, args, next] of cases) {
      it(what, async () => {
        mkdirSync(join(work, 'ops'))
        const r = await init(['-e', 'staging', ...args])
        expect(r.exitCode, r.stderr).to.equal(0)
        expect(r.stdout.split('\n')).to.include(next)
      })
    }
  })
})
