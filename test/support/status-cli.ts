/**
 * The `piksel status` command against a fresh loopback Kubernetes stand-in: what the status
 * command tests share. `startStatusCluster` starts the stand-in with the objects and writes a
 * kubeconfig for it into a new temporary directory; `runStatus` and `statusJson` run the
 * built CLI with that kubeconfig only (isolatedEnv: no shell AWS or kube settings).
 */
import {mkdtempSync} from 'node:fs'
import {tmpdir} from 'node:os'
import {join} from 'node:path'

import type {StatusCommandResult} from '../../src/commands/status.ts'
import {isolatedEnv, runPiksel} from './cli.ts'
import {type KubeObject, KubeStandin} from './kube-standin.ts'

export interface StatusCluster {
  standin: KubeStandin
  /** The temporary directory holding its kubeconfig (tests may write more files there). */
  dir: string
  /** The environment a status run gets: KUBECONFIG pointing at the stand-in. */
  env: Record<string, string | undefined>
}

export async function startStatusCluster(
  prefix: string,
  objects: KubeObject[],
  options: ConstructorParameters<typeof KubeStandin>[0] = {},
): Promise<StatusCluster> {
  const standin = await KubeStandin.start({...options, objects})
  const dir = mkdtempSync(join(tmpdir(), prefix))
  return {standin, dir, env: isolatedEnv({KUBECONFIG: standin.writeKubeconfig(dir)})}
}

/** `piksel status ...args` with the cluster's environment. */
export function runStatus(env: Record<string, string | undefined>, args: string[]) {
  return runPiksel(['status', ...args], {env})
}

/** `piksel status ...args --json`: the exit code, stderr and the parsed document. */
export async function statusJson(env: Record<string, string | undefined>, args: string[]) {
  const r = await runStatus(env, [...args, '--json'])
  return {exitCode: r.exitCode, stderr: r.stderr, doc: r.json<StatusCommandResult>()}
}

/** Polls `check` every 25 ms until it holds or `ms` pass; its last answer (a run's stand-in reached a state). */
export async function until(check: () => boolean, ms = 20_000): Promise<boolean> {
  const end = Date.now() + ms
  while (!check() && Date.now() < end) await new Promise((r) => setTimeout(r, 25))
  return check()
}
