/**
 * The I/O behind `--from-gitops`: the Karpenter NodePools in the YAML files
 * under a GitOps directory, and the EC2 facts (vCPUs, GPUs, memory) of the
 * instance types their GPU and memory limits need. The rules are karpenter.ts's.
 */
import {closeSync, fstatSync, openSync, readSync, readdirSync, statSync} from 'node:fs'
import {join} from 'node:path'

import type {AwsSession} from '../aws/session.ts'
import {createAwsClient} from '../aws/session.ts'
import {UsageError} from '../errors.ts'
import {type InstanceTypeInfo, type NodePool, assertUniqueNames, readManifest} from './karpenter.ts'

/** Bigger files are not read (a CRD bundle is ~0.6 MB; no NodePool file is near this). */
export const MAX_MANIFEST_BYTES = 4 * 1024 * 1024
/** A bound on DescribeInstanceTypes pages (100 types each; EC2 has ~1,000 types in all). */
const MAX_TYPE_PAGES = 30

export interface NodePoolFiles {
  /** The directory as given. */
  dir: string
  pools: NodePool[]
  /** YAML files read. */
  files: number
  /** Files skipped (too big) and NodePool patches not counted, said as warnings. */
  warnings: string[]
}

/**
 * Every NodePool in the *.yaml / *.yml files under `dir` (hidden directories,
 * node_modules and symlinks skipped), in path order. A directory that does not
 * exist is GITOPS_DIR_NOT_FOUND; a file that is not YAML INVALID_YAML; two
 * NodePools of one name INVALID_NODEPOOL (all exit 2).
 */
export function readNodePools(dir: string): NodePoolFiles {
  if (!isDirectory(dir)) {
    throw new UsageError(`--from-gitops: ${dir} is not a directory. Nothing was read or written.`, {
      code: 'GITOPS_DIR_NOT_FOUND',
      hint: 'Pass the piksel-gitops checkout (or the directory that holds the Karpenter NodePools): --from-gitops DIR.',
    })
  }
  const result: NodePoolFiles = {dir, pools: [], files: 0, warnings: []}
  const walk = (at: string) => {
    for (const entry of readdirSync(at, {withFileTypes: true}).sort((a, b) => a.name.localeCompare(b.name))) {
      const path = join(at, entry.name)
      if (entry.isDirectory()) {
        if (!entry.name.startsWith('.') && entry.name !== 'node_modules') walk(path)
        continue
      }
      if (!entry.isFile() || !/\.ya?ml$/i.test(entry.name)) continue
      const text = readBounded(path)
      if (text === undefined) {
        result.warnings.push(`${path}: over ${MAX_MANIFEST_BYTES / 1024 / 1024} MiB, not read for NodePools.`)
        continue
      }
      result.files += 1
      const manifest = readManifest(text, path)
      result.pools.push(...manifest.pools)
      result.warnings.push(...manifest.warnings)
    }
  }
  walk(dir)
  assertUniqueNames(result.pools)
  if (result.pools.length === 0) {
    // Else the check silently falls back to --min / the config, as if the pools had asked for it.
    result.warnings.push(
      `No Karpenter NodePool in the ${result.files} YAML files under ${dir}: every target is --min / the configured one. NodePools often live outside clusters/<env> (infrastructure/, apps/): pass that directory.`,
    )
  }
  return result
}

function isDirectory(path: string): boolean {
  try {
    return statSync(path).isDirectory()
  } catch {
    return false
  }
}

/**
 * The file's text, or undefined when it is over MAX_MANIFEST_BYTES. The buffer is
 * sized from the file (fstat; one byte more, so a file growing as it is read stays
 * bounded), not the bound: a zero-filled 4 MiB buffer per file made a checkout of
 * 3,000 manifests take 11 s.
 */
function readBounded(path: string): string | undefined {
  const fd = openSync(path, 'r')
  try {
    const {size: statSize} = fstatSync(fd)
    if (statSize > MAX_MANIFEST_BYTES) return undefined
    const buffer = Buffer.allocUnsafe(Math.min(statSize, MAX_MANIFEST_BYTES) + 1)
    let size = 0
    while (size < buffer.length) {
      const read = readSync(fd, buffer, size, buffer.length - size, size)
      if (read === 0) break
      size += read
    }
    return buffer.subarray(0, size).toString('utf8')
  } finally {
    closeSync(fd)
  }
}

/**
 * vCPUs and NVIDIA GPUs of the instance types matching the patterns
 * (DescribeInstanceTypes, `instance-type` filter with wildcards, every page by
 * the SDK's paginator). No call when there is no pattern.
 */
export async function describeInstanceTypes(
  session: AwsSession,
  patterns: readonly string[],
): Promise<InstanceTypeInfo[]> {
  if (patterns.length === 0) return []
  const {EC2Client, paginateDescribeInstanceTypes} = await import('@aws-sdk/client-ec2')
  const client = createAwsClient(EC2Client, session)
  const types: InstanceTypeInfo[] = []
  try {
    let page = 0
    for await (const out of paginateDescribeInstanceTypes(
      {client, pageSize: 100},
      {Filters: [{Name: 'instance-type', Values: [...patterns]}]},
    )) {
      for (const t of out.InstanceTypes ?? []) {
        if (!t.InstanceType) continue
        const nvidiaGpus = (t.GpuInfo?.Gpus ?? [])
          .filter((g) => /nvidia/i.test(g.Manufacturer ?? ''))
          .reduce((sum, g) => sum + (g.Count ?? 0), 0)
        const gpus = (t.GpuInfo?.Gpus ?? []).reduce((sum, g) => sum + (g.Count ?? 0), 0)
        // Karpenter's instance-gpu-manufacturer label: the first GPU's maker, lower kebab case.
        const maker = t.GpuInfo?.Gpus?.[0]?.Manufacturer
        types.push({
          type: t.InstanceType,
          vcpus: t.VCpuInfo?.DefaultVCpus ?? 0,
          nvidiaGpus,
          gpus,
          ...(t.MemoryInfo?.SizeInMiB ? {memoryMiB: t.MemoryInfo.SizeInMiB} : {}),
          ...(maker ? {gpuManufacturer: maker.trim().toLowerCase().replaceAll(/\s+/g, '-')} : {}),
        })
      }
      page += 1
      if (page >= MAX_TYPE_PAGES) break
    }
  } finally {
    client.destroy()
  }
  return types
}
