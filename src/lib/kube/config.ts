/**
 * Loading a kubeconfig and reaching the API. `@kubernetes/client-node` is
 * imported lazily: it costs ~200 ms, which only commands that talk to a
 * cluster should pay.
 */
import {existsSync} from 'node:fs'
import {homedir} from 'node:os'
import {delimiter, join} from 'node:path'

import type {KubeConfig} from '@kubernetes/client-node'

import {OperationError, UsageError} from '../errors.ts'

export interface KubeTarget {
  /** --kubeconfig; otherwise KUBECONFIG or ~/.kube/config. */
  kubeconfig?: string
  /** --context, or the environment's cluster name. */
  context?: string
}

export async function loadKubeConfig(target: KubeTarget): Promise<KubeConfig> {
  const {KubeConfig} = await import('@kubernetes/client-node')
  const kc = new KubeConfig()
  try {
    if (target.kubeconfig) kc.loadFromFile(target.kubeconfig)
    else kc.loadFromDefault()
  } catch (error) {
    throw new UsageError(`Cannot read kubeconfig: ${(error as Error).message}`, {
      code: 'KUBECONFIG',
      hint: 'Check --kubeconfig / KUBECONFIG.',
    })
  }
  allowPlainHttp(kc)
  if (target.context) {
    if (!kc.getContextObject(target.context)) {
      throw new UsageError(`No kube context named "${target.context}".`, {
        code: 'NO_CONTEXT',
        hint: `Run \`aws eks update-kubeconfig --name ${target.context} --alias ${target.context}\`, or pass --context.`,
      })
    }
    kc.setCurrentContext(target.context)
  }
  return kc
}

/**
 * A plain `http://` server (what `kubectl proxy` serves) is read as kubectl reads it: there is
 * no TLS to verify, so TLS settings do not apply. client-node refuses such a cluster unless
 * `insecure-skip-tls-verify` is set ("HTTP protocol is not allowed when skipTLSVerify is not
 * set or false"); setting it on a plain-HTTP cluster removes that refusal and nothing else.
 * https:// clusters are left exactly as written.
 */
export function allowPlainHttp(kc: KubeConfig): void {
  kc.clusters = kc.clusters.map((cluster) =>
    cluster.server.startsWith('http://') && !cluster.skipTLSVerify ? {...cluster, skipTLSVerify: true} : cluster,
  )
}

/** True when a kubeconfig file exists where kubectl would look (client-node otherwise invents localhost:8080). */
export function kubeconfigExists(explicit?: string): boolean {
  if (explicit) return existsSync(explicit)
  const paths = (process.env.KUBECONFIG ?? '').split(delimiter).filter(Boolean)
  if (paths.length > 0) return paths.some((path) => existsSync(path))
  return existsSync(join(homedir(), '.kube', 'config'))
}

export function hasContext(kc: KubeConfig, name: string): boolean {
  return kc.getContextObject(name) !== null
}

/** GET /version, bounded in time. */
export async function probeApi(kc: KubeConfig, timeoutMs = 5000): Promise<{gitVersion: string; server: string}> {
  const {VersionApi} = await import('@kubernetes/client-node')
  const server = kc.getCurrentCluster()?.server ?? '(no cluster)'
  let timer: NodeJS.Timeout | undefined
  const timeout = new Promise<never>((_, reject) => {
    timer = setTimeout(() => reject(new Error(`no answer within ${timeoutMs} ms`)), timeoutMs)
  })
  try {
    const info = await Promise.race([kc.makeApiClient(VersionApi).getCode(), timeout])
    return {gitVersion: info.gitVersion, server}
  } catch (error) {
    throw new OperationError(`Kubernetes API at ${server} is not reachable: ${(error as Error).message}`, {
      code: 'KUBE_UNREACHABLE',
      hint: 'Check the kube context, the network, and that credentials (aws eks get-token) work.',
      cause: error,
    })
  } finally {
    clearTimeout(timer)
  }
}
