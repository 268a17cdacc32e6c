// `npm run bench [name...]`: every benchmark in scripts/bench/, each printing
// medians and the ratio against a baseline measured in the same run.
import {readdirSync} from 'node:fs'

const dir = new URL('./bench/', import.meta.url)
const wanted = process.argv.slice(2)
const files = readdirSync(dir)
  .filter((f) => f.endsWith('.mjs'))
  .sort()
  .filter((f) => wanted.length === 0 || wanted.some((w) => f.includes(w)))
let failed = false
for (const file of files) {
  const bench = await import(new URL(file, dir))
  console.log(`\n== ${file.replace(/\.mjs$/, '')}`)
  try {
    const ok = await bench.default()
    if (ok === false) failed = true
  } catch (error) {
    failed = true
    console.error(`  failed: ${error.message}`)
  }
}
process.exitCode = failed ? 1 : 0
