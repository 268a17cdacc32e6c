/**
 * "Did you mean …?" for a mistyped command: the nearest command or topic, word by word. Pure,
 * table-tested; the command_not_found hook (src/hooks/command-not-found.ts) prints it.
 *
 * Why word by word: oclif gives the hook the typed words joined (`piksel secrt list` is
 * `secrt:list`, `piksel confg` is `confg`); compared whole with every command id, as
 * @oclif/plugin-not-found does (one Levenshtein distance over the joined id), a one-word typo
 * of a topic lands on whatever short command id is fewest edits away (`confg` → `init`, 5
 * edits, before `config:show`, 6). Here each typed word is compared with the word of a command
 * or topic at the same place, and words typed after a command that takes no arguments count
 * against it, so `secret lst` is `secret list`, not the topic `secret` followed by an argument.
 */
import {distance} from 'fastest-levenshtein'

export interface Candidate {
  /** A command id (`secret:list`) or topic id (`secret`, `secret:create`). */
  id: string
  kind: 'command' | 'topic'
  /** A command that takes arguments (`help [COMMAND]`): words typed after it are its arguments. */
  takesArgs?: boolean
}

export interface Suggestion extends Candidate {
  /** The typed words after it (a command's arguments). */
  rest: string[]
}

/**
 * Pure: how many edits a typed word may be from a word of a command: at most half of that
 * word (at least one): `confg`/`config`, `stauts`/`status`, `lst`/`list`, `hlep`/`help`,
 * never `xyz`/`init`.
 */
export function allowedEdits(word: string): number {
  return Math.max(1, Math.floor(word.length / 2))
}

/**
 * Pure: the command or topic the typed id (`secrt:list`) most likely meant, or undefined when
 * none is close. Each candidate is scored by the edits of each of its words against the typed
 * word at its place (each within allowedEdits), plus, for words typed after it, their length,
 * unless it is a command that takes arguments. Least edits wins; on a tie, the candidate that
 * explains more of the typed words, then a command before a topic. A typed `help` anywhere
 * means `help` for the other words (as @oclif/plugin-not-found reads it).
 */
export function suggestCommand(typed: string, candidates: readonly Candidate[]): Suggestion | undefined {
  const words = typed.split(':').filter(Boolean)
  if (words.length === 0) return undefined
  const help = candidates.find((c) => c.id === 'help' && c.kind === 'command')
  if (help && words.length > 1 && words.some((w) => w.toLowerCase() === 'help')) {
    const rest = words.filter((w) => w.toLowerCase() !== 'help')
    return {...help, rest: meant(rest, candidates)}
  }
  const found = nearest(words, candidates)
  // A mistyped `help` (`hlep stauts`): help for what its words meant too.
  if (found && found.id === 'help' && found.kind === 'command' && found.rest.length > 0) {
    return {...found, rest: meant(found.rest, candidates)}
  }
  return found
}

/**
 * Help's words: those of the command or topic they most likely name (`stauts` → `status`), so
 * that `help <them>` is help that exists; as typed when nothing is close.
 */
function meant(words: string[], candidates: readonly Candidate[]): string[] {
  const found = nearest(words, candidates)
  return found ? [...found.id.split(':'), ...found.rest] : words
}

/**
 * The nearest candidate. Commands and topics are lowercase, so a typed word is compared in
 * lowercase (`STATUS`, `Secrt`: CAPS LOCK or a capital is no other command); the words left
 * over (a command's arguments) keep their case.
 */
function nearest(words: string[], candidates: readonly Candidate[]): Suggestion | undefined {
  const lower = words.map((w) => w.toLowerCase())
  let best: {suggestion: Suggestion; score: number} | undefined
  for (const candidate of candidates) {
    const parts = candidate.id.split(':')
    if (parts.length > words.length) continue
    let score = 0
    let close = true
    for (const [i, part] of parts.entries()) {
      const edits = distance(lower[i] ?? '', part)
      if (edits > allowedEdits(part)) {
        close = false
        break
      }
      score += edits
    }
    if (!close) continue
    const rest = words.slice(parts.length)
    if (!(candidate.kind === 'command' && candidate.takesArgs)) score += rest.join('').length
    const suggestion = {...candidate, rest}
    if (!best || better(suggestion, score, best.suggestion, best.score)) best = {suggestion, score}
  }
  return best?.suggestion
}

function better(a: Suggestion, aScore: number, b: Suggestion, bScore: number): boolean {
  if (aScore !== bScore) return aScore < bScore
  const aWords = a.id.split(':').length
  const bWords = b.id.split(':').length
  if (aWords !== bWords) return aWords > bWords
  if (a.kind !== b.kind) return a.kind === 'command'
  return a.id < b.id
}

/** The most words of a piksel command (`secret create slack`). */
const COMMAND_WORDS = 3

/**
 * Pure: one typed word as an error may show it: when it could be a command's word or a flag's
 * name or plain value (letters, digits, `-`, `_`, `.`, at most 20), else `…`. A word typed on
 * the command line may be a secret put there (`piksel secrt create slack https://hooks...`),
 * which piksel never prints.
 */
export function shownWord(word: string): string {
  return /^(?:-{1,2}[A-Za-z][\w-]{0,19}|[A-Za-z][\w.-]{0,19})$/.test(word) ? word : '…'
}

/** Pure: the typed words of a command as an error shows them: at most as many as a command has (shownWord each). */
export function shownWords(words: readonly string[], separator = ' '): string {
  const shown = words.slice(0, COMMAND_WORDS).map((w) => shownWord(w))
  if (words.length > COMMAND_WORDS) shown.push('…')
  return shown.join(separator)
}
