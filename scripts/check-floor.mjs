// `npm run check:floor`: run piksel on the lowest Node that package.json's
// engines allows, fetched as the `node` package from the npm registry.
import {spawnSync} from 'node:child_process'
import {mkdtempSync, readFileSync, writeFileSync} from 'node:fs'
import {tmpdir} from 'node:os'
import {join} from 'node:path'

import {BIN, ROOT} from './lib.mjs'

const engines = JSON.parse(readFileSync(`${ROOT}package.json`, 'utf8')).engines.node
const floor = /(\d+\.\d+\.\d+)/.exec(engines)[1]
const exec = (args, env = {}) =>
  spawnSync('npm', ['exec', '--yes', `--package=node@${floor}`, '--', 'node', ...args], {
    cwd: ROOT,
    encoding: 'utf8',
    env: {...process.env, AWS_ACCESS_KEY_ID: '', AWS_PROFILE: '', ...env},
  })

const version = exec(['--version']).stdout.trim()
console.log(`engines "${engines}": floor ${floor}, running on ${version}`)
if (version !== `v${floor}`) {
  console.error(`could not run Node ${floor} (got "${version}")`)
  process.exit(1)
}
const KUBECONFIG = join(mkdtempSync(join(tmpdir(), 'piksel-floor-')), 'kubeconfig')
writeFileSync(
  KUBECONFIG,
  [
    'apiVersion: v1',
    'kind: Config',
    'clusters: [{name: c, cluster: {server: "http://127.0.0.1:9"}}]',
    'users: [{name: u, user: {token: floor}}]',
    'contexts: [{name: floor, context: {cluster: c, user: u}}]',
    'current-context: floor',
    '',
  ].join('\n'),
)
const checks = [
  {args: ['--version'], expect: [0]},
  {args: ['--help'], expect: [0]},
  {args: ['config', 'show', '-e', 'staging', '--json'], expect: [0]},
  {args: ['doctor', '--json'], expect: [0, 3]},
  // Loads the AWS SDK: with no credentials it must fail cleanly with exit 1.
  {
    args: ['whoami', '--json'],
    expect: [1],
    env: {
      AWS_CONFIG_FILE: '/nonexistent',
      AWS_SHARED_CREDENTIALS_FILE: '/nonexistent',
      AWS_EC2_METADATA_DISABLED: 'true',
    },
  },
  // Loads client-node's KubeConfig through piksel's module hook (no generated API): a closed
  // port must be NETWORK (exit 1) with its JSON error, not a loader failure.
  {
    args: ['status', '--json', '--kubeconfig', KUBECONFIG],
    expect: [1],
    stdout: /"code": "NETWORK"/,
  },
]
let failed = 0
for (const check of checks) {
  const r = exec([BIN, ...check.args], check.env)
  const ok =
    check.expect.includes(r.status) &&
    !/EBADENGINE|SyntaxError|ERR_/.test(r.stderr) &&
    (!check.stdout || check.stdout.test(r.stdout))
  console.log(`${ok ? 'ok  ' : 'FAIL'} node ${floor}: piksel ${check.args.join(' ')} (exit ${r.status})`)
  if (!ok) {
    failed++
    console.error(r.stderr.slice(0, 2000))
  }
}
process.exitCode = failed ? 1 : 0
