// Shared helpers for the demo and benchmark scripts (development only, never shipped).
import {spawn, spawnSync} from 'node:child_process'
import {fileURLToPath} from 'node:url'

export const ROOT = fileURLToPath(new URL('..', import.meta.url))
export const BIN = `${ROOT}bin/run.js`

/** Run a command to completion; returns {code, stdout, stderr, ms, peakKb}. */
export function timed(command, args, options = {}) {
  const started = process.hrtime.bigint()
  const result = spawnSync('/usr/bin/time', ['-f', '%M', command, ...args], {
    encoding: 'utf8',
    maxBuffer: 512 * 1024 * 1024,
    ...options,
  })
  const ms = Number(process.hrtime.bigint() - started) / 1e6
  const lines = (result.stderr ?? '').trimEnd().split('\n')
  const peakKb = Number(lines.at(-1)) || undefined
  return {code: result.status, stdout: result.stdout, stderr: lines.slice(0, -1).join('\n'), ms, peakKb}
}

export function median(values) {
  const sorted = [...values].sort((a, b) => a - b)
  const mid = Math.floor(sorted.length / 2)
  return sorted.length % 2 ? sorted[mid] : (sorted[mid - 1] + sorted[mid]) / 2
}

/**
 * Alternate runs of a candidate and a baseline (so drift hits both alike) and
 * print medians, peak memory (the largest maximum RSS of any run) and the ratio.
 * `candidateName` labels the candidate's line (default `piksel`).
 * Returns {ratio, candidate, baseline} (median ms) and {candidatePeakMiB, baselinePeakMiB}.
 */
export function compare({label, candidate, baseline, runs = 10, options = {}, check, candidateName = 'piksel'}) {
  const a = []
  const b = []
  const memA = []
  const memB = []
  // One untimed warm-up each: fills the compile cache and the page cache.
  timed(...candidate, options)
  timed(...baseline, options)
  for (let i = 0; i < runs; i++) {
    for (const [spec, times, mem] of i % 2
      ? [
          [baseline, b, memB],
          [candidate, a, memA],
        ]
      : [
          [candidate, a, memA],
          [baseline, b, memB],
        ]) {
      const r = timed(...spec, options)
      if (check) check(r, spec === candidate ? 'candidate' : 'baseline')
      times.push(r.ms)
      if (r.peakKb) mem.push(r.peakKb)
    }
  }
  const ma = median(a)
  const mb = median(b)
  const ratio = ma / mb
  const mem = (m) => (m.length ? ` peak ${(Math.max(...m) / 1024).toFixed(0)} MiB` : '')
  console.log(`${label}`)
  console.log(`  ${candidateName.padEnd(8)} median ${ma.toFixed(1)} ms${mem(memA)}  (${runs} runs)`)
  console.log(
    `  baseline median ${mb.toFixed(1)} ms${mem(memB)}  (${baseline.slice(0, 2).flat().join(' ').slice(0, 70)})`,
  )
  console.log(`  ratio    ${ratio.toFixed(2)}x`)
  const peakMiB = (m) => (m.length ? Math.max(...m) / 1024 : undefined)
  return {ratio, candidate: ma, baseline: mb, candidatePeakMiB: peakMiB(memA), baselinePeakMiB: peakMiB(memB)}
}

/** Start a long-running helper process; resolves once `ready(line)` matches its stdout. */
export function startProcess(command, args, {ready, env} = {}) {
  return new Promise((resolve, reject) => {
    const child = spawn(command, args, {env: env ?? process.env, stdio: ['ignore', 'pipe', 'inherit']})
    let buffer = ''
    child.stdout.on('data', (chunk) => {
      buffer += chunk
      if (!ready || ready(buffer)) resolve(child)
    })
    child.on('error', reject)
    child.on('exit', (code) => reject(new Error(`${command} exited with ${code} before it was ready`)))
    if (!ready) resolve(child)
  })
}
