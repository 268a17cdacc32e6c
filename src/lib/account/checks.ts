/**
 * `piksel doctor -e ENV`'s account checks, read-only: `ci-role` (the GitHub OIDC provider and
 * the Terraform CI role with its trust policy), `spot-role` (AWSServiceRoleForEC2Spot) and
 * `dns-zone` (the zone and its delegation). Each reports; none throws. A check that could not
 * be made (AWS error) is a warning carrying the error's code.
 */
import type {CallerLookup} from '../aws/identity.ts'
import type {AwsSession} from '../aws/session.ts'
import type {Environment} from '../config/environment.ts'
import {toPikselError} from '../errors.ts'
import type {CheckResult} from '../doctor/checks.ts'
import {
  ciConfig,
  completionCommands,
  describeIncomplete,
  foreignPolicies,
  inspectCi,
  judgeCi,
  policiesElsewhere,
} from './ci.ts'
import {profileSession} from './context.ts'
import {inspectDns, judgeDns} from './dns.ts'
import {githubSubjects} from './trust.ts'

export interface AccountCheckOptions {
  env: Environment
  session: AwsSession
  caller: CallerLookup
  /** The hint a check that could not be made shows for its error (--all-envs: without the flags it refuses); default: the error's own. */
  hint?: (error: {code: string; hint: string | null}) => string | null
}

const fixWith = (env: Environment, step: string) => `piksel bootstrap -e ${env.name} --only ${step}`

async function guarded(
  {name, hint: rehint}: {name: string; hint: AccountCheckOptions['hint']},
  check: () => Promise<CheckResult>,
): Promise<CheckResult> {
  try {
    return await check()
  } catch (error) {
    const e = toPikselError(error)
    const status = e.exitCode === 2 ? 'fail' : 'warn'
    const hint = rehint ? rehint({code: e.code, hint: e.hint ?? null}) : e.hint
    return {
      name,
      status,
      detail: `${status === 'warn' ? 'could not check: ' : ''}${e.message}${hint ? ` ${hint}` : ''}`,
      code: e.code,
    }
  }
}

export async function checkCiRole(options: AccountCheckOptions): Promise<CheckResult> {
  const name = 'ci-role'
  const {env} = options
  return guarded({name, hint: options.hint}, async () => {
    const config = ciConfig(env)
    if (!config) {
      return {
        name,
        status: 'warn',
        detail: `not configured: set ci.repository and environments.${env.name}.ci.policies for GitHub Actions to run Terraform (then ${fixWith(env, 'oidc')})`,
      }
    }
    const caller = await options.caller()
    const elsewhere = foreignPolicies(config.policies ?? [], caller)
    if (elsewhere.length > 0) {
      const e = policiesElsewhere(env, elsewhere, caller)
      return {name, status: 'fail', detail: `${e.message} ${e.hint}`, code: e.code}
    }
    const inspection = await inspectCi(options.session, config, caller, env.name)
    const judgement = judgeCi(inspection)
    const missing = [
      ...(judgement.create.provider ? [`the GitHub OIDC provider ${inspection.target.providerArn}`] : []),
      ...(judgement.create.role ? [`role ${config.role}`] : []),
    ]
    const unknown = inspection.unknownPolicies.map(
      (arn) => `environments.${env.name}.ci.policies names ${arn}, which does not exist`,
    )
    if (judgement.failures.length > 0 || unknown.length > 0) {
      return {name, status: 'fail', detail: [...judgement.failures, ...unknown].join('; ')}
    }
    const {incomplete} = judgement
    // Another's incomplete role stops the step before it creates anything (the provider too): its owner's fix first.
    if (missing.length > 0 && !(incomplete && !incomplete.ours)) {
      const policies = config.policies ? '' : ` (it needs environments.${env.name}.ci.policies first)`
      return {name, status: 'fail', detail: `missing ${missing.join(' and ')}; fix: ${fixWith(env, 'oidc')}${policies}`}
    }
    if (incomplete) {
      // What the step would complete (piksel's role) or refuse to touch (another's), as it decides.
      const fix = incomplete.ours
        ? fixWith(env, 'oidc')
        : `${completionCommands(inspection.target, config.role, incomplete).join('; ')} (${incomplete.notOurs?.reason ?? 'piksel did not create that role'}${incomplete.notOurs?.retag === false ? `: check that environments.${env.name}.ci.role names ${env.name}'s own role` : ''})`
      const alsoMissing = missing.length > 0 ? `; missing ${missing.join(' and ')} (then ${fixWith(env, 'oidc')})` : ''
      return {
        name,
        status: 'fail',
        detail: `${describeIncomplete(config.role, incomplete)}; fix: ${fix}${alsoMissing}`,
        ...(incomplete.ours ? {} : {code: 'CI_ROLE_INCOMPLETE'}),
      }
    }
    const subjects = githubSubjects(inspection.target).join(' and ')
    const ok = `role ${inspection.role!.arn} trusts only ${subjects}`
    if (judgement.warnings.length > 0)
      return {name, status: 'warn', detail: `${ok}; but ${judgement.warnings.join('; ')}`}
    return {name, status: 'pass', detail: ok}
  })
}

export async function checkSpotRole(options: AccountCheckOptions): Promise<CheckResult> {
  const name = 'spot-role'
  return guarded({name, hint: options.hint}, async () => {
    const {openIam, getSpotRole, SPOT_ROLE_NAME} = await import('./iam.ts')
    const io = await openIam(options.session)
    try {
      const arn = await getSpotRole(io)
      return arn
        ? {name, status: 'pass', detail: `${SPOT_ROLE_NAME} exists (${arn})`}
        : {
            name,
            status: 'fail',
            detail: `${SPOT_ROLE_NAME} is missing: Karpenter cannot start Spot nodes; fix: ${fixWith(options.env, 'spot-role')}`,
          }
    } finally {
      io.close()
    }
  })
}

export async function checkDnsZone(options: AccountCheckOptions): Promise<CheckResult> {
  const name = 'dns-zone'
  const {env, session} = options
  return guarded({name, hint: options.hint}, async () => {
    if (!env.dns) {
      return {
        name,
        status: 'warn',
        detail: `not configured: set environments.${env.name}.dns.zone to check the zone the platform needs`,
      }
    }
    const inspection = await inspectDns(session, env.dns, (profile) => profileSession(session, profile))
    const judgement = judgeDns(inspection, env)
    const extra = judgement.warnings.length > 0 ? `; ${judgement.warnings.join('; ')}` : ''
    const status = judgement.status === 'pass' && extra ? 'warn' : judgement.status
    return {name, status, detail: `${judgement.summary}${extra}`}
  })
}

/** The three checks, concurrently. */
export async function accountChecks(options: AccountCheckOptions): Promise<CheckResult[]> {
  return Promise.all([checkCiRole(options), checkSpotRole(options), checkDnsZone(options)])
}
