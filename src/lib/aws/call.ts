/**
 * Which AWS call an error came from. The client factory (session.ts) attaches
 * it to every error leaving an SDK client; the error mapper (errors.ts) uses it
 * to name the endpoint, the IAM action and the resource. Pure.
 */
export interface AwsCallInfo {
  /** The SDK client's service, e.g. `SecretsManager`, `STS`, `ServiceQuotas`. */
  service: string
  /** The API operation, e.g. `CreateSecret`. */
  operation: string
  /** Where the request went, e.g. `https://secretsmanager.ap-southeast-3.amazonaws.com`; unknown before it was built. */
  endpoint?: string
  region: string
  /** The identifier the call named (SecretId, Name, QuotaCode, Bucket...), never a value. */
  resource?: string
  /** Set when the factory's deadline ended the call (ms). */
  timeoutMs?: number
  /**
   * Set when the deadline passed before the request was ever sent: the SDK was still
   * getting credentials (a credential_process, SSO, a role to assume), so the service
   * was never asked and nothing was changed.
   */
  unsent?: boolean
}

const KEY = Symbol.for('piksel.awsCall')

/** The error name the client factory gives an answer that is not AWS's (classified BAD_RESPONSE). */
export const NOT_AN_AWS_ANSWER = 'NotAnAwsAnswer'

/** Attaches `info` to `error` (not enumerable: it never shows up in JSON). Returns the error. */
export function annotate<E>(error: E, info: AwsCallInfo): E {
  if (error && typeof error === 'object' && !(KEY in error)) {
    Object.defineProperty(error, KEY, {value: info, enumerable: false, configurable: true})
  }
  return error
}

export function callInfo(error: unknown): AwsCallInfo | undefined {
  return error && typeof error === 'object' ? ((error as Record<symbol, AwsCallInfo>)[KEY] ?? undefined) : undefined
}

/** IAM's service prefixes, by SDK client name. */
const IAM_PREFIX: Record<string, string> = {
  SecretsManager: 'secretsmanager',
  STS: 'sts',
  ServiceQuotas: 'servicequotas',
  IAM: 'iam',
  EKS: 'eks',
  S3: 's3',
  Route53: 'route53',
  CloudWatch: 'cloudwatch',
  EC2: 'ec2',
  KMS: 'kms',
}

/** S3 operations whose IAM action has another name (Service Authorization Reference, Amazon S3). */
const S3_ACTIONS: Record<string, string> = {
  HeadBucket: 's3:ListBucket',
  ListObjects: 's3:ListBucket',
  ListObjectsV2: 's3:ListBucket',
  HeadObject: 's3:GetObject',
  PutBucketEncryption: 's3:PutEncryptionConfiguration',
  GetBucketEncryption: 's3:GetEncryptionConfiguration',
  PutPublicAccessBlock: 's3:PutBucketPublicAccessBlock',
  GetPublicAccessBlock: 's3:GetBucketPublicAccessBlock',
  DeleteObjects: 's3:DeleteObject',
}

/** Pure: the IAM action of a call, e.g. `secretsmanager:CreateSecret`. */
export function iamAction(info: Pick<AwsCallInfo, 'service' | 'operation'>): string {
  if (info.service === 'S3' && S3_ACTIONS[info.operation]) return S3_ACTIONS[info.operation] as string
  const prefix = IAM_PREFIX[info.service] ?? info.service.toLowerCase()
  return `${prefix}:${info.operation}`
}

/** Human service names for messages. */
const SERVICE_NAME: Record<string, string> = {
  SecretsManager: 'Secrets Manager',
  STS: 'STS',
  ServiceQuotas: 'Service Quotas',
  IAM: 'IAM',
  EKS: 'EKS',
  S3: 'S3',
  Route53: 'Route 53',
  CloudWatch: 'CloudWatch',
  EC2: 'EC2',
}

export function serviceName(service: string): string {
  return SERVICE_NAME[service] ?? service
}

/** Pure: does the operation change something (so a lost answer leaves its outcome unknown)? */
export function isWriteOperation(operation: string): boolean {
  return !/^(Get|Describe|List|Head|BatchGet|Search|Lookup|Check|Select|Scan|Query|Validate|Simulate|Estimate|Preview|Assume)/.test(
    operation,
  )
}
