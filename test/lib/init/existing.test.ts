import {expect} from 'chai'
import {mkdirSync, mkdtempSync, symlinkSync, writeFileSync} from 'node:fs'
import {tmpdir} from 'node:os'
import {join} from 'node:path'

import {indexObjects, objectsIn, sameObject, withoutExisting} from '../../../src/lib/init/existing.ts'

const ks = (name: string, namespace?: string, version = 'v1') =>
  [
    `apiVersion: kustomize.toolkit.fluxcd.io/${version}`,
    'kind: Kustomization',
    'metadata:',
    `  name: ${name}`,
    ...(namespace ? [`  namespace: ${namespace}`] : []),
    'spec:',
    '  interval: 1h',
  ].join('\n')

describe('objects a GitOps repository already defines (by content)', () => {
  it('reads every document of a multi-document file, skipping unnamed and broken ones', () => {
    const text = [
      '# a comment',
      ks('infra-configs', 'flux-system', 'v1beta2'),
      '---',
      'apiVersion: kustomize.config.k8s.io/v1beta1',
      'kind: Kustomization',
      'resources: []',
      '---',
      'apiVersion: v1',
      'kind: Namespace',
      'metadata: {name: monitoring}',
      '---',
      'key: [unclosed',
      '---',
      '',
    ].join('\n')
    expect(objectsIn(text)).to.deep.equal([
      {group: 'kustomize.toolkit.fluxcd.io', kind: 'Kustomization', name: 'infra-configs', namespace: 'flux-system'},
      {group: '', kind: 'Namespace', name: 'monitoring', namespace: undefined},
    ])
  })

  it('the items of a List are objects too (kustomize applies each)', () => {
    const text = [
      'apiVersion: v1',
      'kind: List',
      'items:',
      '- apiVersion: notification.toolkit.fluxcd.io/v1beta3',
      '  kind: Provider',
      '  metadata: {name: slack-staging, namespace: flux-system}',
      '- apiVersion: notification.toolkit.fluxcd.io/v1beta3',
      '  kind: Alert',
      '  metadata: {name: slack-staging, namespace: flux-system}',
    ].join('\n')
    expect(objectsIn(text)).to.deep.equal([
      {group: 'notification.toolkit.fluxcd.io', kind: 'Provider', name: 'slack-staging', namespace: 'flux-system'},
      {group: 'notification.toolkit.fluxcd.io', kind: 'Alert', name: 'slack-staging', namespace: 'flux-system'},
    ])
  })

  it('a Helm template is no manifest: no object from it (its {{ }} namespace is not "left out"), and no warning', async () => {
    const warnings: string[] = []
    const onWarning = (w: Error) => warnings.push(w.message)
    process.on('warning', onWarning)
    try {
      const text = [
        'apiVersion: kustomize.toolkit.fluxcd.io/v1',
        'kind: Kustomization',
        'metadata:',
        '  name: apps',
        '  namespace: {{ .Values.ns }}',
      ].join('\n')
      expect(objectsIn(text)).to.deep.equal([])
      await new Promise((resolve) => setImmediate(resolve))
    } finally {
      process.off('warning', onWarning)
    }
    expect(warnings).to.deep.equal([])
  })

  const same: Array<[string, Parameters<typeof sameObject>[0], Parameters<typeof sameObject>[1], boolean]> = [
    [
      'same group, kind, namespace and name (any version)',
      {group: 'g', kind: 'K', namespace: 'n', name: 'x'},
      {group: 'g', kind: 'K', namespace: 'n', name: 'x'},
      true,
    ],
    [
      'another namespace',
      {group: 'g', kind: 'K', namespace: 'n', name: 'x'},
      {group: 'g', kind: 'K', namespace: 'm', name: 'x'},
      false,
    ],
    [
      'another kind',
      {group: 'g', kind: 'K', namespace: 'n', name: 'x'},
      {group: 'g', kind: 'HelmRelease', namespace: 'n', name: 'x'},
      false,
    ],
    [
      'another group (a kustomize Kustomization)',
      {group: 'g', kind: 'K', namespace: 'n', name: 'x'},
      {group: 'h', kind: 'K', namespace: 'n', name: 'x'},
      false,
    ],
    [
      'a namespace left out (set elsewhere): the safe side is "same"',
      {group: 'g', kind: 'K', name: 'x'},
      {group: 'g', kind: 'K', namespace: 'n', name: 'x'},
      true,
    ],
  ]
  for (const [what, a, b, expected] of same)
    it(`${what}: ${expected}`, () => expect(sameObject(a, b)).to.equal(expected))

  it('drops only the objects already defined, keeping the others as they were written', () => {
    const template = `# header\n${ks('infra-controllers', 'flux-system')}\n---\n${ks('infra-configs', 'flux-system')}\n`
    const existing = [
      {
        group: 'kustomize.toolkit.fluxcd.io',
        kind: 'Kustomization',
        namespace: 'flux-system',
        name: 'infra-configs',
        path: '/g/x.yaml',
      },
    ]
    const {content, duplicates} = withoutExisting(template, existing)
    expect(duplicates).to.deep.equal([
      {
        object: {
          group: 'kustomize.toolkit.fluxcd.io',
          kind: 'Kustomization',
          name: 'infra-configs',
          namespace: 'flux-system',
        },
        existing: '/g/x.yaml',
      },
    ])
    expect(objectsIn(content!).map((o) => o.name)).to.deep.equal(['infra-controllers'])
    expect(content).to.include('# header')
    expect(withoutExisting(template, []).content).to.equal(template)
    const both = [...existing, {...existing[0]!, name: 'infra-controllers'}]
    expect(withoutExisting(template, both).content).to.equal(undefined)
  })

  it('indexes every .yaml/.yml under a directory, not hidden ones, not through symlinks', () => {
    const dir = mkdtempSync(join(tmpdir(), 'piksel-gitops-'))
    mkdirSync(join(dir, 'a', 'b'), {recursive: true})
    mkdirSync(join(dir, '.git'))
    writeFileSync(join(dir, 'a', 'b', 'one.yml'), ks('one', 'flux-system'))
    writeFileSync(join(dir, 'two.YAML'), `${ks('two')}\n---\n${ks('three', 'x')}`)
    writeFileSync(join(dir, '.git', 'config.yaml'), ks('hidden', 'flux-system'))
    writeFileSync(join(dir, 'notes.txt'), ks('text', 'flux-system'))
    symlinkSync(join(dir, 'a'), join(dir, 'loop'))
    const index = indexObjects(dir)
    expect(index.objects.map((o) => [o.name, o.path.slice(dir.length + 1)])).to.deep.equal([
      ['one', 'a/b/one.yml'],
      ['two', 'two.YAML'],
      ['three', 'two.YAML'],
    ])
    expect(index.unread).to.deep.equal([])
  })
})
