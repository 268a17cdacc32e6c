/**
 * Revisions compared as Flux compares them (RFC-0005). Pure: strings in, strings out.
 *
 * Flux moved from `<ref>/<checksum>` (Git `main/<sha1>`, OCI `<tag>/<sha256>`) and a bare
 * `<checksum>` (Bucket) to `<ref>@<algo>:<checksum>` and `<algo>:<checksum>`. Objects
 * written by older controllers keep the legacy form until they reconcile again, so a
 * Kustomization applied at `main/5f0c…` and its source at `main@sha1:5f0c…` are at the
 * same commit. source-controller compares them after `TransformLegacyRevision`
 * (fluxcd/source-controller api/v1beta2/artifact_types.go, used by `Artifact.HasRevision`);
 * `normalizeRevision` follows it rule for rule.
 */

/** The algorithm a bare lowercase hex checksum was made with, by its length (Flux's `determineSHAType`). */
function shaType(hex: string): 'sha1' | 'sha256' | undefined {
  if (!/^[0-9a-f]+$/.test(hex)) return undefined
  if (hex.length === 40) return 'sha1'
  if (hex.length === 64) return 'sha256'
  return undefined
}

/**
 * A revision in the RFC-0005 form: `main/<40 hex>` -> `main@sha1:<hex>`,
 * `feature/x/<40 hex>` -> `feature/x@sha1:<hex>`, `HEAD/<40 hex>` -> `sha1:<hex>`,
 * `<tag>/<64 hex>` -> `<tag>@sha256:<hex>`, `<64 hex>` -> `sha256:<hex>`. Anything that already
 * has a `:` (the new form), or whose last part is not a 40/64-character hex checksum (a chart
 * version such as `4.1.0`), is returned unchanged.
 */
export function normalizeRevision(revision: string): string {
  if (revision === '' || revision.includes(':')) return revision
  const slash = revision.lastIndexOf('/')
  if (slash >= 0) {
    const sha = revision.slice(slash + 1)
    const algo = shaType(sha)
    if (algo) {
      const name = revision.slice(0, slash)
      return name === 'HEAD' ? `${algo}:${sha}` : `${name}@${algo}:${sha}`
    }
  }
  const algo = shaType(revision)
  return algo ? `${algo}:${revision}` : revision
}

/** Same commit, digest or checksum, whichever form (legacy or RFC-0005) each side was written in. */
export function sameRevision(a: string, b: string): boolean {
  return normalizeRevision(a) === normalizeRevision(b)
}
