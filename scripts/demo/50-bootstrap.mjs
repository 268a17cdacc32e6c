// `piksel init` and `piksel bootstrap --dry-run` against the sandbox.
//
// What is real here: terraform (plans the sandbox's stand-in environment root),
// the aws CLI (head-bucket against moto), STS (moto). What is not: flux is not
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

  // The state bucket already exists in this account (moto), so state-backend has nothing to do.
  const aws = spawnSync(
    'aws',
    [
      's3api',
      'create-bucket',
      '--bucket',
      'piksel-staging-tfstate',
      '--region',
      'ap-southeast-3',
      '--create-bucket-configuration',
      'LocationConstraint=ap-southeast-3',
    ],
    {env: ctx.env, encoding: 'utf8'},
  )
  if (aws.status !== 0) throw new Error(`could not create the sandbox state bucket: ${aws.stderr}`)

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
