// The setup the GPU quota benchmarks share (scripts/bench/30-quota.mjs, 31-quota-usage.mjs):
// the Service Quotas stand-in in its own process (compare() blocks this one with spawnSync),
// moto for STS, IAM, EC2 and CloudWatch, an environment that reaches only those, and the
// baseline a person runs by hand: 10 sequential `aws service-quotas get-service-quota` calls.
// Development only, never shipped.
import {join} from 'node:path'

import {BIN, ROOT, compare, startProcess} from './lib.mjs'
import {launchMoto} from '../test/support/moto.ts'

/** All 10 EC2 GPU vCPU quota codes (5 families × on-demand, spot), in piksel's table order. */
export const GPU_QUOTA_CODES = [
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

/**
 * Runs `piksel quota gpu --json` over all 10 quotas (each applied at `applied`: both sides
 * succeed, as the aws CLI exits non-zero on NoSuchResourceException) against the aws loop,
 * prints the medians and the ratio (compare), and whether the ratio is at most `limit`.
 * `prepare(motoEndpoint)` seeds moto first (e.g. usage datapoints); `checkCandidate(report)`
 * throws when piksel's JSON is not what the benchmark expects. Returns whether the bound is met.
 */
export async function benchQuotaGpu({label, limit, minimum, applied, prepare, checkCandidate}) {
  const state = {quotas: Object.fromEntries(GPU_QUOTA_CODES.map((code) => [code, {applied}]))}
  let sqEndpoint = ''
  const standin = await startProcess(
    process.execPath,
    [join(ROOT, 'test/support/service-quotas-standin.ts'), '--state', JSON.stringify(state)],
    {ready: (out) => Boolean((sqEndpoint = /listening (\S+)/.exec(out)?.[1] ?? ''))},
  )
  let moto
  try {
    moto = await launchMoto()
    if (prepare) await prepare(moto.endpoint)
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
    const loop = GPU_QUOTA_CODES.map(
      (code) => `aws service-quotas get-service-quota --service-code ec2 --quota-code ${code} >/dev/null || exit 1`,
    ).join('\n')
    const result = compare({
      label,
      candidate: [
        process.execPath,
        [BIN, 'quota', 'gpu', '--family', 'g,p,inf,trn,dl', '--market', 'on-demand,spot', '--json'],
      ],
      baseline: ['sh', ['-c', loop]],
      runs: 5,
      options: {env, cwd: ROOT},
      check: (r, which) => {
        if (r.code !== 0) throw new Error(`${which} exited ${r.code}: ${r.stderr.slice(0, 300)}`)
        if (which === 'candidate') checkCandidate(JSON.parse(r.stdout))
      },
    })
    const ok = result.ratio <= limit
    console.log(`  minimum: ${minimum} <= ${limit}x the aws loop: ${ok ? 'met' : 'NOT MET'}`)
    return ok
  } finally {
    standin.kill('SIGTERM')
    await moto?.stop()
  }
}
