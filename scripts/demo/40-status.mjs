// Is Flux healthy? The Kubernetes API stand-in plays the Piksel staging cluster:
// first healthy, then broken, then recovering while `--wait` follows it.
import {join} from 'node:path'

import {ROOT, startProcess} from '../lib.mjs'

async function cluster(ctx, args) {
  const child = await startProcess(
    process.execPath,
    [
      join(ROOT, 'test/support/kube-standin-server.ts'),
      '--kubeconfig',
      ctx.env.KUBECONFIG,
      '--context',
      'piksel-staging',
      ...args,
    ],
    {ready: (out) => out.includes('listening')},
  )
  const stop = () => {
    if (child.exitCode === null) child.kill('SIGTERM')
  }
  ctx.onExit(stop)
  return stop
}

export default async function status(ctx) {
  let stop = await cluster(ctx, ['--fixture', 'healthy.yaml', '--fixture', 'workloads.yaml'])
  ctx.say('A healthy staging cluster: the context named after the cluster (piksel-staging) is used with -e staging.')
  ctx.piksel(['status', '-e', 'staging'], {allowFail: false})
  ctx.say('Kustomizations only, with the workloads in their inventories (--deep).')
  ctx.piksel(['status', '-e', 'staging', '--kind', 'kustomization', '--deep'], {allowFail: false})
  ctx.say(
    'Every environment at once (--all-envs): staging is healthy; production is configured as another account, so its row says so and nothing of it is read (exit 1).',
  )
  const all = ctx.piksel(['status', '--all-envs'])
  if (all !== 1) throw new Error(`expected exit 1 from status --all-envs (production's account guard), got ${all}`)
  stop()

  stop = await cluster(ctx, [
    '--fixture',
    'unhealthy.yaml',
    '--flip-to',
    'healthy.yaml',
    '--flip-after-ms',
    '1500',
    '--flip-step-ms',
    '150',
  ])
  ctx.say('Now infra-configs fails to build: what waits on it points at it; exit 3 for CI.')
  const code = ctx.piksel(['status', '-e', 'staging'])
  if (code !== 3) throw new Error(`expected exit 3 from an unhealthy cluster, got ${code}`)
  ctx.say('The fix is pushed; follow the cluster (watches, not polling) until it is healthy.')
  ctx.piksel(['status', '-e', 'staging', '--wait', '--timeout', '1m', '--ignore-suspended'], {allowFail: false})
  stop()
}
