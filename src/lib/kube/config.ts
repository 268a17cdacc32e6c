/**
 * Loading a kubeconfig and reaching the API. `@kubernetes/client-node` is
 * imported lazily: it costs ~200 ms, which only commands that talk to a
 * cluster should pay.
 */
import type {ChildProcess, SpawnOptions} from 'node:child_process'
import {existsSync} from 'node:fs'
import {homedir} from 'node:os'
import {delimiter, join} from 'node:path'

import type {KubeConfig} from '@kubernetes/client-node'

import type {PikselError} from '../errors.ts'
import {CredentialsError, OperationError, UsageError} from '../errors.ts'
import {formatDuration} from '../duration.ts'
import {type Timeouts, requestTimeouts} from '../timeouts.ts'

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
  await boundCredentialPlugin(kc)
  return kc
}

type Spawn = (command: string, args: readonly string[], options: SpawnOptions) => ChildProcess

/**
 * The kubeconfig's exec credential plugin (`aws eks get-token`) runs as a child
 * of client-node's ExecAuth, which waits for it without a limit. This bounds it
 * by the request timeout (then it is killed and the request fails with
 * TIMEOUT) and maps its failures to credential errors. Its environment is
 * ExecAuth's: piksel's own (it needs the AWS credentials and profile).
 *
 * ExecAuth keeps its spawn function in a private field (`execFn`, client-node
 * 2.x); when that shape changes, the test of this function fails.
 */
export async function boundCredentialPlugin(kc: KubeConfig, timeouts: Timeouts = requestTimeouts()): Promise<boolean> {
  const authenticators = (kc as unknown as {authenticators?: unknown[]}).authenticators ?? []
  const exec = authenticators.find(
    (a): a is {execFn: Spawn} =>
      typeof (a as {execFn?: unknown})?.execFn === 'function' && 'tokenCache' in (a as object),
  )
  if (!exec) return false
  const {spawn} = await import('node:child_process')
  const limit = timeouts.requestMs
  exec.execFn = (command, args, options) => {
    const child = spawn(command, args, options)
    const shown = [command, ...args.slice(0, 2)].join(' ')
    let stderr = ''
    let timedOut = false
    let failure: unknown
    let replacing = false
    child.stderr?.on('data', (chunk: Buffer | string) => {
      if (stderr.length < 4096) stderr += String(chunk)
    })
    child.on('error', (error) => {
      if (!replacing) failure = error
    })
    const timer = setTimeout(() => {
      timedOut = true
      child.kill('SIGKILL')
    }, limit)
    timer.unref()
    // Registered before ExecAuth's own listeners: an 'error' emitted here is the one it rejects with.
    child.once('close', (code) => {
      clearTimeout(timer)
      let mapped: PikselError | undefined
      if (timedOut) {
        mapped = new OperationError(
          `The kubeconfig's credential plugin \`${shown}\` did not finish within ${formatDuration(limit)}.`,
          {
            code: 'TIMEOUT',
            hint: `Run it yourself to see why (\`${[command, ...args].join(' ')}\`); an expired SSO session needs \`aws sso login\`. --request-timeout 1m waits longer.`,
          },
        )
      } else if (failure) {
        mapped = new CredentialsError(
          `The kubeconfig's credential plugin \`${command}\` could not run: ${(failure as NodeJS.ErrnoException).code ?? String(failure)}.`,
          {
            code: 'CREDENTIALS',
            hint: `Install it or fix the kubeconfig's exec command (\`aws eks update-kubeconfig\` writes one for the aws CLI).`,
            cause: failure,
          },
        )
      } else if (code !== 0) {
        mapped = pluginFailed(shown, stderr)
      }
      if (mapped) {
        replacing = true
        child.emit('error', mapped)
      }
    })
    return child
  }
  return true
}

/** A credential plugin that exited non-zero: an expired SSO session, or its own words. */
function pluginFailed(shown: string, stderr: string): CredentialsError {
  const line = (stderr.split('\n').find((l) => l.trim()) ?? '').trim().slice(0, 300)
  if (/sso|expired|aws sso login/i.test(stderr)) {
    return new CredentialsError(
      `The kubeconfig's credential plugin \`${shown}\` failed: the AWS SSO session has expired (${line}).`,
      {
        code: 'SSO_EXPIRED',
        hint: 'Run `aws sso login --profile <profile>` (the kubeconfig user’s AWS_PROFILE), then retry.',
      },
    )
  }
  return new CredentialsError(`The kubeconfig's credential plugin \`${shown}\` failed${line ? `: ${line}` : ''}.`, {
    code: 'CREDENTIALS',
    hint: 'Run the plugin yourself to see why (`kubectl config view --minify` shows it), then retry.',
  })
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

/** GET /version, bounded by the run's timeouts (or `timeoutMs`, for doctor's quick probe). */
export async function probeApi(kc: KubeConfig, timeoutMs?: number): Promise<{gitVersion: string; server: string}> {
  const {KubeClient} = await import('./client.ts')
  const {timeoutsFor} = await import('../timeouts.ts')
  const client = new KubeClient(kc, timeoutMs === undefined ? requestTimeouts() : timeoutsFor(timeoutMs))
  try {
    const info = await client.get<{gitVersion?: string}>('/version')
    return {gitVersion: info.gitVersion ?? '(unknown)', server: client.server}
  } finally {
    client.close()
  }
}
