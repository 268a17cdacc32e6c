/**
 * What kubectl reads of a kubeconfig file that client-node's KubeConfig does not, applied to a
 * KubeConfig loaded from that file. kubectl's rules are client-go's (tools/clientcmd: the v1
 * `AuthInfo` fields, `ResolveLocalPaths`, and transport's cached file token source).
 */
import {readFileSync} from 'node:fs'
import {dirname, isAbsolute, resolve, sep} from 'node:path'

import type {KubeConfig} from '@kubernetes/client-node'

/** Both of the below: what kubectl reads of `file` that client-node does not, applied to `kc` loaded from it. */
export async function applyKubectlFields(kc: KubeConfig, file: string): Promise<void> {
  await applyKubectlTokens(kc, file)
  resolveExecCommands(kc, file)
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
 * The kubeconfig is parsed again only when it mentions `tokenFile`. Throws when a named token
 * file cannot be read (the caller reports the kubeconfig as unreadable).
 */
export async function applyKubectlTokens(kc: KubeConfig, file: string): Promise<void> {
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
    const token = tokenFile ? readFileSync(tokenFile, 'utf8') : user.token
    return token === undefined || token === null ? user : {...user, token: token.trim()}
  })
}
