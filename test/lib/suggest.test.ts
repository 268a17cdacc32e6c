/**
 * "Did you mean …?" (lib/suggest.ts), table-driven over piksel's own commands and topics,
 * written out here as `oclif.manifest.json` and package.json's `oclif.topics` declare them.
 */
import {expect} from 'chai'

import {type Candidate, allowedEdits, shownWord, shownWords, suggestCommand} from '../../src/lib/suggest.ts'

const COMMANDS: Candidate[] = [
  {id: 'bootstrap', kind: 'command'},
  {id: 'doctor', kind: 'command'},
  {id: 'help', kind: 'command', takesArgs: true},
  {id: 'init', kind: 'command'},
  {id: 'status', kind: 'command'},
  {id: 'whoami', kind: 'command'},
  {id: 'config:show', kind: 'command'},
  {id: 'quota:gpu', kind: 'command'},
  {id: 'autocomplete', kind: 'command', takesArgs: true},
  {id: 'secret:list', kind: 'command'},
  {id: 'secret:create:oauth', kind: 'command', takesArgs: true},
  {id: 'secret:create:slack', kind: 'command', takesArgs: true},
  {id: 'secret', kind: 'topic'},
  {id: 'secret:create', kind: 'topic'},
  {id: 'quota', kind: 'topic'},
  {id: 'config', kind: 'topic'},
]

describe('suggestCommand: the nearest command or topic, word by word', () => {
  // typed id as oclif hands it to the hook (words joined by ':'), then the suggestion: id, kind, rest.
  const cases: Array<[string, [string, string, string[]] | undefined]> = [
    // A topic typo alone: the topic (not `init`, the nearest id by whole-id distance).
    ['confg', ['config', 'topic', []]],
    ['secrt', ['secret', 'topic', []]],
    ['qouta', ['quota', 'topic', []]],
    // A topic typo and its command: the full command.
    ['secrt:list', ['secret:list', 'command', []]],
    ['confg:show', ['config:show', 'command', []]],
    ['qouta:gpu', ['quota:gpu', 'command', []]],
    ['secrt:create:slak', ['secret:create:slack', 'command', []]],
    ['secret:crate:oauth', ['secret:create:oauth', 'command', []]],
    // A subcommand typo under a right topic: that command, not the topic plus an argument.
    ['secret:lst', ['secret:list', 'command', []]],
    ['config:shw', ['config:show', 'command', []]],
    ['secret:crate', ['secret:create', 'topic', []]],
    // Commands.
    ['docter', ['doctor', 'command', []]],
    ['stauts', ['status', 'command', []]],
    ['whomai', ['whoami', 'command', []]],
    ['bootstap', ['bootstrap', 'command', []]],
    ['int', ['init', 'command', []]],
    // A command typo followed by an argument it does not take: the command.
    ['doctr:staging', ['doctor', 'command', ['staging']]],
    // help, typed or mistyped, for the other words.
    ['status:help', ['help', 'command', ['status']]],
    ['hlep:status', ['help', 'command', ['status']]],
    // A topic typo followed by something that is none of its commands: the topic.
    ['secrt:foo', ['secret', 'topic', ['foo']]],
    // Case: a command is typed in lowercase; CAPS LOCK or a capitalised word is no other command.
    ['CONFG', ['config', 'topic', []]],
    ['STATUS', ['status', 'command', []]],
    ['Stauts', ['status', 'command', []]],
    ['SECRET:LIST', ['secret:list', 'command', []]],
    ['Secrt:List', ['secret:list', 'command', []]],
    ['QUOTA:GPUU', ['quota:gpu', 'command', []]],
    // An argument keeps its case (only the command's words are compared without it).
    ['DOCTR:Staging', ['doctor', 'command', ['Staging']]],
    // help for a mistyped command: help for the command it meant, not for the typo.
    ['hlep:stauts', ['help', 'command', ['status']]],
    ['status:help', ['help', 'command', ['status']]],
    ['help:secrt:lst', ['help', 'command', ['secret', 'list']]],
    ['help:confg', ['help', 'command', ['config']]],
    ['help:STAUTS', ['help', 'command', ['status']]],
    // help for something close to nothing: the words as typed.
    ['hlep:xyz', ['help', 'command', ['xyz']]],
    // Nothing close: no suggestion rather than a far-fetched one.
    ['xyz', undefined],
    ['deploy', undefined],
    ['kubectl:get', undefined],
  ]
  for (const [typed, want] of cases) {
    it(`${typed} → ${want ? `${want[1]} ${want[0]}${want[2].length > 0 ? ` + ${want[2].join(' ')}` : ''}` : 'none'}`, () => {
      const got = suggestCommand(typed, COMMANDS)
      expect(got && [got.id, got.kind, got.rest]).to.deep.equal(want)
    })
  }

  it('allowedEdits: half the word, at least one', () => {
    expect(
      [['gpu'], ['init'], ['show'], ['config'], ['status'], ['bootstrap']].map(([w]) => allowedEdits(w!)),
    ).to.deep.equal([1, 2, 2, 3, 3, 4])
  })

  describe('shownWord(s): what an error may echo of what was typed (never a secret typed there)', () => {
    const words: Array<[string, string]> = [
      ['stauts', 'stauts'],
      ['STATUS', 'STATUS'],
      ['-e', '-e'],
      ['--env', '--env'],
      ['staging', 'staging'],
      ['dev-piksel', 'dev-piksel'],
      ['https', 'https'],
      ['//hooks.slack.com/services/T0/B0/x', '…'],
      ['client_id', 'client_id'],
      ['a-very-long-word-past-twenty', '…'],
      ['x;rm -rf', '…'],
      ['$(id)', '…'],
      ['', '…'],
    ]
    for (const [word, shown] of words) {
      it(`${JSON.stringify(word)} → ${JSON.stringify(shown)}`, () => expect(shownWord(word)).to.equal(shown))
    }
    it('at most the words of a command, then …', () => {
      expect(shownWords(['secrt', 'create', 'slack'])).to.equal('secrt create slack')
      expect(shownWords(['secrt', 'create', 'slack', 'https', '//hooks'])).to.equal('secrt create slack …')
      expect(shownWords(['secret', 'lst'], ':')).to.equal('secret:lst')
    })
  })
})
