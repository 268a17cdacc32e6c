/**
 * Startup speed depends on commands loading only what they use: the AWS SDK and
 * the Kubernetes client are imported inside the functions that need them, oclif
 * through its subpaths (its package index also loads semver, help and the rest),
 * and no oclif plugin is loaded for a command that is not the plugin's.
 */
import {expect} from 'chai'
import {execa} from 'execa'
import {existsSync, mkdtempSync, readFileSync, writeFileSync} from 'node:fs'
import {tmpdir} from 'node:os'
import {join} from 'node:path'

import {BIN, isolatedEnv} from '../support/cli.ts'

interface Run {
  imports: string[]
  exitCode: number
  stdout: string
}

async function importsOf(args: string[]): Promise<Run> {
  const dir = mkdtempSync(join(tmpdir(), 'piksel-imports-'))
  const log = join(dir, 'imports.log')
  // For commands that reach a cluster: one whose server refuses (port 9, discard).
  const kubeconfig = join(dir, 'kubeconfig')
  writeFileSync(
    kubeconfig,
    'apiVersion: v1\nkind: Config\ncurrent-context: c\nclusters: [{name: c, cluster: {server: "http://127.0.0.1:9"}}]\ncontexts: [{name: c, context: {cluster: c, user: u}}]\nusers: [{name: u, user: {token: t}}]\n',
  )
  const hook = new URL('../support/record-imports.mjs', import.meta.url).href
  const r = await execa(process.execPath, ['--import', hook, BIN, ...args], {
    env: isolatedEnv({PIKSEL_IMPORT_LOG: log, AWS_ENDPOINT_URL: 'http://127.0.0.1:9', KUBECONFIG: kubeconfig}),
    extendEnv: false,
    reject: false,
    stdin: 'ignore',
  })
  const imports = existsSync(log) ? readFileSync(log, 'utf8').split('\n').filter(Boolean) : []
  return {imports, exitCode: r.exitCode ?? -1, stdout: String(r.stdout)}
}

/**
 * Each run must also do its job: a command that crashes before loading anything
 * would pass "loads nothing heavy" on its own.
 */
const didItsJob: Record<string, (r: Run) => void> = {
  '--version': (r) => {
    expect(r.exitCode).to.equal(0)
    expect(r.stdout).to.match(/^piksel\/\d+\.\d+\.\d+ \w+-\w+ node-v\d+/)
  },
  '--help': (r) => {
    expect(r.exitCode).to.equal(0)
    for (const command of ['doctor', 'whoami', 'secret', 'quota', 'status', 'bootstrap']) {
      expect(r.stdout).to.include(command)
    }
  },
  'config show -e dev': (r) => {
    expect(r.exitCode).to.equal(0)
    expect(r.stdout).to.match(/^environment:\n {2}name: dev$/m)
  },
  'config show -e dev --json': (r) => {
    expect(r.exitCode).to.equal(0)
    expect(JSON.parse(r.stdout)).to.have.nested.property('environment.name', 'dev')
  },
  // A kubeconfig whose server refuses: the kubeconfig was loaded (and its credentials applied) first.
  'status --json': (r) => {
    expect(r.exitCode).to.equal(1)
    expect(JSON.parse(r.stdout)).to.have.nested.property('error.code', 'NETWORK')
  },
  // No credentials in the isolated environment: the STS client was loaded and asked.
  'whoami --json': (r) => {
    expect(r.exitCode).to.equal(1)
    expect(JSON.parse(r.stdout)).to.have.nested.property('error.code', 'NO_CREDENTIALS')
  },
}

describe('lazy imports', () => {
  const heavy = [/@aws-sdk/, /@kubernetes/, /@inquirer/]
  // The oclif package index (with semver) and the plugins: a plain command needs none of them.
  const oclifExtras = [/^@oclif\/core$/, /^semver$/, /^@oclif\/plugin-/]
  const cases: Array<[string[], RegExp[], RegExp[]]> = [
    [['--version'], [], [...heavy, ...oclifExtras]],
    [['--help'], [], [...heavy, ...oclifExtras]],
    // The YAML printer is for people only: --json never loads it.
    [['config', 'show', '-e', 'dev'], [/^yaml$/], [...heavy, /^zod$/, ...oclifExtras]],
    [['config', 'show', '-e', 'dev', '--json'], [], [...heavy, /^zod$/, /^yaml$/, ...oclifExtras]],
    [['whoami', '--json'], [/@aws-sdk\/client-sts/], [/@kubernetes/, /@aws-sdk\/client-secrets-manager/]],
    // client-node's KubeConfig through its own file, without the package index or its generated
    // API (src/lib/kube/client-node.ts): about 0.5 s and 45 MiB of `status` (issue 13 §6).
    [
      ['status', '--json'],
      [/^@kubernetes\/client-node\/dist\/config\.js$/],
      [/^@kubernetes\/client-node$/, /^\(client-node generated models\)$/, /@aws-sdk/],
    ],
  ]
  for (const [args, loaded, notLoaded] of cases) {
    it(`piksel ${args.join(' ')} loads ${loaded.length ? loaded.join(', ') : 'no heavy client'}`, async () => {
      const run = await importsOf(args)
      didItsJob[args.join(' ')]!(run)
      // The hook recorded this run (an absent log would pass every "not loaded" check).
      expect(run.imports[0], 'the import log').to.equal('(hook loaded)')
      const imports = run.imports.slice(1)
      for (const pattern of loaded)
        expect(
          imports.some((s) => pattern.test(s)),
          `${pattern} in ${imports}`,
        ).to.equal(true)
      for (const pattern of notLoaded) {
        expect(
          imports.filter((s) => pattern.test(s)),
          `${pattern} must not load`,
        ).to.deep.equal([])
      }
    })
  }
})
