// `piksel status --json --all` over 2,000 Flux objects on the Kubernetes API stand-in,
// against `kubectl get <the same kinds> -A -o json` on the same stand-in (which
// computes no health at all), with the peak memory of each.
// Minimums (issue 13 §6): at most 0.5x kubectl's time (aim 0.35x) and 120 MiB peak.
import {mkdtempSync} from 'node:fs'
import {tmpdir} from 'node:os'
import {join} from 'node:path'

import {BIN, ROOT, compare, startProcess} from '../lib.mjs'

const OBJECTS = 2000
const LIMIT = 0.5
const AIM = 0.35
const PEAK_LIMIT_MIB = 120
const KINDS = [
  'gitrepositories.source.toolkit.fluxcd.io',
  'ocirepositories.source.toolkit.fluxcd.io',
  'helmrepositories.source.toolkit.fluxcd.io',
  'helmcharts.source.toolkit.fluxcd.io',
  'buckets.source.toolkit.fluxcd.io',
  'kustomizations.kustomize.toolkit.fluxcd.io',
  'helmreleases.helm.toolkit.fluxcd.io',
  'providers.notification.toolkit.fluxcd.io',
  'alerts.notification.toolkit.fluxcd.io',
  'receivers.notification.toolkit.fluxcd.io',
]

export default async function status() {
  const dir = mkdtempSync(join(tmpdir(), 'piksel-bench-status-'))
  const kubeconfig = join(dir, 'kubeconfig')
  // healthy.yaml: 25 Flux objects and the 4 controllers; the rest generated from it.
  const server = await startProcess(
    process.execPath,
    [
      join(ROOT, 'test/support/kube-standin-server.ts'),
      '--fixture',
      'healthy.yaml',
      '--generate',
      String(OBJECTS - 25),
      '--kubeconfig',
      kubeconfig,
    ],
    {ready: (out) => out.includes('listening')},
  )
  try {
    // kubectl caches discovery under $HOME/.kube/cache: the warm-up run fills it, so it is measured warm.
    const env = {...process.env, HOME: dir, KUBECONFIG: kubeconfig, NO_COLOR: '1'}
    let objects = 0
    const result = compare({
      label: `piksel status --json --all vs kubectl get (10 Flux kinds) -A -o json, ${OBJECTS} objects`,
      candidate: [process.execPath, [BIN, 'status', '--json', '--all']],
      baseline: ['kubectl', ['get', KINDS.join(','), '-A', '-o', 'json']],
      runs: 10,
      options: {env},
      check(r, which) {
        if (which === 'candidate') {
          if (r.code !== 0) throw new Error(`piksel status exited ${r.code}: ${r.stderr.slice(0, 300)}`)
          const document = JSON.parse(r.stdout)
          // --all: every object judged is also listed (the document kubectl's is compared with).
          objects = document.objects.length === document.counts.total ? document.counts.total : -1
        } else if (r.code !== 0) {
          throw new Error(`kubectl exited ${r.code}: ${r.stderr.slice(0, 300)}`)
        }
      },
    })
    console.log(`  objects  ${objects} judged and listed by piksel`)
    const fast = result.ratio <= LIMIT
    const peak = result.candidatePeakMiB
    const lean = peak !== undefined && peak <= PEAK_LIMIT_MIB
    console.log(
      `  minimum: piksel status <= ${LIMIT.toFixed(2)}x kubectl get (aim ${AIM.toFixed(2)}x): ${fast ? 'met' : 'NOT MET'}`,
    )
    console.log(
      `  minimum: piksel status peak memory <= ${PEAK_LIMIT_MIB} MiB (${peak === undefined ? 'not measured' : `${peak.toFixed(0)} MiB`}): ${lean ? 'met' : 'NOT MET'}`,
    )
    return objects === OBJECTS && fast && lean
  } finally {
    server.kill('SIGTERM')
  }
}
