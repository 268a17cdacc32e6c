/**
 * Runs the real built binary on a pseudo-terminal (util-linux `script`), so stdin
 * and stdout are TTYs as at a person's terminal. Answers are typed once their
 * prompt is on the screen; the run is killed if it outlives `giveUpMs`.
 */
import {type ChildProcess, spawn} from 'node:child_process'
import {mkdtempSync, readFileSync} from 'node:fs'
import {tmpdir} from 'node:os'
import {join} from 'node:path'

import {BIN, ROOT} from './cli.ts'
import {requireTool} from './tools.ts'

export interface TerminalRun {
  /** The exit code of piksel (script -e passes it through); -1 when killed. */
  code: number
  /** Everything the terminal showed (stdout and stderr share the terminal). */
  output: string
  /** How many of the steps' prompts appeared and were answered. */
  answered: number
}

export interface TerminalOptions {
  env: Record<string, string | undefined>
  /**
   * [text on the screen, what to type then]; `\r` is appended to each answer unless it is a control key.
   * `SIGTERM`, `SIGHUP` or `SIGINT` as the answer sends that signal to piksel itself instead (a CI
   * runner cancelling, the terminal closing), as the terminal's Ctrl-C does not.
   */
  steps?: Array<[prompt: string, answer: string]>
  giveUpMs?: number
  /** The terminal's size (stty): a task list (bootstrap) draws nothing on a terminal of 0 columns. */
  size?: {cols: number; rows: number}
  /** Where piksel runs (default: the repository). */
  cwd?: string
}

const SIGNALS = ['SIGTERM', 'SIGHUP', 'SIGINT']

const quote = (arg: string) => `'${arg.replaceAll("'", `'\\''`)}'`

export async function onTerminal(ctx: Mocha.Context, args: string[], options: TerminalOptions): Promise<TerminalRun> {
  const script = requireTool(ctx, 'script')
  const steps = options.steps ?? []
  // The shell script runs writes its pid, then becomes piksel (exec): signal steps go to that pid.
  const pidFile = join(mkdtempSync(join(tmpdir(), 'piksel-tty-')), 'pid')
  const size = options.size ? `stty cols ${options.size.cols} rows ${options.size.rows}; ` : ''
  const command = `${size}echo $$ > ${quote(pidFile)}; exec ${[process.execPath, BIN, ...args].map(quote).join(' ')}`
  const child: ChildProcess = spawn(script, ['-qfec', command, '/dev/null'], {
    env: {...options.env, TERM: 'xterm'},
    cwd: options.cwd ?? ROOT,
    stdio: 'pipe',
  })
  let output = ''
  let answered = 0
  let seen = 0
  const done = new Promise<number>((resolve) => child.on('exit', (code) => resolve(code ?? -1)))
  child.stdout?.on('data', (chunk) => {
    output += String(chunk)
    const step = steps[answered]
    const at = step ? output.indexOf(step[0], seen) : -1
    if (step && at >= 0) {
      seen = at + step[0].length
      answered++
      // Type only once the prompt is up (raw mode on), as a person would.
      const keys = step[1].length === 1 && step[1] < ' ' ? step[1] : `${step[1]}\r`
      const signal = SIGNALS.includes(step[1]) ? (step[1] as NodeJS.Signals) : undefined
      setTimeout(() => {
        if (signal) process.kill(Number(readFileSync(pidFile, 'utf8')), signal)
        else child.stdin?.write(keys)
      }, 200)
    }
  })
  const timer = setTimeout(() => child.kill('SIGKILL'), options.giveUpMs ?? 25_000)
  const code = await done
  clearTimeout(timer)
  return {code, output, answered}
}
