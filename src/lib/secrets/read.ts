/**
 * The one bounded reader every secret comes through: `--from-file` (a file of any
 * kind: regular, /dev/zero, /dev/stdin, a FIFO, a character device), `--from-stdin`,
 * and the hidden prompt (secret create, bootstrap's secrets step).
 *
 * - Size: bytes are counted as they arrive; one byte past the limit the source is
 *   destroyed and the read fails at once with SECRET_TOO_LARGE (exit 2). At most
 *   `limit` bytes plus one chunk are ever held, whatever the source: a stream that
 *   never ends (/dev/zero, `yes |`) costs constant memory and stops quickly.
 * - Text: the bytes must be valid UTF-8 (a fatal TextDecoder); anything else is
 *   SECRET_NOT_UTF8 (exit 2), never replaced by U+FFFD. A byte-order mark is kept,
 *   not stripped: nothing is changed on its way to AWS (the callers drop exactly one
 *   trailing newline from a file or stdin, as the README says, and nothing else).
 * - A pipe or FIFO that stays open and silent below the limit is an ordinary blocking
 *   read (as `cat` would wait); Ctrl-C interrupts it.
 *
 * Messages name the source and the limit, never any of the content.
 */
import {constants, createReadStream} from 'node:fs'
import {open, stat} from 'node:fs/promises'
import type {Readable} from 'node:stream'
import {isatty} from 'node:tty'

import {UsageError} from '../errors.ts'
import {MAX_SECRET_BYTES} from './values.ts'

/** A file or stdin may hold the largest secret plus the one trailing newline (`\r\n`) that is dropped. */
export const SECRET_INPUT_LIMIT = MAX_SECRET_BYTES + 2
/**
 * The hidden prompt takes at most 4 KiB of keystrokes (Enter, Backspace and a terminal's
 * paste markers count): a terminal line's own limit (Linux N_TTY, 4095 bytes), ample for
 * a webhook URL, an OAuth client or a token, and quick to refuse (the prompt library
 * redraws on every keystroke). A longer secret comes through --from-file or --from-stdin.
 */
export const PROMPT_INPUT_LIMIT = 4096

export interface SecretSource {
  /** How messages name it: `--from-file /dev/zero`, `stdin (--from-stdin)`, `the hidden prompt`. */
  what: string
  /** What to do instead, for the hint. */
  hint: string
  /** Why the limit, when it is not Secrets Manager's own (the prompt's). */
  why?: string
}

export function tooLarge(source: SecretSource, limit: number): UsageError {
  const why = source.why ?? `too large for a secret (Secrets Manager takes at most ${MAX_SECRET_BYTES})`
  return new UsageError(
    `${source.what} holds more than ${limit} bytes: ${why}. Reading stopped there; nothing was changed.`,
    {code: 'SECRET_TOO_LARGE', hint: source.hint},
  )
}

export function notUtf8(source: SecretSource): UsageError {
  return new UsageError(
    `${source.what} is not valid UTF-8 text. A secret is stored as text and piksel never alters a value on its way to AWS. Nothing was changed.`,
    {
      code: 'SECRET_NOT_UTF8',
      hint: 'Check the input’s encoding (e.g. `iconv -f UTF-16 -t UTF-8` for a UTF-16 file) and that it holds only the secret.',
    },
  )
}

/** Pure: the bytes as text, or SECRET_NOT_UTF8. A BOM is kept (ignoreBOM: true means "do not strip it"). */
export function decodeUtf8(bytes: Uint8Array, source: SecretSource): string {
  try {
    return new TextDecoder('utf-8', {fatal: true, ignoreBOM: true}).decode(bytes)
  } catch {
    throw notUtf8(source)
  }
}

/**
 * Reads `stream` to its end, holding at most `limit` bytes; one byte more and the
 * stream is destroyed and SECRET_TOO_LARGE thrown. Errors from the source become
 * SECRET_FILE_UNREADABLE (file) or the error itself.
 */
export function readBounded(
  stream: Readable,
  source: SecretSource,
  limit: number = SECRET_INPUT_LIMIT,
  onError: (error: unknown) => Error = (error) => error as Error,
): Promise<string> {
  return new Promise<string>((resolve, reject) => {
    const chunks: Buffer[] = []
    let size = 0
    let settled = false
    const finish = (error: Error | undefined, value?: string) => {
      if (settled) return
      settled = true
      stream.off('data', onData)
      stream.off('end', onEnd)
      stream.off('error', onFail)
      if (error) reject(error)
      else resolve(value as string)
    }
    const onData = (chunk: Buffer | string) => {
      const bytes = typeof chunk === 'string' ? Buffer.from(chunk, 'utf8') : chunk
      size += bytes.length
      if (size > limit) {
        chunks.length = 0
        // Stop the source now: no more reads, the descriptor is closed, a writer gets EPIPE.
        stream.destroy()
        finish(tooLarge(source, limit))
        return
      }
      chunks.push(bytes)
    }
    const onEnd = () => {
      try {
        finish(undefined, decodeUtf8(Buffer.concat(chunks), source))
      } catch (error) {
        finish(error as Error)
      }
    }
    const onFail = (error: unknown) => finish(onError(error))
    stream.on('data', onData)
    stream.once('end', onEnd)
    stream.once('error', onFail)
  })
}

/**
 * `--from-file PATH`, whatever PATH is. The stream asks for at most `limit + 1`
 * bytes (`end` is inclusive), so even /dev/zero is read exactly one byte past the limit.
 * A terminal (`/dev/tty`, or `/dev/stdin` on one) is refused before reading, as --from-stdin
 * on a terminal is: it would echo the secret as it is typed.
 */
export async function readSecretFile(path: string, limit: number = SECRET_INPUT_LIMIT): Promise<string> {
  const source = {what: `--from-file ${path}`, hint: 'Point --from-file at a file that holds only the secret.'}
  if (await isTerminal(path)) {
    throw new UsageError(
      `--from-file ${path} is a terminal: what is typed there is shown on the screen. Nothing was changed.`,
      {
        code: 'SECRET_FILE_IS_TTY',
        hint: 'Leave out --from-file to get the hidden prompt, or point it at a file or pipe that holds the secret.',
      },
    )
  }
  return readBounded(createReadStream(path, {end: limit}), source, limit, (error) => unreadable(path, error))
}

/**
 * Whether PATH is a terminal. Only character devices can be; one is opened without
 * blocking and without becoming the controlling terminal, asked, and closed. Anything
 * that cannot be asked is left to the read (which reports it).
 */
async function isTerminal(path: string): Promise<boolean> {
  try {
    if (!(await stat(path)).isCharacterDevice()) return false
    const handle = await open(path, constants.O_RDONLY | constants.O_NONBLOCK | constants.O_NOCTTY)
    try {
      return isatty(handle.fd)
    } finally {
      await handle.close()
    }
  } catch {
    return false
  }
}

/** `--from-stdin`: everything until end of input, within the limit. */
export function readSecretStdin(stdin: Readable = process.stdin, limit: number = SECRET_INPUT_LIMIT): Promise<string> {
  return readBounded(stdin, {what: 'stdin (--from-stdin)', hint: 'Pipe only the secret into --from-stdin.'}, limit)
}

function unreadable(path: string, error: unknown): UsageError {
  const code = (error as {code?: string}).code ?? 'error'
  const why =
    code === 'ENOENT'
      ? 'no such file'
      : code === 'EACCES'
        ? 'permission denied'
        : code === 'EISDIR'
          ? 'it is a directory'
          : code === 'ENXIO'
            ? 'it is a socket, which cannot be opened as a file (use --from-stdin)'
            : code
  return new UsageError(`Cannot read --from-file ${path}: ${why}. Nothing was changed.`, {
    code: 'SECRET_FILE_UNREADABLE',
    hint: 'Check the path, or use --from-stdin or the hidden prompt.',
  })
}

/**
 * Runs a prompt (`ask`) under the same bound, watching the bytes the terminal sends
 * on `input` while it is up: one byte past `limit`, or bytes that are not UTF-8, and
 * the prompt is aborted (through `signal`) with SECRET_TOO_LARGE / SECRET_NOT_UTF8.
 * The prompt library itself never holds more than `limit` bytes plus one chunk.
 */
export async function boundedPrompt<T>(
  ask: (signal: AbortSignal) => Promise<T>,
  source: SecretSource = {
    what: 'the hidden prompt',
    hint: 'Type or paste only the secret; a longer one comes through --from-file or --from-stdin.',
    why: 'more than the prompt takes',
  },
  limit: number = PROMPT_INPUT_LIMIT,
  input: NodeJS.ReadableStream = process.stdin,
): Promise<T> {
  const controller = new AbortController()
  const decoder = new TextDecoder('utf-8', {fatal: true})
  let size = 0
  let failure: UsageError | undefined
  const onData = (chunk: Buffer | string) => {
    if (failure) return
    const bytes = typeof chunk === 'string' ? Buffer.from(chunk, 'utf8') : chunk
    size += bytes.length
    if (size > limit) {
      failure = tooLarge(source, limit)
    } else {
      try {
        decoder.decode(bytes, {stream: true})
      } catch {
        failure = notUtf8(source)
      }
    }
    if (failure) controller.abort(failure)
  }
  // Listen only once the prompt has resumed the input: a listener of our own before that
  // would start the stream flowing and swallow keystrokes meant for the prompt.
  const attach = () => input.on('data', onData)
  if ((input as Readable).readableFlowing) attach()
  else input.once('resume', attach)
  try {
    return await ask(controller.signal)
  } catch (error) {
    if (failure) throw failure
    throw error
  } finally {
    input.off('resume', attach)
    input.off('data', onData)
  }
}
