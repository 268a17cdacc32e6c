/**
 * The contract every command keeps (DESIGN.md §2), proven on the real binary:
 * exit codes, the --json documents, the prompt gate, config errors and Ctrl-C.
 */
import {runCommand} from '@oclif/test'
import {expect} from 'chai'
import {execa} from 'execa'
import {mkdtempSync, writeFileSync} from 'node:fs'
import {tmpdir} from 'node:os'
import {join} from 'node:path'

import {BIN, ROOT, isolatedEnv, runPiksel} from '../support/cli.ts'
import {StubBin} from '../support/stubs.ts'

function configDir(text: string): string {
  const dir = mkdtempSync(join(tmpdir(), 'piksel-cwd-'))
  writeFileSync(join(dir, 'piksel.config.yaml'), text)
  return dir
}

describe('contract', () => {
  describe('exit 0 and help', () => {
    it('--version prints name, version, platform and node', async () => {
      const r = await runPiksel(['--version'])
      expect(r.exitCode).to.equal(0)
      expect(r.stdout).to.match(/^piksel\/\d+\.\d+\.\d+ \w+-\w+ node-v\d+/)
    })

    it('--help lists the commands (in-process through @oclif/test)', async () => {
      const {stdout} = await runCommand(['--help'], {root: ROOT})
      expect(stdout).to.include('doctor')
      expect(stdout).to.include('whoami')
      expect(stdout).to.include('config')
    })

    it('a command --help shows the global flags', async () => {
      const r = await runPiksel(['doctor', '--help'])
      expect(r.exitCode).to.equal(0)
      for (const flag of ['--env', '--profile', '--region', '--config', '--json', '--yes', '--no-input']) {
        expect(r.stdout).to.include(flag)
      }
    })

    it('--json success is exactly one JSON document on stdout', async () => {
      const r = await runPiksel(['config', 'show', '-e', 'dev', '--json'])
      expect(r.exitCode).to.equal(0)
      const doc = r.json<{environment: {name: string; profile: string}}>()
      expect(doc.environment).to.include({name: 'dev', profile: 'dev-piksel'})
    })

    it('suggests the command meant for a typo', async () => {
      const r = await runPiksel(['docter'])
      expect(r.exitCode).to.equal(2)
      expect(r.stderr).to.include('Did you mean `piksel doctor`?')
      const topic = await runPiksel(['config', 'shw'])
      expect(topic.stderr).to.include('Did you mean `piksel config show`?')
    })
  })

  describe('exit 2: bad usage, refused before anything happens', () => {
    it('an unknown flag: one error line and a hint, no stack trace', async () => {
      const r = await runPiksel(['doctor', '--bogus'])
      expect(r.exitCode).to.equal(2)
      expect(r.stderr).to.match(/^Error: Nonexistent flag: --bogus\nHint: /)
      expect(r.stderr).to.not.match(/\bat .*\.js:\d+/)
      expect(r.stdout).to.equal('')
    })

    it('an unknown flag under --json: the error envelope on stdout', async () => {
      const r = await runPiksel(['doctor', '--bogus', '--json'])
      expect(r.exitCode).to.equal(2)
      const doc = r.json<{error: {code: string; message: string; hint: string}}>()
      expect(doc.error.code).to.equal('USAGE')
      expect(doc.error.message).to.include('--bogus')
      expect(doc.error.hint).to.be.a('string')
    })

    it('an unknown environment lists the known ones', async () => {
      const r = await runPiksel(['config', 'show', '-e', 'qa', '--json'])
      expect(r.exitCode).to.equal(2)
      expect(r.json<{error: {code: string; message: string}}>().error).to.deep.include({
        code: 'UNKNOWN_ENV',
        message: 'Unknown environment "qa". Known: dev, staging, production.',
      })
    })

    it('PIKSEL_ENV selects the environment like -e', async () => {
      const r = await runPiksel(['config', 'show', '--json'], {env: isolatedEnv({PIKSEL_ENV: 'staging'})})
      expect(r.exitCode).to.equal(0)
      expect(r.json<{environment: {name: string}}>().environment.name).to.equal('staging')
    })

    it('a broken config file names the file, the key and what is wrong', async () => {
      const cwd = configDir('environments:\n  staging:\n    account: "12345"\n    regoin: ap-southeast-3\n')
      const r = await runPiksel(['config', 'show', '-e', 'staging'], {cwd})
      expect(r.exitCode).to.equal(2)
      expect(r.stderr).to.include(join(cwd, 'piksel.config.yaml'))
      expect(r.stderr).to.include('environments.staging.account: must be a 12-digit AWS account id')
      expect(r.stderr).to.include('environments.staging.regoin: unknown key')
    })

    it('a config file found in a parent directory is used', async () => {
      const cwd = configDir('environments:\n  lab:\n    account: "111122223333"\n')
      const r = await runPiksel(['config', 'show', '-e', 'lab', '--json'], {cwd: cwd})
      expect(r.exitCode).to.equal(0)
      expect(r.json<{environment: {account: string}}>().environment.account).to.equal('111122223333')
    })

    it('--config pointing nowhere is refused', async () => {
      const r = await runPiksel(['config', 'show', '-e', 'dev', '--config', '/nonexistent/piksel.config.yaml'])
      expect(r.exitCode).to.equal(2)
      expect(r.stderr).to.include('Config file not found: /nonexistent/piksel.config.yaml')
    })
  })

  describe('the prompt gate', () => {
    it('with stdin closed and no TTY, a missing answer fails at once naming the flag', async () => {
      // A run that waited would be killed after the give-up and not exit 2.
      const r = await runPiksel(['config', 'show'], {timeout: 20_000})
      expect(r.exitCode).to.equal(2)
      expect(r.stderr).to.include('Pass -e <dev|staging|production>')
    })

    it('with an open but silent stdin pipe it still does not wait', async () => {
      const child = execa(process.execPath, [BIN, 'config', 'show'], {
        env: isolatedEnv(),
        extendEnv: false,
        stdin: 'pipe',
        reject: false,
        timeout: 10_000,
      })
      const r = await child
      expect(r.exitCode).to.equal(2)
      expect(String(r.stderr)).to.include('-e <')
    })

    it('under --json the missing answer is an error envelope', async () => {
      const r = await runPiksel(['config', 'show', '--json'])
      expect(r.exitCode).to.equal(2)
      const doc = r.json<{error: {code: string; hint: string}}>()
      expect(doc.error.code).to.equal('INPUT_REQUIRED')
      expect(doc.error.hint).to.include('-e <dev|staging|production>')
    })
  })

  describe('exit 130: Ctrl-C', () => {
    it('ends cleanly with 130 and one line, while a check is still running', async () => {
      const stubs = new StubBin().add('terraform', {sleep: 20, stdout: '{"terraform_version":"1.11.0"}'})
      const child = execa(process.execPath, [BIN, 'doctor'], {
        env: {...isolatedEnv(), PATH: `${stubs.dir}:/usr/bin:/bin`},
        extendEnv: false,
        reject: false,
        stdin: 'ignore',
      })
      // Wait for proof that the check is running (the stub logs its call when it
      // starts), then interrupt; give up after 20 s.
      for (let i = 0; i < 200 && stubs.calls('terraform').length === 0; i++)
        await new Promise((r) => setTimeout(r, 100))
      expect(stubs.calls('terraform'), 'the terraform check started').to.have.length(1)
      child.kill('SIGINT')
      const r = await child
      // ... and was still running: piksel exited before the stub answered.
      expect(stubs.ended('terraform'), 'the terraform check had not finished').to.equal(0)
      expect(r.exitCode).to.equal(130)
      expect(String(r.stderr).trim().split('\n').at(-1)).to.equal('Interrupted.')
    })
  })
})
