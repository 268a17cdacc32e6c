import {z} from 'zod'

import {configuredSecretProblem} from '../secrets/sync.ts'
import {REGION_PATTERN, REGION_RULE} from './region.ts'

/** Validation rules for piksel.config.yaml. Loaded only when a config file exists; `piksel init` validates what it writes with them. */
export const accountId = z.string().regex(/^\d{12}$/, 'must be a 12-digit AWS account id (quote it in YAML)')
export const region = z.string().regex(REGION_PATTERN, REGION_RULE)
const name = z.string().min(1, 'must not be empty')
/** EKS CreateCluster: 1-100 of letters, digits, - and _, starting with a letter or digit. */
export const clusterName = z
  .string()
  .regex(
    /^[0-9A-Za-z][A-Za-z0-9_-]{0,99}$/,
    'must be an EKS cluster name (1-100 of letters, digits, - and _, starting with a letter or digit)',
  )
export const environmentName = z
  .string()
  .regex(/^[a-z][a-z0-9-]{0,31}$/, 'environment names are lowercase letters, digits and -, up to 32')
/**
 * A general purpose S3 bucket name, by every rule of the S3 user guide ("General purpose bucket
 * naming rules"): 3-63 of a-z 0-9 . -, starting and ending with a letter or digit, no two adjacent
 * periods, not an IP address, none of the reserved prefixes and suffixes. CreateBucket refuses
 * any other name.
 */
const BUCKET_RULE = 'must be a valid S3 bucket name'
const BUCKET_PREFIXES = ['xn--', 'sthree-', 'amzn-s3-demo-']
const BUCKET_SUFFIXES = ['-s3alias', '--ol-s3', '.mrap', '--x-s3', '--table-s3']
export const bucket = z
  .string()
  .regex(/^[a-z0-9][a-z0-9.-]{1,61}[a-z0-9]$/, `${BUCKET_RULE} (3-63 of a-z 0-9 . -)`)
  .refine((name) => !name.includes('..'), `${BUCKET_RULE}: no two adjacent periods`)
  .refine((name) => !/^\d+\.\d+\.\d+\.\d+$/.test(name), `${BUCKET_RULE}: not an IP address`)
  .refine(
    (name) => !BUCKET_PREFIXES.some((prefix) => name.startsWith(prefix)),
    `${BUCKET_RULE}: must not start with ${BUCKET_PREFIXES.join(', ')}`,
  )
  .refine(
    (name) => !BUCKET_SUFFIXES.some((suffix) => name.endsWith(suffix)),
    `${BUCKET_RULE}: must not end with ${BUCKET_SUFFIXES.join(', ')}`,
  )

const gitops = z.strictObject({
  owner: name.optional(),
  repository: name.optional(),
  branch: name.optional(),
  path: name.optional(),
  /** The local checkout of the GitOps repository (relative to the config file), read by `quota gpu --from-gitops`. */
  dir: name.optional(),
})

/**
 * A GitHub repository as `owner/name` (issue 14: it goes into a role's trust policy, so no
 * wildcard can pass). Owner: GitHub's user and organization rule, 1-39 of letters, digits and
 * single hyphens, not at either end. Name: 1-100 of letters, digits, `.`, `_`, `-`, not `.` or `..`.
 * Upper case is accepted and kept: GitHub's OIDC `sub` claim carries the spelling GitHub stores,
 * which may have capitals, and IAM compares it case-sensitively (see account/trust.ts), so the
 * value must be spelled as GitHub shows it; lower-casing it would lock such a repository out.
 */
export const githubRepository = z
  .string()
  .regex(
    /^[A-Za-z0-9](?:[A-Za-z0-9]|-(?=[A-Za-z0-9])){0,38}\/(?!\.{1,2}$)[A-Za-z0-9._-]{1,100}$/,
    'must be a GitHub repository as owner/name (letters, digits, - in the owner; letters, digits, . _ - in the name; no wildcard)',
  )
/**
 * A branch for a trust policy's `ref:refs/heads/<branch>` subject: a git ref name without a glob
 * (git check-ref-format: no component starting with `.`), and the branch's name, not its ref
 * (`refs/heads/main` would make the subject `ref:refs/heads/refs/heads/main`).
 */
export const gitBranch = z
  .string()
  .regex(
    /^(?!\/|-|\.|refs\/)(?!.*(?:\.\.|\/\/|\/\.|@\{|\.lock$|\/$|\.$))[A-Za-z0-9._/-]{1,255}$/,
    'must be a git branch name (letters, digits, . _ / -; no wildcard), such as main: not a ref (refs/heads/main)',
  )
/** IAM CreateRole RoleName: 1-64 of letters, digits and + = , . @ _ -. */
export const iamRoleName = z
  .string()
  .regex(/^[\w+=,.@-]{1,64}$/, 'must be an IAM role name (1-64 of letters, digits and + = , . @ _ -)')
/** A managed policy ARN, AWS's (`arn:aws:iam::aws:policy/...`) or the account's own (`arn:aws:iam::<12 digits>:policy/...`). */
export const managedPolicyArn = z
  .string()
  .regex(
    /^arn:aws(?:-cn|-us-gov|-iso(?:-[a-z])?)?:iam::(?:aws|\d{12}):policy\/(?:[\w+=,.@-]+\/)*[\w+=,.@-]{1,128}$/,
    'must be an IAM managed policy ARN (arn:aws:iam::aws:policy/NAME or arn:aws:iam::<account>:policy/NAME)',
  )
/**
 * A public hosted zone's domain name (RFC 1035 labels, as Route 53 takes them without escapes): at least
 * two labels of 1-63 letters, digits and -, not starting or ending with -, at most 253 characters; one
 * trailing dot allowed; no wildcard.
 */
export const zoneName = z
  .string()
  .regex(
    /^(?=.{1,253}\.?$)(?:[A-Za-z0-9](?:[A-Za-z0-9-]{0,61}[A-Za-z0-9])?\.)+[A-Za-z0-9](?:[A-Za-z0-9-]{0,61}[A-Za-z0-9])?\.?$/,
    'must be a DNS zone name such as staging.piksel.example.org (labels of letters, digits and -, no wildcard)',
  )

const phase = z.strictObject({
  name: name,
  targets: z.array(name).default([]),
})

/** A Kubernetes namespace name: a DNS-1123 label (Kubernetes API conventions, "Names"). */
const namespaceName = z
  .string()
  .regex(
    /^[a-z0-9]([-a-z0-9]{0,61}[a-z0-9])?$/,
    'must be a namespace name (DNS-1123 label: at most 63 of a-z 0-9 -, starting and ending with a letter or digit)',
  )
/** A Secret's name: a DNS-1123 subdomain. */
const objectName = z
  .string()
  .max(253, 'must be at most 253 characters')
  .regex(
    /^[a-z0-9]([-a-z0-9]*[a-z0-9])?(\.[a-z0-9]([-a-z0-9]*[a-z0-9])?)*$/,
    'must be a Kubernetes object name (DNS-1123 subdomain: a-z 0-9 - and ., starting and ending with a letter or digit)',
  )
/** A key of a Secret's data (apimachinery IsConfigMapKey): 1-253 of A-Za-z0-9 - _ ., not `.` or `..`. */
const secretDataKey = z
  .string()
  .min(1, 'must not be empty')
  .max(253, 'must be at most 253 characters')
  .regex(/^[-._a-zA-Z0-9]+$/, 'must be a Secret data key (letters, digits, -, _ and .)')
  .refine((key) => key !== '.' && key !== '..' && !key.startsWith('..'), 'must not be . or .. or start with ..')
/** `environments.<env>.secrets.<name>.cluster`: the Kubernetes Secret that carries the secret (secret list --cluster). */
const clusterSecret = z.strictObject({
  namespace: namespaceName,
  name: objectName,
  keys: z
    .strictObject({
      value: secretDataKey.optional(),
      clientId: secretDataKey.optional(),
      clientSecret: secretDataKey.optional(),
    })
    .refine(
      (keys) => Object.values(keys).some((key) => key !== undefined),
      'must name at least one key: value (the whole secret), or clientId and/or clientSecret (an OAuth client)',
    ),
})

export const environmentSchema = z.strictObject({
  account: accountId.optional(),
  profile: name.optional(),
  region: region.optional(),
  cluster: clusterName.optional(),
  terraform: z
    .strictObject({
      dir: name.optional(),
      stateBucket: bucket.optional(),
      stateKey: name.optional(),
      stateRegion: region.optional(),
      phases: z.array(phase).optional(),
    })
    .optional(),
  gitops: gitops.optional(),
  quota: z
    .strictObject({
      gpuTarget: z
        .number()
        .int('must be a whole number of vCPUs')
        .positive('must be a positive number of vCPUs')
        .optional(),
    })
    .optional(),
  secrets: z.record(z.string(), z.strictObject({cluster: clusterSecret.optional()})).optional(),
  ci: z
    .strictObject({
      role: iamRoleName.optional(),
      policies: z
        .array(managedPolicyArn)
        .min(1, 'list at least one managed policy ARN (piksel never chooses the permissions)')
        .max(20, 'IAM attaches at most 20 managed policies to a role')
        .optional(),
    })
    .optional(),
  dns: z
    .strictObject({
      zone: zoneName,
      parentProfile: name.optional(),
    })
    .optional(),
})

export const configSchema = z.strictObject({
  project: name.optional(),
  owner: name.optional(),
  region: region.optional(),
  defaultEnv: name.optional(),
  gitops: gitops.optional(),
  ci: z
    .strictObject({
      repository: githubRepository.optional(),
      branch: gitBranch.optional(),
    })
    .optional(),
  environments: z
    .record(environmentName, environmentSchema)
    .superRefine((environments, ctx) => {
      // A secret's place in the cluster is given under the environment it belongs to, for its kind's fields.
      for (const [env, settings] of Object.entries(environments)) {
        for (const [name, entry] of Object.entries(settings.secrets ?? {})) {
          const problem = configuredSecretProblem(env, name, entry.cluster?.keys ?? {})
          if (problem) ctx.addIssue({code: 'custom', path: [env, 'secrets', name], message: problem})
        }
      }
    })
    .optional(),
})

export type RawConfig = z.infer<typeof configSchema>

/** One line per problem: `key: what is wrong`. */
export function describeIssues(error: z.ZodError): string[] {
  return error.issues.map((issue) => {
    const key = issue.path.map(String).join('.')
    if (issue.code === 'unrecognized_keys') {
      const keys = issue.keys.map((k) => (key ? `${key}.${k}` : k))
      return `${keys.join(', ')}: unknown key${keys.length > 1 ? 's' : ''}`
    }
    if (issue.code === 'invalid_key') {
      return `${key}: ${issue.issues[0]?.message ?? issue.message}`
    }
    return `${key || '(top level)'}: ${issue.message}`
  })
}
