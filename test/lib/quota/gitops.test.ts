/**
 * readNodePools over real files: the size bound, what is skipped, and the
 * warning when no NodePool is found (a wrong DIR must not pass silently).
 */
import {expect} from 'chai'
import {mkdirSync, mkdtempSync, symlinkSync, writeFileSync} from 'node:fs'
import {tmpdir} from 'node:os'
import {join} from 'node:path'

import {MAX_MANIFEST_BYTES, readNodePools} from '../../../src/lib/quota/gitops.ts'

const POOL = [
  'apiVersion: karpenter.sh/v1',
  'kind: NodePool',
  'metadata: {name: gpu}',
  'spec:',
  '  template: {spec: {requirements: [{key: karpenter.k8s.aws/instance-family, operator: In, values: [g5]}]}}',
  '  limits: {cpu: 96}',
].join('\n')

describe('quota/gitops readNodePools (files)', () => {
  it('reads a file at the size bound, skips one over it with a warning, and skips other files', () => {
    const dir = mkdtempSync(join(tmpdir(), 'piksel-gitops-'))
    // A comment pads the pool's file to exactly MAX_MANIFEST_BYTES: still read.
    writeFileSync(join(dir, 'a-at-bound.yaml'), `${POOL}\n#${'x'.repeat(MAX_MANIFEST_BYTES - POOL.length - 3)}\n`)
    writeFileSync(join(dir, 'b-over.yaml'), `#${'x'.repeat(MAX_MANIFEST_BYTES)}\n`)
    writeFileSync(join(dir, 'notes.txt'), POOL.replace('gpu', 'txt'))
    mkdirSync(join(dir, '.git'))
    writeFileSync(join(dir, '.git', 'x.yaml'), POOL.replace('gpu', 'hidden'))
    symlinkSync(join(dir, 'a-at-bound.yaml'), join(dir, 'link.yaml'))
    const read = readNodePools(dir)
    expect(read.pools.map((p) => [p.name, p.file, p.limits.cpu])).to.deep.equal([
      ['gpu', join(dir, 'a-at-bound.yaml'), 96],
    ])
    expect(read.files).to.equal(1)
    expect(read.warnings).to.deep.equal([`${join(dir, 'b-over.yaml')}: over 4 MiB, not read for NodePools.`])
  })

  it('no NodePool under DIR is a warning naming it (the targets fall back to --min / the config)', () => {
    const dir = mkdtempSync(join(tmpdir(), 'piksel-gitops-'))
    writeFileSync(join(dir, 'kustomization.yaml'), 'apiVersion: kustomize.config.k8s.io/v1beta1\nkind: Kustomization\n')
    const read = readNodePools(dir)
    expect(read.pools).to.deep.equal([])
    expect(read.warnings).to.have.length(1)
    expect(read.warnings[0]).to.match(new RegExp(`^No Karpenter NodePool in the 1 YAML files under ${dir}: `))
  })
})
