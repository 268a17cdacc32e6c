/**
 * The kubeconfig step: the environment's kube context, written by `aws eks
 * update-kubeconfig` after a confirmation. A context that exists is trusted
 * only when it is provably the environment's cluster (else exit 2), and what
 * was written is checked the same way.
 */
import {ChildProcessError, OperationError} from '../../errors.ts'
import {runStreaming, tail} from '../../process/run.ts'
import {awsChildEnv, updateKubeconfigArgs} from '../aws-cli.ts'
import {clusterTarget} from '../preflight.ts'
import type {Step} from '../step-context.ts'

export const kubeconfig: Step = async (ctx) => {
  const {env, session, kubeconfig, dryRun, signal} = ctx.options
  const target = await clusterTarget({...ctx.options, ports: ctx.ports})
  if (target.state === 'verified') {
    return {
      status: 'already-done',
      detail: `context ${env.cluster} is ${target.arn} (endpoint and certificate authority match eks:DescribeCluster); the current context is ${quoted(target.current)}`,
    }
  }
  const args = updateKubeconfigArgs(env.cluster, session.region, kubeconfig)
  const change = `aws eks update-kubeconfig makes ${env.cluster} the current context (now ${quoted(target.current)})`
  if (dryRun) {
    ctx.state.kubeconfigPlanned = true
    const later = target.cluster ? '' : ` (EKS cluster ${env.cluster} does not exist yet: infrastructure creates it)`
    return {status: 'planned', detail: `would run: aws ${args.join(' ')}; ${change}${later}`}
  }
  if (!target.cluster) {
    throw new OperationError(`EKS cluster ${env.cluster} does not exist in ${session.region} for these credentials.`, {
      code: 'EKS_CLUSTER_NOT_FOUND',
      hint: `The infrastructure step creates it; check environments.${env.name}.cluster and the Terraform root.`,
    })
  }
  ctx.line(`piksel: ${change}`)
  if (
    !(await ctx.io.confirm(
      `Write context ${env.cluster} for ${target.cluster.arn} to ${target.file}? It also becomes the current context (now ${quoted(target.current)}).`,
    ))
  ) {
    throw new OperationError('Kubeconfig update declined; nothing was changed.', {code: 'DECLINED'})
  }
  const out = await runStreaming('aws', args, {
    env: awsChildEnv(session),
    needs: {aws: true},
    onLine: ctx.line,
    signal,
  })
  if (out.exitCode !== 0) {
    throw new ChildProcessError(
      {command: 'aws eks update-kubeconfig', exitCode: out.exitCode, tail: tail(out.lines)},
      {
        code: 'KUBECONFIG_FAILED',
        hint: `Check that cluster ${env.cluster} exists in ${session.region} (infrastructure step).`,
      },
    )
  }
  // What was written is checked like any other context before a step uses it.
  const after = await clusterTarget({...ctx.options, ports: ctx.ports})
  if (after.state !== 'verified') {
    throw new OperationError(
      `aws eks update-kubeconfig did not write a context named ${env.cluster} to ${after.file}.`,
      {
        code: 'KUBECONFIG_FAILED',
        hint: 'Check --kubeconfig / KUBECONFIG (aws writes to the first file of KUBECONFIG).',
      },
    )
  }
  const was = target.current && target.current !== after.current ? ` (was ${quoted(target.current)})` : ''
  return {
    status: 'done',
    detail: `context ${env.cluster} added for ${after.arn}; the current context is now ${quoted(after.current)}${was}`,
  }
}

/** `"name"`, or `none` when there is no current context. */
function quoted(context: string | undefined): string {
  return context ? `"${context}"` : 'none'
}
