/**
 * A concurrency bound for independent AWS calls: at most `limit` run at once,
 * the rest queue in order. No I/O of its own.
 */
export type Limiter = <T>(task: () => Promise<T>) => Promise<T>

export function createLimiter(limit: number): Limiter {
  if (!Number.isInteger(limit) || limit < 1)
    throw new RangeError(`concurrency must be a positive integer, got ${limit}`)
  let running = 0
  const queue: Array<() => void> = []
  const next = () => {
    if (running >= limit) return
    const start = queue.shift()
    if (start) {
      running += 1
      start()
    }
  }
  return <T>(task: () => Promise<T>) =>
    new Promise<T>((resolve, reject) => {
      queue.push(() => {
        task()
          .then(resolve, reject)
          .finally(() => {
            running -= 1
            next()
          })
      })
      next()
    })
}
