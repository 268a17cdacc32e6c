import {expect} from 'chai'

import {formatDuration} from '../../../src/lib/duration.ts'
import {resolveSettings} from '../../../src/lib/config/environment.ts'
import {awsChildEnv, updateKubeconfigArgs} from '../../../src/lib/bootstrap/aws-cli.ts'
import {
  fluxBootstrapArgs,
  fluxCheckArgs,
  fluxDecision,
  fluxRefusal,
  normalizePath,
  repoSlug,
} from '../../../src/lib/bootstrap/flux.ts'
import {childEnv} from '../../../src/lib/process/run.ts'
import {planFileName, resolvePhases, targetArgs} from '../../../src/lib/bootstrap/phases.ts'
import {type BootstrapResult, isProgressLine, nextSteps, renderSummary} from '../../../src/lib/bootstrap/summary.ts'
import {chooseRenderer} from '../../../src/command-kit/bootstrap-tasks.ts'
import {STEP_IDS} from '../../../src/lib/bootstrap/steps.ts'
import {STAGING_FLUX_BOOTSTRAP_ARGV} from '../../support/bootstrap.ts'

const staging = resolveSettings().environments.staging!

describe('bootstrap pure rules', () => {
  describe('flux bootstrap argv', () => {
    it('is exactly the runbook command, with no token in it', () => {
      expect(fluxBootstrapArgs(staging)).to.deep.equal(STAGING_FLUX_BOOTSTRAP_ARGV)
    })
    it('follows the GitOps settings', () => {
      const args = fluxBootstrapArgs(
        {cluster: 'qa-eks', gitops: {owner: 'me', repository: 'ops', branch: 'dev', path: 'clusters/x'}},
        '/k/config',
      )
      expect(args).to.include.members(['--owner=me', '--repository=ops', '--branch=dev', '--path=clusters/x'])
      expect(args.slice(-2)).to.deep.equal(['--context=qa-eks', '--kubeconfig=/k/config'])
      expect(fluxCheckArgs({cluster: 'qa-eks'})).to.deep.equal(['check', '--pre', '--context=qa-eks'])
    })
    it('children never inherit GITHUB_TOKEN; only the one given it gets it', () => {
      const parent = {PATH: '/bin', GITHUB_TOKEN: 'ghp_x', GH_TOKEN: 'ghp_y', AWS_PROFILE: 'p'}
      expect(childEnv(parent)).to.deep.equal({PATH: '/bin', AWS_PROFILE: 'p'})
      expect(childEnv(parent, {GITHUB_TOKEN: 'ghp_z'})).to.deep.include({GITHUB_TOKEN: 'ghp_z'})
    })
  })

  describe('is flux already bootstrapped?', () => {
    const url = 'ssh://git@github.com/piksel-ina/piksel-gitops'
    const cases: Array<[string, Parameters<typeof fluxDecision>[0], boolean, 'skip' | 'bootstrap' | 'refuse', RegExp]> =
      [
        ['no cluster answer', undefined, false, 'bootstrap', /not installed/],
        ['not installed', {installed: false, ready: false}, false, 'bootstrap', /not installed/],
        [
          'same repo and path, Ready',
          {installed: true, url, branch: 'main', path: './clusters/staging', ready: true},
          false,
          'skip',
          /already syncs piksel-ina\/piksel-gitops/,
        ],
        [
          'same, with .git and https',
          {
            installed: true,
            url: 'https://github.com/Piksel-INA/piksel-gitops.git',
            branch: 'main',
            path: 'clusters/staging/',
            ready: true,
          },
          false,
          'skip',
          /already/,
        ],
        [
          'same but --force-flux',
          {installed: true, url, branch: 'main', path: './clusters/staging', ready: true},
          true,
          'bootstrap',
          /--force-flux/,
        ],
        [
          'same but not Ready',
          {installed: true, url, branch: 'main', path: './clusters/staging', ready: false},
          false,
          'bootstrap',
          /not Ready/,
        ],
        // A flux-system that syncs something else is never re-bootstrapped without --force-flux.
        [
          'another repository',
          {
            installed: true,
            url: 'ssh://git@github.com/other/repo',
            branch: 'main',
            path: './clusters/staging',
            ready: true,
          },
          false,
          'refuse',
          /syncs other\/repo, branch main, path \.\/clusters\/staging/,
        ],
        [
          'another path',
          {installed: true, url, branch: 'main', path: './clusters/dev', ready: true},
          false,
          'refuse',
          /path \.\/clusters\/dev/,
        ],
        [
          'another branch',
          {installed: true, url, branch: 'next', path: './clusters/staging', ready: true},
          false,
          'refuse',
          /branch next/,
        ],
        [
          'another branch, even when not Ready',
          {installed: true, url, branch: 'next', path: './clusters/staging', ready: false},
          false,
          'refuse',
          /branch next/,
        ],
        [
          'a ref without a branch (tag or default master)',
          {installed: true, url, path: './clusters/staging', ready: true},
          false,
          'refuse',
          /branch \(none\)/,
        ],
        [
          'a non-GitHub source',
          {
            installed: true,
            url: 'https://gitlab.com/piksel/gitops',
            branch: 'main',
            path: './clusters/staging',
            ready: true,
          },
          false,
          'refuse',
          /syncs https:\/\/gitlab\.com\/piksel\/gitops/,
        ],
        // The Kustomization flux-system is what syncs: a source other than the GitRepository flux-system
        // (another GitRepository, an OCIRepository) is another sync, whatever GitRepository flux-system says.
        [
          'the Kustomization syncs an OCIRepository',
          {
            installed: true,
            url,
            branch: 'main',
            path: './clusters/staging',
            source: {kind: 'OCIRepository', name: 'flux-system', namespace: 'flux-system'},
            ready: true,
          },
          false,
          'refuse',
          /syncs OCIRepository flux-system\/flux-system, path \.\/clusters\/staging/,
        ],
        [
          'the Kustomization syncs another GitRepository',
          {
            installed: true,
            url,
            branch: 'main',
            path: './clusters/staging',
            source: {kind: 'GitRepository', name: 'platform', namespace: 'flux-system'},
            ready: true,
          },
          false,
          'refuse',
          /syncs GitRepository flux-system\/platform/,
        ],
        [
          'the Kustomization syncs the GitRepository flux-system (namespace left out)',
          {
            installed: true,
            url,
            branch: 'main',
            path: './clusters/staging',
            source: {kind: 'GitRepository', name: 'flux-system'},
            ready: true,
          },
          false,
          'skip',
          /already syncs/,
        ],
        // Half a flux-system still syncs something: never called "not installed".
        [
          'a GitRepository flux-system of another repository without its Kustomization',
          {installed: true, url: 'ssh://git@github.com/piksel-ina/old-gitops', branch: 'main', ready: false},
          false,
          'refuse',
          /syncs piksel-ina\/old-gitops, branch main, path \(none\)/,
        ],
        [
          'a Kustomization flux-system without its GitRepository',
          {
            installed: true,
            path: './clusters/staging',
            source: {kind: 'GitRepository', name: 'flux-system'},
            ready: false,
          },
          false,
          'refuse',
          /syncs an unknown source/,
        ],
        // Another host is another repository, even when its path reads like one on GitHub.
        [
          'the same owner/repo on another host (notgithub.com)',
          {
            installed: true,
            url: 'ssh://git@notgithub.com/piksel-ina/piksel-gitops',
            branch: 'main',
            path: './clusters/staging',
            ready: true,
          },
          false,
          'refuse',
          /syncs ssh:\/\/git@notgithub\.com\/piksel-ina\/piksel-gitops/,
        ],
        [
          'github.com/owner/repo inside another host’s path',
          {
            installed: true,
            url: 'https://gitlab.com/github.com/piksel-ina/piksel-gitops',
            branch: 'main',
            path: './clusters/staging',
            ready: true,
          },
          false,
          'refuse',
          /syncs https:\/\/gitlab\.com\/github\.com\/piksel-ina\/piksel-gitops/,
        ],
        [
          'another repository with --force-flux',
          {
            installed: true,
            url: 'ssh://git@github.com/other/repo',
            branch: 'main',
            path: './clusters/staging',
            ready: true,
          },
          true,
          'bootstrap',
          /syncs other\/repo.*--force-flux given/,
        ],
      ]
    for (const [what, status, force, action, reason] of cases) {
      it(`${what}: ${action}`, () => {
        const decision = fluxDecision(status, staging, force)
        expect(decision.action).to.equal(action)
        expect(decision.reason).to.match(reason)
      })
    }
    it('each decision in full: what it does, why, and what it would change', () => {
      const same = {installed: true, url, branch: 'main', path: './clusters/staging'}
      expect(fluxDecision(undefined, staging, false)).to.deep.equal({
        action: 'bootstrap',
        reason: 'flux-system is not installed',
        changes: [],
      })
      expect(fluxDecision({...same, ready: false}, staging, false)).to.deep.equal({
        action: 'bootstrap',
        reason: 'flux-system syncs this repository but is not Ready',
        changes: [],
      })
      expect(fluxDecision({...same, ready: true}, staging, true)).to.deep.equal({
        action: 'bootstrap',
        reason: 'already bootstrapped and Ready; --force-flux given',
        changes: [],
      })
      expect(fluxDecision({...same, ready: true}, staging, false)).to.deep.equal({
        action: 'skip',
        reason: 'flux-system already syncs piksel-ina/piksel-gitops clusters/staging and is Ready',
      })
    })

    it('a flux-system whose source says nothing (no URL, branch or path) is refused, saying so', () => {
      expect(fluxDecision({installed: true, ready: true}, staging, false)).to.deep.equal({
        action: 'refuse',
        reason: 'flux-system syncs an unknown source, branch (none), path (none)',
        today: 'an unknown source, branch (none), path (none)',
        changes: [
          'repository (unknown) → piksel-ina/piksel-gitops',
          'branch (none) → main',
          'path (none) → clusters/staging',
        ],
      })
      const gitlab = fluxDecision({installed: true, url: 'https://gitlab.com/a/b', ready: true}, staging, false)
      expect(gitlab).to.deep.include({today: 'https://gitlab.com/a/b, branch (none), path (none)'})
      expect((gitlab as {changes: string[]}).changes[0]).to.equal(
        'repository https://gitlab.com/a/b → piksel-ina/piksel-gitops',
      )
    })

    it('says what bootstrap would change, field by field', () => {
      const decision = fluxDecision(
        {
          installed: true,
          url: 'ssh://git@github.com/piksel-ina/old-gitops',
          branch: 'dev',
          path: './clusters/x',
          ready: true,
        },
        staging,
        false,
      )
      expect(decision).to.deep.equal({
        action: 'refuse',
        reason: 'flux-system syncs piksel-ina/old-gitops, branch dev, path ./clusters/x',
        today: 'piksel-ina/old-gitops, branch dev, path ./clusters/x',
        changes: [
          'repository piksel-ina/old-gitops → piksel-ina/piksel-gitops',
          'branch dev → main',
          'path ./clusters/x → clusters/staging',
        ],
      })
      const error = fluxRefusal(staging, decision as Extract<typeof decision, {action: 'refuse'}>)
      expect(error.exitCode).to.equal(2)
      expect(error.code).to.equal('FLUX_SYNCS_ELSEWHERE')
      expect(error.message).to.equal(
        'flux-system on piksel-staging already syncs piksel-ina/old-gitops, branch dev, path ./clusters/x; bootstrap would change repository piksel-ina/old-gitops → piksel-ina/piksel-gitops, branch dev → main, path ./clusters/x → clusters/staging. Nothing was bootstrapped.',
      )
      expect(error.hint).to.equal(
        'If repointing the cluster is intended, re-run with --force-flux (flux bootstrap then syncs piksel-ina/piksel-gitops, branch main, path clusters/staging); otherwise check --gitops-owner, --gitops-repository, --gitops-branch, --gitops-path and the config.',
      )
    })

    it('reads owner/repo from the URL forms flux writes', () => {
      expect(repoSlug('ssh://git@github.com/piksel-ina/piksel-gitops')).to.equal('piksel-ina/piksel-gitops')
      expect(repoSlug('git@github.com:piksel-ina/piksel-gitops.git')).to.equal('piksel-ina/piksel-gitops')
      expect(repoSlug('https://gitlab.com/a/b')).to.equal(undefined)
      expect(repoSlug('ssh://git@github.com:22/piksel-ina/piksel-gitops.git')).to.equal('piksel-ina/piksel-gitops')
      expect(repoSlug('https://x-access-token@github.com/piksel-ina/piksel-gitops/')).to.equal(
        'piksel-ina/piksel-gitops',
      )
      expect(repoSlug('ssh://git@notgithub.com/piksel-ina/piksel-gitops')).to.equal(undefined)
      expect(repoSlug('https://github.com.example.net/piksel-ina/piksel-gitops')).to.equal(undefined)
      expect(repoSlug('https://gitlab.com/github.com/piksel-ina/piksel-gitops')).to.equal(undefined)
      expect(repoSlug('git@gitlab.com:github.com/piksel-ina/piksel-gitops')).to.equal(undefined)
      expect(repoSlug('https://github.com/piksel-ina/piksel-gitops/tree/main')).to.equal(undefined)
      expect(repoSlug(' https://github.com/piksel-ina/piksel-gitops/ \n')).to.equal('piksel-ina/piksel-gitops')
      expect(normalizePath('./clusters/staging/')).to.equal('clusters/staging')
      expect(normalizePath(' ./clusters/staging// ')).to.equal('clusters/staging')
      expect(normalizePath('clusters/staging')).to.equal('clusters/staging')
    })
  })

  describe('terraform phases', () => {
    const cases: Array<[string, Array<{name: string; targets: string[]}> | undefined, string[], string[]]> = [
      ['none: one apply of everything', undefined, ['all'], []],
      ['empty list: one apply', [], ['all'], []],
      ['one phase: infrastructure only', [{name: 'platform', targets: ['module.vpc']}], ['platform'], []],
      [
        'two phases: the last is applications',
        [
          {name: 'platform', targets: ['module.vpc', 'module.eks']},
          {name: 'apps', targets: []},
        ],
        ['platform'],
        ['apps'],
      ],
      [
        'three phases',
        [
          {name: 'network', targets: ['module.vpc']},
          {name: 'cluster', targets: ['module.eks']},
          {name: 'apps', targets: []},
        ],
        ['network', 'cluster'],
        ['apps'],
      ],
    ]
    for (const [what, phases, infra, apps] of cases) {
      it(what, () => {
        const plan = resolvePhases(phases)
        expect(plan.infrastructure.map((p) => p.name)).to.deep.equal(infra)
        expect(plan.applications.map((p) => p.name)).to.deep.equal(apps)
      })
    }
    it('turns targets into -target arguments and names plan files safely', () => {
      expect(targetArgs({name: 'p', targets: ['module.vpc', 'module.eks["a"]']})).to.deep.equal([
        '-target=module.vpc',
        '-target=module.eks["a"]',
      ])
      expect(targetArgs({name: 'all', targets: []})).to.deep.equal([])
      expect(planFileName({name: 'phase 1/eks', targets: []})).to.equal('piksel-phase_1_eks.tfplan')
    })
  })

  describe('aws CLI', () => {
    it('builds the argv and the child environment', () => {
      expect(updateKubeconfigArgs('piksel-staging', 'ap-southeast-3')).to.deep.equal([
        'eks',
        'update-kubeconfig',
        '--name',
        'piksel-staging',
        '--alias',
        'piksel-staging',
        '--region',
        'ap-southeast-3',
      ])
      expect(updateKubeconfigArgs('c', 'r', '/k').slice(-2)).to.deep.equal(['--kubeconfig', '/k'])
      expect(awsChildEnv({profile: 'staging-piksel', region: 'ap-southeast-3'})).to.include({
        AWS_PROFILE: 'staging-piksel',
        AWS_REGION: 'ap-southeast-3',
      })
      expect(awsChildEnv({region: 'r'})).not.to.have.property('AWS_PROFILE')
    })
  })

  describe('output and summary', () => {
    const lines: Array<[string, boolean]> = [
      ['terraform_data.a: Creating...', true],
      ['terraform_data.a: Creation complete after 0s [id=1]', true],
      ['module.eks.aws_eks_cluster.this: Still creating... [10s elapsed]', true],
      ['Plan: 1 to add, 0 to change, 0 to destroy.', true],
      ['Apply complete! Resources: 1 added, 0 changed, 0 destroyed.', true],
      ['│ Error: Invalid reference', true],
      ['plan all: 1 to add, 0 to change, 0 to destroy', true],
      ['  + terraform_data.a', true],
      ['  -/+ terraform_data.a', true],
      ['  -> terraform_data.vpc2 (moved from terraform_data.vpc)', true],
      ['  . terraform_data.eks (forget: kept, no longer managed)', true],
      ['  <- module.x.terraform_data.y["a"] (import)', true],
      ['  . resource "terraform_data" "eks" {', false],
      ['  # terraform_data.vpc has moved to terraform_data.vpc2', false],
      ['  + create', false],
      ['  + resource "terraform_data" "a" {', false],
      ['  + label = (known after apply)', false],
      ['Initializing the backend...', false],
      ['  # terraform_data.a will be created', false],
      ['      + input = "x"', false],
      ['', false],
    ]
    for (const [line, shown] of lines) {
      it(`${shown ? 'shows' : 'hides'} ${JSON.stringify(line)} without --verbose`, () =>
        expect(isProgressLine(line)).to.equal(shown))
    }

    const durations: Array<[number, string]> = [
      [12, '12ms'],
      [1500, '1.5s'],
      [61_000, '1m1s'],
      [3_599_000, '59m59s'],
    ]
    for (const [ms, text] of durations) it(`${ms} ms is ${text}`, () => expect(formatDuration(ms)).to.equal(text))

    it('names next steps for success, dry run and failure', () => {
      const base = {env: 'staging', dryRun: false, steps: []}
      expect(nextSteps(base, 'piksel-staging')).to.deep.equal([
        'piksel status -e staging    # Flux and workloads, any time',
        'kubectl config use-context piksel-staging',
        'flux get kustomizations -A --context piksel-staging',
      ])
      expect(nextSteps({...base, dryRun: true}, 'piksel-staging')).to.deep.equal([
        'Nothing was applied. To apply what was planned: piksel bootstrap -e staging',
      ])
      expect(nextSteps(base, 'piksel-staging', 'flux')).to.deep.equal([
        'Fix the problem above, then resume: piksel bootstrap -e staging --from flux',
      ])
    })

    it('every next step repeats the flags its command takes, so it works when pasted', () => {
      const base = {env: 'staging', dryRun: false, steps: []}
      const flags = {
        'infra-dir': '../piksel infra',
        kubeconfig: '/k/cfg',
        config: 'ops/piksel.yaml',
        'gitops-branch': 'dev',
      }
      expect(nextSteps(base, 'piksel-staging', undefined, undefined, flags)).to.deep.equal([
        'piksel status -e staging --config ops/piksel.yaml --kubeconfig /k/cfg    # Flux and workloads, any time',
        'kubectl config use-context piksel-staging --kubeconfig /k/cfg',
        'flux get kustomizations -A --context piksel-staging --kubeconfig /k/cfg',
      ])
      expect(nextSteps({...base, dryRun: true}, 'piksel-staging', undefined, undefined, flags)).to.deep.equal([
        "Nothing was applied. To apply what was planned: piksel bootstrap -e staging --config ops/piksel.yaml --infra-dir '../piksel infra' --kubeconfig /k/cfg --gitops-branch dev",
      ])
      expect(nextSteps(base, 'piksel-staging', 'flux', ['identity', 'flux', 'health'], flags)).to.deep.equal([
        "Fix the problem above, then resume: piksel bootstrap -e staging --from flux --skip applications --config ops/piksel.yaml --infra-dir '../piksel infra' --kubeconfig /k/cfg --gitops-branch dev",
      ])
    })

    it('a dry run’s lines do what they say when pasted: resume stays a dry run, "to apply" keeps its selection and the flags that shaped the plan', () => {
      const dry = {env: 'staging', dryRun: true, steps: []}
      // Resuming a dry run must not apply anything.
      expect(nextSteps(dry, 'piksel-staging', 'state-backend', [...STEP_IDS], {'infra-dir': 'infra'})).to.deep.equal([
        'Fix the problem above, then resume: piksel bootstrap -e staging --from state-backend --infra-dir infra --dry-run',
      ])
      // What was planned: only these steps, with --force-flux (the flux step planned a bootstrap because of it).
      expect(
        nextSteps(
          dry,
          'piksel-staging',
          undefined,
          ['identity', 'kubeconfig', 'flux'],
          {'infra-dir': 'infra'},
          {
            forceFlux: true,
            allowDestroy: true,
            requestQuotas: false,
          },
        ),
      ).to.deep.equal([
        'Nothing was applied. To apply what was planned: piksel bootstrap -e staging --from kubeconfig --skip applications,health --infra-dir infra --force-flux --allow-destroy',
      ])
      expect(
        nextSteps(dry, 'piksel-staging', undefined, ['preflight', 'identity', 'quota'], {}, {requestQuotas: true}),
      ).to.deep.equal([
        'Nothing was applied. To apply what was planned: piksel bootstrap -e staging --skip oidc,spot-role,dns,state-backend,secrets,infrastructure,kubeconfig,flux,applications,health --request-quotas',
      ])
      expect(nextSteps(dry, 'piksel-staging', undefined, [...STEP_IDS])).to.deep.equal([
        'Nothing was applied. To apply what was planned: piksel bootstrap -e staging',
      ])
    })

    it('renders the final summary with durations', () => {
      const result: BootstrapResult = {
        env: 'staging',
        account: '123456789012',
        dryRun: false,
        changed: false,
        converged: true,
        steps: [
          {id: 'identity', status: 'done', durationMs: 40, detail: 'account 123456789012 is staging'},
          {id: 'infrastructure', status: 'already-done', durationMs: 2500, detail: 'no changes'},
        ],
        nextSteps: ['piksel status -e staging'],
      }
      const text = renderSummary(result)
      expect(text).to.match(/identity\s+done\s+40ms\s+account 123456789012 is staging/)
      expect(text).to.match(/infrastructure\s+already-done\s+2\.5s/)
      expect(text).to.include('Nothing to change: every step was already done')
      expect(text).to.include('Next:\n  piksel status -e staging')
      expect(renderSummary({...result, changed: true})).to.match(/\nDone in 2\.5s\./)
      const failed = renderSummary({...result, steps: [{...result.steps[0]!, status: 'failed'}]})
      expect(failed).to.include('Stopped at identity after 40ms.')
      expect(renderSummary({...result, dryRun: true})).to.include('nothing was applied or bootstrapped')
    })

    it('says "Nothing to change" only when an untargeted plan was empty (or no Terraform step ran)', () => {
      const result: BootstrapResult = {
        env: 'staging',
        account: null,
        dryRun: false,
        changed: false,
        converged: false,
        steps: [
          {id: 'infrastructure', status: 'already-done', durationMs: 1000, detail: 'no changes in phase platform'},
        ],
        nextSteps: [],
      }
      const targeted = renderSummary(result)
      expect(targeted).not.to.include('Nothing to change')
      expect(targeted).to.include('the rest of the configuration was not planned')
      expect(renderSummary({...result, converged: true})).to.include('Nothing to change: every step was already done')
      expect(renderSummary({...result, converged: null})).to.include('Nothing to change: every step was already done')
      expect(renderSummary({...result, changed: true})).to.match(/\nDone in 1s\./)
    })

    it('picks the live renderer on a TTY only', () => {
      expect(chooseRenderer(true, false)).to.equal('default')
      expect(chooseRenderer(false, false)).to.equal('simple')
      expect(chooseRenderer(false, true)).to.equal('verbose')
    })
  })
})
