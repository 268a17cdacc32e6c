#!/usr/bin/env node
// Entry point. Kept tiny: startup time is a feature (see `npm run bench`).
// First the Node version check, in syntax every Node since 12 parses (see
// engines.js); only then what a supported Node needs, loaded dynamically.
import {readFileSync} from 'fs'
import * as nodeModule from 'module'
import {dirname} from 'path'
import {fileURLToPath} from 'url'

import {unsupportedNode} from './engines.js'

var args = process.argv.slice(2)
var engines = ''
var pjson
try {
  pjson = JSON.parse(readFileSync(new URL('../package.json', import.meta.url), 'utf8'))
  engines = pjson.engines.node
} catch {
  // No readable package.json: nothing to check against.
}
var problem = unsupportedNode(process.version, engines)

if (problem) {
  if (args.indexOf('--json') >= 0) {
    var hint = 'Install Node.js ' + engines + ' (e.g. `nvm install 24`).'
    var error = {code: 'UNSUPPORTED_NODE', message: problem, hint: hint}
    process.stdout.write(JSON.stringify({error: error}) + '\n')
  } else {
    process.stderr.write(problem + '\n')
  }
  process.exitCode = 1
} else {
  if (typeof nodeModule.enableCompileCache === 'function') nodeModule.enableCompileCache()
  if (args.length === 1 && (args[0] === '--version' || args[0] === '-v')) {
    // Fast path: answer the most common probe without loading oclif.
    import('../dist/version.js').then(function (version) {
      version.printVersion()
    })
  } else {
    // The execute entry, not the package index (which also loads semver, ux and more);
    // the one thing the index did on load that a user sees is this warning.
    try {
      process.cwd()
    } catch (error) {
      if (error.code === 'ENOENT') process.stderr.write('WARNING: current directory does not exist\n')
    }
    // oclif's config load, told what it would otherwise look up at every start (about 1-2 ms,
    // see `npm run bench`): the package root and its package.json (read above), and that
    // there are no user or dev plugins (piksel installs none; its help is a command of its own).
    var loadOptions = {
      root: dirname(dirname(fileURLToPath(import.meta.url))),
      pjson: pjson,
      userPlugins: false,
      devPlugins: false,
    }
    import('@oclif/core/execute')
      .then(function (oclif) {
        return oclif.execute({loadOptions: loadOptions})
      })
      .then(exitWhenDone)
  }
}

// The command has finished and said so. Something a library started and piksel cannot
// reach may still hold the process open (an AWS credential_process waiting for a password
// manager, a socket the SDK keeps): past a grace for output to drain, exit anyway. The
// timer is unref'd, so a process with nothing left open ends at once, as usual.
function exitWhenDone() {
  setTimeout(function () {
    // Output still on its way (a slow pipe): wait for it, it is what the user came for.
    if (process.stdout.writableLength > 0 || process.stderr.writableLength > 0) exitWhenDone()
    else process.exit()
  }, 500).unref()
}
