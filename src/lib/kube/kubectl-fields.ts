/**
 * What kubectl reads of a kubeconfig file that client-node's KubeConfig does not, applied to a
 * KubeConfig loaded from that file. kubectl's rules are client-go's (tools/clientcmd: the v1
 * `AuthInfo` fields, `ResolveLocalPaths`, and transport's cached file token source).
 */
import {closeSync, openSync, readSync, readFileSync} from 'node:fs'
import {dirname, isAbsolute, resolve, sep} from 'node:path'

import type {KubeConfig} from '@kubernetes/client-node'

/**
 * Token files that could not be read, by user name, with why: kubectl fails only when the
 * context in use needs one (client-go reads a token file when it sends a request), so the
 * caller checks the chosen context's user (`unreadableTokenFor`).
 */
export type UnreadableTokenFiles = Map<string, string>

/** A token is a few KiB at most: a larger "token file" (a device, a log) is not read whole. */
export const MAX_TOKEN_FILE_BYTES = 64 * 1024

/** Both of the below: what kubectl reads of `file` that client-node does not, applied to `kc` loaded from it. */
export async function applyKubectlFields(
  kc: KubeConfig,
  file: string,
  unreadable: UnreadableTokenFiles = new Map(),
): Promise<void> {
  await applyKubectlTokens(kc, file, unreadable)
  resolveExecCommands(kc, file)
}

/** Why the current context's user has no token (its token file could not be read), or undefined. */
export function unreadableTokenFor(kc: KubeConfig, unreadable: UnreadableTokenFiles): string | undefined {
  const user = kc.getCurrentUser()?.name
  return user === undefined ? undefined : unreadable.get(user)
}

/** A token file's text, at most MAX_TOKEN_FILE_BYTES (more is an error, not a token). */
function readTokenFile(path: string): string {
  const fd = openSync(path, 'r')
  try {
    const buffer = Buffer.alloc(MAX_TOKEN_FILE_BYTES + 1)
    let length = 0
    for (let n; length < buffer.length && (n = readSync(fd, buffer, length, buffer.length - length, null)) > 0;)
      length += n
    if (length > MAX_TOKEN_FILE_BYTES) throw new Error(`${path} is larger than ${MAX_TOKEN_FILE_BYTES} bytes`)
    return buffer.subarray(0, length).toString('utf8')
  } finally {
    closeSync(fd)
  }
}

/**
 * An exec credential plugin's `command` with a path separator (`./bin/get-token`) is relative to
 * the kubeconfig's directory, as client-go's ResolveLocalPaths reads it; a bare name (`aws`) is
 * looked up on PATH and left as written. client-node runs it relative to the current directory.
 */
export function resolveExecCommands(kc: KubeConfig, file: string): void {
  kc.users = kc.users.map((user) => {
    const command = (user.exec as {command?: unknown} | undefined)?.command
    if (typeof command !== 'string' || !command.includes(sep) || isAbsolute(command)) return user
    return {...user, exec: {...user.exec, command: resolve(dirname(file), command)}}
  })
}

/**
 * Applies to `kc`, just loaded from `file`, a user's bearer token as kubectl reads it:
 * - `tokenFile` (client-go's field; client-node knows only `token-file`, which kubectl ignores):
 *   the file's contents, read relative to the kubeconfig's directory, over an inline `token`
 *   (client-go's round tripper prefers the file's token when it can be read);
 * - any token with surrounding whitespace trimmed, as client-go trims a token file's contents: a
 *   file written by `echo` ends in a newline, which no HTTP header may hold.
 * The kubeconfig is parsed again only when it mentions `tokenFile`. A token file that cannot be
 * read (or is over MAX_TOKEN_FILE_BYTES) is recorded in `unreadable` under its user, who keeps no
 * token: it is an error only if that user is the one the chosen context uses.
 */
export async function applyKubectlTokens(
  kc: KubeConfig,
  file: string,
  unreadable: UnreadableTokenFiles = new Map(),
): Promise<void> {
  const text = readFileSync(file, 'utf8')
  const files = new Map<string, string>()
  if (/^\s*tokenFile\s*:/m.test(text)) {
    const {parse} = await import('yaml')
    const raw = parse(text) as {users?: Array<{name?: unknown; user?: {tokenFile?: unknown}}>} | null
    for (const entry of raw?.users ?? []) {
      const tokenFile = entry?.user?.tokenFile
      if (typeof entry?.name === 'string' && typeof tokenFile === 'string' && tokenFile) {
        files.set(entry.name, isAbsolute(tokenFile) ? tokenFile : resolve(dirname(file), tokenFile))
      }
    }
  }
  kc.users = kc.users.map((user) => {
    const tokenFile = files.get(user.name)
    let token = user.token
    if (tokenFile) {
      try {
        token = readTokenFile(tokenFile)
      } catch (error) {
        if (!unreadable.has(user.name))
          unreadable.set(user.name, `token file of user "${user.name}": ${(error as Error).message}`)
        return {...user, token: undefined}
      }
    }
    return token === undefined || token === null ? user : {...user, token: token.trim()}
  })
}
