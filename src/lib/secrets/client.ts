/**
 * The Secrets Manager client the secret services share (loaded only when used:
 * the SDK stays out of every command that does not talk to Secrets Manager).
 */
import type * as SecretsManagerSdk from '@aws-sdk/client-secrets-manager'

import {type AwsSession, createAwsClient} from '../aws/session.ts'

export interface EnvironmentRef {
  name: string
  /** When set, the caller must be this account (the account guard). */
  account?: string
}

export type SecretsManagerModule = typeof SecretsManagerSdk
export type SecretsManager = InstanceType<SecretsManagerModule['SecretsManagerClient']>

/** The client for the session (the caller destroys it) and the SDK module its commands come from. */
export async function secretsManager(session: AwsSession): Promise<{sm: SecretsManager; mod: SecretsManagerModule}> {
  const mod = await import('@aws-sdk/client-secrets-manager')
  return {sm: createAwsClient(mod.SecretsManagerClient, session), mod}
}

/** A tag list as the SDK gives it, with absent keys and values as empty strings. */
export function sdkTags(tags: Array<{Key?: string; Value?: string}> | undefined): Array<{Key: string; Value: string}> {
  return (tags ?? []).map((t) => ({Key: t.Key ?? '', Value: t.Value ?? ''}))
}

/** The name of an SDK error (`ResourceNotFoundException`), or '' for anything else. */
export function awsErrorName(error: unknown): string {
  return (error as {name?: string})?.name ?? ''
}
