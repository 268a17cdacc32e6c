import {expect} from 'chai'

import {assessAll} from '../../../src/lib/status/across.ts'
import type {FluxObject} from '../../../src/lib/status/health.ts'
import {normalizeRevision, sameRevision} from '../../../src/lib/status/revision.ts'

const SHA1 = '5f0c7b1e2d3c4b5a69788796a5b4c3d2e1f00112'
const OTHER_SHA1 = '0a1b2c3d4e5f60718293a4b5c6d7e8f901234567'
const SHA256 = 'd52bde83c5b2bd0fa7910264e0afc3ac9cfe9b6636ca29c05c09742f01d5a4bd'
const OTHER_SHA256 = '55609ff9d959589ed917ce32e6bc0f0a36809565f308602c15c3668965979edc'

describe('status: revisions compared as Flux compares them (RFC-0005)', () => {
  describe('normalizeRevision (TransformLegacyRevision)', () => {
    const table: Array<[string, string, string]> = [
      ['legacy Git branch', `main/${SHA1}`, `main@sha1:${SHA1}`],
      ['legacy Git branch with slashes', `feature/branch/${SHA1}`, `feature/branch@sha1:${SHA1}`],
      ['legacy Git HEAD (no ref)', `HEAD/${SHA1}`, `sha1:${SHA1}`],
      ['a branch whose name ends in HEAD keeps it', `my-HEAD/${SHA1}`, `my-HEAD@sha1:${SHA1}`],
      ['a branch HEAD under a folder keeps it', `release/HEAD/${SHA1}`, `release/HEAD@sha1:${SHA1}`],
      ['legacy Git tag', `v1.2.3/${SHA1}`, `v1.2.3@sha1:${SHA1}`],
      ['legacy OCI tag with digest', `latest/${SHA256}`, `latest@sha256:${SHA256}`],
      ['legacy Bucket checksum', SHA256, `sha256:${SHA256}`],
      ['bare sha1', SHA1, `sha1:${SHA1}`],
      ['already RFC-0005 Git', `main@sha1:${SHA1}`, `main@sha1:${SHA1}`],
      ['already RFC-0005 OCI', `latest@sha256:${SHA256}`, `latest@sha256:${SHA256}`],
      ['already RFC-0005 Bucket', `sha256:${SHA256}`, `sha256:${SHA256}`],
      ['a chart version is no checksum', '4.1.0', '4.1.0'],
      ['a short hex is no checksum', 'main/5f0c7b1', 'main/5f0c7b1'],
      ['uppercase hex is not what Flux writes', `main/${SHA1.toUpperCase()}`, `main/${SHA1.toUpperCase()}`],
      ['empty', '', ''],
      ['a checksum under an empty name (as Flux: the name stays, empty)', `/${SHA1}`, `@sha1:${SHA1}`],
    ]
    for (const [what, input, output] of table) {
      it(`${what}: ${input || '""'} -> ${output || '""'}`, () => {
        expect(normalizeRevision(input)).to.equal(output)
      })
    }
  })

  describe('sameRevision', () => {
    const table: Array<[string, string, string, boolean]> = [
      ['Git: legacy and new form of one commit', `main/${SHA1}`, `main@sha1:${SHA1}`, true],
      ['OCI: legacy and new form of one digest', `latest/${SHA256}`, `latest@sha256:${SHA256}`, true],
      ['Bucket: bare and prefixed checksum', SHA256, `sha256:${SHA256}`, true],
      ['Git: different commits, mixed forms', `main/${OTHER_SHA1}`, `main@sha1:${SHA1}`, false],
      ['Git: same commit, different branch', `dev/${SHA1}`, `main@sha1:${SHA1}`, false],
      ['OCI: different digests', `latest/${OTHER_SHA256}`, `latest@sha256:${SHA256}`, false],
      ['Bucket: different checksums', OTHER_SHA256, `sha256:${SHA256}`, false],
    ]
    for (const [what, a, b, same] of table) {
      it(`${what}: ${same ? 'same' : 'different'}`, () => {
        expect(sameRevision(a, b)).to.equal(same)
        expect(sameRevision(b, a)).to.equal(same)
      })
    }
  })

  describe('a Kustomization against its source, mid-upgrade', () => {
    const ready = [{type: 'Ready', status: 'True', reason: 'Succeeded', message: 'ok', observedGeneration: 1}]
    const source = (kind: string, revision: string): FluxObject => ({
      apiVersion: 'source.toolkit.fluxcd.io/v1',
      kind,
      metadata: {name: 'platform', namespace: 'flux-system', generation: 1},
      status: {observedGeneration: 1, artifact: {revision}, conditions: ready},
    })
    const ks = (kind: string, applied: string): FluxObject => ({
      apiVersion: 'kustomize.toolkit.fluxcd.io/v1',
      kind: 'Kustomization',
      metadata: {name: 'apps', namespace: 'flux-system', generation: 1},
      spec: {sourceRef: {kind, name: 'platform'}},
      status: {observedGeneration: 1, lastAppliedRevision: applied, conditions: ready},
    })
    const table: Array<[string, string, string, string, 'ready' | 'stale']> = [
      ['GitRepository at the same commit', 'GitRepository', `main@sha1:${SHA1}`, `main/${SHA1}`, 'ready'],
      ['OCIRepository at the same digest', 'OCIRepository', `latest@sha256:${SHA256}`, `latest/${SHA256}`, 'ready'],
      ['Bucket at the same checksum', 'Bucket', `sha256:${SHA256}`, SHA256, 'ready'],
      ['GitRepository at another commit', 'GitRepository', `main@sha1:${SHA1}`, `main/${OTHER_SHA1}`, 'stale'],
      [
        'OCIRepository at another digest',
        'OCIRepository',
        `latest@sha256:${SHA256}`,
        `latest/${OTHER_SHA256}`,
        'stale',
      ],
      ['Bucket at another checksum', 'Bucket', `sha256:${SHA256}`, OTHER_SHA256, 'stale'],
    ]
    for (const [what, kind, sourceRevision, applied, health] of table) {
      it(`${what} (applied ${applied.slice(0, 14)}…): ${health}`, () => {
        const [, result] = assessAll([source(kind, sourceRevision), ks(kind, applied)])
        expect(result?.health).to.equal(health)
        if (health === 'stale') expect(result?.reason).to.equal('BehindSource')
      })
    }
  })
})
