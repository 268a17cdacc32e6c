import {expect} from 'chai'
import {mkdtempSync, writeFileSync} from 'node:fs'
import {tmpdir} from 'node:os'
import {join} from 'node:path'

import {getCallerIdentity} from '../../../src/lib/aws/identity.ts'
import {bindPorts} from '../../../src/lib/bootstrap/bind.ts'
import {
  type EksCluster,
  checkClusterTarget,
  clusterDifferences,
  parseEksArn,
  sameCertificateAuthority,
  sameEndpoint,
} from '../../../src/lib/bootstrap/cluster.ts'
import {resolveSettings} from '../../../src/lib/config/environment.ts'
import type {ContextIdentity} from '../../../src/lib/kube/context.ts'
import {getTokenTarget, lookupContext} from '../../../src/lib/kube/context.ts'
import {UsageError} from '../../../src/lib/errors.ts'
import {createEksCluster, writeEksKubeconfig} from '../../support/eks.ts'
import {type Moto, startMoto} from '../../support/moto.ts'

const CA = Buffer.from('-----BEGIN CERTIFICATE-----\nMIIstaging\n-----END CERTIFICATE-----\n').toString('base64')
const STAGING: EksCluster = {
  name: 'piksel-staging',
  arn: 'arn:aws:eks:ap-southeast-3:123456789012:cluster/piksel-staging',
  endpoint: 'https://ABC123.gr7.ap-southeast-3.eks.amazonaws.com',
  certificateAuthority: CA,
}
/** A context exactly as `aws eks update-kubeconfig --name piksel-staging --alias piksel-staging` writes it. */
const WRITTEN: ContextIdentity = {
  context: 'piksel-staging',
  clusterEntry: STAGING.arn,
  server: STAGING.endpoint,
  certificateAuthority: CA,
  insecureSkipTlsVerify: false,
  getToken: {clusterName: 'piksel-staging', region: 'ap-southeast-3'},
}
const expected = {name: 'piksel-staging', region: 'ap-southeast-3', account: '123456789012'}

describe('is the context the environment’s EKS cluster? (pure)', () => {
  const cases: Array<[string, Partial<ContextIdentity>, EksCluster, string[]]> = [
    ['exactly what update-kubeconfig wrote', {}, STAGING, []],
    [
      'the endpoint with a trailing slash, upper-case host',
      {server: 'https://abc123.GR7.ap-southeast-3.eks.amazonaws.com/'},
      STAGING,
      [],
    ],
    ['the CA with line breaks', {certificateAuthority: CA.replace(/(.{20})/g, '$1\n')}, STAGING, []],
    [
      'the issue’s case: context piksel-staging whose cluster is production in another account',
      {
        clusterEntry: 'arn:aws:eks:ap-southeast-3:210987654321:cluster/piksel-production',
        server: 'https://PROD999.gr7.ap-southeast-3.eks.amazonaws.com',
        certificateAuthority: Buffer.from('prod CA').toString('base64'),
        getToken: {clusterName: 'piksel-production', region: 'ap-southeast-3'},
      },
      STAGING,
      ['account', 'cluster name', 'aws eks get-token --cluster-name', 'endpoint', 'certificate authority'],
    ],
    [
      'the same name in another account (a copied kubeconfig)',
      {clusterEntry: 'arn:aws:eks:ap-southeast-3:210987654321:cluster/piksel-staging'},
      STAGING,
      ['account'],
    ],
    [
      'the same name in another region',
      {
        clusterEntry: 'arn:aws:eks:ap-southeast-1:123456789012:cluster/piksel-staging',
        getToken: {clusterName: 'piksel-staging', region: 'ap-southeast-1'},
      },
      STAGING,
      ['region', 'aws eks get-token --region'],
    ],
    [
      'only the endpoint differs (a recreated cluster)',
      {server: 'https://OLD.gr7.ap-southeast-3.eks.amazonaws.com'},
      STAGING,
      ['endpoint'],
    ],
    [
      'only the CA differs (a man in the middle, or a recreated cluster)',
      {certificateAuthority: Buffer.from('other').toString('base64')},
      STAGING,
      ['certificate authority'],
    ],
    [
      'no CA at all (insecure-skip-tls-verify)',
      {certificateAuthority: undefined, insecureSkipTlsVerify: true},
      STAGING,
      ['certificate authority'],
    ],
    [
      'a hand-written context: no ARN, a token for another cluster',
      {clusterEntry: 'staging', getToken: {clusterName: 'piksel-production'}},
      STAGING,
      ['aws eks get-token --cluster-name'],
    ],
    [
      'a hand-written context with the right server and CA',
      {clusterEntry: 'staging', getToken: undefined},
      STAGING,
      [],
    ],
    [
      'a static-token context at another server',
      {clusterEntry: 'minikube', server: 'https://127.0.0.1:8443', getToken: undefined},
      STAGING,
      ['endpoint'],
    ],
    [
      'DescribeCluster from an account other than the configured one',
      {clusterEntry: 'arn:aws:eks:ap-southeast-3:999999999999:cluster/piksel-staging'},
      {...STAGING, arn: 'arn:aws:eks:ap-southeast-3:999999999999:cluster/piksel-staging'},
      ['EKS account (configured)'],
    ],
  ]
  for (const [what, change, cluster, diffs] of cases) {
    it(`${what}: ${diffs.length === 0 ? 'trusted' : `refused (${diffs.join(', ')})`}`, () => {
      const found = clusterDifferences({...WRITTEN, ...change}, cluster, expected)
      expect(found.map((d) => d.what)).to.deep.equal(diffs)
    })
  }

  it('names both values in each difference', () => {
    const [account] = clusterDifferences(
      {...WRITTEN, clusterEntry: 'arn:aws:eks:ap-southeast-3:210987654321:cluster/piksel-staging'},
      STAGING,
      expected,
    )
    expect(account).to.deep.equal({what: 'account', context: '210987654321', cluster: '123456789012'})
  })

  it('parses EKS ARNs and nothing else', () => {
    expect(parseEksArn(STAGING.arn)).to.deep.equal({
      partition: 'aws',
      region: 'ap-southeast-3',
      account: '123456789012',
      name: 'piksel-staging',
    })
    expect(parseEksArn('arn:aws-cn:eks:cn-north-1:123456789012:cluster/x_1')?.partition).to.equal('aws-cn')
    for (const text of [
      'piksel-staging',
      'arn:aws:eks:ap-southeast-3:1234:cluster/x',
      'arn:aws:iam::123456789012:role/x',
      undefined,
    ]) {
      expect(parseEksArn(text), String(text)).to.equal(undefined)
    }
  })

  it('compares endpoints and certificate authorities, refusing what is missing', () => {
    expect(sameEndpoint('https://a.example/', 'https://A.example')).to.equal(true)
    expect(sameEndpoint('https://a.example', 'https://b.example')).to.equal(false)
    expect(sameEndpoint(undefined, 'https://a.example')).to.equal(false)
    expect(sameCertificateAuthority(CA, ` ${CA}\n`)).to.equal(true)
    expect(sameCertificateAuthority(CA, undefined)).to.equal(false)
    expect(sameCertificateAuthority('', '')).to.equal(false)
  })

  const tokens: Array<[string | undefined, string[] | undefined, ReturnType<typeof getTokenTarget>]> = [
    [
      'aws',
      ['--region', 'ap-southeast-3', 'eks', 'get-token', '--cluster-name', 'piksel-staging', '--output', 'json'],
      {clusterName: 'piksel-staging', region: 'ap-southeast-3'},
    ],
    [
      '/usr/local/bin/aws',
      ['eks', 'get-token', '--cluster-name=piksel-dev', '--region=ap-southeast-1'],
      {clusterName: 'piksel-dev', region: 'ap-southeast-1'},
    ],
    ['aws', ['eks', 'get-token', '--cluster-id', 'abc-123'], {clusterName: 'abc-123', region: undefined}],
    // The aws CLI (argparse) takes the last of a repeated option: that is the cluster the token is for.
    [
      'aws',
      [
        '--region',
        'ap-southeast-3',
        'eks',
        'get-token',
        '--cluster-name',
        'piksel-staging',
        '--cluster-name=piksel-production',
        '--region',
        'us-east-1',
      ],
      {clusterName: 'piksel-production', region: 'us-east-1'},
    ],
    ['aws-iam-authenticator', ['token', '-i', 'piksel-staging'], undefined],
    ['aws', ['sts', 'get-caller-identity'], undefined],
    [undefined, undefined, undefined],
  ]
  for (const [command, args, target] of tokens) {
    it(`get-token target of ${command} ${args?.join(' ') ?? ''}`, () =>
      expect(getTokenTarget(command, args)).to.deep.equal(target))
  }
})

describe('checkClusterTarget: kubeconfig files against eks:DescribeCluster on moto', function () {
  this.timeout(60_000)
  let moto: Moto
  let staging: EksCluster
  let dir: string
  const saved = {...process.env}
  const env = resolveSettings().environments.staging!
  const session = {region: 'ap-southeast-3', profileSource: 'environment' as const}

  before(async function () {
    moto = await startMoto(this)
    Object.assign(process.env, moto.env)
    delete process.env.AWS_PROFILE
    staging = await createEksCluster(moto.endpoint, 'piksel-staging')
  })
  after(async () => {
    for (const key of Object.keys(process.env)) if (!(key in saved)) delete process.env[key]
    Object.assign(process.env, saved)
    await moto?.stop()
  })
  beforeEach(() => {
    dir = mkdtempSync(join(tmpdir(), 'piksel-cluster-'))
  })

  async function check(file: string, over: Partial<typeof env> = {}) {
    const {cluster} = await bindPorts({session, caller: () => getCallerIdentity(session)})
    return checkClusterTarget({
      env: {...env, ...over},
      region: 'ap-southeast-3',
      kubeconfig: file,
      describe: (n) => cluster.describe(n),
    })
  }
  async function refusal(file: string, over: Partial<typeof env> = {}): Promise<UsageError> {
    const error = await check(file, over).then(
      () => expect.fail('expected a refusal'),
      (e: unknown) => e,
    )
    expect(error).to.be.instanceOf(UsageError)
    expect((error as UsageError).exitCode).to.equal(2)
    expect((error as UsageError).code).to.equal('CLUSTER_MISMATCH')
    return error as UsageError
  }

  it('verifies the context update-kubeconfig writes for the cluster moto describes', async () => {
    const file = writeEksKubeconfig(
      join(dir, 'config'),
      [{cluster: staging}, {cluster: {...staging, name: 'other'}, context: 'elsewhere'}],
      'elsewhere',
    )
    expect(await check(file)).to.deep.equal({
      state: 'verified',
      context: 'piksel-staging',
      arn: 'arn:aws:eks:ap-southeast-3:123456789012:cluster/piksel-staging',
      endpoint: staging.endpoint,
      file,
      current: 'elsewhere',
    })
  })

  it('refuses the issue’s case, naming both clusters', async () => {
    const production = {
      name: 'piksel-production',
      arn: 'arn:aws:eks:ap-southeast-3:210987654321:cluster/piksel-production',
      endpoint: 'https://PROD.gr7.ap-southeast-3.eks.amazonaws.com',
      certificateAuthority: Buffer.from('prod').toString('base64'),
    }
    const file = writeEksKubeconfig(join(dir, 'config'), [{cluster: production, context: 'piksel-staging'}])
    const error = await refusal(file)
    expect(error.message).to.include(
      'Kube context "piksel-staging" is not the staging cluster: it points at arn:aws:eks:ap-southeast-3:210987654321:cluster/piksel-production (https://PROD.gr7.ap-southeast-3.eks.amazonaws.com)',
    )
    expect(error.message).to.include(
      `eks:DescribeCluster says the staging cluster is arn:aws:eks:ap-southeast-3:123456789012:cluster/piksel-staging (${staging.endpoint})`,
    )
    expect(error.message).to.include('account 210987654321 ≠ 123456789012')
    expect(error.hint).to.include('kubectl config delete-context piksel-staging')
  })

  it('refuses a context when the environment has no EKS cluster (a stale context)', async () => {
    const file = writeEksKubeconfig(join(dir, 'config'), [
      {cluster: {...staging, name: 'piksel-dev', arn: staging.arn.replace('staging', 'dev')}, context: 'piksel-dev'},
    ])
    const error = await refusal(file, {name: 'dev', cluster: 'piksel-dev'})
    expect(error.message).to.include(
      'eks:DescribeCluster finds no EKS cluster piksel-dev in ap-southeast-3 for these credentials, so it cannot be the dev cluster',
    )
  })

  it('refuses a context with the right ARN but an old endpoint and CA (a recreated cluster)', async () => {
    const file = writeEksKubeconfig(join(dir, 'config'), [
      {
        cluster: {
          ...staging,
          endpoint: 'https://OLD.gr7.ap-southeast-3.eks.amazonaws.com/',
          certificateAuthority: 'b2xk',
        },
      },
    ])
    const error = await refusal(file)
    expect(error.message).to.match(/Differences: endpoint https:\/\/OLD\S+ ≠ https:\S+; certificate authority b2xk ≠ /)
  })

  it('refuses when the configured account is not the account of the cluster these credentials see', async () => {
    const file = writeEksKubeconfig(join(dir, 'config'), [{cluster: staging}])
    const error = await refusal(file, {account: '999999999999'})
    expect(error.message).to.include('EKS account (configured) 123456789012 ≠ 999999999999')
  })

  it('reads a certificate-authority file like certificate-authority-data', async () => {
    const ca = join(dir, 'ca.crt')
    writeFileSync(ca, Buffer.from(staging.certificateAuthority!, 'base64'))
    const file = join(dir, 'config')
    const config = JSON.parse(
      JSON.stringify((await import('../../support/eks.ts')).eksKubeconfig([{cluster: staging}])),
    ) as {
      clusters: Array<{cluster: Record<string, unknown>}>
    }
    delete config.clusters[0]!.cluster['certificate-authority-data']
    config.clusters[0]!.cluster['certificate-authority'] = ca
    writeFileSync(file, JSON.stringify(config))
    expect((await check(file)).state).to.equal('verified')
    const looked = await lookupContext(file, 'piksel-staging')
    expect(looked.identity?.certificateAuthority).to.equal(
      Buffer.from(staging.certificateAuthority!, 'base64').toString('base64'),
    )
  })

  describe('KUBECONFIG with several files, read as kubectl (and flux) read it', () => {
    const production = {
      name: 'piksel-production',
      arn: 'arn:aws:eks:ap-southeast-3:210987654321:cluster/piksel-production',
      endpoint: 'https://PROD.gr7.ap-southeast-3.eks.amazonaws.com',
      certificateAuthority: Buffer.from('prod').toString('base64'),
    }
    const withFiles = async (files: string[]) => {
      process.env.KUBECONFIG = files.join(':')
      try {
        return await check(undefined as unknown as string)
      } finally {
        delete process.env.KUBECONFIG
      }
    }

    it('a file that does not exist yet (aws eks update-kubeconfig writes the first) is skipped, not an error', async () => {
      const other = writeEksKubeconfig(
        join(dir, 'other'),
        [{cluster: staging}, {cluster: production, context: 'elsewhere'}],
        'elsewhere',
      )
      expect(await withFiles([join(dir, 'not-yet'), other])).to.deep.include({state: 'verified', current: 'elsewhere'})
      expect(await withFiles([other, join(dir, 'not-yet')])).to.deep.include({state: 'verified', current: 'elsewhere'})
    })

    it('the same context in two files: the first file’s is the one checked (and the one flux uses)', async () => {
      const bad = writeEksKubeconfig(join(dir, 'bad'), [{cluster: production, context: 'piksel-staging'}])
      const good = writeEksKubeconfig(join(dir, 'good'), [{cluster: staging}])
      const error = await withFiles([bad, good]).then(
        () => expect.fail('expected a refusal'),
        (e: unknown) => e as UsageError,
      )
      expect(error.code).to.equal('CLUSTER_MISMATCH')
      expect(await withFiles([good, bad])).to.deep.include({state: 'verified'})
    })

    it('the same cluster entry in two files: the first file’s server is the one checked', async () => {
      const stale = writeEksKubeconfig(join(dir, 'stale'), [
        {cluster: {...staging, endpoint: 'https://OLD.gr7.ap-southeast-3.eks.amazonaws.com'}},
      ])
      const fresh = writeEksKubeconfig(join(dir, 'fresh'), [{cluster: staging}])
      expect(await withFiles([fresh, stale])).to.deep.include({state: 'verified'})
      const error = await withFiles([stale, fresh]).then(
        () => expect.fail('expected a refusal'),
        (e: unknown) => e as UsageError,
      )
      expect(error.message).to.match(/endpoint https:\/\/OLD/)
    })

    it('the current context is that of the first file that sets one', async () => {
      const first = writeEksKubeconfig(join(dir, 'first'), [{cluster: staging}], 'piksel-staging')
      const second = writeEksKubeconfig(join(dir, 'second'), [{cluster: production, context: 'elsewhere'}], 'elsewhere')
      expect(await withFiles([first, second])).to.deep.include({current: 'piksel-staging'})
      expect(await withFiles([second, first])).to.deep.include({current: 'elsewhere'})
    })
  })

  it('no context (or no kubeconfig): not trusted, and the current context is reported, not used', async () => {
    const file = writeEksKubeconfig(join(dir, 'config'), [{cluster: staging, context: 'elsewhere'}])
    expect(await check(file)).to.deep.include({state: 'no-context', current: 'elsewhere', file})
    expect(await check(join(dir, 'missing'))).to.deep.include({state: 'no-context', current: undefined})
  })
})
