// Bootstrap's overhead on a re-run that finds nothing to do: `piksel bootstrap
// --only infrastructure` (startup, the account guard against moto, terraform
// init + plan + show -json) against the bare terraform commands it wraps, on the
// same fixture root (terraform_data, local backend), already applied.
import {spawnSync} from 'node:child_process'
import {cpSync, mkdtempSync} from 'node:fs'
import {tmpdir} from 'node:os'
import {join} from 'node:path'

import {BIN, ROOT, compare} from '../lib.mjs'
import {launchMoto} from '../../test/support/moto.ts'

const MAX_OVERHEAD_MS = 500

export default async function bootstrapBench() {
  const moto = await launchMoto()
  try {
    const {endpoint} = moto
    const work = mkdtempSync(join(tmpdir(), 'piksel-bench-bs-'))
    const root = join(work, 'staging')
    cpSync(join(ROOT, 'test', 'fixtures', 'terraform', 'basic'), root, {recursive: true})
    const env = {
      ...process.env,
      AWS_ENDPOINT_URL: endpoint,
      AWS_ACCESS_KEY_ID: 'bench',
      AWS_SECRET_ACCESS_KEY: 'bench',
      AWS_REGION: 'ap-southeast-3',
      KUBECONFIG: join(work, 'kubeconfig'),
    }
    const args = ['bootstrap', '-e', 'staging', '--infra-dir', work, '--only', 'infrastructure', '--yes']
    const first = spawnSync(process.execPath, [BIN, ...args], {env, cwd: work, encoding: 'utf8'})
    if (first.status !== 0) throw new Error(`first apply failed: ${first.stderr}`)
    const bare = [
      'terraform init -input=false -no-color >/dev/null',
      'terraform plan -input=false -no-color -out=.terraform/bench.tfplan >/dev/null',
      'terraform show -json .terraform/bench.tfplan >/dev/null',
    ].join(' && ')
    const result = compare({
      label: 'piksel bootstrap --only infrastructure (nothing to do) vs terraform init + plan + show -json',
      candidate: [process.execPath, [BIN, ...args]],
      baseline: ['sh', ['-c', bare]],
      runs: 8,
      options: {env: {...env, TF_IN_AUTOMATION: '1'}, cwd: root},
      check: (r, which) => {
        if (r.code !== 0) throw new Error(`${which} exited ${r.code}: ${r.stderr.slice(-400)}`)
        if (which === 'candidate' && !/infrastructure\s+already-done/.test(r.stdout)) {
          throw new Error('the re-run was expected to find nothing to do')
        }
      },
    })
    const overhead = result.candidate - result.baseline
    const ok = overhead <= MAX_OVERHEAD_MS
    console.log(`  overhead ${overhead.toFixed(0)} ms`)
    console.log(`  minimum: piksel adds <= ${MAX_OVERHEAD_MS} ms to the bare terraform run: ${ok ? 'met' : 'NOT MET'}`)
    return ok
  } finally {
    await moto.stop()
  }
}
