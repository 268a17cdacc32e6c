#!/usr/bin/env node
// Entry point. Kept tiny: startup time is a feature (see `npm run bench`).
import {enableCompileCache} from 'node:module'

enableCompileCache?.()

const args = process.argv.slice(2)
if (args.length === 1 && (args[0] === '--version' || args[0] === '-v')) {
  // Fast path: answer the most common probe without loading oclif.
  const {printVersion} = await import('../dist/version.js')
  printVersion()
} else {
  const {execute} = await import('@oclif/core')
  await execute({dir: import.meta.url})
}
