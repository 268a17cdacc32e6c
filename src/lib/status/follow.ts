/**
 * Following the cluster: each stream of a store is watched from the resourceVersion of its
 * list; events update the store; a 410 Gone lists again; a watch the server ends is resumed,
 * one that fails is retried with a back-off for as long as one request may take.
 *
 * Why not client-node's informer (`ListWatch` / `makeInformer`): it stops for good on any
 * watch error but 410 (no retry, no back-off) and reconnects for ever on a client-side
 * timeout, where a frozen server must fail (TIMEOUT) and a passing error be retried; it drives
 * client-node's `Watch` itself, around KubeClient.watch's bounds (server `timeoutSeconds`,
 * the idle timer, 401/403 and proxy-page mapping); it lists on start, where status has read
 * the streams already (with the reference closure); and its module (cache.js, with
 * ObjectSerializer and every generated model) costs 0.31 s to import against 0.12 s for
 * watch.js alone (measured here), where issue 13 §6 wants status to start faster.
 */
import type {KubeClient} from '../kube/client.ts'
import type {ListResponse, Store, Stream} from './snapshot.ts'
import {withQuery} from './snapshot.ts'

export interface FollowOptions {
  signal?: AbortSignal
  /** Stop following after this long (ms): resolves with `timedOut: true`. */
  timeoutMs?: number
  /**
   * What aborting the signal means: `reject` (waiting for a condition: the run was
   * interrupted) or `resolve` (following until interrupted is how it ends).
   */
  onAbort: 'reject' | 'resolve'
  /**
   * Called after each batch of changes (events within 50 ms are one batch), with `add` to read
   * and follow one more stream (objects that came to reference others). True stops following.
   */
  onChange: (add: (stream: Stream) => void) => boolean
}

/** How often a burst of events is judged at most. */
const BATCH_MS = 50

/** Follow the store's streams until onChange says so, the timeout, or the signal. */
export async function follow(client: KubeClient, store: Store, options: FollowOptions): Promise<{timedOut: boolean}> {
  const stops = new Map<string, () => void>()
  let finished = false
  try {
    return await new Promise<{timedOut: boolean}>((resolve, reject) => {
      let timer: NodeJS.Timeout | undefined
      let pending: NodeJS.Timeout | undefined
      // Watch restarts waiting out their backoff. They hold the process open: under --watch
      // (no --timeout timer) nothing else may, and an unref'd one let it exit 0 mid-wait.
      const restarts = new Set<NodeJS.Timeout>()
      const end = (settle: () => void) => {
        if (finished) return
        finished = true
        clearTimeout(timer)
        clearTimeout(pending)
        for (const restart of restarts) clearTimeout(restart)
        options.signal?.removeEventListener('abort', onAbort)
        settle()
      }
      const finish = (timedOut: boolean) => end(() => resolve({timedOut}))
      const fail = (error: unknown) => end(() => reject(error))
      const onAbort = () => {
        if (options.onAbort === 'reject') fail(options.signal?.reason ?? new Error('aborted'))
        else finish(false)
      }
      if (options.signal?.aborted) return onAbort()
      options.signal?.addEventListener('abort', onAbort, {once: true})
      if (options.timeoutMs !== undefined && Number.isFinite(options.timeoutMs)) {
        timer = setTimeout(() => finish(true), Math.max(0, options.timeoutMs))
      }
      const add = (stream: Stream) => {
        store.add(stream)
        void relist(stream)
      }
      // Batch bursts of events into one judgement.
      const changed = () => {
        if (pending || finished) return
        pending = setTimeout(() => {
          pending = undefined
          if (finished) return
          try {
            if (options.onChange(add)) finish(false)
          } catch (error) {
            fail(error)
          }
        }, BATCH_MS)
      }
      // Each (re)started watch of a stream gets a token; callbacks of superseded ones are ignored.
      const tokens = new Map<string, number>()
      // Since when a stream's watch has failed without an event in between: a server that keeps
      // failing it for longer than one request may take is not coming back on its own.
      const failingSince = new Map<string, number>()
      const startWatch = async (stream: Stream, attempt = 0): Promise<void> => {
        if (finished) return
        const token = (tokens.get(stream.id) ?? 0) + 1
        tokens.set(stream.id, token)
        const current = () => !finished && tokens.get(stream.id) === token
        const stop = await client.watch<Parameters<Store['apply']>[1]['object']>(
          stream.path,
          {resourceVersion: store.versions.get(stream.id) || undefined, labelSelector: stream.labelSelector},
          (event) => {
            if (!current()) return
            failingSince.delete(stream.id)
            if (event.type === 'ERROR') {
              // 410 Gone: the resourceVersion is too old; list again.
              tokens.set(stream.id, token + 1)
              stops.get(stream.id)?.()
              void relist(stream)
              return
            }
            if (store.apply(stream, event)) changed()
          },
          (error) => {
            if (!current()) return
            // A server that stopped answering (TIMEOUT) or refuses the watch: restarting would only loop.
            if ((error as {retryable?: boolean} | null)?.retryable === false) return fail(error)
            if ((error as {statusCode?: number} | null)?.statusCode === 410) {
              tokens.set(stream.id, token + 1)
              void relist(stream)
              return
            }
            if (error) {
              const since = failingSince.get(stream.id) ?? Date.now()
              failingSince.set(stream.id, since)
              if (Date.now() - since >= client.timeouts.requestMs) return fail(error)
            } else failingSince.delete(stream.id)
            // Streams end routinely (server timeouts); resume, backing off after repeated errors.
            const delay = error ? Math.min(5000, 250 * 2 ** attempt) : 0
            const restart = setTimeout(() => {
              restarts.delete(restart)
              void startWatch(stream, error ? attempt + 1 : 0).catch(fail)
            }, delay)
            restarts.add(restart)
          },
        )
        if (finished) stop()
        else stops.set(stream.id, stop)
      }
      const relist = async (stream: Stream) => {
        try {
          store.set(
            stream,
            await client.get<ListResponse<never>>(withQuery(stream.path, {labelSelector: stream.labelSelector})),
          )
          changed()
          await startWatch(stream)
        } catch (error) {
          fail(error)
        }
      }
      Promise.all(store.streams.map((s) => startWatch(s))).catch(fail)
    })
  } finally {
    finished = true
    for (const stop of stops.values()) stop()
  }
}
