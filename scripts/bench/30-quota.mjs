// GPU quotas: `piksel quota gpu --json` checking all 10 GPU vCPU quotas (5 families x
// 2 markets) against the loop a person runs by hand: 10 `aws service-quotas
// get-service-quota` calls, on the same Service Quotas stand-in. piksel does more per
// run (the request history of each quota, the caller's account, the Spot role), so
// the ratio is a floor on what it saves.
import {join} from 'node:path'

import {BIN, ROOT, compare, startProcess} from '../lib.mjs'
import {launchMoto} from '../../test/support/moto.ts'

const LIMIT = 0.5
const CODES = [
  'L-DB2E81BA',
  'L-3819A6DF',
  'L-417A185B',
  'L-7212CCBC',
  'L-1945791B',
  'L-B5D1601B',
  'L-2C3B7624',
  'L-6B0D517C',
  'L-6E869C2A',
  'L-85EED4F7',
]

export default async function quota() {
  // Every quota at 8: both sides succeed (the aws CLI exits non-zero on NoSuchResourceException).
  const state = {quotas: Object.fromEntries(CODES.map((code) => [code, {applied: 8}]))}
  // The stand-in runs in its own process: compare() blocks this one with spawnSync.
  let sqEndpoint = ''
  const standin = await startProcess(
    process.execPath,
    [join(ROOT, 'test/support/service-quotas-standin.ts'), '--state', JSON.stringify(state)],
    {ready: (out) => Boolean((sqEndpoint = /listening (\S+)/.exec(out)?.[1] ?? ''))},
  )
  let moto
  try {
    moto = await launchMoto()
    const env = {
      ...process.env,
      AWS_ENDPOINT_URL: moto.endpoint,
      AWS_ENDPOINT_URL_SERVICE_QUOTAS: sqEndpoint,
      AWS_ACCESS_KEY_ID: 'bench',
      AWS_SECRET_ACCESS_KEY: 'bench',
      AWS_REGION: 'ap-southeast-3',
      AWS_DEFAULT_REGION: 'ap-southeast-3',
      AWS_CONFIG_FILE: '/dev/null',
      AWS_SHARED_CREDENTIALS_FILE: '/dev/null',
      AWS_EC2_METADATA_DISABLED: 'true',
    }
    delete env.AWS_PROFILE
    delete env.PIKSEL_CONFIG
    delete env.PIKSEL_ENV
    const loop = CODES.map(
      (code) => `aws service-quotas get-service-quota --service-code ec2 --quota-code ${code} >/dev/null || exit 1`,
    ).join('\n')
    const result = compare({
      label: 'piksel quota gpu --json (10 quotas) vs 10x aws service-quotas get-service-quota',
      candidate: [
        process.execPath,
        [BIN, 'quota', 'gpu', '--family', 'g,p,inf,trn,dl', '--market', 'on-demand,spot', '--json'],
      ],
      baseline: ['sh', ['-c', loop]],
      runs: 5,
      options: {env, cwd: ROOT},
      check: (r, which) => {
        if (r.code !== 0) throw new Error(`${which} exited ${r.code}: ${r.stderr.slice(0, 300)}`)
        if (which === 'candidate' && JSON.parse(r.stdout).quotas.length !== 10) throw new Error('expected 10 quotas')
      },
    })
    const ok = result.ratio <= LIMIT
    console.log(`  minimum: piksel <= ${LIMIT}x the aws loop: ${ok ? 'met' : 'NOT MET'}`)
    return ok
  } finally {
    standin.kill('SIGTERM')
    await moto?.stop()
  }
}
