/**
 * Stand-ins for bootstrap tests: stub flux and aws executables that behave like
 * the real ones for the calls bootstrap makes (recording argv, env and stdin),
 * and fake ports for the secrets, quota and status services.
 */
import type {BootstrapPorts} from '../../src/lib/bootstrap/ports.ts'
import type {FluxSystemStatus} from '../../src/lib/bootstrap/flux.ts'
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
 * (writes a context named after --alias into the kubeconfig, like the real one).
 * The state bucket is read with the AWS SDK, from moto (see s3.ts).
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

function awsStub(argv: string[]) {
  if (argv[0] === '--version') return {stdout: 'aws-cli/2.15.0 Python/3.11.6 Linux/6 exe/x86_64\n'}
  if (argv[0] === 'eks' && argv[1] === 'update-kubeconfig') {
    const alias = argv[argv.indexOf('--alias') + 1]
    const at = argv.indexOf('--kubeconfig')
    const file = at >= 0 ? argv[at + 1] : process.env.KUBECONFIG
    // eslint-disable-next-line @typescript-eslint/no-require-imports
    require('node:fs').writeFileSync(
      file,
      [
        'apiVersion: v1',
        'kind: Config',
        `current-context: ${alias}`,
        'clusters:',
        `- name: ${alias}`,
        // STUB_KUBE_SERVER: a loopback Kubernetes stand-in (plain http) the tests started.
        process.env.STUB_KUBE_SERVER
          ? `  cluster: {server: "${process.env.STUB_KUBE_SERVER}", insecure-skip-tls-verify: true}`
          : '  cluster: {server: "https://127.0.0.1:1"}',
        'contexts:',
        `- name: ${alias}`,
        `  context: {cluster: ${alias}, user: ${alias}}`,
        'users:',
        `- name: ${alias}`,
        '  user: {token: stub}',
        '',
      ].join('\n'),
    )
    return {stdout: `Added new context ${alias} to ${file}\n`}
  }
  return {stderr: `stub aws: unexpected ${argv.join(' ')}`, exitCode: 2}
}

export interface FakePortState {
  missingSecrets: string[]
  created: string[]
  quota: {below: number; pending: number; summary: string}
  requested: number
  healthy: boolean
  healthCalls: Array<{timeoutMs: number}>
  flux: FluxSystemStatus | undefined
}

export function fakePorts(initial: Partial<FakePortState> = {}): {ports: BootstrapPorts; state: FakePortState} {
  const state: FakePortState = {
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
  }
  return {ports, state}
}
