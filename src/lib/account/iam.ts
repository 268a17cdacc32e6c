/**
 * The IAM side of the account bootstrap, through @aws-sdk/client-iam (imported lazily, every
 * client from the project's factory so timeouts and error mapping apply). IAM is a global
 * service: the SDK resolves its partition's global endpoint (iam.amazonaws.com, signed for
 * us-east-1) from any region, and moto serves it from one global backend, so the
 * environment's session is used as it is.
 *
 * Reads: ListOpenIDConnectProviders, GetOpenIDConnectProvider, GetRole (with the role's tags),
 * ListAttachedRolePolicies. Writes (only from the steps, after the confirmation):
 * CreateOpenIDConnectProvider, CreateRole, AttachRolePolicy, UpdateAssumeRolePolicy (a role
 * piksel created only), CreateServiceLinkedRole.
 * Every AWS failure is mapped by explainAwsError (exit 1 with a code and a hint).
 */
import type * as IamSdk from '@aws-sdk/client-iam'

import {explainAwsError} from '../aws/errors.ts'
import {type AwsSession, createAwsClient} from '../aws/session.ts'
import {OperationError, PikselError} from '../errors.ts'
import {
  GITHUB_OIDC_AUDIENCE,
  GITHUB_OIDC_HOST,
  GITHUB_OIDC_URL,
  type PolicyDocument,
  parsePolicyDocument,
} from './trust.ts'

type IamModule = typeof IamSdk
type IamClient = InstanceType<IamModule['IAMClient']>

/** The Spot service-linked role (EC2 Spot User Guide, "Service-linked role for Spot Instance requests"). */
export const SPOT_ROLE_NAME = 'AWSServiceRoleForEC2Spot'
export const SPOT_SERVICE = 'spot.amazonaws.com'

/** The IAM actions each part needs, for hints and the README. */
export const ACCOUNT_IAM_ACTIONS = {
  ciRead: [
    'iam:ListOpenIDConnectProviders',
    'iam:GetOpenIDConnectProvider',
    'iam:GetRole',
    'iam:ListAttachedRolePolicies',
    'iam:GetPolicy',
  ],
  ciWrite: [
    'iam:CreateOpenIDConnectProvider',
    'iam:CreateRole',
    'iam:TagRole',
    'iam:AttachRolePolicy',
    'iam:UpdateAssumeRolePolicy',
  ],
  spotRead: ['iam:GetRole'],
  spotWrite: ['iam:CreateServiceLinkedRole'],
} as const

export interface IamSession {
  readonly iam: IamClient
  readonly sdk: IamModule
  readonly session: AwsSession
  close(): void
}

/**
 * One IAM client for a step or check (close it when done). An aborted `signal` (the run
 * interrupted) closes it, so the call in flight ends now, not at the request timeout.
 */
export async function openIam(session: AwsSession, signal?: AbortSignal): Promise<IamSession> {
  const sdk = await import('@aws-sdk/client-iam')
  const iam = createAwsClient(sdk.IAMClient, session)
  const release = closeOnAbort(signal, () => iam.destroy())
  return {
    iam,
    sdk,
    session,
    close: () => {
      release()
      iam.destroy()
    },
  }
}

/** Runs `close` when `signal` aborts (now, if it has); returns what removes the listener. */
export function closeOnAbort(signal: AbortSignal | undefined, close: () => void): () => void {
  if (!signal) return () => {}
  if (signal.aborted) close()
  signal.addEventListener('abort', close, {once: true})
  return () => signal.removeEventListener('abort', close)
}

function nameOf(error: unknown): string {
  const e = (error ?? {}) as {name?: string; Code?: string}
  return e.name ?? e.Code ?? ''
}

const isNoSuchEntity = (error: unknown) => /^NoSuchEntity/.test(nameOf(error))

async function mapped<T>(io: IamSession, action: string, call: () => Promise<T>): Promise<T> {
  try {
    return await call()
  } catch (error) {
    if (error instanceof PikselError) throw error
    throw await explainAwsError(error, io.session, action)
  }
}

/** A required field of an answer: its absence means the answer is not IAM's (a proxy's page). */
function required<T>(value: T | undefined | null | '', what: string): T {
  if (value === undefined || value === null || value === '') {
    throw new OperationError(`IAM answered without ${what}: it is not an IAM answer.`, {
      code: 'BAD_RESPONSE',
      hint: 'A proxy or AWS_ENDPOINT_URL* may send it elsewhere; check them.',
    })
  }
  return value
}

export interface ProviderState {
  arn: string
  /** The provider's client ids (audiences). */
  audiences: string[]
}

/** The account's GitHub Actions OIDC provider, if it has one. */
export async function findGithubProvider(io: IamSession): Promise<ProviderState | undefined> {
  const {sdk, iam} = io
  const listed = await mapped(io, 'iam:ListOpenIDConnectProviders', () =>
    iam.send(new sdk.ListOpenIDConnectProvidersCommand({})),
  )
  const arn = (listed.OpenIDConnectProviderList ?? [])
    .map((p) => p.Arn ?? '')
    .find((a) => a.endsWith(`:oidc-provider/${GITHUB_OIDC_HOST}`))
  if (!arn) return undefined
  const provider = await mapped(io, 'iam:GetOpenIDConnectProvider', () =>
    iam.send(new sdk.GetOpenIDConnectProviderCommand({OpenIDConnectProviderArn: arn})),
  )
  return {arn, audiences: provider.ClientIDList ?? []}
}

/**
 * Creates the provider with the one audience. No thumbprint: the parameter is optional and
 * IAM verifies GitHub's JWKS endpoint through its library of trusted root CAs (IAM API
 * reference, CreateOpenIDConnectProvider). Another run may have created it meanwhile
 * (EntityAlreadyExists): then the existing one is read back.
 */
export async function createGithubProvider(io: IamSession, tags: Record<string, string>): Promise<ProviderState> {
  const {sdk, iam} = io
  try {
    const out = await iam.send(
      new sdk.CreateOpenIDConnectProviderCommand({
        Url: GITHUB_OIDC_URL,
        ClientIDList: [GITHUB_OIDC_AUDIENCE],
        Tags: Object.entries(tags).map(([Key, Value]) => ({Key, Value})),
      }),
    )
    return {arn: required(out.OpenIDConnectProviderArn, 'the provider ARN'), audiences: [GITHUB_OIDC_AUDIENCE]}
  } catch (error) {
    if (error instanceof PikselError) throw error
    if (/EntityAlreadyExists/.test(nameOf(error))) {
      const existing = await findGithubProvider(io)
      if (existing) return existing
    }
    throw await explainAwsError(error, io.session, 'iam:CreateOpenIDConnectProvider')
  }
}

export interface RoleState {
  name: string
  arn: string
  /** The trust policy, decoded; undefined when it cannot be read. */
  trust: PolicyDocument | undefined
  /** The role's tags (GetRole returns them; IAM API reference, Role). */
  tags: Record<string, string>
}

/** GetRole; undefined when there is no such role. */
export async function getRole(io: IamSession, name: string): Promise<RoleState | undefined> {
  const {sdk, iam} = io
  let out
  try {
    out = await iam.send(new sdk.GetRoleCommand({RoleName: name}))
  } catch (error) {
    if (isNoSuchEntity(error)) return undefined
    throw await explainAwsError(error, io.session, 'iam:GetRole')
  }
  const role = required(out.Role, 'a role')
  return {
    name: role.RoleName ?? name,
    arn: required(role.Arn, 'the role ARN'),
    trust: parsePolicyDocument(role.AssumeRolePolicyDocument),
    tags: Object.fromEntries((role.Tags ?? []).flatMap((t) => (t.Key ? [[t.Key, t.Value ?? '']] : []))),
  }
}

/** Every managed policy attached to the role (all pages, at most 10: IAM allows 20 per role). */
export async function attachedPolicies(io: IamSession, role: string): Promise<string[]> {
  const {sdk, iam} = io
  const arns: string[] = []
  let marker: string | undefined
  for (let page = 0; page < 10; page++) {
    const out = await mapped(io, 'iam:ListAttachedRolePolicies', () =>
      iam.send(new sdk.ListAttachedRolePoliciesCommand({RoleName: role, ...(marker ? {Marker: marker} : {})})),
    )
    for (const p of out.AttachedPolicies ?? []) if (p.PolicyArn) arns.push(p.PolicyArn)
    if (!out.IsTruncated || !out.Marker) break
    marker = out.Marker
  }
  return arns.sort()
}

/** Whether a managed policy exists (GetPolicy; NoSuchEntity: it does not). */
export async function policyExists(io: IamSession, policyArn: string): Promise<boolean> {
  const {sdk, iam} = io
  try {
    await iam.send(new sdk.GetPolicyCommand({PolicyArn: policyArn}))
    return true
  } catch (error) {
    if (isNoSuchEntity(error)) return false
    throw await explainAwsError(error, io.session, 'iam:GetPolicy')
  }
}

export interface NewRole {
  name: string
  trust: PolicyDocument
  description: string
  tags: Record<string, string>
}

export async function createRole(io: IamSession, role: NewRole): Promise<string> {
  const {sdk, iam} = io
  const out = await mapped(io, 'iam:CreateRole', () =>
    iam.send(
      new sdk.CreateRoleCommand({
        RoleName: role.name,
        AssumeRolePolicyDocument: JSON.stringify(role.trust),
        Description: role.description,
        Tags: Object.entries(role.tags).map(([Key, Value]) => ({Key, Value})),
      }),
    ),
  )
  return required(out.Role?.Arn, 'the role ARN')
}

export async function attachPolicy(io: IamSession, role: string, policyArn: string): Promise<void> {
  const {sdk, iam} = io
  await mapped(io, `iam:AttachRolePolicy ${policyArn}`, () =>
    iam.send(new sdk.AttachRolePolicyCommand({RoleName: role, PolicyArn: policyArn})),
  )
}

/** UpdateAssumeRolePolicy: only on a role piksel created (the step checks its tags first). */
export async function updateTrustPolicy(io: IamSession, role: string, trust: PolicyDocument): Promise<void> {
  const {sdk, iam} = io
  await mapped(io, 'iam:UpdateAssumeRolePolicy', () =>
    iam.send(new sdk.UpdateAssumeRolePolicyCommand({RoleName: role, PolicyDocument: JSON.stringify(trust)})),
  )
}

/** The Spot service-linked role's ARN, or undefined when the account has none. */
export async function getSpotRole(io: IamSession): Promise<string | undefined> {
  return (await getRole(io, SPOT_ROLE_NAME))?.arn
}

/**
 * CreateServiceLinkedRole for spot.amazonaws.com. When the role exists already IAM answers
 * InvalidInput ("Service role name AWSServiceRoleForEC2Spot has been taken in this account"):
 * that is read back as the existing role.
 */
export async function createSpotRole(io: IamSession): Promise<{arn: string; created: boolean}> {
  const {sdk, iam} = io
  try {
    const out = await iam.send(new sdk.CreateServiceLinkedRoleCommand({AWSServiceName: SPOT_SERVICE}))
    return {arn: required(out.Role?.Arn, 'the role ARN'), created: true}
  } catch (error) {
    if (error instanceof PikselError) throw error
    if (/has been taken|EntityAlreadyExists/.test(`${nameOf(error)} ${(error as Error).message ?? ''}`)) {
      const arn = await getSpotRole(io)
      if (arn) return {arn, created: false}
    }
    throw await explainAwsError(error, io.session, 'iam:CreateServiceLinkedRole')
  }
}
