/**
 * EKS for tests: clusters created in moto (CreateCluster/DescribeCluster over
 * the real SDK), kubeconfigs written the way `aws eks update-kubeconfig` writes
 * them, and a proxy in front of moto for the tests that also need to reach the
 * cluster: it forwards everything to moto and rewrites the endpoint of the
 * clusters it is told about to a loopback Kubernetes stand-in (moto invents
 * `https://<random>.<region>.eks.amazonaws.com/`, which nothing can answer).
 * ARN, account, region and name still come from moto.
 */
import {writeFileSync} from 'node:fs'
import {type IncomingMessage, type Server, type ServerResponse, createServer} from 'node:http'
import type {AddressInfo} from 'node:net'

import type {EksCluster} from '../../src/lib/bootstrap/cluster.ts'

export const STAGING_ARN = 'arn:aws:eks:ap-southeast-3:123456789012:cluster/piksel-staging'

/** Creates an EKS cluster in moto (in `account`, default moto's) and returns what DescribeCluster says. */
export async function createEksCluster(
  motoEndpoint: string,
  name: string,
  options: {region?: string; account?: string} = {},
): Promise<EksCluster> {
  const {EKSClient, CreateClusterCommand, DescribeClusterCommand} = await import('@aws-sdk/client-eks')
  const client = new EKSClient({
    region: options.region ?? 'ap-southeast-3',
    endpoint: motoEndpoint,
    credentials: {accessKeyId: 'testing', secretAccessKey: 'testing'},
  })
  if (options.account) {
    client.middlewareStack.add(
      (next) => async (args) => {
        ;(args.request as {headers: Record<string, string>}).headers['x-moto-account-id'] = options.account!
        return next(args)
      },
      {step: 'build', name: 'motoAccount'},
    )
  }
  try {
    await client.send(
      new CreateClusterCommand({
        name,
        roleArn: `arn:aws:iam::${options.account ?? '123456789012'}:role/eks-cluster`,
        resourcesVpcConfig: {},
      }),
    )
    const {cluster} = await client.send(new DescribeClusterCommand({name}))
    return {
      name: cluster!.name!,
      arn: cluster!.arn!,
      endpoint: cluster!.endpoint,
      certificateAuthority: cluster!.certificateAuthority?.data,
    }
  } finally {
    client.destroy()
  }
}

export interface KubeconfigEntry {
  /** The cluster as DescribeCluster says (or as a test pretends another cluster is). */
  cluster: Pick<EksCluster, 'arn' | 'name' | 'endpoint' | 'certificateAuthority'>
  /** The context name (update-kubeconfig --alias); default the cluster name. */
  context?: string
  /** The region of the exec user's `aws eks get-token`; default the ARN's. */
  region?: string
  /** Leave out the exec user's --cluster-name/--region (a hand-written context). */
  noGetToken?: boolean
  /** Name the cluster entry this instead of the ARN (a hand-written context). */
  clusterEntry?: string
}

/** A kubeconfig (JSON, which is YAML) as `aws eks update-kubeconfig --alias` writes it. */
export function eksKubeconfig(entries: KubeconfigEntry[], current?: string): Record<string, unknown> {
  const clusters = []
  const contexts = []
  const users = []
  for (const e of entries) {
    const region = e.region ?? e.cluster.arn.split(':')[3]
    const entry = e.clusterEntry ?? e.cluster.arn
    const server = e.cluster.endpoint ?? ''
    clusters.push({
      name: entry,
      cluster: {
        server,
        'certificate-authority-data': e.cluster.certificateAuthority,
        // client-node accepts a plain-http server (the loopback stand-in) only with this set.
        ...(server.startsWith('http:') ? {'insecure-skip-tls-verify': true} : {}),
      },
    })
    users.push({
      name: entry,
      user: {
        exec: {
          apiVersion: 'client.authentication.k8s.io/v1beta1',
          command: 'aws',
          args: e.noGetToken
            ? ['sts', 'get-caller-identity']
            : ['--region', region, 'eks', 'get-token', '--cluster-name', e.cluster.name, '--output', 'json'],
        },
      },
    })
    contexts.push({name: e.context ?? e.cluster.name, context: {cluster: entry, user: entry}})
  }
  return {
    apiVersion: 'v1',
    kind: 'Config',
    preferences: {},
    clusters,
    contexts,
    users,
    'current-context': current ?? contexts[0]?.name ?? '',
  }
}

export function writeEksKubeconfig(file: string, entries: KubeconfigEntry[], current?: string): string {
  writeFileSync(file, `${JSON.stringify(eksKubeconfig(entries, current), null, 2)}\n`)
  return file
}

/** A kubeconfig context pointing at a plain server with a static token (not an EKS context). */
export function plainContext(name: string, server: string): KubeconfigEntry {
  return {
    context: name,
    clusterEntry: name,
    noGetToken: true,
    cluster: {name, arn: `arn:aws:eks:ap-southeast-3:999999999999:cluster/${name}`, endpoint: server},
  }
}

/** moto behind a proxy that rewrites DescribeCluster's endpoint (and CA) of some clusters. */
export class EksEndpointProxy {
  private server?: Server
  private port = 0
  readonly rewrites = new Map<string, {endpoint: string; certificateAuthority?: string}>()

  private readonly moto: string

  constructor(moto: string) {
    this.moto = moto
  }

  static async start(moto: string): Promise<EksEndpointProxy> {
    const proxy = new EksEndpointProxy(moto)
    proxy.server = createServer((req, res) => void proxy.forward(req, res))
    await new Promise<void>((resolve) => proxy.server!.listen(0, '127.0.0.1', resolve))
    proxy.port = (proxy.server.address() as AddressInfo).port
    return proxy
  }

  get url(): string {
    return `http://127.0.0.1:${this.port}`
  }

  async stop(): Promise<void> {
    const server = this.server
    if (!server) return
    server.closeAllConnections()
    await new Promise<void>((resolve) => server.close(() => resolve()))
  }

  private async forward(req: IncomingMessage, res: ServerResponse): Promise<void> {
    const chunks: Buffer[] = []
    for await (const chunk of req) chunks.push(chunk as Buffer)
    const headers: Record<string, string> = {}
    for (const [k, v] of Object.entries(req.headers)) if (typeof v === 'string' && k !== 'host') headers[k] = v
    const answer = await fetch(`${this.moto}${req.url}`, {
      method: req.method,
      headers,
      body: chunks.length > 0 ? Buffer.concat(chunks) : undefined,
    })
    let body = Buffer.from(await answer.arrayBuffer())
    const match = /^\/clusters\/([^/?]+)$/.exec(req.url ?? '')
    const rewrite = match && req.method === 'GET' ? this.rewrites.get(decodeURIComponent(match[1]!)) : undefined
    if (rewrite && answer.status === 200) {
      const json = JSON.parse(body.toString('utf8')) as {
        cluster: {endpoint: string; certificateAuthority: {data: string}}
      }
      json.cluster.endpoint = rewrite.endpoint
      if (rewrite.certificateAuthority) json.cluster.certificateAuthority = {data: rewrite.certificateAuthority}
      body = Buffer.from(JSON.stringify(json))
    }
    const out: Record<string, string> = {}
    answer.headers.forEach((v, k) => {
      if (!['content-length', 'content-encoding', 'transfer-encoding', 'connection'].includes(k)) out[k] = v
    })
    res.writeHead(answer.status, {...out, 'content-length': String(body.length)})
    res.end(body)
  }
}
