// Preloaded with --import: records every package a run resolves, so tests can
// prove that heavy clients (AWS SDK, Kubernetes) are imported lazily.
import {registerHooks} from 'node:module'
import {appendFileSync} from 'node:fs'

const log = process.env.PIKSEL_IMPORT_LOG
// The first line proves the hook ran (a run that resolves no heavy package logs nothing else).
if (log) appendFileSync(log, '(hook loaded)\n')
let generated = false
registerHooks({
  resolve(specifier, context, nextResolve) {
    // @oclif/core itself: the package index (not its subpaths) also loads semver, help and more.
    if (
      log &&
      /^@(aws-sdk|kubernetes|inquirer)\/|^@oclif\/(core$|plugin-)|^(listr2|execa|zod|yaml|semver)$/.test(specifier)
    ) {
      appendFileSync(log, `${specifier}\n`)
    }
    const result = nextResolve(specifier, context)
    // client-node's generated API (thousands of modules): logged once, when the first of them loads.
    if (log && !generated && result.url.includes('/@kubernetes/client-node/dist/gen/models/')) {
      generated = true
      appendFileSync(log, '(client-node generated models)\n')
    }
    return result
  },
})
