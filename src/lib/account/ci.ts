/**
 * GitHub Actions OIDC for the Terraform CI: what the config asks for, what the account holds
 * (read-only), and the judgement of the two, shared by the `oidc` bootstrap step and the
 * `ci-role` doctor check. The judgement is pure and tested table-driven.
 * (About 300 lines: the reading and the judgement share the config's and the account's shapes.)
 */
import type {CallerIdentity} from '../aws/identity.ts'
import type {AwsSession} from '../aws/session.ts'
import type {Environment} from '../config/environment.ts'
import {ConfigError} from '../errors.ts'
import {
  GITHUB_OIDC_AUDIENCE,
  type PolicyDocument,
  type TrustFinding,
  type TrustTarget,
  auditTrustPolicy,
  buildTrustPolicy,
  comparePolicies,
  partitionOf,
  providerArnFor,
} from './trust.ts'

export interface CiConfig {
  repository: string
  branch: string
  role: string
  /** Unset: a missing role cannot be created (CI_POLICIES_MISSING). */
  policies?: string[]
}

/**
 * The CI settings of the environment; undefined when nothing of it is configured (neither
 * `ci.repository` nor `environments.<env>.ci.policies`), so the oidc step is skipped.
 * Policies without a repository: ConfigError CI_REPOSITORY_MISSING (exit 2).
 */
export function ciConfig(env: Environment): CiConfig | undefined {
  const {repository, branch, role, policies} = env.ci
  if (!repository && !policies) return undefined
  if (!repository) {
    throw new ConfigError(
      `environments.${env.name}.ci.policies is set, but ci.repository is not: the role's trust policy needs the repository.`,
      {
        code: 'CI_REPOSITORY_MISSING',
        hint: 'Set ci.repository (owner/name of the Terraform repository, e.g. piksel-ina/piksel-infra) in the config.',
      },
    )
  }
  return {repository, branch, role, ...(policies ? {policies} : {})}
}

/** Refusal to create the role without the policies to attach (exit 2, before any write). */
export function policiesMissing(env: Environment, role: string): ConfigError {
  return new ConfigError(
    `Role ${role} does not exist and environments.${env.name}.ci.policies lists no managed policy to attach; piksel never chooses permissions (nor attaches AdministratorAccess) on its own. Nothing was created.`,
    {
      code: 'CI_POLICIES_MISSING',
      hint: `List the role's managed policy ARNs under environments.${env.name}.ci.policies, e.g. [arn:aws:iam::aws:policy/PowerUserAccess].`,
    },
  )
}

/** Configured policies that do not exist: exit 2 before any write. */
export function policiesUnknown(env: Environment, arns: readonly string[]): ConfigError {
  return new ConfigError(
    `environments.${env.name}.ci.policies: ${arns.join(', ')} ${arns.length === 1 ? 'does' : 'do'} not exist (iam:GetPolicy). Nothing was created.`,
    {
      code: 'CI_POLICY_NOT_FOUND',
      hint: 'Check the ARNs: AWS managed policies are arn:aws:iam::aws:policy/NAME, the account’s own arn:aws:iam::<account>:policy/NAME.',
    },
  )
}

/**
 * Pure: the configured policies IAM cannot attach to a role of the caller's account: another
 * partition's (`arn:aws-cn:...` from `arn:aws:...`), or a customer managed policy of another
 * account. AttachRolePolicy takes AWS managed policies (account `aws`) and the account's own
 * (IAM User Guide, "Managed policies and inline policies"); asking GetPolicy about the others
 * ends in AccessDenied or InvalidInput (exit 1), not in a finding about the config.
 */
export function foreignPolicies(arns: readonly string[], caller: Pick<CallerIdentity, 'arn' | 'account'>): string[] {
  const partition = partitionOf(caller.arn)
  return arns.filter((arn) => {
    const [, arnPartition, , , account] = arn.split(':')
    return arnPartition !== partition || (account !== 'aws' && account !== caller.account)
  })
}

/** Policies of another partition or account: exit 2 before anything is read or written. */
export function policiesElsewhere(
  env: Environment,
  arns: readonly string[],
  caller: Pick<CallerIdentity, 'arn' | 'account'>,
): ConfigError {
  return new ConfigError(
    `environments.${env.name}.ci.policies: ${arns.join(', ')} ${arns.length === 1 ? 'is' : 'are'} not a policy IAM can attach to a role of account ${caller.account} (partition ${partitionOf(caller.arn)}): only AWS managed policies and the account's own can be. Nothing was created.`,
    {
      code: 'CI_POLICY_ELSEWHERE',
      hint: `Use arn:${partitionOf(caller.arn)}:iam::aws:policy/NAME or arn:${partitionOf(caller.arn)}:iam::${caller.account}:policy/NAME (copy another account's policy into this one first).`,
    },
  )
}

export interface CiInspection {
  config: CiConfig
  target: TrustTarget
  /** Configured policies that do not exist (GetPolicy). */
  unknownPolicies: string[]
  provider?: {arn: string; audiences: string[]}
  role?: {arn: string; trust: PolicyDocument | undefined; attached: string[]; tags: Record<string, string>}
}

/** Reads the provider, the role, its trust policy and its policies. No write. */
export async function inspectCi(
  session: AwsSession,
  config: CiConfig,
  caller: CallerIdentity,
  env: string,
  signal?: AbortSignal,
): Promise<CiInspection> {
  const {openIam, findGithubProvider, getRole, attachedPolicies, policyExists} = await import('./iam.ts')
  const io = await openIam(session, signal)
  try {
    const [provider, role, exists] = await Promise.all([
      findGithubProvider(io),
      getRole(io, config.role),
      Promise.all((config.policies ?? []).map((arn) => policyExists(io, arn))),
    ])
    const attached = role ? await attachedPolicies(io, role.name) : []
    const target: TrustTarget = {
      providerArn: provider?.arn ?? providerArnFor(partitionOf(caller.arn), caller.account),
      repository: config.repository,
      env,
      branch: config.branch,
    }
    return {
      config,
      target,
      unknownPolicies: (config.policies ?? []).filter((_, i) => !exists[i]),
      ...(provider ? {provider} : {}),
      ...(role ? {role: {arn: role.arn, trust: role.trust, attached, tags: role.tags}} : {}),
    }
  } finally {
    io.close()
  }
}

/** The tags the oidc step puts on what it creates: whose it is, and that piksel made it. */
export function pikselTags(env: string): Record<string, string> {
  return {Environment: env, ManagedBy: 'piksel'}
}

/**
 * Pure: whether a role is provably piksel's for this environment: it carries the tags the
 * oidc step creates it with (CreateRole sets them with the role, in one call).
 */
export function isPikselRole(tags: Record<string, string>, env: string): boolean {
  return Object.entries(pikselTags(env)).every(([key, value]) => tags[key] === value)
}

/**
 * Pure: why a role is not provably piksel's for this environment, in words, and whether tagging
 * it would be the fix. A role piksel created for another environment (ManagedBy=piksel,
 * Environment=<other>) is that environment's: never to be re-tagged as this one's (the config
 * more likely names the wrong role). Undefined when it is piksel's for this environment.
 */
export function notOursReason(tags: Record<string, string>, env: string): {reason: string; retag: boolean} | undefined {
  if (isPikselRole(tags, env)) return undefined
  const wanted = pikselTags(env)
  const list = (entries: Array<[string, string]>) => entries.map(([k, v]) => `${k}=${v}`).join(', ')
  if (tags.ManagedBy === wanted.ManagedBy && tags.Environment !== undefined) {
    return {
      reason: `piksel created that role for ${tags.Environment} (tag Environment=${tags.Environment}), not for ${env}`,
      retag: false,
    }
  }
  // IAM keeps tags as written; ManagedBy/managedby are not the same tag to piksel.
  const lookalikes = Object.entries(tags).filter(([key, value]) =>
    Object.entries(wanted).some(
      ([k, v]) => k.toLowerCase() === key.toLowerCase() && v.toLowerCase() === value.toLowerCase(),
    ),
  )
  if (lookalikes.length === Object.keys(wanted).length) {
    return {
      reason: `its tags ${list(lookalikes.sort())} differ from ${list(Object.entries(wanted))} in case (compared as written), so piksel cannot tell it created that role`,
      retag: true,
    }
  }
  return {reason: `piksel did not create that role (it lacks the tags ${list(Object.entries(wanted))})`, retag: true}
}

export interface CiJudgement {
  /** Failures: something lets others in, or the provider lacks the audience. */
  failures: string[]
  /** Reported, not failing: other audiences, policies the config does not list. */
  warnings: string[]
  findings: TrustFinding[]
  /** What a run would create. */
  create: {provider: boolean; role: boolean}
  /**
   * What an existing role lacks (a run stopped between CreateRole and AttachRolePolicy, or the
   * config gained a policy or subject): the configured policies not attached, and whether its
   * trust policy keeps out a subject it must admit. Undefined when it lacks nothing.
   */
  incomplete?: {
    policies: string[]
    trust: string[]
    ours: boolean
    /** Why it is not piksel's for this environment, and whether tagging it is the fix (notOursReason). */
    notOurs?: {reason: string; retag: boolean}
  }
  policies?: {missing: string[]; extra: string[]}
}

/** Pure: the inspection against the config. */
export function judgeCi(inspection: CiInspection): CiJudgement {
  const {provider, role, config, target} = inspection
  const failures: string[] = []
  const warnings: string[] = []
  if (provider && !provider.audiences.includes(GITHUB_OIDC_AUDIENCE)) {
    failures.push(
      `the OIDC provider ${provider.arn} does not accept the audience ${GITHUB_OIDC_AUDIENCE} (it accepts ${provider.audiences.join(', ') || 'none'}); fix: aws iam add-client-id-to-open-id-connect-provider --open-id-connect-provider-arn ${provider.arn} --client-id ${GITHUB_OIDC_AUDIENCE}`,
    )
  } else if (provider && provider.audiences.length > 1) {
    const others = provider.audiences.filter((a) => a !== GITHUB_OIDC_AUDIENCE)
    warnings.push(`the OIDC provider ${provider.arn} also accepts the audiences ${others.join(', ')} (left as it is)`)
  }
  const findings = role ? auditTrustPolicy(role.trust, target) : []
  for (const f of findings.filter((finding) => finding.severity === 'fail')) {
    failures.push(`role ${config.role}: ${f.statement} ${f.problem}; fix: ${f.fix}`)
  }
  let policies: CiJudgement['policies']
  if (role && config.policies) {
    policies = comparePolicies(config.policies, role.attached)
    if (policies.extra.length > 0) {
      warnings.push(`role ${config.role} also has ${policies.extra.join(', ')}, which the config does not list`)
    }
  }
  // A `warn` finding is a subject the role keeps out: the role is not what the step makes.
  const trust = findings.filter((f) => f.severity === 'warn').map((f) => `${f.statement} ${f.problem}`)
  const lacking = policies?.missing ?? []
  const notOurs = role ? notOursReason(role.tags, target.env) : undefined
  const incomplete =
    role && (lacking.length > 0 || trust.length > 0)
      ? {policies: lacking, trust, ours: notOurs === undefined, ...(notOurs ? {notOurs} : {})}
      : undefined
  return {
    failures,
    warnings,
    findings,
    create: {provider: !provider, role: !role},
    ...(incomplete ? {incomplete} : {}),
    ...(policies ? {policies} : {}),
  }
}

/** One line: what an existing role lacks (for a failed check, a plan and an error). */
export function describeIncomplete(role: string, incomplete: NonNullable<CiJudgement['incomplete']>): string {
  return [
    ...(incomplete.policies.length > 0 ? [`role ${role} lacks ${incomplete.policies.join(', ')}`] : []),
    ...incomplete.trust.map((t) => `role ${role}'s trust policy: ${t}`),
  ].join('; ')
}

/** The commands that complete a role piksel did not create (for its owner to run). */
export function completionCommands(
  target: TrustTarget,
  role: string,
  incomplete: NonNullable<CiJudgement['incomplete']>,
): string[] {
  return [
    ...incomplete.policies.map((arn) => `aws iam attach-role-policy --role-name ${role} --policy-arn ${arn}`),
    ...(incomplete.trust.length > 0 ? [trustFixCommand(target, role)] : []),
  ]
}

/** The command that puts piksel's trust policy on an existing role (for the owner to run). */
export function trustFixCommand(target: TrustTarget, role: string): string {
  return `aws iam update-assume-role-policy --role-name ${role} --policy-document '${JSON.stringify(buildTrustPolicy(target))}'`
}

/**
 * The YAML a workflow job needs to assume the role, as lines (valid YAML once joined with
 * newlines): the job's `permissions` (`id-token: write` lets it request the OIDC token;
 * `contents: read` keeps actions/checkout working, since listing permissions drops the
 * others) and the aws-actions/configure-aws-credentials step with `role-to-assume` (GitHub
 * docs, "Configuring OpenID Connect in Amazon Web Services").
 */
export function workflowLines(roleArn: string, region: string): string[] {
  return [
    'permissions:',
    '  id-token: write',
    '  contents: read',
    'steps:',
    '  - uses: aws-actions/configure-aws-credentials@v4',
    '    with:',
    `      role-to-assume: ${roleArn}`,
    `      aws-region: ${region}`,
  ]
}

/** The same in one line, for a step's detail. */
export function workflowSummary(roleArn: string): string {
  return `a workflow needs permissions {id-token: write} and role-to-assume: ${roleArn}`
}
