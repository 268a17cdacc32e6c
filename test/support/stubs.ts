/**
 * Stub executables for tools that cannot run here (flux, aws, kubectl) or whose
 * version a test controls: each records argv, selected environment (AWS, GitHub,
 * Terraform, kube, piksel and anything named like a credential) and stdin to a
 * JSON-lines log and prints what it is told to.
 */
import {chmodSync, existsSync, mkdirSync, mkdtempSync, readFileSync, writeFileSync} from 'node:fs'
import {tmpdir} from 'node:os'
import {join} from 'node:path'

export interface StubSpec {
  stdout?: string
  stderr?: string
  exitCode?: number
  /** Seconds to sleep before answering. */
  sleep?: number
  /**
   * Wait, before answering, until `count` stubs of this StubBin have started (each
   * leaves a marker): proof that they run at the same time, without a clock. A stub
   * left waiting alone gives up after `giveUpSeconds` (default 20), answers on
   * stderr that it was alone and exits 1.
   */
  rendezvous?: {count: number; giveUpSeconds?: number}
}

export interface StubCall {
  argv: string[]
  env: Record<string, string>
  stdin: string
}

export class StubBin {
  readonly dir = mkdtempSync(join(tmpdir(), 'piksel-stubs-'))
  readonly log = join(this.dir, 'calls.jsonl')
  /** One line per stub that finished answering (after any sleep or rendezvous). */
  readonly endLog = join(this.dir, 'ended.jsonl')
  readonly markers = join(this.dir, 'started')

  /** Writes an executable `name` that answers with `spec` (or per-argv via a JS matcher, which may be async). */
  add(name: string, spec: StubSpec | ((argv: string[]) => StubSpec | Promise<StubSpec>)): this {
    const file = join(this.dir, name)
    const specs = typeof spec === 'function' ? spec.toString() : `() => (${JSON.stringify(spec)})`
    mkdirSync(this.markers, {recursive: true})
    writeFileSync(
      file,
      `#!${process.execPath}
const fs = require('node:fs')
const argv = process.argv.slice(2)
let stdin = ''
try { if (!process.stdin.isTTY) stdin = fs.readFileSync(0, 'utf8') } catch {}
const env = {}
for (const [k, v] of Object.entries(process.env)) if (/^(GITHUB_|GH_|AWS_|KUBECONFIG|TF_|PIKSEL_)|TOKEN|SECRET|PASSWORD|API_?KEY/.test(k)) env[k] = v
fs.appendFileSync(${JSON.stringify(this.log)}, JSON.stringify({tool: ${JSON.stringify(name)}, argv, env, stdin}) + '\\n')
Promise.resolve((${specs})(argv)).then((answer) => {
  const spec = answer || {}
  const end = () => {
    fs.appendFileSync(${JSON.stringify(this.endLog)}, JSON.stringify({tool: ${JSON.stringify(name)}}) + '\\n')
    if (spec.stdout) process.stdout.write(spec.stdout)
    if (spec.stderr) process.stderr.write(spec.stderr)
    process.exit(spec.exitCode || 0)
  }
  const later = () => (spec.sleep ? setTimeout(end, spec.sleep * 1000) : end())
  if (spec.rendezvous) {
    const markers = ${JSON.stringify(this.markers)}
    fs.writeFileSync(markers + '/' + ${JSON.stringify(name)} + '-' + process.pid, '')
    const giveUp = Date.now() + (spec.rendezvous.giveUpSeconds || 20) * 1000
    const poll = () => {
      const started = fs.readdirSync(markers).length
      if (started >= spec.rendezvous.count) return later()
      if (Date.now() > giveUp) {
        process.stderr.write('rendezvous: only ' + started + ' of ' + spec.rendezvous.count + ' stubs started\\n')
        process.exit(1)
      }
      setTimeout(poll, 20)
    }
    poll()
  } else later()
})
`,
    )
    // A CommonJS script: name the file so node does not treat it as ESM.
    chmodSync(file, 0o755)
    return this
  }

  /** How many runs of `tool` (or of any stub) have finished answering. */
  ended(tool?: string): number {
    if (!existsSync(this.endLog)) return 0
    return readFileSync(this.endLog, 'utf8')
      .split('\n')
      .filter(Boolean)
      .filter((line) => !tool || (JSON.parse(line) as {tool: string}).tool === tool).length
  }

  calls(tool?: string): Array<StubCall & {tool: string}> {
    if (!existsSync(this.log)) return []
    return readFileSync(this.log, 'utf8')
      .split('\n')
      .filter(Boolean)
      .map((line) => JSON.parse(line) as StubCall & {tool: string})
      .filter((call) => !tool || call.tool === tool)
  }
}
