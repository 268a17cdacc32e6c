/**
 * A Secrets Manager client of the test's own, pointed at moto: it checks what
 * piksel stored (value, tags, versions) without going through piksel.
 */
import {mkdtempSync, writeFileSync} from 'node:fs'
import {tmpdir} from 'node:os'
import {join} from 'node:path'

import {
  CreateSecretCommand,
  DeleteSecretCommand,
  DescribeSecretCommand,
  GetSecretValueCommand,
  ListSecretVersionIdsCommand,
  ListSecretsCommand,
  PutSecretValueCommand,
  SecretsManagerClient,
} from '@aws-sdk/client-secrets-manager'

import {type RunOptions, type RunResult, isolatedEnv, runPiksel} from './cli.ts'
import type {Moto} from './moto.ts'

export const SLACK_URL = 'https://hooks.slack.com/services/T0PIKSEL1/B0ALERTS1/abcdefghijklmnopqrstuvwx'
export const SLACK_URL_2 = 'https://hooks.slack.com/services/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'

export class SecretsProbe {
  readonly sm: SecretsManagerClient

  constructor(moto: Moto) {
    this.sm = new SecretsManagerClient({
      endpoint: moto.endpoint,
      region: 'ap-southeast-3',
      credentials: {accessKeyId: 'testing', secretAccessKey: 'testing'},
    })
  }

  async names(): Promise<string[]> {
    const out = await this.sm.send(new ListSecretsCommand({IncludePlannedDeletion: true}))
    return (out.SecretList ?? []).map((s) => s.Name ?? '').sort()
  }

  async value(name: string, stage = 'AWSCURRENT'): Promise<{value?: string; versionId?: string}> {
    const out = await this.sm.send(new GetSecretValueCommand({SecretId: name, VersionStage: stage}))
    return {value: out.SecretString, versionId: out.VersionId}
  }

  async describe(name: string) {
    return this.sm.send(new DescribeSecretCommand({SecretId: name}))
  }

  async tags(name: string): Promise<Record<string, string>> {
    const out = await this.describe(name)
    return Object.fromEntries((out.Tags ?? []).map((t) => [t.Key ?? '', t.Value ?? '']))
  }

  /** versionId → stages */
  async versions(name: string): Promise<Record<string, string[]>> {
    const out = await this.sm.send(new ListSecretVersionIdsCommand({SecretId: name, IncludeDeprecated: true}))
    return Object.fromEntries((out.Versions ?? []).map((v) => [v.VersionId ?? '', v.VersionStages ?? []]))
  }

  /** A secret with no value at all, as Terraform's aws_secretsmanager_secret declares one. */
  async createEmpty(name: string) {
    return this.sm.send(new CreateSecretCommand({Name: name, Tags: [{Key: 'Project', Value: 'Piksel'}]}))
  }

  async create(name: string, value: string, extra: {tags?: Record<string, string>; description?: string} = {}) {
    return this.sm.send(
      new CreateSecretCommand({
        Name: name,
        SecretString: value,
        Description: extra.description,
        Tags: Object.entries(extra.tags ?? {}).map(([Key, Value]) => ({Key, Value})),
      }),
    )
  }

  /** A new version (the one before becomes AWSPREVIOUS); returns its version id. */
  async put(name: string, value: string): Promise<string> {
    const out = await this.sm.send(new PutSecretValueCommand({SecretId: name, SecretString: value}))
    return out.VersionId ?? ''
  }

  async scheduleDeletion(name: string): Promise<void> {
    await this.sm.send(new DeleteSecretCommand({SecretId: name, RecoveryWindowInDays: 7}))
  }
}

/** A config dir with piksel.config.yaml (e.g. an account for the guard). */
export function configFile(yaml: string): string {
  const dir = mkdtempSync(join(tmpdir(), 'piksel-secret-cfg-'))
  const file = join(dir, 'piksel.config.yaml')
  writeFileSync(file, yaml)
  return file
}

export function secretFile(content: string): string {
  const dir = mkdtempSync(join(tmpdir(), 'piksel-secret-in-'))
  const file = join(dir, 'secret.txt')
  writeFileSync(file, content, {mode: 0o600})
  return file
}

/** `piksel ...` against moto, isolated from the machine's AWS and piksel settings. */
export function runAgainst(
  moto: Moto,
  args: string[],
  options: RunOptions & {extraEnv?: Record<string, string>} = {},
): Promise<RunResult> {
  return runPiksel(args, {...options, env: isolatedEnv({...moto.env, ...options.extraEnv})})
}
