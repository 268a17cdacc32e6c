/**
 * Runs a child process (terraform, flux, aws) with its output streamed line by
 * line. The child runs in its own process group: a terminal Ctrl-C, a CI
 * runner's SIGTERM or a SIGHUP reaches only piksel, which forwards exactly one
 * SIGINT and keeps reading the child's output until it exits (signals.ts has the
 * policy; a second SIGINT makes Terraform stop hard and can leave its state lock).
 * Secrets go to the child only through `env`, never through `args`.
 */
import {InterruptedError, UsageError} from '../errors.ts'
import {CHILD_STOP_SIGNAL, describeSignal, stopSignalOf, trackChild} from './signals.ts'

export type OutputStream = 'stdout' | 'stderr'

/** Never inherited by children: only the child that needs one gets it, through `env`. */
export const SECRET_ENV = ['GITHUB_TOKEN', 'GH_TOKEN'] as const

/** The child's environment: ours without the secrets, plus `extra`. Pure. */
export function childEnv(
  parent: NodeJS.ProcessEnv,
  extra: Record<string, string> = {},
): Record<string, string | undefined> {
  const env: Record<string, string | undefined> = {...parent}
  for (const name of SECRET_ENV) delete env[name]
  return {...env, ...extra}
}

export interface RunOptions {
  cwd?: string
  /** Added to the inherited environment (which never carries GITHUB_TOKEN). */
  env?: Record<string, string>
  onLine?: (line: string, stream: OutputStream) => void
  /** Stream stdout lines to onLine (default true); false keeps it for the result only. */
  streamStdout?: boolean
  signal?: AbortSignal
  /** What to say when the child is interrupted. */
  interruptedMessage?: string
  /** What the child is doing, for the stop messages (default: the file name). */
  name?: string
}

export interface RunOutcome {
  exitCode: number
  stdout: string
  /** Every line seen (stdout when streamed, and stderr). */
  lines: string[]
}

export async function runStreaming(file: string, args: string[], options: RunOptions = {}): Promise<RunOutcome> {
  const {signal, onLine} = options
  if (signal?.aborted) throw new InterruptedError()
  const {execa} = await import('execa')
  const child = execa(file, args, {
    cwd: options.cwd,
    env: childEnv(process.env, options.env),
    extendEnv: false,
    stdin: 'ignore',
    reject: false,
    detached: true,
    cleanup: false,
    forceKillAfterDelay: false,
    maxBuffer: 512 * 1024 * 1024,
  })
  const childName = options.name ?? file
  const untrack = trackChild(child.pid, childName)
  const lines: string[] = []
  for (const name of ['stdout', 'stderr'] as const) {
    const source = child[name]
    if (!source || (name === 'stdout' && options.streamStdout === false)) continue
    let rest = ''
    source.setEncoding('utf8')
    source.on('data', (chunk: string) => {
      const parts = (rest + chunk).split(/\r?\n/)
      rest = parts.pop() ?? ''
      for (const line of parts) {
        lines.push(line)
        onLine?.(line, name)
      }
    })
    source.on('end', () => {
      if (rest) {
        lines.push(rest)
        onLine?.(rest, name)
      }
    })
  }
  let interrupted = false
  const forward = () => {
    if (interrupted) return
    interrupted = true
    const received = describeSignal(stopSignalOf(signal?.reason))
    onLine?.(`piksel: ${received}: sent ${CHILD_STOP_SIGNAL} to ${childName}, waiting for it to exit…`, 'stderr')
    child.kill(CHILD_STOP_SIGNAL)
  }
  signal?.addEventListener('abort', forward, {once: true})
  try {
    const result = await child
    if ((result as {code?: string}).code === 'ENOENT') {
      throw new UsageError(`${file} is not on PATH.`, {
        code: 'TOOL_MISSING',
        hint: '`piksel doctor` checks the tools and says where to get them.',
      })
    }
    if (interrupted || signal?.aborted) {
      throw new InterruptedError(options.interruptedMessage ?? `Interrupted: ${file} stopped.`)
    }
    return {exitCode: result.exitCode ?? 1, stdout: String(result.stdout ?? ''), lines}
  } finally {
    untrack()
    signal?.removeEventListener('abort', forward)
  }
}

/** The last non-empty lines of a child's output, for a failure message. Pure. */
export function tail(lines: readonly string[], count = 3): string {
  return lines
    .map((line) => line.trim())
    .filter(Boolean)
    .slice(-count)
    .join(' | ')
}
