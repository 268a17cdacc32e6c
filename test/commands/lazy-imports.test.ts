/**
 * Startup speed depends on commands loading only what they use: the AWS SDK and
 * the Kubernetes client are imported inside the functions that need them.
 */
import {expect} from 'chai'
import {execa} from 'execa'
import {existsSync, mkdtempSync, readFileSync} from 'node:fs'
import {tmpdir} from 'node:os'
import {join} from 'node:path'

import {BIN, isolatedEnv} from '../support/cli.ts'

async function importsOf(args: string[]): Promise<string[]> {
  const log = join(mkdtempSync(join(tmpdir(), 'piksel-imports-')), 'imports.log')
  const hook = new URL('../support/record-imports.mjs', import.meta.url).href
  await execa(process.execPath, ['--import', hook, BIN, ...args], {
    env: isolatedEnv({PIKSEL_IMPORT_LOG: log, AWS_ENDPOINT_URL: 'http://127.0.0.1:9'}),
    extendEnv: false,
    reject: false,
    stdin: 'ignore',
  })
  return existsSync(log) ? readFileSync(log, 'utf8').split('\n').filter(Boolean) : []
}

describe('lazy imports', () => {
  const cases: Array<[string[], RegExp[], RegExp[]]> = [
    [['--version'], [], [/@aws-sdk/, /@kubernetes/, /@inquirer/]],
    [['--help'], [], [/@aws-sdk/, /@kubernetes/, /@inquirer/]],
    [['config', 'show', '-e', 'dev', '--json'], [/^yaml$/], [/@aws-sdk/, /@kubernetes/, /@inquirer/, /^zod$/]],
    [['whoami', '--json'], [/@aws-sdk\/client-sts/], [/@kubernetes/, /@aws-sdk\/client-secrets-manager/]],
  ]
  for (const [args, loaded, notLoaded] of cases) {
    it(`piksel ${args.join(' ')} loads ${loaded.length ? loaded.join(', ') : 'no heavy client'}`, async () => {
      const imports = await importsOf(args)
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
