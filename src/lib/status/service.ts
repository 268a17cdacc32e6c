/**
 * `piksel status`: open the cluster once (cluster.ts), read it (snapshot.ts), judge it
 * (judge.ts), and, as asked, request reconciliation and follow it through watches
 * (follow.ts). No flags, prompts or terminal here: plain options in, plain results out;
 * what needs the user (confirming a plan, progress) comes in as callbacks.
 */
import {type ConnectOptions, type FluxCluster, type ReconcileRequest, withFluxCluster} from './cluster.ts'
import {objectKey} from './health.ts'
import {type FollowMemory, type JudgeOptions, type StatusResult, judge, reconcilePlan} from './judge.ts'
import type {ReconcilePlan, ReconcileTarget} from './plan.ts'
import {describeSelection} from './scope.ts'
import {FLUX_NAMESPACE, type ReadScope, referenceStreams} from './snapshot.ts'

export type {StatusResult, WorkloadHealth} from './judge.ts'
export type {ReconcileRequest} from './cluster.ts'

export interface StatusOptions extends ConnectOptions {
  /** Show only this namespace (default: all namespaces); what the objects depend on is read wherever it is. */
  namespace?: string
  /** Show only objects with these labels (passed to the API); what they depend on is read too. */
  selector?: string
  /** Also check the workloads in each Kustomization's inventory. */
  deep?: boolean
  /** Suspended objects do not make the verdict unhealthy. */
  ignoreSuspended?: boolean
  /** The Flux controllers' namespace (default flux-system). */
  fluxNamespace?: string
}

export interface FollowingOptions {
  /** Give up after this long (ms; the result is returned, unhealthy, `timedOut: true`). */
  timeoutMs?: number
  /** Called with every new view of the cluster (the first read, then after each batch of watch events). */
  onProgress?: (result: StatusResult) => void
  /** After --reconcile: these objects count as progressing until Flux has handled the request. */
  requested?: {at: string; keys: string[]}
  /**
   * When the wait began (ms since the epoch; default: when the call began): timeoutMs and
   * elapsedMs count from it. `--wait` starts it before the cluster is opened, so its
   * --timeout bounds discovery and the first read too.
   */
  startedAt?: number
}

export interface WaitResult extends StatusResult {
  timedOut: boolean
  /** Since the wait began (ms). */
  elapsedMs: number
}

export interface ReconcilePreview {
  status: StatusResult
  plan: ReconcilePlan
}

/** One `piksel status` run: what to do after the first read. */
export interface StatusRequest extends StatusOptions, FollowingOptions {
  /** wait: follow until healthy or timeoutMs; watch: follow until the signal aborts; default: one read. */
  follow?: 'wait' | 'watch'
  /**
   * --reconcile: the plan from the first read goes to `confirm` (which shows it; an empty plan
   * is never requested); when confirmed, the targets are annotated, `onRequested` is told,
   * and the cluster followed until Flux has handled the request and it is healthy.
   */
  reconcile?: {
    confirm: (preview: ReconcilePreview) => Promise<boolean>
    onRequested?: (request: ReconcileRequest) => void
  }
}

/** The `--json` document of `piksel status`. */
export interface StatusReport extends StatusResult {
  timedOut?: boolean
  elapsedMs?: number
  reconcile?: {
    requestedAt: string | null
    patched: ReconcileTarget[]
    refused: Array<ReconcileTarget & {hint: string}>
  }
}

/** The whole of one `piksel status` run, on one cluster connection (one discovery). */
export async function collectStatus(request: StatusRequest): Promise<StatusReport> {
  // --wait: --timeout is the run's bound, discovery and the first read included.
  const startedAt = request.startedAt ?? Date.now()
  return withFluxCluster(request, async (cluster) => {
    if (request.follow === 'watch') return watchUntilInterrupted(request, cluster)
    if (!request.reconcile) {
      if (request.follow === 'wait') return waitUntilHealthy({...request, startedAt}, cluster)
      return (await readOnce(cluster, request)).result
    }
    const first = await readOnce(cluster, request)
    const preview = {status: first.result, plan: reconcilePlan(first.snapshot, first.judged)}
    const reconcile: NonNullable<StatusReport['reconcile']> = {
      requestedAt: null,
      patched: [],
      refused: preview.plan.refused,
    }
    const go = await request.reconcile.confirm(preview)
    if (!go || preview.plan.targets.length === 0) return {...first.result, reconcile}
    const done = await cluster.requestReconciliation(preview.plan.targets, new Date(), request.signal)
    reconcile.requestedAt = done.at
    reconcile.patched = done.patched
    request.reconcile.onRequested?.(done)
    const requested = {at: done.at, keys: done.patched.map((t) => objectKey(t.kind, t.namespace, t.name))}
    return {...(await waitUntilHealthy({...request, requested}, cluster)), reconcile}
  })
}

/**
 * Follow the cluster through watches until it is healthy or the timeout (`timedOut: true`);
 * aborting the signal rejects with its reason. Objects seen ready stay ready through a
 * routine re-reconcile. On `cluster` when given (it stays open), else on one opened for it.
 */
export async function waitUntilHealthy(
  options: StatusOptions & FollowingOptions,
  cluster?: FluxCluster,
): Promise<WaitResult> {
  const started = options.startedAt ?? Date.now()
  const follow = (c: FluxCluster) => followCluster(c, options, {untilHealthy: true, started})
  return cluster ? follow(cluster) : withFluxCluster(options, follow)
}

/**
 * `--watch`: follow the cluster until the signal aborts, whatever its health, then resolve
 * with the last view (`timedOut: false`). On `cluster` when given, else on one opened for it.
 */
export async function watchUntilInterrupted(
  options: StatusOptions & FollowingOptions,
  cluster?: FluxCluster,
): Promise<WaitResult> {
  const started = options.startedAt ?? Date.now()
  const follow = (c: FluxCluster) => followCluster(c, options, {untilHealthy: false, started})
  return cluster ? follow(cluster) : withFluxCluster(options, follow)
}

function scopeOf(options: StatusOptions): ReadScope & JudgeOptions {
  return {
    namespace: options.namespace,
    selector: options.selector,
    deep: options.deep,
    ignoreSuspended: options.ignoreSuspended,
    fluxNamespace: options.fluxNamespace ?? FLUX_NAMESPACE,
    selection: describeSelection(options),
  }
}

/** One read, judged: the snapshot is kept for the reconcile plan. */
async function readOnce(cluster: FluxCluster, options: StatusOptions) {
  const scope = scopeOf(options)
  const snapshot = (await cluster.read(scope, options.signal)).snapshot()
  const judged = judge(snapshot, scope)
  return {snapshot, judged, result: judged.result}
}

async function followCluster(
  cluster: FluxCluster,
  options: StatusOptions & FollowingOptions,
  how: {untilHealthy: boolean; started: number},
): Promise<WaitResult> {
  const scope = scopeOf(options)
  const store = await cluster.read(scope, options.signal)
  let memory: FollowMemory = {seenReady: new Set(), requested: options.requested}
  const view = () => {
    const judged = judge(store.snapshot(), scope, memory)
    memory = {...memory, seenReady: judged.seenReady}
    options.onProgress?.(judged.result)
    return judged.result
  }
  let last = view()
  const elapsed = () => Date.now() - how.started
  if (how.untilHealthy && last.verdict === 'healthy') return {...last, timedOut: false, elapsedMs: elapsed()}
  const {timedOut} = await cluster.follow(store, {
    signal: options.signal,
    timeoutMs: options.timeoutMs === undefined ? undefined : options.timeoutMs - elapsed(),
    onAbort: how.untilHealthy ? 'reject' : 'resolve',
    onChange: (add) => {
      // Objects may have come to reference others not read yet (a new dependsOn, a new object
      // matching the selection): read and follow them too, and judge only once they are listed
      // (their list calls onChange again); judged without them, a ready object built from a
      // failing source not read yet would end --wait healthy.
      for (const stream of referenceStreams(store.snapshot())) add(stream)
      if (store.unlisted()) return false
      last = view()
      return how.untilHealthy && last.verdict === 'healthy'
    },
  })
  return {...last, timedOut, elapsedMs: elapsed()}
}
