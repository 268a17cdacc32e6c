// Startup: `piksel --version` and `piksel --help` against `node -e 0` on the same Node.
import {BIN, compare} from '../lib.mjs'

const LIMIT = 2.5

export default async function startup() {
  const node = process.execPath
  const baseline = [node, ['-e', '0']]
  const version = compare({
    label: 'piksel --version vs node -e 0',
    candidate: [node, [BIN, '--version']],
    baseline,
    runs: 15,
  })
  compare({label: 'piksel --help vs node -e 0', candidate: [node, [BIN, '--help']], baseline, runs: 10})
  const ok = version.ratio <= LIMIT
  console.log(`  minimum: piksel --version <= ${LIMIT}x node -e 0: ${ok ? 'met' : 'NOT MET'}`)
  return ok
}
