/**
 * The trust policy of the Terraform CI role: the one piksel writes, and the audit of
 * one that exists. Pure: no I/O, tested table-driven.
 *
 * The rules are GitHub's and IAM's: GitHub Actions presents an OIDC token issued by
 * `https://token.actions.githubusercontent.com` whose `aud` is `sts.amazonaws.com` (the
 * aws-actions/configure-aws-credentials default) and whose `sub` is
 * `repo:<owner>/<repo>:environment:<env>` for a job bound to an environment, else
 * `repo:<owner>/<repo>:ref:refs/heads/<branch>` (GitHub docs, "About security hardening with
 * OpenID Connect", example subject claims). IAM condition keys for it are
 * `token.actions.githubusercontent.com:aud` and `:sub`. A role trusting the provider without
 * an exact `sub` lets any repository on GitHub assume it.
 *
 * Case: GitHub finds owner/name case-insensitively, but the `sub` claim carries the spelling
 * GitHub stores (a trust policy with `repo:jarvisprestidge/...` fails for the account
 * `JarvisPrestidge`: aws-actions/configure-aws-credentials#1100), and StringEquals compares
 * case-sensitively (IAM User Guide, "String condition operators"). So piksel writes
 * `ci.repository` as configured, neither lower-casing it (that breaks `Azure/...`-style names)
 * nor matching with StringEqualsIgnoreCase (that would also admit `refs/heads/MAIN`, another
 * git branch); an existing subject that differs from it only in case is its own finding.
 *
 * (About 360 lines: writing the policy and auditing one are the same rules read both ways;
 * apart, a change to one could silently diverge from the other.)
 */

export const GITHUB_OIDC_HOST = 'token.actions.githubusercontent.com'
export const GITHUB_OIDC_URL = `https://${GITHUB_OIDC_HOST}`
export const GITHUB_OIDC_AUDIENCE = 'sts.amazonaws.com'
export const AUD_KEY = `${GITHUB_OIDC_HOST}:aud`
export const SUB_KEY = `${GITHUB_OIDC_HOST}:sub`
export const WEB_IDENTITY_ACTION = 'sts:AssumeRoleWithWebIdentity'
/**
 * Accepted next to AssumeRoleWithWebIdentity in an existing role, never written by piksel.
 * With AssumeRoleWithWebIdentity, session tags come only from the token's
 * `https://aws.amazon.com/tags` claim, and a role needs sts:TagSession only when the IdP sends
 * them (IAM User Guide, "Pass session tags in AWS STS"). GitHub's tokens carry no such claim
 * (GitHub docs, "OpenID Connect reference", and AWS takes no custom claims), and
 * aws-actions/configure-aws-credentials tags no web-identity session (its README, "Session
 * tagging and name"). So piksel's policy leaves it out (least privilege), and an existing
 * policy that allows it is not a finding: under the same aud/sub conditions it lets no one else
 * in. Doctor and the step judge it the same way (judgeCi).
 */
export const TAG_SESSION_ACTION = 'sts:TagSession'
/** Actions an audited statement may allow, lower-cased: IAM reads action names case-insensitively. */
const ACCEPTED_ACTIONS = new Set([WEB_IDENTITY_ACTION.toLowerCase(), TAG_SESSION_ACTION.toLowerCase()])

/** What the role must trust: the provider, and exactly these subjects. */
export interface TrustTarget {
  /** arn:<partition>:iam::<account>:oidc-provider/token.actions.githubusercontent.com */
  providerArn: string
  /** owner/name */
  repository: string
  env: string
  /** The branch whose pushes may run Terraform (the repository's default branch). */
  branch: string
}

/** `arn:<partition>:iam::<account>:oidc-provider/token.actions.githubusercontent.com`. */
export function providerArnFor(partition: string, account: string): string {
  return `arn:${partition}:iam::${account}:oidc-provider/${GITHUB_OIDC_HOST}`
}

/** The partition of an ARN (`aws`, `aws-cn`, `aws-us-gov`), `aws` when it cannot be read. */
export function partitionOf(arn: string): string {
  return /^arn:([a-z-]+):/.exec(arn)?.[1] ?? 'aws'
}

/** The two subjects, in this order: the environment's, then the branch's. */
export function githubSubjects(target: Pick<TrustTarget, 'repository' | 'env' | 'branch'>): [string, string] {
  return [
    `repo:${target.repository}:environment:${target.env}`,
    `repo:${target.repository}:ref:refs/heads/${target.branch}`,
  ]
}

export interface PolicyStatement {
  Sid?: string
  Effect?: string
  Principal?: unknown
  NotPrincipal?: unknown
  Action?: string | string[]
  NotAction?: string | string[]
  Condition?: Record<string, Record<string, string | string[]>>
}

export interface PolicyDocument {
  Version: string
  Statement: PolicyStatement[]
}

/** The trust policy piksel writes: one statement, the provider, aud and exactly the two subjects. */
export function buildTrustPolicy(target: TrustTarget): PolicyDocument {
  return {
    Version: '2012-10-17',
    Statement: [
      {
        Sid: 'GitHubActionsTerraform',
        Effect: 'Allow',
        Principal: {Federated: target.providerArn},
        Action: WEB_IDENTITY_ACTION,
        Condition: {
          StringEquals: {
            [AUD_KEY]: GITHUB_OIDC_AUDIENCE,
            [SUB_KEY]: githubSubjects(target),
          },
        },
      },
    ],
  }
}

/**
 * A policy document as IAM returns it (GetRole's AssumeRolePolicyDocument is URL-encoded,
 * RFC 3986) or as JSON. Undefined when it is neither.
 */
export function parsePolicyDocument(text: string | undefined): PolicyDocument | undefined {
  if (!text) return undefined
  const candidates = [text]
  try {
    const decoded = decodeURIComponent(text)
    candidates.push(decoded)
    // Form encoding writes a space as +: try that reading too.
    candidates.push(decodeURIComponent(text.replaceAll('+', ' ')))
  } catch {
    // not percent-encoded
  }
  for (const candidate of candidates) {
    try {
      const doc = JSON.parse(candidate) as {Version?: unknown; Statement?: unknown}
      if (!doc || typeof doc !== 'object') continue
      const statements = Array.isArray(doc.Statement) ? doc.Statement : doc.Statement ? [doc.Statement] : []
      return {Version: String(doc.Version ?? ''), Statement: statements as PolicyStatement[]}
    } catch {
      // try the next reading
    }
  }
  return undefined
}

export type FindingSeverity = 'fail' | 'warn'

export interface TrustFinding {
  severity: FindingSeverity
  /** `statement "Sid"` or `statement 2` (1-based, as people count). */
  statement: string
  problem: string
  fix: string
}

const list = (value: unknown): string[] =>
  value === undefined ? [] : (Array.isArray(value) ? value : [value]).map((v) => String(v))

const hasGlob = (value: string) => /[*?]/.test(value)
const sameIgnoringCase = (a: string, b: string) => a.toLowerCase() === b.toLowerCase()

/** The repository part of a GitHub subject (`repo:<owner>/<name>:...`), or undefined. */
function repositoryOf(subject: string): string | undefined {
  return /^repo:([^:]*)(?::|$)/.exec(subject)?.[1]
}

/** Whether an Action (or NotAction) entry grants AssumeRoleWithWebIdentity. */
function grantsWebIdentity(statement: PolicyStatement): boolean {
  if (statement.NotAction !== undefined) return true
  return list(statement.Action).some((action) => {
    const pattern = new RegExp(
      `^${action
        .toLowerCase()
        .replace(/[.+^${}()|[\]\\]/g, '\\$&')
        .replaceAll('*', '.*')
        .replaceAll('?', '.')}$`,
    )
    return pattern.test(WEB_IDENTITY_ACTION.toLowerCase())
  })
}

/** Values of a condition key under an operator, matched case-insensitively on the key (IAM's rule). */
function conditionValues(statement: PolicyStatement, operator: string, key: string): string[] | undefined {
  const block = statement.Condition?.[operator]
  if (!block) return undefined
  const entry = Object.entries(block).find(([k]) => k.toLowerCase() === key.toLowerCase())
  return entry ? list(entry[1]) : undefined
}

/** Every operator (with its values) that tests `key` in the statement. */
function operatorsOn(statement: PolicyStatement, key: string): Array<{operator: string; values: string[]}> {
  return Object.keys(statement.Condition ?? {}).flatMap((operator) => {
    const values = conditionValues(statement, operator, key)
    return values ? [{operator, values}] : []
  })
}

function label(statement: PolicyStatement, index: number): string {
  return statement.Sid ? `statement "${statement.Sid}"` : `statement ${index + 1}`
}

/**
 * Audits a role's trust policy against the target. `fail` findings let someone else in
 * (another repository, any audience, another principal, a broad subject); `warn` findings
 * keep the target out (a subject it needs is missing). Deny statements only restrict and are
 * not judged. An unreadable document is one `fail` finding.
 */
export function auditTrustPolicy(document: PolicyDocument | undefined, target: TrustTarget): TrustFinding[] {
  const expected = githubSubjects(target)
  const replace = 'replace the trust policy with the one piksel writes (see the hint)'
  if (!document) {
    return [{severity: 'fail', statement: 'the document', problem: 'cannot be read as a policy', fix: replace}]
  }
  const findings: TrustFinding[] = []
  const admitted = new Set<string>()
  document.Statement.forEach((statement, index) => {
    if (statement.Effect !== 'Allow') return
    const where = label(statement, index)
    const add = (severity: FindingSeverity, problem: string, fix: string) =>
      findings.push({severity, statement: where, problem, fix})
    if (statement.NotPrincipal !== undefined) {
      add(
        'fail',
        'allows every principal but those in NotPrincipal',
        'use Principal with only the GitHub OIDC provider',
      )
      return
    }
    const principal = statement.Principal
    const federated =
      principal && typeof principal === 'object' ? list((principal as Record<string, unknown>).Federated) : []
    const others =
      principal === '*'
        ? ['*']
        : principal && typeof principal === 'object'
          ? Object.entries(principal as Record<string, unknown>)
              .filter(([kind]) => kind !== 'Federated')
              .flatMap(([kind, value]) => list(value).map((v) => `${kind} ${v}`))
          : []
    for (const other of others) {
      add('fail', `lets ${other} assume the role`, `remove it: only ${target.providerArn} may assume this role`)
    }
    for (const provider of federated.filter((p) => p !== target.providerArn)) {
      add('fail', `trusts the identity provider ${provider}`, `trust only ${target.providerArn}`)
    }
    if (!federated.includes(target.providerArn)) return
    if (statement.NotAction !== undefined) {
      add('fail', 'uses NotAction (it allows every other action)', `use Action: ${WEB_IDENTITY_ACTION}`)
    } else if (!grantsWebIdentity(statement)) {
      return
    } else if (list(statement.Action).some((a) => !ACCEPTED_ACTIONS.has(a.toLowerCase()))) {
      add('fail', `allows ${list(statement.Action).join(', ')}`, `allow only ${WEB_IDENTITY_ACTION}`)
    }

    // aud: StringEquals to exactly sts.amazonaws.com.
    const aud = conditionValues(statement, 'StringEquals', AUD_KEY)
    if (!aud) {
      add(
        'fail',
        `has no StringEquals condition on ${AUD_KEY}: tokens for any audience are accepted`,
        `add "StringEquals": {"${AUD_KEY}": "${GITHUB_OIDC_AUDIENCE}"}`,
      )
    } else if (aud.length !== 1 || aud[0] !== GITHUB_OIDC_AUDIENCE) {
      add('fail', `accepts the audiences ${aud.join(', ')}`, `accept only ${GITHUB_OIDC_AUDIENCE}`)
    }

    // sub: exact values, the configured repository only.
    const subs = operatorsOn(statement, SUB_KEY)
    if (subs.length === 0) {
      add(
        'fail',
        `has no condition on ${SUB_KEY}: every repository on GitHub can assume the role`,
        `add "StringEquals": {"${SUB_KEY}": ${JSON.stringify(expected)}}`,
      )
      return
    }
    for (const {operator, values} of subs) {
      if (operator !== 'StringEquals' && operator !== 'StringLike') {
        add('fail', `tests ${SUB_KEY} with ${operator}`, `use StringEquals with exactly ${expected.join(' and ')}`)
        continue
      }
      for (const value of values) {
        const repository = repositoryOf(value)
        if (operator === 'StringLike' && repository !== undefined && hasGlob(repository)) {
          add(
            'fail',
            `StringLike ${SUB_KEY} "${value}" has a wildcard in the repository: other repositories can assume the role`,
            `use StringEquals with exactly ${expected.join(' and ')}`,
          )
        } else if (operator === 'StringLike' && hasGlob(value)) {
          add(
            'fail',
            `StringLike ${SUB_KEY} "${value}" is a broad subject (any branch, pull request or environment of ${repository ?? 'a repository'})`,
            `use StringEquals with exactly ${expected.join(' and ')}`,
          )
        } else if (
          repository !== undefined &&
          repository !== target.repository &&
          sameIgnoringCase(repository, target.repository)
        ) {
          add(
            'fail',
            `admits the subject "${value}", whose repository differs from ci.repository ${target.repository} only in case: GitHub's sub claim spells it one way and StringEquals is case-sensitive, so one of the two spellings never matches`,
            `spell ci.repository exactly as GitHub shows the repository (its page's owner/name), then admit only the subjects of that spelling`,
          )
        } else if (repository !== target.repository) {
          add(
            'fail',
            `admits the subject "${value}", not of ${target.repository}`,
            `admit only ${expected.join(' and ')}`,
          )
        } else if (!expected.includes(value)) {
          add('fail', `admits the subject "${value}"`, `admit only ${expected.join(' and ')}`)
        } else admitted.add(value)
      }
    }
  })
  const missing = expected.filter((subject) => !admitted.has(subject))
  if (findings.length === 0 && missing.length > 0) {
    findings.push({
      severity: 'warn',
      statement: 'the policy',
      problem: `does not admit ${missing.join(' or ')}: those workflows cannot assume the role`,
      fix: `add ${missing.join(' and ')} to the StringEquals ${SUB_KEY} values`,
    })
  }
  return findings
}

/**
 * Pure: piksel's trust policy for a role of its own whose policy it completes, keeping that
 * policy's Deny statements after its own (a Deny only restricts: an owner's guard such as "only
 * this organisation" must not be dropped by the completion), with their labels for the
 * confirmation (`statement "Sid"`, else its 1-based number in the old policy).
 */
export function completedTrustPolicy(
  target: TrustTarget,
  existing: PolicyDocument | undefined,
): {policy: PolicyDocument; kept: string[]} {
  const policy = buildTrustPolicy(target)
  const denies = (existing?.Statement ?? []).flatMap((statement, index) =>
    statement.Effect === 'Deny' ? [{statement, label: label(statement, index)}] : [],
  )
  return {
    policy: {...policy, Statement: [...policy.Statement, ...denies.map((d) => d.statement)]},
    kept: denies.map((d) => d.label),
  }
}

/** One line per finding: `statement "X": problem; fix: ...`. */
export function describeFindings(findings: readonly TrustFinding[]): string {
  return findings.map((f) => `${f.statement} ${f.problem}; fix: ${f.fix}`).join('; ')
}

/** Pure: the configured policies against those attached, both ways, sorted. */
export function comparePolicies(
  configured: readonly string[],
  attached: readonly string[],
): {missing: string[]; extra: string[]} {
  return {
    missing: configured.filter((arn) => !attached.includes(arn)).sort(),
    extra: attached.filter((arn) => !configured.includes(arn)).sort(),
  }
}
