/**
 * Loading a kubeconfig and reaching the API. `@kubernetes/client-node`'s KubeConfig is
 * imported lazily and without the generated API (client-node.ts): only commands that talk to a
 * cluster pay for it.
 *
 * (About 350 lines: kubeconfig loading, the bounded credential plugin and the probe share
 * the KubeConfig handling; each is a short section.)
 */
import type {ChildProcess, SpawnOptions} from 'node:child_process'
import {existsSync} from 'node:fs'
import {homedir} from 'node:os'
import {delimiter, join} from 'node:path'

import type {KubeConfig} from '@kubernetes/client-node'
import type {UnreadableTokenFiles} from './kubectl-fields.ts'

import type {PikselError} from '../errors.ts'
import {CredentialsError, OperationError, UsageError} from '../errors.ts'
import {formatDuration} from '../duration.ts'
import {type Timeouts, requestTimeouts} from '../timeouts.ts'

export interface KubeTarget {
  /** --kubeconfig; otherwise KUBECONFIG or ~/.kube/config. */
  kubeconfig?: string
  /** --context, or the environment's cluster name. */
  context?: string
  /** The environment's AWS profile and region for the exec credential plugin (see pluginEnvFor). */
  pluginEnv?: PluginEnv
}

/** What the exec credential plugin (`aws eks get-token`) is given of the environment's AWS session. */
export interface PluginEnv {
  AWS_PROFILE?: string
  AWS_REGION?: string
}

/**
 * Pure: the variables an environment's session hands the kubeconfig's exec credential plugin,
 * so `aws eks get-token` signs as the caller the account guard checked (the session's profile,
 * or none when credentials come from the environment) in the session's region. Without this the
 * plugin would inherit the shell's AWS_PROFILE (or none), whatever environment the command is on.
 */
export function pluginEnvFor(session: {profile?: string; region: string}): PluginEnv {
  return {...(session.profile ? {AWS_PROFILE: session.profile} : {}), AWS_REGION: session.region}
}

/**
 * Pure: the plugin child's environment: `base` (what client-node's ExecAuth passes: piksel's own
 * environment, with the kubeconfig user's `exec.env` over it) with `pluginEnv` added, except for
 * the variables the user's `exec.env` sets itself (`aws eks update-kubeconfig --profile` writes
 * AWS_PROFILE there: the kubeconfig's explicit choice stands).
 */
export function pluginChildEnv(
  base: NodeJS.ProcessEnv,
  userEnvNames: readonly string[],
  pluginEnv: PluginEnv,
): NodeJS.ProcessEnv {
  const added = Object.entries(pluginEnv).filter(
    (entry): entry is [string, string] => entry[1] !== undefined && !userEnvNames.includes(entry[0]),
  )
  return {...base, ...Object.fromEntries(added)}
}

export async function loadKubeConfig(target: KubeTarget): Promise<KubeConfig> {
  const {loadClientNode} = await import('./client-node.ts')
  const {KubeConfig} = await loadClientNode()
  const {applyKubectlFields, unreadableTokenFor} = await import('./kubectl-fields.ts')
  const kc = new KubeConfig()
  const unreadable: UnreadableTokenFiles = new Map()
  try {
    const files = (process.env.KUBECONFIG ?? '').split(delimiter).filter(Boolean)
    if (target.kubeconfig) {
      kc.loadFromFile(target.kubeconfig)
      await applyKubectlFields(kc, target.kubeconfig, unreadable)
    } else if (files.length > 0) {
      // Each file read as kubectl reads it before they are merged (a token file is relative to its kubeconfig).
      const loaded = new Map<string, KubeConfig>()
      for (const file of files.filter((f) => existsSync(f))) {
        const next = new KubeConfig()
        next.loadFromFile(file)
        await applyKubectlFields(next, file, unreadable)
        loaded.set(file, next)
      }
      mergeKubeconfigFiles(kc, files, (file) => loaded.get(file)!)
    } else {
      kc.loadFromDefault()
      const file = join(homedir(), '.kube', 'config')
      if (existsSync(file)) await applyKubectlFields(kc, file, unreadable)
    }
  } catch (error) {
    throw new UsageError(`Cannot read kubeconfig: ${(error as Error).message}`, {
      code: 'KUBECONFIG',
      hint: 'Check --kubeconfig / KUBECONFIG.',
    })
  }
  addDefaultScheme(kc)
  allowPlainHttp(kc)
  if (target.context) {
    if (!kc.getContextObject(target.context)) {
      throw new UsageError(`No kube context named "${target.context}".`, {
        code: 'NO_CONTEXT',
        hint: `Run \`${updateKubeconfigCommand(target.context, target.pluginEnv)}\`, or pass --context.`,
      })
    }
    kc.setCurrentContext(target.context)
  }
  // Only the token file the chosen context needs must be readable, as with kubectl.
  const why = unreadableTokenFor(kc, unreadable)
  if (why)
    throw new UsageError(`Cannot read kubeconfig: ${why}`, {
      code: 'KUBECONFIG',
      hint: 'Check --kubeconfig / KUBECONFIG.',
    })
  await boundCredentialPlugin(kc, requestTimeouts(), target.pluginEnv)
  return kc
}

/**
 * The files of KUBECONFIG merged as kubectl (client-go's loading rules, which flux uses too)
 * merges them, not as client-node's loadFromDefault does: a file that does not exist is skipped
 * (`aws eks update-kubeconfig` creates the first one), the first definition of a cluster, user
 * or context wins (client-node throws "Duplicate cluster"), and so does the first current-context
 * (client-node takes the last). So piksel checks the very context flux and kubectl act on.
 * With no file present, the first one's error is raised.
 */
export function mergeKubeconfigFiles(
  kc: KubeConfig,
  files: readonly string[],
  load: (file: string) => KubeConfig,
): void {
  const present = files.filter((file) => existsSync(file))
  if (present.length === 0) {
    kc.loadFromFile(files[0]!)
    return
  }
  const [first, ...rest] = present.map(load)
  kc.loadFromOptions({
    clusters: first!.clusters,
    users: first!.users,
    contexts: first!.contexts,
    currentContext: first!.currentContext,
  })
  for (const next of rest) {
    const add = <T extends {name: string}>(have: T[], more: T[]) => [
      ...have,
      ...more.filter((entry) => !have.some((known) => known.name === entry.name)),
    ]
    kc.clusters = add(kc.clusters, next.clusters)
    kc.users = add(kc.users, next.users)
    kc.contexts = add(kc.contexts, next.contexts)
    if (!kc.currentContext && next.currentContext) kc.currentContext = next.currentContext
  }
}

type Spawn = (command: string, args: readonly string[] | undefined, options: SpawnOptions) => ChildProcess

/**
 * The kubeconfig's exec credential plugin (`aws eks get-token`) runs as a child
 * of client-node's ExecAuth, which waits for it without a limit. This bounds it
 * by the request timeout (then it is killed and the request fails with
 * TIMEOUT) and maps its failures to credential errors. Its environment is
 * ExecAuth's (piksel's own, with the user's `exec.env` over it), plus `pluginEnv` when given:
 * the environment's AWS profile and region, for the variables `exec.env` leaves unset
 * (pluginChildEnv). Given per kubeconfig, never through process.env: under --all-envs
 * environments share the process.
 *
 * ExecAuth waits for the child's `close`, which needs its output pipes closed
 * too: a wrapper script's own child (aws-vault, a `sleep`) can hold them open
 * after the plugin itself is gone. So the plugin runs in its own process group,
 * the whole group is killed at the limit, and the pipes are closed.
 *
 * ExecAuth keeps its spawn function in a private field (`execFn`, client-node
 * 2.x); when that shape changes, the test of this function fails.
 */
export async function boundCredentialPlugin(
  kc: KubeConfig,
  timeouts: Timeouts = requestTimeouts(),
  pluginEnv?: PluginEnv,
): Promise<boolean> {
  const authenticators = (kc as unknown as {authenticators?: unknown[]}).authenticators ?? []
  const exec = authenticators.find(
    (a): a is {execFn: Spawn} =>
      typeof (a as {execFn?: unknown})?.execFn === 'function' && 'tokenCache' in (a as object),
  )
  if (!exec) return false
  const {spawn} = await import('node:child_process')
  const limit = timeouts.requestMs
  exec.execFn = (command, args, options) => {
    // client-node passes the kubeconfig's `args` as written: absent when the plugin takes none.
    const argv = args ?? []
    // The user whose plugin this is: the current context's (set before any request is made).
    const userEnv = (kc.getCurrentUser()?.exec?.env ?? []).map((v: {name: string}) => v.name)
    const env = pluginEnv ? pluginChildEnv(options.env ?? process.env, userEnv, pluginEnv) : options.env
    // Its own process group, so a wrapper's children can be killed with it.
    const child = spawn(command, argv, {...options, ...(env ? {env} : {}), detached: true})
    const shown = [command, ...argv.slice(0, 2)].join(' ')
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
      try {
        if (child.pid !== undefined) process.kill(-child.pid, 'SIGKILL')
      } catch {
        child.kill('SIGKILL')
      }
      // Whatever still holds the pipes (it left the group), `close` must not wait for it.
      for (const stream of [child.stdin, child.stdout, child.stderr]) stream?.destroy()
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
            hint: `Run it yourself to see why (\`${[command, ...argv].join(' ')}\`); an expired SSO session needs \`aws sso login\`. --request-timeout 1m waits longer.`,
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
export function pluginFailed(shown: string, stderr: string): CredentialsError {
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
 * A server written without a scheme (`server: localhost:8001`, `10.0.0.1:6443`) is read as kubectl
 * reads it (client-go `rest.DefaultServerUrlFor`): `https://` when TLS is configured for it (a CA,
 * `insecure-skip-tls-verify`, or a client certificate of a user it is used with), else `http://`.
 * client-node would otherwise build URLs such as `localhost:8001/apis` (an unexpected error).
 */
export function addDefaultScheme(kc: KubeConfig): void {
  const withCert = new Set(kc.users.filter((u) => u.certData || u.certFile).map((u) => u.name))
  kc.clusters = kc.clusters.map((cluster) => {
    if (!cluster.server || /^[a-z][a-z0-9+.-]*:\/\//i.test(cluster.server)) return cluster
    const tls =
      Boolean(cluster.caData || cluster.caFile || cluster.skipTLSVerify) ||
      kc.contexts.some((c) => c.cluster === cluster.name && withCert.has(c.user))
    return {...cluster, server: `${tls ? 'https' : 'http'}://${cluster.server}`}
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

/**
 * Pure: the `aws eks update-kubeconfig` command that writes `context` (named after its cluster),
 * aimed at the environment's region and profile when they are known: typed bare it would use the
 * shell's AWS_REGION and AWS_PROFILE (another region: no such cluster; another account: a context
 * for the wrong cluster).
 */
export function updateKubeconfigCommand(context: string, pluginEnv?: PluginEnv): string {
  const region = pluginEnv?.AWS_REGION ? ` --region ${pluginEnv.AWS_REGION}` : ''
  const profile = pluginEnv?.AWS_PROFILE ? ` --profile ${pluginEnv.AWS_PROFILE}` : ''
  return `aws eks update-kubeconfig --name ${context} --alias ${context}${region}${profile}`
}

/**
 * NO_KUBECONFIG (exit 1): no kubeconfig where kubectl looks. The message says where
 * that was: the files KUBECONFIG names (none exists), else ~/.kube/config.
 */
export function noKubeconfigError(context: string, pluginEnv?: PluginEnv): PikselError {
  const named = (process.env.KUBECONFIG ?? '').split(delimiter).filter(Boolean)
  const where =
    named.length > 0
      ? `none of the files KUBECONFIG names exists: ${named.join(', ')}`
      : 'KUBECONFIG is unset and ~/.kube/config does not exist'
  return new OperationError(`No kubeconfig found (${where}).`, {
    code: 'NO_KUBECONFIG',
    hint: `Run \`${updateKubeconfigCommand(context, pluginEnv)}\`, or pass --kubeconfig.`,
  })
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
