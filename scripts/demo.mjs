// `npm run demo`: the sandbox tour. Starts local stand-ins (moto for AWS; later
// steps add theirs), points piksel at them through the standard endpoint
// variables, and walks through the tool. No AWS account needed.
import {mkdirSync, readdirSync, rmSync} from 'node:fs'
import {join} from 'node:path'
import {spawnSync} from 'node:child_process'

import {BIN, ROOT} from './lib.mjs'
import {freePort} from '../test/support/moto.ts'

const work = join(ROOT, '.piksel-demo')
rmSync(work, {recursive: true, force: true})
mkdirSync(work, {recursive: true})

const stops = []
const ctx = {
  work,
  env: {
    ...process.env,
    HOME: work,
    AWS_CONFIG_FILE: join(work, 'aws-config'),
    AWS_SHARED_CREDENTIALS_FILE: join(work, 'aws-credentials'),
    AWS_EC2_METADATA_DISABLED: 'true',
    KUBECONFIG: join(work, 'kubeconfig'),
  },
  freePort,
  /** Register a stand-in to stop at the end. */
  onExit(stop) {
    stops.push(stop)
  },
  /** Show and run `piksel ...` as a user would type it. */
  piksel(args, {input, allowFail = true} = {}) {
    const shown = args.map((a) => (/\s/.test(a) ? `'${a}'` : a)).join(' ')
    console.log(`\n$ ${input === undefined ? '' : `printf '%s' '****' | `}piksel ${shown}`)
    const r = spawnSync(process.execPath, [BIN, ...args], {
      env: ctx.env,
      cwd: work,
      input: input ?? '',
      stdio: ['pipe', 'inherit', 'inherit'],
    })
    console.log(`(exit ${r.status})`)
    if (!allowFail && r.status !== 0) throw new Error(`piksel ${shown} exited ${r.status}`)
    return r.status
  },
  say(text) {
    console.log(`\n# ${text}`)
  },
}

let code = 0
try {
  const dir = new URL('./demo/', import.meta.url)
  for (const file of readdirSync(dir)
    .filter((f) => f.endsWith('.mjs'))
    .sort()) {
    const step = await import(new URL(file, dir))
    await step.default(ctx)
  }
  console.log('\nTour complete. The sandbox files are in .piksel-demo/.')
} catch (error) {
  console.error(`\ndemo failed: ${error.message}`)
  code = 1
} finally {
  for (const stop of stops.reverse()) await stop()
}
process.exitCode = code
