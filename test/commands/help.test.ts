/**
 * `piksel help` and `piksel autocomplete` are @oclif/plugin-help's and
 * @oclif/plugin-autocomplete's own commands, hosted in our command tree (not
 * loaded as plugins, which every command would pay for at start-up). They must
 * keep doing what the plugins did.
 */
import {expect} from 'chai'
import {existsSync, readFileSync} from 'node:fs'
import {join} from 'node:path'

import {isolatedEnv, runPiksel} from '../support/cli.ts'

describe('help and autocomplete', () => {
  it('the root help lists help and autocomplete among the commands', async () => {
    const r = await runPiksel(['--help'])
    expect(r.exitCode).to.equal(0)
    expect(r.stdout).to.match(/^ {2}autocomplete +Display autocomplete installation instructions\.$/m)
    expect(r.stdout).to.match(/^ {2}help +Display help for piksel\.$/m)
  })

  it('piksel help COMMAND prints exactly what COMMAND --help prints', async () => {
    const [viaHelp, viaFlag] = await Promise.all([
      runPiksel(['help', 'config', 'show']),
      runPiksel(['config', 'show', '--help']),
    ])
    expect(viaHelp.exitCode).to.equal(0)
    expect(viaHelp.stdout).to.include('$ piksel config show')
    expect(viaHelp.stdout).to.equal(viaFlag.stdout)
  })

  it('piksel help with no command prints the root help', async () => {
    const [viaHelp, viaFlag] = await Promise.all([runPiksel(['help']), runPiksel(['--help'])])
    expect(viaHelp.exitCode).to.equal(0)
    expect(viaHelp.stdout).to.equal(viaFlag.stdout)
  })

  it('bootstrap --help names every step id, in the order the steps run (the account steps too)', async () => {
    const r = await runPiksel(['bootstrap', '--help'])
    expect(r.exitCode).to.equal(0)
    const steps = [
      'preflight',
      'identity',
      'oidc',
      'spot-role',
      'dns',
      'state-backend',
      'secrets',
      'quota',
      'infrastructure',
      'kubeconfig',
      'flux',
      'applications',
      'health',
    ]
    const description = r.stdout.replace(/\s+/g, ' ')
    const at = steps.map((id) => description.search(new RegExp(`(?:: |, )${id}\\b`)))
    expect(at, description).to.not.include(-1)
    expect(at).to.deep.equal([...at].sort((a, b) => a - b))
  })

  it('piksel autocomplete bash builds the cache and prints the setup line', async () => {
    const env = isolatedEnv()
    const r = await runPiksel(['autocomplete', 'bash'], {env})
    expect(r.exitCode).to.equal(0)
    expect(r.stdout).to.include('printf "$(piksel autocomplete script bash)" >> ~/.bashrc')
    // The completion functions it wrote name our commands.
    const setup = join(env.HOME!, '.cache', 'piksel', 'autocomplete', 'bash_setup')
    expect(existsSync(setup), setup).to.equal(true)
    const functions = readFileSync(
      join(env.HOME!, '.cache', 'piksel', 'autocomplete', 'functions', 'bash', 'piksel.bash'),
      'utf8',
    )
    expect(functions).to.include('config:show')
  })

  it('piksel autocomplete script bash prints the line for ~/.bashrc', async () => {
    const env = isolatedEnv()
    const r = await runPiksel(['autocomplete', 'script', 'bash'], {env})
    expect(r.exitCode).to.equal(0)
    expect(r.stdout).to.include(
      `PIKSEL_AC_BASH_SETUP_PATH=${join(env.HOME!, '.cache', 'piksel', 'autocomplete', 'bash_setup')}`,
    )
  })
})
