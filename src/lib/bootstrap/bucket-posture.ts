/**
 * The state bucket's posture, as the runbook sets it up (CONTEXT.md, "Terraform
 * remote state"): versioning enabled, default encryption, all four public
 * access blocks on, and a bucket policy that denies any request without TLS
 * (`aws:SecureTransport` = false). A bucket counts as done only when all of
 * these hold; each missing one is reported with the command that fixes it.
 * piksel never changes an existing bucket itself. Pure, tested table-driven;
 * state-bucket.ts reads the facts with @aws-sdk/client-s3.
 */

/** What S3 says about the bucket (undefined/null where S3 has no such configuration). */
export interface BucketFacts {
  /** GetBucketVersioning Status: "Enabled", "Suspended", or undefined when never enabled. */
  versioning?: string
  /** GetBucketEncryption rules' default algorithms (AES256, aws:kms, aws:kms:dsse); empty when none. */
  encryption: string[]
  /** GetPublicAccessBlock; null when the bucket has none. */
  publicAccessBlock: Partial<Record<PublicAccessSetting, boolean>> | null
  /** GetBucketPolicy Policy (JSON text); null when the bucket has none. */
  policy: string | null
  /** Where the bucket is (HeadBucket's BucketRegion), when S3 says. */
  region?: string
}

export const PUBLIC_ACCESS_SETTINGS = [
  'BlockPublicAcls',
  'IgnorePublicAcls',
  'BlockPublicPolicy',
  'RestrictPublicBuckets',
] as const
export type PublicAccessSetting = (typeof PUBLIC_ACCESS_SETTINGS)[number]

export type PostureProperty = 'region' | 'versioning' | 'encryption' | 'public-access-block' | 'tls-only-policy'

export interface PostureGap {
  property: PostureProperty
  /** What is wrong, for people. */
  problem: string
  /** The command (or edit) that fixes it. */
  fix: string
}

/** The statement the runbook's bootstrap root puts in the bucket policy. Pure. */
export function tlsOnlyStatement(bucket: string): Record<string, unknown> {
  return {
    Sid: 'DenyInsecureTransport',
    Effect: 'Deny',
    Principal: '*',
    Action: 's3:*',
    Resource: [`arn:aws:s3:::${bucket}`, `arn:aws:s3:::${bucket}/*`],
    Condition: {Bool: {'aws:SecureTransport': 'false'}},
  }
}

const asList = (value: unknown): unknown[] => (value === undefined ? [] : Array.isArray(value) ? value : [value])

/** Every principal: "*" or {"AWS": "*"} (or a list holding "*"). */
function everyone(principal: unknown): boolean {
  if (principal === '*') return true
  if (principal && typeof principal === 'object' && !Array.isArray(principal)) {
    return asList((principal as Record<string, unknown>).AWS).includes('*')
  }
  return false
}

/**
 * The condition is exactly "aws:SecureTransport is false" (Bool, any case of the key, "false" or
 * false). IAM ANDs every operator and key of a condition block, so any other one (a VPC endpoint,
 * a source address, a second Bool key) narrows the deny: some requests without TLS are let through.
 */
function deniesWithoutTls(condition: unknown): boolean {
  if (!condition || typeof condition !== 'object') return false
  const entries = Object.entries(condition as Record<string, unknown>)
  if (entries.length !== 1) return false
  const [operator, block] = entries[0]!
  if (operator !== 'Bool' || !block || typeof block !== 'object') return false
  const keys = Object.entries(block as Record<string, unknown>)
  if (keys.length !== 1) return false
  const [key, value] = keys[0]!
  if (key.toLowerCase() !== 'aws:securetransport') return false
  const values = asList(value).map((v) => String(v).toLowerCase())
  return values.length > 0 && values.every((v) => v === 'false')
}

/**
 * Whether a bucket policy (JSON text) denies every request without TLS, to the
 * bucket and its objects, for every principal and every S3 action. Pure.
 */
export function hasTlsOnlyPolicy(policy: string | null, bucket: string): boolean {
  if (!policy) return false
  let doc: {Statement?: unknown}
  try {
    doc = JSON.parse(policy) as {Statement?: unknown}
  } catch {
    return false
  }
  const arn = new RegExp(`^arn:[a-z-]+:s3:::${bucket.replace(/[.]/g, '\\.')}$`)
  const objects = new RegExp(`^arn:[a-z-]+:s3:::${bucket.replace(/[.]/g, '\\.')}/\\*$`)
  return asList(doc.Statement).some((raw) => {
    if (!raw || typeof raw !== 'object') return false
    const s = raw as Record<string, unknown>
    if (s.Effect !== 'Deny' || !everyone(s.Principal)) return false
    const actions = asList(s.Action).map(String)
    if (!actions.some((a) => a === '*' || a === 's3:*')) return false
    const resources = asList(s.Resource).map(String)
    const all = resources.includes('*')
    if (!all && !(resources.some((r) => arn.test(r)) && resources.some((r) => objects.test(r)))) return false
    return deniesWithoutTls(s.Condition)
  })
}

/** `aws s3api …` with the bucket's region (and profile), as the fix to run. Pure. */
function s3api(args: string, where: {region: string; profile?: string}): string {
  return `aws s3api ${args} --region ${where.region}${where.profile ? ` --profile ${where.profile}` : ''}`
}

/** Every property of the runbook's posture the bucket lacks, each with its fix. Pure. */
export function postureGaps(
  bucket: string,
  facts: BucketFacts,
  where: {region: string; profile?: string},
): PostureGap[] {
  const gaps: PostureGap[] = []
  if (facts.region && facts.region !== where.region) {
    gaps.push({
      property: 'region',
      problem: `the bucket is in ${facts.region}, not ${where.region}`,
      fix: `declare region = "${facts.region}" in the root's backend "s3" block (or set terraform.stateRegion: ${facts.region})`,
    })
  }
  if (facts.versioning !== 'Enabled') {
    gaps.push({
      property: 'versioning',
      problem: facts.versioning ? `versioning is ${facts.versioning}, not Enabled` : 'versioning was never enabled',
      fix: s3api(`put-bucket-versioning --bucket ${bucket} --versioning-configuration Status=Enabled`, where),
    })
  }
  if (facts.encryption.length === 0) {
    gaps.push({
      property: 'encryption',
      problem: 'no default encryption',
      fix: s3api(
        `put-bucket-encryption --bucket ${bucket} --server-side-encryption-configuration '{"Rules":[{"ApplyServerSideEncryptionByDefault":{"SSEAlgorithm":"AES256"}}]}'`,
        where,
      ),
    })
  }
  const off = PUBLIC_ACCESS_SETTINGS.filter((name) => facts.publicAccessBlock?.[name] !== true)
  if (off.length > 0) {
    gaps.push({
      property: 'public-access-block',
      problem: facts.publicAccessBlock
        ? `public access is not fully blocked (${off.join(', ')} off)`
        : 'no public access block',
      fix: s3api(
        `put-public-access-block --bucket ${bucket} --public-access-block-configuration ${PUBLIC_ACCESS_SETTINGS.map((n) => `${n}=true`).join(',')}`,
        where,
      ),
    })
  }
  if (!hasTlsOnlyPolicy(facts.policy, bucket)) {
    const statement = JSON.stringify(tlsOnlyStatement(bucket))
    gaps.push({
      property: 'tls-only-policy',
      problem: facts.policy
        ? 'the bucket policy does not deny requests without TLS (aws:SecureTransport = false)'
        : 'no bucket policy denying requests without TLS',
      fix: facts.policy
        ? `add this statement to the bucket policy (put-bucket-policy replaces the whole policy): ${statement}`
        : s3api(
            `put-bucket-policy --bucket ${bucket} --policy '${JSON.stringify({Version: '2012-10-17', Statement: [tlsOnlyStatement(bucket)]})}'`,
            where,
          ),
    })
  }
  return gaps
}
