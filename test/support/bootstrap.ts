/**
 * Stand-ins for bootstrap tests: stub flux and aws executables that behave like
 * the real ones for the calls bootstrap makes (recording argv, env and stdin),
 * and fake ports for the secrets, quota and status services.
 */
import type {BootstrapPorts} from '../../src/lib/bootstrap/ports.ts'
import type {FluxSystemSync} from '../../src/lib/status/flux-system.ts'
import type {GitHubAccess} from '../../src/lib/bootstrap/github.ts'
import {StubBin} from './stubs.ts'

/**
 * The runbook's `flux bootstrap github` for staging with the built-in defaults, written
 * out by hand: an independent expectation, never computed by the code under test.
 */
export const STAGING_FLUX_BOOTSTRAP_ARGV: readonly string[] = [
  'bootstrap',
  'github',
  '--owner=piksel-ina',
  '--repository=piksel-gitops',
  '--branch=main',
  '--path=clusters/staging',
  '--token-auth=false',
  '--read-write-key',
  '--context=piksel-staging',
]

/**
 * flux: version, check --pre, bootstrap. aws: --version, eks update-kubeconfig
 * (like the real one: asks EKS DescribeCluster at AWS_ENDPOINT_URL_EKS or
 * AWS_ENDPOINT_URL, then merges the cluster (named by its ARN), an `aws eks
 * get-token` exec user and the --alias context into the kubeconfig and makes it
 * the current context), and `eks get-token` (an ExecCredential, as client-node's
 * exec plugin expects). The state bucket is read with the AWS SDK, from moto (see s3.ts).
 */
export function bootstrapStubs(tools: Array<'flux' | 'aws'> = ['flux', 'aws']): StubBin {
  const stubs = new StubBin()
  if (tools.includes('flux')) stubs.add('flux', fluxStub)
  if (tools.includes('aws')) stubs.add('aws', awsStub)
  return stubs
}

// Serialized into the stub executables: self-contained, no imports.
function fluxStub(argv: string[]) {
  if (argv[0] === 'version') return {stdout: 'flux: v2.6.0\n'}
  if (argv[0] === 'check') return {stdout: '► checking prerequisites\n✔ prerequisites checks passed\n'}
  if (argv[0] === 'bootstrap') {
    if (process.env.STUB_FLUX_FAIL) return {stderr: '✗ failed to push', exitCode: 1}
    return {stdout: '► connecting to github.com\n✔ repository cloned\n✔ bootstrap finished\n'}
  }
  return {stderr: `stub flux: unexpected ${argv.join(' ')}`, exitCode: 2}
}

async function awsStub(argv: string[]) {
  /* eslint-disable @typescript-eslint/no-require-imports */
  const fs = require('node:fs')
  const path = require('node:path')
  const os = require('node:os')
  /* eslint-enable @typescript-eslint/no-require-imports */
  const opt = (name: string) => {
    const at = argv.indexOf(name)
    return at >= 0 ? argv[at + 1] : undefined
  }
  if (argv[0] === '--version') return {stdout: 'aws-cli/2.15.0 Python/3.11.6 Linux/6 exe/x86_64\n'}
  if (argv.includes('eks') && argv.includes('get-token')) {
    const credential = {
      kind: 'ExecCredential',
      apiVersion: 'client.authentication.k8s.io/v1beta1',
      spec: {},
      status: {expirationTimestamp: '2099-01-01T00:00:00Z', token: 'k8s-aws-v1.stub'},
    }
    return {stdout: JSON.stringify(credential)}
  }
  if (argv[0] === 'eks' && argv[1] === 'update-kubeconfig') {
    const name = opt('--name')!
    const alias = opt('--alias') ?? name
    const region = opt('--region') ?? process.env.AWS_REGION ?? 'ap-southeast-3'
    const file =
      opt('--kubeconfig') || (process.env.KUBECONFIG ?? '').split(':')[0] || path.join(os.homedir(), '.kube', 'config')
    const base = process.env.AWS_ENDPOINT_URL_EKS ?? process.env.AWS_ENDPOINT_URL
    // moto routes by the credential scope of the Authorization header; it does not check the signature.
    const key = process.env.AWS_ACCESS_KEY_ID ?? 'testing'
    const res = await fetch(`${base}/clusters/${encodeURIComponent(name)}`, {
      headers: {
        authorization: `AWS4-HMAC-SHA256 Credential=${key}/20240101/${region}/eks/aws4_request, SignedHeaders=host, Signature=0`,
      },
    })
    if (res.status === 404) {
      return {
        stderr: `\nAn error occurred (ResourceNotFoundException) when calling the DescribeCluster operation: No cluster found for name: ${name}.\n`,
        exitCode: 254,
      }
    }
    if (!res.ok) return {stderr: `stub aws: DescribeCluster answered ${res.status}`, exitCode: 255}
    const {cluster} = (await res.json()) as {
      cluster: {arn: string; endpoint: string; certificateAuthority: {data: string}}
    }
    let config: Record<string, Array<{name: string}> | string | object> = {
      apiVersion: 'v1',
      kind: 'Config',
      preferences: {},
      clusters: [],
      contexts: [],
      users: [],
    }
    if (fs.existsSync(file) && fs.readFileSync(file, 'utf8').trim()) {
      try {
        config = JSON.parse(fs.readFileSync(file, 'utf8'))
      } catch {
        return {stderr: `stub aws: can only merge into a JSON kubeconfig (${file})`, exitCode: 3}
      }
    }
    const upsert = (key: string, entry: {name: string}) => {
      const list = (config[key] ?? []) as Array<{name: string}>
      const at = list.findIndex((e) => e.name === entry.name)
      if (at >= 0) list[at] = entry
      else list.push(entry)
      config[key] = list
    }
    upsert('clusters', {
      name: cluster.arn,
      cluster: {
        server: cluster.endpoint,
        'certificate-authority-data': cluster.certificateAuthority.data,
        // client-node accepts a plain-http server (a loopback stand-in) only with this set.
        ...(cluster.endpoint.startsWith('http:') ? {'insecure-skip-tls-verify': true} : {}),
      },
    } as {name: string})
    upsert('users', {
      name: cluster.arn,
      user: {
        exec: {
          apiVersion: 'client.authentication.k8s.io/v1beta1',
          command: 'aws',
          args: ['--region', region, 'eks', 'get-token', '--cluster-name', name, '--output', 'json'],
          ...(process.env.AWS_PROFILE ? {env: [{name: 'AWS_PROFILE', value: process.env.AWS_PROFILE}]} : {}),
        },
      },
    } as {name: string})
    upsert('contexts', {name: alias, context: {cluster: cluster.arn, user: cluster.arn}} as {name: string})
    config['current-context'] = alias
    fs.mkdirSync(path.dirname(file), {recursive: true})
    fs.writeFileSync(file, JSON.stringify(config, null, 2))
    return {stdout: `Added new context ${alias} to ${file}\n`}
  }
  return {stderr: `stub aws: unexpected ${argv.join(' ')}`, exitCode: 2}
}

export interface FakePortState {
  /** What the fake GitHub check answers, and the checks it was asked for (the token masked). */
  github: GitHubAccess
  githubChecks: Array<{owner: string; repository: string; branch: string; tokenLength: number}>
  missingSecrets: string[]
  created: string[]
  quota: {below: number; pending: number; summary: string}
  requested: number
  healthy: boolean
  healthCalls: Array<{timeoutMs: number}>
  flux: FluxSystemSync | undefined
}

/** Fake ports; `real` replaces some by real ones (e.g. the EKS port bound to moto). */
export function fakePorts(
  initial: Partial<FakePortState> = {},
  real: Partial<BootstrapPorts> = {},
): {ports: BootstrapPorts; state: FakePortState} {
  const state: FakePortState = {
    github: {reachable: true, problems: [], fixes: [], notes: []},
    githubChecks: [],
    missingSecrets: [],
    created: [],
    quota: {below: 0, pending: 0, summary: 'GPU quotas at target (8 vCPUs)'},
    requested: 0,
    healthy: true,
    healthCalls: [],
    flux: undefined,
    ...initial,
  }
  const ports: BootstrapPorts = {
    secrets: {
      check: async () => ({missing: [...state.missingSecrets]}),
      create: async (_env, name) => {
        state.created.push(name)
        state.missingSecrets = state.missingSecrets.filter((n) => n !== name)
      },
    },
    quota: {
      check: async () => ({...state.quota}),
      request: async () => {
        state.requested++
        return {summary: `requested ${state.quota.below} increase(s)`}
      },
    },
    health: {
      wait: async (_env, options) => {
        state.healthCalls.push({timeoutMs: options.timeoutMs})
        options.onProgress?.('flux-system Ready')
        return {
          healthy: state.healthy,
          summary: state.healthy ? '12/12 Flux objects Ready' : 'apps: DependencyNotReady',
        }
      },
    },
    flux: {status: async () => state.flux},
    // No EKS cluster unless a test binds the real port (moto).
    cluster: {describe: async () => undefined},
    github: {
      check: async ({token, owner, repository, branch}) => {
        state.githubChecks.push({owner, repository, branch, tokenLength: token.length})
        return state.github
      },
    },
    ...real,
  }
  return {ports, state}
}
