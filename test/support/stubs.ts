/**
 * Stub executables for tools that cannot run here (flux, aws, kubectl) or whose
 * version a test controls: each records argv, selected environment (AWS, GitHub,
 * Terraform, kube, piksel and anything named like a credential) and stdin to a
 * JSON-lines log and prints what it is told to.
 */
import {chmodSync, existsSync, mkdtempSync, readFileSync, writeFileSync} from 'node:fs'
import {tmpdir} from 'node:os'
import {join} from 'node:path'

export interface StubSpec {
  stdout?: string
  stderr?: string
  exitCode?: number
  /** Seconds to sleep before answering. */
  sleep?: number
}

export interface StubCall {
  argv: string[]
  env: Record<string, string>
  stdin: string
}

export class StubBin {
  readonly dir = mkdtempSync(join(tmpdir(), 'piksel-stubs-'))
  readonly log = join(this.dir, 'calls.jsonl')

  /** Writes an executable `name` that answers with `spec` (or per-argv via a JS matcher, which may be async). */
  add(name: string, spec: StubSpec | ((argv: string[]) => StubSpec | Promise<StubSpec>)): this {
    const file = join(this.dir, name)
    const specs = typeof spec === 'function' ? spec.toString() : `() => (${JSON.stringify(spec)})`
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
    if (spec.stdout) process.stdout.write(spec.stdout)
    if (spec.stderr) process.stderr.write(spec.stderr)
    process.exit(spec.exitCode || 0)
  }
  if (spec.sleep) setTimeout(end, spec.sleep * 1000); else end()
})
`,
    )
    // A CommonJS script: name the file so node does not treat it as ESM.
    chmodSync(file, 0o755)
    return this
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
