import {expect} from 'chai'

import {type FluxObject, assessAll, countObjects, verdict} from '../../../src/lib/status/health.ts'
import {resolveKinds} from '../../../src/lib/status/kinds.ts'
import {explain, progressLine, renderStatus, shortRevision} from '../../../src/lib/status/render.ts'
import type {StatusResult} from '../../../src/lib/status/service.ts'
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
    counts,
    controllers: [],
    objects: assessed,
  }
}

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

  it('explains a waiting object by its root cause', () => {
    const cron = result('unhealthy.yaml').objects.find((o) => o.name === 'cron-jobs')
    expect(explain(cron as never)).to.equal(
      "root cause: Kustomization/flux-system/infra-configs failed (BuildFailed); dependency 'flux-system/argo-workflows' is not ready",
    )
  })

  it('shortens revisions', () => {
    expect(shortRevision('main@sha1:4f3c2b1a0e9d8c7b6a5f4e3d2c1b0a9f8e7d6c5b')).to.equal('main@sha1:4f3c2b1a')
    expect(shortRevision('4.1.0')).to.equal('4.1.0')
    expect(shortRevision(null)).to.equal('-')
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
