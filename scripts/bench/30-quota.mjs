// GPU quotas: `piksel quota gpu --json` checking all 10 GPU vCPU quotas (5 families x
// 2 markets) against the loop a person runs by hand: 10 `aws service-quotas
// get-service-quota` calls, on the same Service Quotas stand-in. piksel does more per
// run (the request history of each quota, the caller's account, the Spot role), so
// the ratio is a floor on what it saves.
import {benchQuotaGpu} from '../quota-bench.mjs'

export default function quota() {
  return benchQuotaGpu({
    label: 'piksel quota gpu --json (10 quotas) vs 10x aws service-quotas get-service-quota',
    limit: 0.5,
    minimum: 'piksel',
    // Every quota at 8: both sides succeed.
    applied: 8,
    checkCandidate: (report) => {
      if (report.quotas.length !== 10) throw new Error('expected 10 quotas')
    },
  })
}
