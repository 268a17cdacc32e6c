#!/usr/bin/env node
// Development entry point: same as run.js but with oclif's debug output.
const {execute} = await import('@oclif/core')
await execute({development: true, dir: import.meta.url})
