// `piksel init` and `piksel bootstrap --dry-run` against the sandbox.
//
// What is real here: terraform (plans the sandbox's stand-in environment root),
// S3 and STS (moto, through the AWS SDK), the aws CLI (sets the bucket up). What is not: flux is not
// installed on this machine, so a STUB flux is put on PATH (it answers
// `flux version` and `flux check`; a dry run never runs `flux bootstrap`), and
// there is no EKS cluster, so the dry run plans kubeconfig, flux and health.
// The secrets and quota steps run the real services against the stand-ins the
// earlier demo steps started (moto, the Service Quotas stand-in).
import {spawnSync} from 'node:child_process'
import {cpSync, mkdirSync, rmSync} from 'node:fs'
import {join} from 'node:path'

import {ROOT} from '../lib.mjs'
import {bootstrapStubs} from '../../test/support/bootstrap.ts'

export default async function bootstrap(ctx) {
  const infra = join(ctx.work, 'piksel-infra')
  // The sandbox's piksel-infra: a stand-in staging root made of terraform_data
  // resources with a local backend (the real one needs AWS providers and EKS).
  mkdirSync(infra, {recursive: true})
  cpSync(join(ROOT, 'test', 'fixtures', 'terraform', 'basic'), join(infra, 'staging'), {recursive: true})

  ctx.say('Write what the staging environment lacks: state bucket root, backend block, GitOps skeleton.')
  ctx.say(
    '(piksel.config.yaml already exists in the sandbox, and the stand-in root declares its own backend: both are skipped, never overwritten.)',
  )
  ctx.piksel(['init', '-e', 'staging', '--infra-dir', 'piksel-infra', '--gitops-dir', 'piksel-gitops', '--yes'], {
    allowFail: false,
  })
  ctx.say('Run it again: everything exists, nothing is written.')
  ctx.piksel(['init', '-e', 'staging', '--infra-dir', 'piksel-infra', '--gitops-dir', 'piksel-gitops', '--yes'], {
    allowFail: false,
  })

  // The state bucket already exists in this account (moto), but bare: no versioning,
  // encryption, public access block or TLS-only policy.
  const aws = (args) => {
    const out = spawnSync('aws', [...args, '--region', 'ap-southeast-3'], {env: ctx.env, encoding: 'utf8'})
    if (out.status !== 0) throw new Error(`aws ${args.slice(0, 2).join(' ')} failed: ${out.stderr}`)
  }
  const bucket = 'piksel-staging-tfstate'
  aws([
    's3api',
    'create-bucket',
    '--bucket',
    bucket,
    '--create-bucket-configuration',
    'LocationConstraint=ap-southeast-3',
  ])

  ctx.say(
    'A bare state bucket is not "already done": each missing safeguard is reported with its fix (exit 3), nothing is changed.',
  )
  ctx.piksel(['bootstrap', '-e', 'staging', '--infra-dir', 'piksel-infra', '--only', 'state-backend', '--yes'])

  ctx.say('The bucket owner applies the four fixes (as the hint says).')
  aws(['s3api', 'put-bucket-versioning', '--bucket', bucket, '--versioning-configuration', 'Status=Enabled'])
  aws([
    's3api',
    'put-bucket-encryption',
    '--bucket',
    bucket,
    '--server-side-encryption-configuration',
    '{"Rules":[{"ApplyServerSideEncryptionByDefault":{"SSEAlgorithm":"AES256"}}]}',
  ])
  aws([
    's3api',
    'put-public-access-block',
    '--bucket',
    bucket,
    '--public-access-block-configuration',
    'BlockPublicAcls=true,IgnorePublicAcls=true,BlockPublicPolicy=true,RestrictPublicBuckets=true',
  ])
  const arn = `arn:aws:s3:::${bucket}`
  const policy = {
    Version: '2012-10-17',
    Statement: [
      {
        Sid: 'DenyInsecureTransport',
        Effect: 'Deny',
        Principal: '*',
        Action: 's3:*',
        Resource: [arn, `${arn}/*`],
        Condition: {Bool: {'aws:SecureTransport': 'false'}},
      },
    ],
  }
  aws(['s3api', 'put-bucket-policy', '--bucket', bucket, '--policy', JSON.stringify(policy)])

  const stubs = bootstrapStubs(['flux'])
  ctx.env.PATH = `${stubs.dir}:${ctx.env.PATH}`
  ctx.say(`flux is not installed here: a STUB flux is first on PATH (${stubs.dir}).`)

  ctx.say('An unknown step id is refused before anything runs (exit 2), listing the valid ones.')
  ctx.piksel(['bootstrap', '-e', 'staging', '--infra-dir', 'piksel-infra', '--from', 'terraform'])

  ctx.say(
    'The kubeconfig still holds the context piksel-staging of the status tour (a stand-in), but the sandbox account has no EKS cluster piksel-staging: bootstrap refuses to trust it (exit 2), before anything is written.',
  )
  ctx.piksel(['bootstrap', '-e', 'staging', '--infra-dir', 'piksel-infra', '--dry-run'])
  rmSync(ctx.env.KUBECONFIG, {force: true})
  ctx.say(
    'The stale context removed: bootstrap staging as a dry run, every check and every plan, nothing applied or bootstrapped.',
  )
  ctx.piksel(['bootstrap', '-e', 'staging', '--infra-dir', 'piksel-infra', '--dry-run'], {allowFail: false})

  ctx.say('Without a terminal and without --yes, a real run stops before its first write and names --yes.')
  ctx.piksel(['bootstrap', '-e', 'staging', '--infra-dir', 'piksel-infra', '--only', 'infrastructure'])

  const fluxCalls = stubs.calls('flux').map((c) => `flux ${c.argv.join(' ')}`)
  ctx.say(`The stub flux was called as: ${fluxCalls.join('; ')} (no bootstrap in a dry run).`)
}
