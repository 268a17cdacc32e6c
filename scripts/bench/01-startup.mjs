// Start-up: `piksel --version`, `piksel --help` and a plain command (`piksel config
// show -e dev`: flags, config, one YAML document) against `node -e 0` on the same Node.
//
// Minimums (issue 13 §6): --version <= 2.5x; --help faster than before that issue
// (4.2x); config show <= 3.0x (aim 2x). What start-up is made of, measured on the
// 2-core machine: Node itself (the baseline), importing @oclif/core's run path
// (about 1.5x the baseline on its own), oclif's config load (its first
// String#localeCompare builds an ICU collator, ~6 ms; its WSL probe imports
// wsl-utils, ~6 ms), then the command's own modules and, for people, the YAML printer.
// A piksel.config.yaml adds the YAML parser and the zod schema to every command.
import {mkdtempSync, writeFileSync} from 'node:fs'
import {tmpdir} from 'node:os'
import {join} from 'node:path'

import {BIN, compare} from '../lib.mjs'

const CASES = [
  {args: ['--version'], limit: 2.5, runs: 15, expect: /^piksel\/\d/},
  {args: ['--help'], limit: 4.2, strict: true, runs: 10, expect: /^USAGE/m},
  {args: ['config', 'show', '-e', 'dev'], limit: 3.0, aim: 2.0, runs: 10, expect: /^ {2}name: dev$/m},
  // No minimum: what a piksel.config.yaml adds to every command (the YAML parser and the zod schema).
  {args: ['config', 'show', '-e', 'staging'], withConfig: true, runs: 10, expect: /^ {2}account: "123456789012"$/m},
]

/** The README's example piksel.config.yaml (section "Configuration"). */
const CONFIG = `project: Piksel
owner: Piksel-Devops-Team
region: ap-southeast-3
defaultEnv: staging
gitops:
  owner: piksel-ina
  repository: piksel-gitops
  branch: main
environments:
  staging:
    account: '123456789012'
    profile: staging-piksel
    region: ap-southeast-3
    cluster: piksel-staging
    terraform:
      dir: staging
      stateBucket: piksel-staging-tfstate
      stateKey: staging/terraform.tfstate
      phases:
        - name: platform
          targets: [module.networks, module.eks]
        - name: applications
          targets: [module.applications]
    gitops:
      path: clusters/staging
    quota:
      gpuTarget: 8
  production:
    account: '210987654321'
`

export default async function startup() {
  const node = process.execPath
  // No piksel.config.yaml from the machine: the search starts in an empty directory with its own HOME.
  const home = mkdtempSync(join(tmpdir(), 'piksel-bench-startup-'))
  const env = {...process.env, HOME: home, XDG_CONFIG_HOME: join(home, '.config'), NO_COLOR: '1'}
  const withConfig = mkdtempSync(join(tmpdir(), 'piksel-bench-config-'))
  writeFileSync(join(withConfig, 'piksel.config.yaml'), CONFIG)
  let ok = true
  for (const {args, limit, strict, aim, runs, expect, withConfig: configured} of CASES) {
    const label = `piksel ${args.join(' ')}${configured ? ' (with piksel.config.yaml)' : ''}`
    const options = {cwd: configured ? withConfig : home, env}
    const {ratio} = compare({
      label: `${label} vs node -e 0`,
      candidate: [node, [BIN, ...args]],
      baseline: [node, ['-e', '0']],
      runs,
      options,
      check(r, which) {
        if (which === 'candidate' && (r.code !== 0 || !expect.test(r.stdout))) {
          throw new Error(`${label} exited ${r.code}: ${(r.stderr || r.stdout).slice(0, 300)}`)
        }
      },
    })
    if (limit === undefined) continue
    const met = strict ? ratio < limit : ratio <= limit
    ok &&= met
    const goal = `${strict ? '<' : '<='} ${limit.toFixed(1)}x${aim ? ` (aim ${aim.toFixed(1)}x)` : ''}`
    console.log(`  minimum: ${label} ${goal} node -e 0: ${met ? 'met' : 'NOT MET'}`)
  }
  return ok
}
