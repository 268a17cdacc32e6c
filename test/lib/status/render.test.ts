import {expect} from 'chai'

import {assessAll} from '../../../src/lib/status/across.ts'
import type {FluxObject, ObjectHealth} from '../../../src/lib/status/health.ts'
import {countObjects, verdict} from '../../../src/lib/status/verdict.ts'
import {resolveKinds} from '../../../src/lib/status/kinds.ts'
import {
  MESSAGE_LINES,
  describeObject,
  explain,
  fitText,
  progressLine,
  renderPlan,
  renderStatus,
  renderVerdict,
  shortRevision,
  stillNotReady,
  wrapTokens,
} from '../../../src/lib/status/render.ts'
import type {StatusResult} from '../../../src/lib/status/judge.ts'
import {readFixture} from '../../support/kube-standin.ts'

function result(fixture: string): StatusResult {
  const objects = readFixture(fixture).filter((o) => o.apiVersion.includes('toolkit')) as unknown as FluxObject[]
  const assessed = assessAll(objects)
  const counts = countObjects(assessed)
  const v = verdict(counts)
  return {
    verdict: v.healthy ? 'healthy' : 'unhealthy',
    summary: v.line,
    context: 'piksel-staging',
    server: 'https://example.eks.amazonaws.com',
    fluxNamespace: 'flux-system',
    counts,
    controllers: [],
    objects: assessed,
  }
}

describe('stillNotReady: what --wait gave up on, counted as the verdict counts it', () => {
  const obj = (health: ObjectHealth['health'], name: string) => ({...result('healthy.yaml').objects[0]!, health, name})
  const workload = (name: string, health: 'failed' | 'progressing' | 'unknown') => ({
    kind: 'Deployment',
    namespace: 'apps',
    name,
    health,
    message: '',
    kustomization: 'flux-system/apps',
  })
  const controller = (name: string, ready: boolean, missing = false) => ({
    name,
    namespace: 'flux-system',
    ready,
    missing,
    replicas: 1,
    available: ready ? 1 : 0,
    images: [],
    version: null,
    message: '',
  })
  const dependency = (name: string) => ({
    kind: 'GitRepository',
    namespace: 'flux-system',
    name,
    health: 'failed' as const,
    reason: 'GitOperationFailed',
    message: 'ssh: handshake failed',
    since: null,
    neededBy: ['Kustomization/apps/web'],
  })
  type Input = Parameters<typeof stillNotReady>[0]
  const cases: Array<[string, Input, {ignoreSuspended?: boolean}, string]> = [
    [
      'objects only (no --deep): no workload count',
      {objects: [obj('failed', 'a'), obj('ready', 'b'), obj('waiting', 'c')], controllers: []},
      {},
      '2 object(s) still not ready',
    ],
    [
      '--deep: every workload not ready counts, even when every object is ready',
      {
        objects: [obj('ready', 'a')],
        workloads: [workload('hub', 'failed'), workload('proxy', 'progressing'), workload('ows', 'unknown')],
        controllers: [],
      },
      {},
      '0 object(s) and 3 workload(s) still not ready',
    ],
    [
      '--deep with none: said as 0',
      {objects: [obj('failed', 'a')], workloads: [], controllers: []},
      {},
      '1 object(s) and 0 workload(s) still not ready',
    ],
    [
      'a suspended object counts, unless --ignore-suspended',
      {objects: [obj('suspended', 'a'), obj('failed', 'b')], controllers: []},
      {},
      '2 object(s) still not ready',
    ],
    [
      '--ignore-suspended: a suspended object is not waited for',
      {objects: [obj('suspended', 'a'), obj('failed', 'b')], controllers: []},
      {ignoreSuspended: true},
      '1 object(s) still not ready',
    ],
    [
      'controllers down or missing are named too',
      {
        objects: [obj('failed', 'a')],
        workloads: [workload('hub', 'failed')],
        controllers: [
          controller('kustomize-controller', false),
          controller('helm-controller', false, true),
          controller('source-controller', true),
        ],
      },
      {},
      '1 object(s), 1 workload(s) and 2 Flux controller(s) still not ready',
    ],
    [
      'dependencies of the selection that need attention are counted, after the workloads',
      {
        objects: [obj('ready', 'a')],
        workloads: [],
        dependencies: [dependency('flux-system'), dependency('apps')],
        controllers: [controller('source-controller', false)],
        selection: '--kind Kustomization',
      },
      {},
      '0 object(s), 0 workload(s), 2 dependencies and 1 Flux controller(s) still not ready',
    ],
    [
      'one dependency',
      {objects: [obj('ready', 'a')], dependencies: [dependency('flux-system')], controllers: []},
      {},
      '0 object(s) and 1 dependency still not ready',
    ],
    [
      'a selection that matched nothing says so',
      {objects: [], dependencies: [], controllers: [], selection: '-l app=new'},
      {},
      'nothing matched -l app=new',
    ],
    [
      'a selection that matched nothing, a controller down',
      {objects: [], controllers: [controller('kustomize-controller', false)], selection: '-n apps'},
      {},
      'nothing matched -n apps, and 1 Flux controller(s) still not ready',
    ],
    [
      'no filter, no objects: nothing to name',
      {objects: [], controllers: [controller('kustomize-controller', false)]},
      {},
      '0 object(s) and 1 Flux controller(s) still not ready',
    ],
  ]
  for (const [what, input, options, line] of cases) {
    it(`${what}: ${line}`, () => expect(stillNotReady(input, options)).to.equal(line))
  }
})

describe('status rendering', () => {
  it('verdict first, then counts, then only what needs attention', () => {
    const text = renderStatus(result('unhealthy.yaml'))
    const lines = text.split('\n')
    expect(lines[0]).to.equal('unhealthy: 2 failed, 1 stale, 7 waiting, 1 progressing, 1 suspended, 13 ready')
    expect(text.indexOf('KIND')).to.be.lessThan(text.indexOf('NEEDS ATTENTION'))
    expect(text).to.not.contain('GitRepository/flux-system/flux-system')
    expect(renderStatus(result('unhealthy.yaml'), {all: true})).to.contain('GitRepository/flux-system/flux-system')
  })

  it('fits every line to the terminal width', () => {
    for (const width of [80, 120]) {
      const text = renderStatus(result('unhealthy.yaml'), {width})
      for (const line of text.split('\n')) expect(line.length, line).to.be.at.most(width)
      expect(text).to.contain('…')
    }
    expect(progressLine(result('unhealthy.yaml'), 12_000, 60)).to.have.length.at.most(60)
  })

  describe('the dependencies of a selection that need attention: their own section, never rows of the selection', () => {
    const base = result('healthy.yaml')
    const selection = base.objects.filter((o) => o.kind === 'Kustomization')
    const message =
      "failed to checkout and determine revision: unable to clone 'ssh://git@github.com/piksel-ina/piksel-gitops': ssh: handshake failed: ssh: unable to authenticate, attempted methods [none publickey], no supported methods remain"
    const r: StatusResult = {
      ...base,
      verdict: 'unhealthy',
      summary: `unhealthy: ${selection.length} ready, 1 dependency failed (GitRepository flux-system/flux-system)`,
      objects: selection,
      selection: '--kind Kustomization',
      dependencies: [
        {
          kind: 'GitRepository',
          namespace: 'flux-system',
          name: 'flux-system',
          health: 'failed',
          reason: 'GitOperationFailed',
          message,
          since: '2026-11-30T08:00:00Z',
          retrying: true,
          neededBy: selection.map((o) => `${o.kind}/${o.namespace}/${o.name}`),
        },
      ],
    }
    const now = Date.parse('2026-11-30T10:00:00Z')

    it('off a terminal: one whole row under its heading, after the counts; no NEEDS ATTENTION', () => {
      const lines = renderStatus(r, {now}).split('\n')
      const at = lines.indexOf('DEPENDENCIES NOT READY (outside the selection)')
      expect(at).to.be.greaterThan(lines.indexOf('KIND           TOTAL  STATES'))
      expect(lines[at + 1]).to.match(/^OBJECT\s+HEALTH\s+AGE\s+MESSAGE$/)
      expect(lines[at + 2]).to.equal(
        `GitRepository/flux-system/flux-system  failed  2h   GitOperationFailed (retrying): ${message}`,
      )
      expect(lines).to.not.include('NEEDS ATTENTION')
    })

    for (const width of [80, 60]) {
      it(`${width} columns: no line wider, the object, its health and the start of its message there`, () => {
        const text = renderStatus(r, {width, now})
        for (const line of text.split('\n')) expect(line.length, line).to.be.at.most(width)
        expect(text).to.contain('GitRepository/flux-system/flux-system')
        expect(text).to.match(/failed\s+2h\s+GitOperationFailed/)
        // The verdict wraps between its parts and, where one is wider than a line, between words: never mid-name.
        const verdict = renderVerdict(r.summary, width)
        for (const line of verdict) expect(line.length, line).to.be.at.most(width)
        expect(verdict.join(' ').replace(/\s+/g, ' ')).to.equal(r.summary)
        expect(verdict.join('\n')).to.contain('flux-system/flux-system)')
      })
    }

    it('the progress line of --wait names the dependency it waits for', () => {
      expect(progressLine(r, 3000)).to.equal(`[3s] ${r.summary} — waiting for GitRepository/flux-system/flux-system`)
    })

    it('without dependencies (no filter) nothing is added', () => {
      expect(renderStatus(base, {now})).to.not.contain('DEPENDENCIES')
      expect(renderStatus({...base, dependencies: []}, {now})).to.not.contain('DEPENDENCIES')
    })
  })

  it('explains a waiting object by its root cause', () => {
    const cron = result('unhealthy.yaml').objects.find((o) => o.name === 'cron-jobs')
    expect(explain(cron as never)).to.equal(
      "root cause: Kustomization/flux-system/infra-configs failed (BuildFailed); dependency 'flux-system/argo-workflows' is not ready",
    )
  })

  describe('shortens revisions, in both forms (RFC-0005 and the legacy one older controllers wrote)', () => {
    const SHA1 = '4f3c2b1a0e9d8c7b6a5f4e3d2c1b0a9f8e7d6c5b'
    const SHA256 = '9abc9abc9abc9abc9abc9abc9abc9abc9abc9abc9abc9abc9abc9abc9abc9abc'
    const table: Array<[string | null, string]> = [
      [`main@sha1:${SHA1}`, 'main@sha1:4f3c2b1a'],
      [`latest@sha256:${SHA256}`, 'latest@sha256:9abc9abc'],
      [`sha256:${SHA256}`, 'sha256:9abc9abc'],
      [`main/${SHA1}`, 'main/4f3c2b1a'],
      [`feature/x/${SHA1}`, 'feature/x/4f3c2b1a'],
      [`latest/${SHA256}`, 'latest/9abc9abc'],
      [SHA256, '9abc9abc'],
      ['4.1.0', '4.1.0'],
      ['podinfo@6.5.4', 'podinfo@6.5.4'],
      ['6.5.4+4f3c2b1a0e9d', '6.5.4+4f3c2b1a0e9d'],
      [`main/${SHA1.slice(0, 39)}`, `main/${SHA1.slice(0, 39)}`],
      [null, '-'],
    ]
    for (const [revision, short] of table) {
      it(`${revision} -> ${short}`, () => expect(shortRevision(revision)).to.equal(short))
    }
  })

  it('reads the image automation kinds where the API serves them', () => {
    const kinds = resolveKinds([
      {
        group: 'image.toolkit.fluxcd.io',
        preferredVersion: 'v1beta2',
        versions: ['v1beta2', 'v1beta1'],
        resources: {
          v1beta2: [
            'imagerepositories',
            'imagerepositories/status',
            'imagepolicies',
            'imagepolicies/status',
            'imageupdateautomations',
            'imageupdateautomations/status',
          ],
          v1beta1: ['imagerepositories'],
        },
      },
    ])
    expect(kinds.map((k) => `${k.kind} ${k.apiVersion}`)).to.deep.equal([
      'ImageRepository image.toolkit.fluxcd.io/v1beta2',
      'ImagePolicy image.toolkit.fluxcd.io/v1beta2',
      'ImageUpdateAutomation image.toolkit.fluxcd.io/v1beta2',
    ])
  })
})

describe('status rendering on narrow terminals (80 and 60 columns)', () => {
  /** The unhealthy fixture plus an object with a long name and a long retried failure. */
  function narrowResult(): StatusResult {
    const base = result('unhealthy.yaml')
    const long: ObjectHealth = {
      kind: 'HelmRelease',
      apiVersion: 'helm.toolkit.fluxcd.io/v2',
      namespace: 'monitoring-observability',
      name: 'kube-prometheus-stack-with-a-very-long-release-name',
      health: 'failed',
      reason: 'UpgradeFailed',
      message:
        'Helm upgrade failed for release monitoring-observability/kube-prometheus-stack-with-a-very-long-release-name with chart kube-prometheus-stack@58.2.1: context deadline exceeded while waiting for the resources to become ready',
      revision: 'kube-prometheus-stack@58.2.1',
      suspended: false,
      since: '2026-11-24T08:30:00Z',
      retrying: true,
    }
    return {...base, objects: [long, ...base.objects]}
  }

  for (const width of [80, 60]) {
    describe(`${width} columns`, () => {
      const r = narrowResult()
      const text = renderStatus(r, {width, now: Date.parse('2026-11-24T10:30:00Z')})
      const lines = text.split('\n')

      it('no line is wider than the terminal', () => {
        for (const line of lines) expect(line.length, line).to.be.at.most(width)
      })

      it('the verdict line is never cut: wrapped, every part of it is there', () => {
        const end = lines.findIndex((l) => l.startsWith('context '))
        const verdictText = lines
          .slice(0, end)
          .map((l) => l.trim())
          .join(' ')
        expect(verdictText).to.equal(r.summary)
      })

      it('every attention row shows the object, its health and the start of its message', () => {
        const attention = r.objects.filter((o) => o.health !== 'ready')
        const section = lines.slice(lines.indexOf('NEEDS ATTENTION') + 1)
        for (const o of attention) {
          const name = describeObject(o)
          // The object, whole (wrapped on its own lines only when it is wider than the terminal).
          const at = section.findIndex((l) => l.trim().startsWith(name.slice(0, Math.min(name.length, width - 4))))
          expect(at, `${name} at ${width}`).to.be.at.least(0)
          // Its health and the start of its message on the same or the next lines.
          const block = section.slice(at, at + 4).join('\n')
          expect(block, name).to.match(new RegExp(`\\b${o.health}\\b`))
          const start = explain(o).split(' ').slice(0, 2).join(' ')
          expect(block.replace(/\s+/g, ' '), `${name}: message start "${start}"`).to.contain(start)
        }
      })

      it(`a long message wraps to at most ${MESSAGE_LINES} lines, ending in … when cut`, () => {
        const section = lines.slice(lines.indexOf('NEEDS ATTENTION') + 1)
        const at = section.findIndex((l) => l.includes('UpgradeFailed (retrying): Helm'))
        expect(at, text).to.be.at.least(0)
        const rest = section.slice(at + 1)
        // Continuation lines are indented deeper than a stacked row's own line.
        const indent = (l: string) => l.length - l.trimStart().length
        const next = rest.findIndex((l) => indent(l) < indent(section[at] as string) || /^\S/.test(l))
        const message = [section[at], ...rest.slice(0, next === -1 ? rest.length : next)]
        expect(message.length, message.join('\n')).to.be.at.most(MESSAGE_LINES)
        expect(message.at(-1)).to.match(/…$/)
      })
    })
  }

  it('a table where the columns leave the message room (120 columns); stacked rows where they do not (60)', () => {
    const r = narrowResult()
    const header = (width: number) => {
      const lines = renderStatus({...r, objects: r.objects.slice(1)}, {width}).split('\n')
      return lines[lines.indexOf('NEEDS ATTENTION') + 1]
    }
    // REVISION only when the message keeps 40 columns beside it.
    expect(header(160)).to.match(/^OBJECT +HEALTH +AGE +REVISION +MESSAGE$/)
    expect(header(120)).to.match(/^OBJECT +HEALTH +AGE +MESSAGE$/)
    expect(renderStatus({...r, objects: r.objects.slice(1)}, {width: 160})).to.match(
      /^Kustomization\/flux-system\/infra-configs +failed +\S+ +main@sha1:0a1b2c3d +BuildFailed: kustomize/m,
    )

    const sixty = renderStatus(r, {width: 60, now: Date.parse('2026-11-24T10:30:00Z')}).split('\n')
    expect(sixty.some((l) => l.startsWith('OBJECT'))).to.equal(false)
    const at = sixty.indexOf('HelmRelease/monitoring-observability/kube-prometheus-stack-w')
    expect(at, sixty.join('\n')).to.be.at.least(0)
    expect(sixty[at + 1]).to.equal('    ith-a-very-long-release-name')
    expect(sixty[at + 2]).to.match(/^ {4}failed {2}2h {2}UpgradeFailed \(retrying\): Helm upgrade/)
  })

  it('off a terminal every row is one whole line', () => {
    const r = narrowResult()
    const text = renderStatus(r)
    expect(text).to.contain(explain(r.objects[0] as ObjectHealth))
    expect(text.split('\n')[0]).to.equal(r.summary)
  })

  describe('the --reconcile plan and notes fit the terminal too (stderr)', () => {
    const plan = {
      targets: [
        {
          kind: 'GitRepository',
          apiVersion: 'source.toolkit.fluxcd.io/v1',
          namespace: 'flux-system',
          name: 'flux-system',
          why: 'source of Kustomization/infra-configs',
        },
        {
          kind: 'HelmRelease',
          apiVersion: 'helm.toolkit.fluxcd.io/v2',
          namespace: 'monitoring-observability',
          name: 'kube-prometheus-stack-with-a-very-long-release-name',
          why: 'failed (retrying)',
        },
      ],
      refused: [
        {
          kind: 'Kustomization',
          apiVersion: 'kustomize.toolkit.fluxcd.io/v1',
          namespace: 'flux-system',
          name: 'paused',
          why: 'suspended',
          hint: 'suspended: run `flux resume kustomization paused -n flux-system` to resume it (which also reconciles it)',
        },
      ],
    }
    for (const width of [80, 60, 40]) {
      it(`${width} columns: no line of the plan wider, every object and its reason there`, () => {
        const lines = renderPlan(plan, width).split('\n')
        for (const line of lines) expect(line.length, `"${line}"`).to.be.at.most(width)
        const text = lines.map((l) => l.trim()).join(' ')
        expect(text).to.contain('Will request reconciliation (reconcile.fluxcd.io/requestedAt), in this order:')
        expect(text.replace(/\s+/g, '')).to.contain(
          'HelmRelease/monitoring-observability/kube-prometheus-stack-with-a-very-long-release-name'.replace(
            /\s+/g,
            '',
          ),
        )
        expect(text).to.contain('failed (retrying)')
      })
      it(`${width} columns: the verdict and the notes wrap, none of it lost`, () => {
        const summary = 'unhealthy: 2 failed, 1 stale, 7 waiting, 1 progressing, 1 suspended, 13 ready'
        const note = 'Requested at 2026-11-30T11:43:05.793Z; waiting up to 5m for Flux to handle it.'
        for (const lines of [renderVerdict(summary, width), fitText(note, width).split('\n')]) {
          for (const line of lines) expect(line.length, `"${line}"`).to.be.at.most(width)
        }
        expect(
          renderVerdict(summary, width)
            .map((l) => l.trim())
            .join(' '),
        ).to.equal(summary)
        expect(
          fitText(note, width)
            .split('\n')
            .map((l) => l.trim())
            .join(' '),
        ).to.equal(note)
      })
    }
    it('off a terminal: one whole line each', () => {
      expect(renderPlan(plan).split('\n')[0]).to.equal(
        'Will request reconciliation (reconcile.fluxcd.io/requestedAt), in this order:',
      )
      expect(fitText('a b c')).to.equal('a b c')
    })
  })

  describe('wrapTokens', () => {
    const table: Array<[string[], number, string, string[]]> = [
      [
        ['unhealthy:', '2 failed,', '1 stale,', '7 waiting'],
        20,
        '  ',
        ['unhealthy: 2 failed,', '  1 stale, 7 waiting'],
      ],
      [['short'], 20, '  ', ['short']],
      [['abcdefghijklmnopqrstuvwxyz'], 10, '  ', ['abcdefghij', '  klmnopqr', '  stuvwxyz']],
      [['a', 'b'], Number.POSITIVE_INFINITY, '', ['a b']],
    ]
    for (const [tokens, width, indent, lines] of table) {
      it(`${JSON.stringify(tokens)} at ${width}`, () => {
        expect(wrapTokens(tokens, width, indent)).to.deep.equal(lines)
        for (const l of wrapTokens(tokens, width, indent)) expect(l.length).to.be.at.most(width)
      })
    }
  })
})
