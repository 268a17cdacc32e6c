/**
 * Bulk Flux objects for the benchmark: copies of the healthy Piksel fixture
 * (real manifests with Flux status) in numbered namespaces, references kept
 * consistent inside each copy.
 */
import {type KubeObject, readFixture} from './kube-standin.ts'

export function generateFluxObjects(count: number, fixture = 'healthy.yaml'): KubeObject[] {
  const templates = readFixture(fixture).filter((o) => o.apiVersion.includes('toolkit.fluxcd.io'))
  const out: KubeObject[] = []
  for (let copy = 0; out.length < count; copy++) {
    const suffix = `-${String(copy).padStart(3, '0')}`
    for (const template of templates) {
      if (out.length >= count) break
      const obj = structuredClone(template)
      const ns = obj.metadata.namespace ?? 'default'
      obj.metadata.namespace = `${ns}${suffix}`
      renameNamespaces(obj.spec, suffix)
      if (obj.kind === 'HelmChart') obj.metadata.name = `${obj.metadata.name}${suffix}`
      obj.metadata.labels = {...obj.metadata.labels, 'piksel.io/bench-copy': String(copy)}
      out.push(obj)
    }
  }
  return out
}

function renameNamespaces(value: unknown, suffix: string): void {
  if (!value || typeof value !== 'object') return
  for (const [key, inner] of Object.entries(value as Record<string, unknown>)) {
    if (key === 'namespace' && typeof inner === 'string') (value as Record<string, unknown>)[key] = `${inner}${suffix}`
    else renameNamespaces(inner, suffix)
  }
}
