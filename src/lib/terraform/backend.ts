/**
 * The environment's S3 backend, as `terraform init -backend-config` arguments.
 * Pure, tested table-driven.
 */
import type {Environment} from '../config/environment.ts'

/** True when the root's .tf text declares `backend "s3"` (comments ignored). */
export function usesS3Backend(tfText: string): boolean {
  const code = tfText
    .replace(/\/\*[\s\S]*?\*\//g, '')
    .split('\n')
    .map((line) => line.replace(/(#|\/\/).*$/, ''))
    .join('\n')
  return /\bbackend\s+"s3"\s*\{/.test(code)
}

/** bucket, key, region, use_lockfile, encrypt: what the team writes by hand in its backend block. */
export function backendConfigArgs(env: Pick<Environment, 'region' | 'terraform'>): string[] {
  return [
    `-backend-config=bucket=${env.terraform.stateBucket}`,
    `-backend-config=key=${env.terraform.stateKey}`,
    `-backend-config=region=${env.region}`,
    '-backend-config=use_lockfile=true',
    '-backend-config=encrypt=true',
  ]
}
