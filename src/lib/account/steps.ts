/**
 * The account bootstrap steps (issue 14): `oidc`, `spot-role` and `dns`, each reading first
 * (so a re-run finds them already done and `--dry-run` writes nothing), and writing only after
 * the confirmation. They know nothing of the runner: they take a small context and return
 * the step outcome every bootstrap step returns; a failure is thrown (exit 2 for the config,
 * 3 for a check that found a problem, 1 for AWS).
 */
import type {CallerIdentity} from '../aws/identity.ts'
import {CheckFailedError, OperationError} from '../errors.ts'
import {
  ciConfig,
  completionCommands,
  describeIncomplete,
  foreignPolicies,
  inspectCi,
  judgeCi,
  policiesElsewhere,
  policiesMissing,
  pikselTags,
  policiesUnknown,
  trustFixCommand,
  workflowLines,
  workflowSummary,
} from './ci.ts'
import type {AccountContext, AccountOutcome} from './context.ts'
import {inspectDns, judgeDns} from './dns.ts'
import {GITHUB_OIDC_AUDIENCE, buildTrustPolicy, completedTrustPolicy, githubSubjects} from './trust.ts'

/** Tags on what piksel creates: whose it is, and that piksel made it. */
function tagsFor(ctx: AccountContext): Record<string, string> {
  return pikselTags(ctx.env.name)
}

function declined(what: string): OperationError {
  return new OperationError(`${what} declined; nothing was changed.`, {code: 'DECLINED'})
}

/**
 * `oidc`: the GitHub Actions OIDC provider (once per account) and the Terraform CI role.
 * An existing role is audited: a trust policy that lets others in is exit 3 (CI_TRUST_POLICY)
 * with the fix, never changed; so is a provider without the sts.amazonaws.com audience
 * (OIDC_AUDIENCE). A role that lacks a configured policy or keeps out a subject (e.g. a run
 * stopped between CreateRole and AttachRolePolicy) is not done: when its tags prove piksel
 * created it for this environment, it is completed after the confirmation (AttachRolePolicy,
 * UpdateAssumeRolePolicy); otherwise it is exit 3 (CI_ROLE_INCOMPLETE) with the commands, and
 * nothing changes. A role to create without `policies` is exit 2 (CI_POLICIES_MISSING) before
 * any write.
 */
export async function oidcStep(ctx: AccountContext): Promise<AccountOutcome> {
  const {env, dryRun} = ctx
  const config = ciConfig(env)
  if (!config) {
    return {
      status: 'skipped',
      detail: `not configured: set ci.repository and environments.${env.name}.ci.policies to give GitHub Actions a role for Terraform`,
    }
  }
  const caller = await ctx.caller()
  const elsewhere = foreignPolicies(config.policies ?? [], caller)
  if (elsewhere.length > 0) throw policiesElsewhere(env, elsewhere, caller)
  const inspection = await inspectCi(ctx.session, config, caller, env.name, ctx.signal)
  const judgement = judgeCi(inspection)
  const {target} = inspection
  const subjects = githubSubjects(target)
  const base = {
    providerArn: target.providerArn,
    roleArn: inspection.role?.arn ?? roleArnFor(caller, config.role),
    repository: config.repository,
    subjects,
    audience: GITHUB_OIDC_AUDIENCE,
  }

  // Everything that stops the step is found before anything is written.
  if (judgement.create.role && !config.policies) throw policiesMissing(env, config.role)
  if (inspection.unknownPolicies.length > 0) throw policiesUnknown(env, inspection.unknownPolicies)
  if (judgement.failures.length > 0) {
    const message = `GitHub OIDC for ${env.name} is not safe to use: ${judgement.failures.join('; ')}. piksel changed nothing.`
    if (judgement.findings.some((f) => f.severity === 'fail')) {
      throw new CheckFailedError(message, {
        code: 'CI_TRUST_POLICY',
        hint: `As the role's owner, put the trust policy piksel writes on it: ${trustFixCommand(target, config.role)}`,
      })
    }
    throw new CheckFailedError(message, {
      code: 'OIDC_AUDIENCE',
      hint: 'Add the audience to the provider (the command above); piksel never changes an existing provider.',
    })
  }
  const {incomplete} = judgement
  if (incomplete && !incomplete.ours) {
    const tags = Object.entries(pikselTags(env.name))
      .map(([k, v]) => `${k}=${v}`)
      .join(', ')
    const notOurs = incomplete.notOurs ?? {reason: `piksel did not create that role`, retag: true}
    throw new CheckFailedError(
      `GitHub OIDC for ${env.name} is not complete: ${describeIncomplete(config.role, incomplete)}; ${notOurs.reason}, so piksel changed nothing.`,
      {
        code: 'CI_ROLE_INCOMPLETE',
        hint: notOurs.retag
          ? `As the role's owner: ${completionCommands(target, config.role, incomplete).join('; ')}. Or tag it ${tags} (aws iam tag-role) to let piksel complete it.`
          : `Check that environments.${env.name}.ci.role names ${env.name}'s own role (each environment has its own), or, as the role's owner: ${completionCommands(target, config.role, incomplete).join('; ')}.`,
      },
    )
  }
  for (const warning of judgement.warnings) ctx.warn(warning)

  const policies = config.policies ?? []
  const {kept} = completedTrustPolicy(target, inspection.role?.trust)
  const keeping = kept.length > 0 ? `, keeping its Deny ${kept.join(', ')}` : ''
  const writes = [
    ...(judgement.create.provider
      ? [`create the IAM OIDC provider for ${target.providerArn.split('/').pop()} (audience ${GITHUB_OIDC_AUDIENCE})`]
      : []),
    ...(judgement.create.role
      ? [`create role ${config.role} trusting only ${subjects.join(' and ')}, with ${policies.join(', ')}`]
      : []),
    // Only a role piksel created for this environment (tagged so) gets here.
    ...(incomplete && incomplete.policies.length > 0
      ? [`attach ${incomplete.policies.join(', ')} to role ${config.role} (tagged as piksel's for ${env.name})`]
      : []),
    ...(incomplete && incomplete.trust.length > 0
      ? [
          `replace the trust policy of role ${config.role} with one trusting only ${subjects.join(' and ')}${keeping} (${incomplete.trust.join('; ')})`,
        ]
      : []),
  ]
  const details = {
    ...base,
    policies: inspection.role?.attached ?? [],
    ...(judgement.policies
      ? {missingPolicies: judgement.policies.missing, extraPolicies: judgement.policies.extra}
      : {}),
  }
  if (writes.length === 0) {
    printWorkflow(ctx, base.roleArn)
    return {
      status: 'already-done',
      detail: `role ${base.roleArn} trusts only ${subjects.join(' and ')} through ${target.providerArn}; ${workflowSummary(base.roleArn)}`,
      details,
    }
  }
  if (dryRun) {
    return {status: 'planned', detail: `would ${writes.join('; and ')}`, details: {...details, created: []}}
  }
  if (!(await ctx.confirm(`${capitalised(writes.join('; and '))}?`))) throw declined('GitHub OIDC setup')

  const {openIam, createGithubProvider, createRole, attachPolicy, updateTrustPolicy} = await import('./iam.ts')
  const io = await openIam(ctx.session, ctx.signal)
  const created: string[] = []
  try {
    let providerArn = target.providerArn
    if (judgement.create.provider) {
      const provider = await createGithubProvider(io, tagsFor(ctx))
      providerArn = provider.arn
      created.push(providerArn)
      ctx.line(`piksel: created the OIDC provider ${providerArn}`)
    }
    let roleArn = base.roleArn
    if (judgement.create.role) {
      roleArn = await createRole(io, {
        name: config.role,
        trust: buildTrustPolicy({...target, providerArn}),
        description: `GitHub Actions in ${config.repository} run Terraform for ${env.name} (piksel)`,
        tags: tagsFor(ctx),
      })
      created.push(roleArn)
      for (const arn of policies) await attachPolicy(io, config.role, arn)
      ctx.line(`piksel: created role ${roleArn} with ${policies.join(', ')}`)
    }
    if (incomplete) {
      for (const arn of incomplete.policies) await attachPolicy(io, config.role, arn)
      if (incomplete.policies.length > 0) {
        ctx.line(`piksel: attached ${incomplete.policies.join(', ')} to role ${roleArn}`)
      }
      if (incomplete.trust.length > 0) {
        await updateTrustPolicy(
          io,
          config.role,
          completedTrustPolicy({...target, providerArn}, inspection.role?.trust).policy,
        )
        ctx.line(`piksel: put the trust policy on role ${roleArn}`)
      }
    }
    printWorkflow(ctx, roleArn)
    const completed = [
      ...(incomplete && incomplete.policies.length > 0
        ? [`attached ${incomplete.policies.join(', ')} to role ${config.role}`]
        : []),
      ...(incomplete && incomplete.trust.length > 0 ? [`put piksel's trust policy on role ${config.role}`] : []),
    ]
    const attached = judgement.create.role
      ? [...policies].sort()
      : [...details.policies, ...(incomplete?.policies ?? [])].sort()
    return {
      status: 'done',
      detail: `${[...(created.length > 0 ? [`created ${created.join(' and ')}`] : []), ...completed].join('; ')}; ${workflowSummary(roleArn)}`,
      details: {
        ...details,
        providerArn,
        roleArn,
        policies: attached,
        ...(judgement.policies ? {missingPolicies: []} : {}),
        created,
      },
    }
  } finally {
    io.close()
  }
}

/** The workflow YAML, one progress line each, indented under a heading (what follows `piksel:   ` is YAML). */
function printWorkflow(ctx: AccountContext, roleArn: string): void {
  ctx.line('piksel: the workflow job that runs Terraform needs:')
  for (const line of workflowLines(roleArn, ctx.env.region)) ctx.line(`piksel:   ${line}`)
}

const capitalised = (text: string) => text.charAt(0).toUpperCase() + text.slice(1)

function roleArnFor(caller: CallerIdentity, role: string): string {
  const partition = /^arn:([a-z-]+):/.exec(caller.arn)?.[1] ?? 'aws'
  return `arn:${partition}:iam::${caller.account}:role/${role}`
}

/** `spot-role`: AWSServiceRoleForEC2Spot, created (after the confirmation) when missing. */
export async function spotRoleStep(ctx: AccountContext): Promise<AccountOutcome> {
  const {openIam, getSpotRole, createSpotRole, SPOT_ROLE_NAME, SPOT_SERVICE} = await import('./iam.ts')
  const io = await openIam(ctx.session, ctx.signal)
  try {
    const existing = await getSpotRole(io)
    if (existing) {
      return {status: 'already-done', detail: `${SPOT_ROLE_NAME} exists (${existing})`, details: {roleArn: existing}}
    }
    const what = `the service-linked role ${SPOT_ROLE_NAME} (iam:CreateServiceLinkedRole for ${SPOT_SERVICE}), which Karpenter's Spot nodes need`
    if (ctx.dryRun) return {status: 'planned', detail: `would create ${what}`, details: {roleArn: null}}
    if (!(await ctx.confirm(`Create ${what}?`))) throw declined('Creating the Spot service-linked role')
    const {arn, created} = await createSpotRole(io)
    return created
      ? {status: 'done', detail: `created ${SPOT_ROLE_NAME} (${arn})`, details: {roleArn: arn}}
      : {status: 'already-done', detail: `${SPOT_ROLE_NAME} exists (${arn})`, details: {roleArn: arn}}
  } finally {
    io.close()
  }
}

/**
 * `dns`: the zone exists, and its parent delegates to exactly its name servers. Only reads:
 * a problem is exit 3 (DNS_ZONE_MISSING, DNS_DELEGATION) with both NS sets and the fix.
 */
export async function dnsStep(ctx: AccountContext): Promise<AccountOutcome> {
  const {env} = ctx
  if (!env.dns) {
    return {status: 'skipped', detail: `not configured: set environments.${env.name}.dns.zone to check the zone`}
  }
  const inspection = await inspectDns(ctx.session, env.dns, ctx.sessionFor, ctx.signal)
  const judgement = judgeDns(inspection, env)
  for (const warning of judgement.warnings) ctx.warn(warning)
  if (judgement.error) throw judgement.error
  return {status: 'already-done', detail: judgement.summary, details: judgement.details}
}
