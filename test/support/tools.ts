/**
 * Tests that need a real tool (moto_server, terraform) say so: under CI=true a
 * missing tool fails the run; locally the test skips with a visible reason.
 */
import {execFileSync} from 'node:child_process'

export function which(tool: string): string | undefined {
  try {
    return execFileSync('sh', ['-c', `command -v ${tool}`], {encoding: 'utf8'}).trim() || undefined
  } catch {
    return undefined
  }
}

export function requireTool(ctx: Mocha.Context, tool: string): string {
  const path = which(tool)
  if (path) return path
  if (process.env.CI) throw new Error(`${tool} is required for this test and missing on PATH (CI=true, so this fails)`)
  console.warn(`      skipped: ${tool} not found on PATH`)
  ctx.skip()
}
