/**
 * The preflight rules: which tools, which versions, and how a probe's output
 * becomes pass / warn / fail. Pure, tested table-driven.
 */
import semver from 'semver'

export type CheckStatus = 'pass' | 'warn' | 'fail'

export interface CheckResult {
  name: string
  status: CheckStatus
  detail: string
  /**
   * For a check that could not be made: the error's stable code (TIMEOUT, NETWORK, SSO_EXPIRED...);
   * for a failed `aws-account`: ACCOUNT_MISMATCH, the account guard's code.
   */
  code?: string
}

export interface ToolSpec {
  name: string
  args: string[]
  /** A semver range the version must satisfy. */
  range: string
  why: string
  install: string
  parse: (stdout: string, stderr: string) => string | undefined
}

const firstVersion = (text: string): string | undefined => /v?(\d+\.\d+\.\d+)/.exec(text)?.[1]

export function parseTerraformVersion(stdout: string): string | undefined {
  try {
    const json = JSON.parse(stdout) as {terraform_version?: string}
    if (json.terraform_version) return json.terraform_version
  } catch {
    // Older terraform without -json prints "Terraform v1.x.y".
  }
  return firstVersion(stdout)
}

export function parseFluxVersion(stdout: string): string | undefined {
  return firstVersion(/flux:?\s*v?[\d.]+/i.exec(stdout)?.[0] ?? stdout)
}

export function parseKubectlVersion(stdout: string): string | undefined {
  try {
    const json = JSON.parse(stdout) as {clientVersion?: {gitVersion?: string}}
    if (json.clientVersion?.gitVersion) return firstVersion(json.clientVersion.gitVersion)
  } catch {
    // Plain output: "Client Version: v1.32.4".
  }
  return firstVersion(stdout)
}

/** `aws --version` prints to stdout (v2) or stderr (v1): "aws-cli/1.45.11 Python/3.11.7 ...". */
export function parseAwsVersion(stdout: string, stderr: string): string | undefined {
  return firstVersion(/aws-cli\/[\d.]+/.exec(`${stdout} ${stderr}`)?.[0] ?? '')
}

export function parseGitVersion(stdout: string): string | undefined {
  return firstVersion(stdout)
}

export const TOOLS: ToolSpec[] = [
  {
    name: 'terraform',
    args: ['version', '-json'],
    range: '>=1.10.0',
    why: 'S3-native state locking (use_lockfile) needs Terraform 1.10 or newer',
    install: 'https://developer.hashicorp.com/terraform/install',
    parse: parseTerraformVersion,
  },
  {
    name: 'flux',
    args: ['version', '--client'],
    range: '>=2.0.0 <3.0.0',
    why: 'piksel bootstrap runs `flux bootstrap github` (Flux 2.x)',
    install: 'https://fluxcd.io/flux/installation/#install-the-flux-cli',
    parse: parseFluxVersion,
  },
  {
    name: 'kubectl',
    args: ['version', '--client', '-o', 'json'],
    range: '>=1.25.0',
    why: 'used for cluster access alongside the kubeconfig',
    install: 'https://kubernetes.io/docs/tasks/tools/',
    parse: parseKubectlVersion,
  },
  {
    name: 'aws',
    args: ['--version'],
    range: '>=1.0.0',
    why: 'kubeconfig users authenticate with `aws eks get-token`',
    install: 'https://docs.aws.amazon.com/cli/latest/userguide/getting-started-install.html',
    parse: parseAwsVersion,
  },
  {
    name: 'git',
    args: ['--version'],
    range: '>=2.0.0',
    why: 'Flux bootstrap pushes to the GitOps repository',
    install: 'https://git-scm.com/downloads',
    parse: parseGitVersion,
  },
]

export type ProbeOutcome = {found: false} | {found: true; exitCode: number; stdout: string; stderr: string}

export function evaluateTool(spec: ToolSpec, outcome: ProbeOutcome): CheckResult {
  if (!outcome.found) {
    return {name: spec.name, status: 'fail', detail: `not found on PATH (${spec.why}); install: ${spec.install}`}
  }
  const version = spec.parse(outcome.stdout, outcome.stderr)
  if (!version) {
    const said = (outcome.stdout || outcome.stderr).trim().split('\n')[0] ?? ''
    return {
      name: spec.name,
      status: 'fail',
      detail: `found, but its version could not be read (${said || `exit ${outcome.exitCode}`})`,
    }
  }
  if (!semver.satisfies(version, spec.range)) {
    return {name: spec.name, status: 'fail', detail: `${version} is not ${spec.range}: ${spec.why}`}
  }
  return {name: spec.name, status: 'pass', detail: version}
}

export function evaluateNode(version: string, range: string): CheckResult {
  const clean = semver.clean(version) ?? version
  return semver.satisfies(clean, range)
    ? {name: 'node', status: 'pass', detail: `${clean} (needs ${range})`}
    : {name: 'node', status: 'fail', detail: `${clean} does not satisfy ${range}: install a maintained Node LTS`}
}

/** Exit 3 when any check failed; warnings do not fail. */
export function doctorPassed(checks: CheckResult[]): boolean {
  return checks.every((check) => check.status !== 'fail')
}
