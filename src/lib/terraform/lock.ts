/**
 * A state lock someone else holds, read from Terraform's own error block:
 *
 *     Error: Error acquiring the state lock
 *
 *     Error message: … PreconditionFailed …      (S3 use_lockfile) / resource temporarily unavailable (local)
 *     Lock Info:
 *       ID:        b2ed8815-68dd-1517-955f-326b9e1d0441
 *       Path:      piksel-staging-tfstate/staging/terraform.tfstate
 *       Operation: OperationTypeApply
 *       Who:       ops@laptop
 *       Version:   1.11.4
 *       Created:   2026-11-30 10:04:17.201427656 +0000 UTC
 *       Info:
 *
 * (terraform/internal/command/clistate/state.go, LockErrorMessage; with colour
 * the lines carry `│ ` and ANSI codes, which are ignored). piksel never unlocks by
 * itself: it names the lock and the exact `terraform force-unlock` command to run
 * once nobody is applying. Pure, tested table-driven.
 */
import {OperationError} from '../errors.ts'

export interface StateLock {
  id: string
  path?: string
  /** Terraform's OperationType…, e.g. OperationTypeApply. */
  operation?: string
  who?: string
  version?: string
  created?: string
  info?: string
}

// eslint-disable-next-line no-control-regex -- Terraform's colour codes start with ESC
const ANSI = /\u001b\[[0-9;]*m/g
const FIELDS: Record<string, keyof StateLock> = {
  ID: 'id',
  Path: 'path',
  Operation: 'operation',
  Who: 'who',
  Version: 'version',
  Created: 'created',
  Info: 'info',
}

/** One output line without colour codes, box-drawing frame and surrounding space. */
function clean(line: string): string {
  return line
    .replace(ANSI, '')
    .replace(/^[│╷╵|\s]+/, '')
    .trim()
}

/** The lock a failed command ran into, or undefined when its output has no "Error acquiring the state lock" with a lock ID. */
export function parseStateLock(lines: readonly string[]): StateLock | undefined {
  const cleaned = lines.map(clean)
  const start = cleaned.findIndex((line) => /Error acquiring the state lock/i.test(line))
  if (start < 0) return undefined
  const lock: Partial<StateLock> = {}
  let inInfo = false
  for (const line of cleaned.slice(start + 1, start + 60)) {
    if (/^Error: /.test(line)) break
    if (/^Lock Info:$/.test(line)) {
      inInfo = true
      continue
    }
    if (!inInfo) continue
    const match = /^(ID|Path|Operation|Who|Version|Created|Info):\s*(.*)$/.exec(line)
    if (!match) {
      if (line === '' && lock.id) break
      continue
    }
    const key = FIELDS[match[1]!]!
    const value = match[2]!.trim()
    if (value !== '') lock[key] = value
  }
  return lock.id ? (lock as StateLock) : undefined
}

/** `OperationTypeApply` → `apply`. Pure. */
export function describeOperation(operation: string | undefined): string {
  if (!operation) return 'an unknown operation'
  const bare = operation.replace(/^OperationType/, '')
  return bare === '' ? operation : bare.toLowerCase()
}

/** The command that releases the lock: run it only after checking nobody is applying. Pure. */
export function forceUnlockCommand(dir: string, id: string): string {
  const quoted = /^[A-Za-z0-9_./:@%+=,-]+$/.test(dir) ? dir : `'${dir.replace(/'/g, `'\\''`)}'`
  return `terraform -chdir=${quoted} force-unlock ${id}`
}

/** The error for a held lock: exit 1, code STATE_LOCKED, with who holds it and how to release it. */
export function stateLockedError(lock: StateLock, dir: string, command: string): OperationError {
  const by = lock.who ? ` by ${lock.who}` : ''
  const since = lock.created ? ` since ${lock.created}` : ''
  const where = lock.path ? ` on ${lock.path}` : ''
  return new OperationError(
    `terraform ${command} in ${dir}: the state is locked${where}${by} (${describeOperation(lock.operation)}${since}, lock ID ${lock.id}). Nothing was changed.`,
    {
      code: 'STATE_LOCKED',
      hint:
        `Someone (or an interrupted run) holds the lock. Wait for their ${describeOperation(lock.operation)} to finish; ` +
        `only once you are sure nobody is applying, release it with: ${forceUnlockCommand(dir, lock.id)}`,
    },
  )
}
