// Stryker's mocha runner 10.0.0 requires mocha's CLI internals without an extension
// (`mocha/lib/cli/run-helpers`); Mocha 12 renamed them to `.cjs`, so the plugin fails
// to load ("no TestRunner plugins were loaded"). Fixed upstream in
// stryker-mutator/stryker-js#6205 (not released yet). Until then this resolve hook,
// loaded by stryker.config.mjs (main process) and testRunnerNodeArgs (its workers),
// maps those three paths to their `.cjs` files. Remove it once a fixed runner is in.
import {registerHooks} from 'node:module'

const MOCHA_CLI = /[\\/]mocha[\\/]lib[\\/]cli[\\/](run-helpers|options|collect-files)$/

registerHooks({
  resolve(specifier, context, nextResolve) {
    if (MOCHA_CLI.test(specifier)) return nextResolve(`${specifier}.cjs`, context)
    return nextResolve(specifier, context)
  },
})
