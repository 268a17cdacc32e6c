/**
 * Runs the real built binary as a user or CI would: a child process with its own
 * environment, no TTY, stdin closed unless input is given.
 */
import {mkdtempSync} from 'node:fs'
import {tmpdir} from 'node:os'
import {join} from 'node:path'
import {fileURLToPath} from 'node:url'

import {execa} from 'execa'

export const ROOT = fileURLToPath(new URL('../..', import.meta.url))
export const BIN = join(ROOT, 'bin', 'run.js')

export interface RunResult {
  exitCode: number
  stdout: string
  stderr: string
  /** stdout parsed as JSON (throws when it is not exactly one document). */
  json: <T = Record<string, unknown>>() => T
}

export interface RunOptions {
  env?: Record<string, string | undefined>
  input?: string
  cwd?: string
  timeout?: number
  /** Extra directories put first on PATH (stub executables). */
  path?: string[]
}

/** An environment with no AWS, kube or piksel settings leaking in from the machine. */
export function isolatedEnv(extra: Record<string, string | undefined> = {}): Record<string, string | undefined> {
  const home = mkdtempSync(join(tmpdir(), 'piksel-home-'))
  const env: Record<string, string | undefined> = {}
  for (const [key, value] of Object.entries(process.env)) {
    if (/^(AWS_|PIKSEL_|KUBECONFIG$|CI$|DEBUG$|GITHUB_TOKEN$)/.test(key)) continue
    env[key] = value
  }
  return {
    ...env,
    HOME: home,
    XDG_CONFIG_HOME: join(home, '.config'),
    AWS_CONFIG_FILE: join(home, '.aws', 'config'),
    AWS_SHARED_CREDENTIALS_FILE: join(home, '.aws', 'credentials'),
    AWS_EC2_METADATA_DISABLED: 'true',
    NO_COLOR: '1',
    ...extra,
  }
}

export async function runPiksel(args: string[], options: RunOptions = {}): Promise<RunResult> {
  const env = options.env ?? isolatedEnv()
  if (options.path?.length) env.PATH = [...options.path, env.PATH ?? process.env.PATH].join(':')
  const result = await execa(process.execPath, [BIN, ...args], {
    env,
    extendEnv: false,
    cwd: options.cwd ?? ROOT,
    reject: false,
    timeout: options.timeout ?? 30_000,
    ...(options.input === undefined ? {stdin: 'ignore' as const} : {input: options.input}),
  })
  const stdout = String(result.stdout)
  return {
    exitCode: result.exitCode ?? -1,
    stdout,
    stderr: String(result.stderr),
    json: <T>() => JSON.parse(stdout) as T,
  }
}
