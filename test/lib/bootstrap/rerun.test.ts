import {expect} from 'chai'

import {
  AWS_FLAGS,
  BOOTSTRAP_TARGET_FLAGS,
  INIT_TO_BOOTSTRAP_FLAGS,
  STATUS_FLAGS,
  carriedFlags,
  commandLine,
  givenOnCommandLine,
  pikselLine,
  shellWord,
} from '../../../src/lib/bootstrap/rerun.ts'
import {assertNonEmptyFlags} from '../../../src/lib/bootstrap/flag-values.ts'
import {UsageError} from '../../../src/lib/errors.ts'

describe('commands to run next (one builder)', () => {
  const words: Array<[string, string]> = [
    ['infra', 'infra'],
    ['../piksel-infra', '../piksel-infra'],
    ['/abs/path/kube.config', '/abs/path/kube.config'],
    ['with space', "'with space'"],
    ["o'neil", "'o'\\''neil'"],
    ['', "''"],
    ['~/x', "'~/x'"],
    ['$HOME', "'$HOME'"],
    ['a;rm -rf', "'a;rm -rf'"],
    ['*.tf', "'*.tf'"],
    ['x?', "'x?'"],
    ['[ab]', "'[ab]'"],
    ['a&b', "'a&b'"],
    ['`id`', "'`id`'"],
    ['a=b,c:d@e%f+g', 'a=b,c:d@e%f+g'],
  ]
  for (const [word, quoted] of words)
    it(`shell word ${JSON.stringify(word)} → ${quoted}`, () => expect(shellWord(word)).to.equal(quoted))

  it('appends the accepted flags in a fixed order, leaving out what the target command does not take', () => {
    const flags = {kubeconfig: 'k', 'infra-dir': 'i', 'gitops-dir': 'g', config: 'c'}
    expect(commandLine(['piksel', 'bootstrap', '-e', 'dev'], flags)).to.equal(
      'piksel bootstrap -e dev --config c --infra-dir i --kubeconfig k',
    )
    expect(commandLine(['piksel', 'status', '-e', 'dev'], flags, STATUS_FLAGS)).to.equal(
      'piksel status -e dev --config c --kubeconfig k',
    )
    expect(commandLine(['piksel', 'bootstrap', '-e', 'dev'], flags, INIT_TO_BOOTSTRAP_FLAGS)).to.equal(
      'piksel bootstrap -e dev --config c --infra-dir i',
    )
    expect(commandLine(['piksel', 'bootstrap', '-e', 'dev'])).to.equal('piksel bootstrap -e dev')
    expect(BOOTSTRAP_TARGET_FLAGS).not.to.include('gitops-dir')
  })

  it('takes only what was typed on the command line (oclif raw tokens), the last one winning', () => {
    const raw = [
      {type: 'flag', flag: 'env', input: 'staging'},
      {type: 'flag', flag: 'infra-dir', input: 'a'},
      {type: 'flag', flag: 'infra-dir', input: 'b'},
      {type: 'flag', flag: 'yes', input: '--yes'},
      {type: 'arg', input: 'x'},
    ]
    expect(carriedFlags(raw, BOOTSTRAP_TARGET_FLAGS)).to.deep.equal({'infra-dir': 'b'})
    expect(givenOnCommandLine(raw, 'infra-dir')).to.equal(true)
    expect(givenOnCommandLine(raw, 'region')).to.equal(false)
  })

  it('a piksel line: the words, -e and the environment, then the flags that command takes', () => {
    const options = {env: {name: 'staging'}, rerunFlags: {config: 'my config.yaml', 'infra-dir': 'i', kubeconfig: 'k'}}
    expect(pikselLine(options, ['status'], STATUS_FLAGS)).to.equal(
      "piksel status -e staging --config 'my config.yaml' --kubeconfig k",
    )
    expect(pikselLine({env: {name: 'dev'}}, ['secret', 'list'], AWS_FLAGS)).to.equal('piksel secret list -e dev')
  })
})

describe('empty flag values', () => {
  const bad: Array<[Record<string, string | undefined>, RegExp]> = [
    [{'infra-dir': ''}, /^--infra-dir: an empty value\.$/],
    [{kubeconfig: '  '}, /^--kubeconfig: an empty value/],
    [{config: '', 'gitops-dir': ''}, /^--config, --gitops-dir: an empty value/],
  ]
  for (const [values, message] of bad) {
    it(`${JSON.stringify(values)} is a usage error`, () =>
      expect(() => assertNonEmptyFlags(values))
        .to.throw(UsageError, message)
        .with.property('exitCode', 2))
  }
  it('not given, or given a value, is fine', () => {
    expect(() => assertNonEmptyFlags({'infra-dir': undefined, kubeconfig: 'k'})).not.to.throw()
  })
})
