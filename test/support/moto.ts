/**
 * Starts `moto_server` on a free loopback port for the tests that need AWS
 * (STS, Secrets Manager, IAM), and stops it afterwards.
 */
import {type ChildProcess, spawn} from 'node:child_process'
import {createServer} from 'node:net'

import {requireTool} from './tools.ts'

export const MOTO_ACCOUNT = '123456789012'

export interface Moto {
  endpoint: string
  /** Environment that points the SDK (and the aws CLI) at this server. */
  env: Record<string, string>
  reset: () => Promise<void>
  stop: () => Promise<void>
}

export async function freePort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const server = createServer()
    server.unref()
    server.on('error', reject)
    server.listen(0, '127.0.0.1', () => {
      const address = server.address()
      const port = typeof address === 'object' && address ? address.port : 0
      server.close(() => resolve(port))
    })
  })
}

export interface MotoOptions {
  /** Extra environment for moto_server, e.g. MOTO_IAM_LOAD_MANAGED_POLICIES=true (AWS managed policies exist). */
  env?: Record<string, string>
}

/** For tests: skips locally (fails under CI) when moto_server is missing. */
export async function startMoto(ctx: Mocha.Context, options: MotoOptions = {}): Promise<Moto> {
  return launchMoto(requireTool(ctx, 'moto_server'), options)
}

/** Starts moto_server on a free loopback port and waits until it answers (tests, demo, benchmarks). */
export async function launchMoto(binary = 'moto_server', options: MotoOptions = {}): Promise<Moto> {
  const port = await freePort()
  const child: ChildProcess = spawn(binary, ['-H', '127.0.0.1', '-p', String(port)], {
    stdio: 'ignore',
    ...(options.env ? {env: {...process.env, ...options.env}} : {}),
  })
  let spawnError: Error | undefined
  child.once('error', (error) => {
    spawnError = error
  })
  const endpoint = `http://127.0.0.1:${port}`
  const deadline = Date.now() + 20_000
  for (;;) {
    try {
      const res = await fetch(`${endpoint}/moto-api/`)
      if (res.ok) break
    } catch {
      // not up yet
    }
    if (spawnError || Date.now() > deadline || child.exitCode !== null) {
      child.kill()
      throw new Error(`moto_server did not start on ${endpoint}${spawnError ? `: ${spawnError.message}` : ''}`)
    }
    await new Promise((r) => setTimeout(r, 100))
  }
  return {
    endpoint,
    env: {
      AWS_ENDPOINT_URL: endpoint,
      AWS_ACCESS_KEY_ID: 'testing',
      AWS_SECRET_ACCESS_KEY: 'testing',
      AWS_REGION: 'ap-southeast-3',
    },
    reset: async () => {
      await fetch(`${endpoint}/moto-api/reset`, {method: 'POST'})
    },
    stop: async () => {
      if (child.exitCode !== null) return
      const exited = new Promise((r) => child.once('exit', r))
      child.kill('SIGTERM')
      await exited
    },
  }
}
