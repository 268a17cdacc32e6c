/**
 * An environment's kube context: which one a command uses (never the current
 * one in its place) and what the kubeconfig says about the cluster behind it,
 * for comparing with the EKS cluster itself. `@kubernetes/client-node` is
 * loaded lazily through config.ts.
 */
import {closeSync, openSync, readSync} from 'node:fs'
import {homedir} from 'node:os'
import {basename, delimiter, join} from 'node:path'

import {UsageError} from '../errors.ts'
import {kubeconfigExists, loadKubeConfig} from './config.ts'

/** What a kubeconfig context says about its cluster (the parts `aws eks update-kubeconfig` writes). */
export interface ContextIdentity {
  context: string
  /** The cluster entry's name: the cluster ARN when `aws eks update-kubeconfig` wrote it. */
  clusterEntry: string
  server?: string
  /** The certificate authority as base64 (certificate-authority-data, or the certificate-authority file's bytes). */
  certificateAuthority?: string
  /** Why the certificate-authority file could not be read. */
  certificateAuthorityError?: string
  insecureSkipTlsVerify: boolean
  /** The `--cluster-name`/`--cluster-id` and `--region` of an `aws eks get-token` exec user, when it has one. */
  getToken?: {clusterName?: string; region?: string}
}

export interface ContextLookup {
  /** The kubeconfig file(s) read, for messages. */
  file: string
  /** The current context, when a kubeconfig exists and sets one. */
  current?: string
  /** The context asked for; undefined when it does not exist (or there is no kubeconfig). */
  identity?: ContextIdentity
}

/** The kubeconfig kubectl would read: --kubeconfig, else KUBECONFIG (first file written), else ~/.kube/config. */
export function kubeconfigLabel(kubeconfig?: string): string {
  if (kubeconfig) return kubeconfig
  const paths = (process.env.KUBECONFIG ?? '').split(delimiter).filter(Boolean)
  if (paths.length > 0) return paths.join(delimiter)
  return join(homedir(), '.kube', 'config')
}

const CA_FILE_LIMIT = 1024 * 1024

/** Reads a certificate-authority file with a size bound, as base64. */
function readCaFile(path: string): {data?: string; error?: string} {
  let fd: number | undefined
  try {
    fd = openSync(path, 'r')
    const buffer = Buffer.alloc(CA_FILE_LIMIT + 1)
    const size = readSync(fd, buffer, 0, buffer.length, 0)
    if (size > CA_FILE_LIMIT) return {error: `${path} is larger than ${CA_FILE_LIMIT} bytes`}
    return {data: buffer.subarray(0, size).toString('base64')}
  } catch (error) {
    return {error: `${path}: ${(error as NodeJS.ErrnoException).code ?? (error as Error).message}`}
  } finally {
    if (fd !== undefined) closeSync(fd)
  }
}

/**
 * Pure: the cluster an exec user's `aws eks get-token` asks a token for
 * (`--cluster-name X` or `--cluster-name=X`, `--cluster-id`, `--region`; the last one when repeated), as
 * `aws eks update-kubeconfig` writes it (`--region R eks get-token --cluster-name X --output json`).
 * Undefined when the user is not an `aws eks get-token` exec.
 */
export function getTokenTarget(
  command: string | undefined,
  args: readonly string[] | undefined,
): {clusterName?: string; region?: string} | undefined {
  if (!command || !args) return undefined
  const program = basename(command).replace(/\.exe$/i, '')
  if (program !== 'aws' || !args.includes('eks') || !args.includes('get-token')) return undefined
  // The last occurrence wins, as the aws CLI's argument parser takes a repeated option.
  const value = (...names: string[]): string | undefined => {
    let found: string | undefined
    for (let i = 0; i < args.length; i++) {
      const arg = args[i]!
      for (const name of names) {
        if (arg === name) found = args[i + 1]
        else if (arg.startsWith(`${name}=`)) found = arg.slice(name.length + 1)
      }
    }
    return found
  }
  return {clusterName: value('--cluster-name', '--cluster-id'), region: value('--region')}
}

/** Reads the context `name` and the current context from the kubeconfig (no network). */
export async function lookupContext(kubeconfig: string | undefined, name: string): Promise<ContextLookup> {
  const file = kubeconfigLabel(kubeconfig)
  if (!kubeconfigExists(kubeconfig)) return {file}
  const kc = await loadKubeConfig({kubeconfig})
  const current = kc.getCurrentContext() || undefined
  const context = kc.getContextObject(name)
  if (!context) return {file, current}
  const cluster = kc.getCluster(context.cluster)
  const user = context.user ? kc.getUser(context.user) : null
  let certificateAuthority = cluster?.caData?.trim() || undefined
  let certificateAuthorityError: string | undefined
  if (!certificateAuthority && cluster?.caFile) {
    const read = readCaFile(cluster.caFile)
    certificateAuthority = read.data
    certificateAuthorityError = read.error
  }
  return {
    file,
    current,
    identity: {
      context: name,
      clusterEntry: context.cluster,
      server: cluster?.server,
      certificateAuthority,
      certificateAuthorityError,
      insecureSkipTlsVerify: Boolean(cluster?.skipTLSVerify),
      getToken: getTokenTarget(user?.exec?.command, user?.exec?.args),
    },
  }
}

/** The error when an environment's context does not exist: it names the current context, which is never used instead. */
export function missingContextError(o: {
  env: string
  context: string
  file: string
  current?: string
  hint: string
}): UsageError {
  const instead = o.current ? `; the current context ("${o.current}") is never used in its place` : ''
  return new UsageError(`No kube context "${o.context}" for environment ${o.env} in ${o.file}${instead}.`, {
    code: 'NO_CONTEXT',
    hint: o.hint,
  })
}

/**
 * The context a command uses: --context when given; with an environment, the
 * context named after its cluster, which must exist (the current context is
 * never used in its place: UsageError NO_CONTEXT, exit 2). Without a kubeconfig
 * at all the name is returned, and the caller's "no kubeconfig" error applies.
 */
export async function environmentContext(o: {
  kubeconfig?: string
  context?: string
  env?: {name: string; cluster: string; region: string}
  /** --config of the run, repeated in the hint's command. */
  config?: string
}): Promise<string | undefined> {
  if (o.context) return o.context
  if (!o.env) return undefined
  if (!kubeconfigExists(o.kubeconfig)) return o.env.cluster
  const found = await lookupContext(o.kubeconfig, o.env.cluster)
  if (found.identity) return o.env.cluster
  const {name, cluster, region} = o.env
  const {commandLine} = await import('../bootstrap/rerun.ts')
  const write = commandLine(['piksel', 'bootstrap', '-e', name, '--only', 'kubeconfig'], {
    ...(o.config ? {config: o.config} : {}),
    ...(o.kubeconfig ? {kubeconfig: o.kubeconfig} : {}),
  })
  throw missingContextError({
    env: name,
    context: cluster,
    file: found.file,
    current: found.current,
    hint: `Write it with \`${write}\` (aws eks update-kubeconfig --name ${cluster} --alias ${cluster} --region ${region}), or choose a context explicitly with --context.`,
  })
}
