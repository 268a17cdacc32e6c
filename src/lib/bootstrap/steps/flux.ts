/**
 * The flux step: `flux bootstrap` from the environment's GitOps repository,
 * when flux-system is not already syncing it and Ready (fluxDecision). Never on
 * a cluster whose flux-system cannot be read, nor one that syncs something else
 * without --force-flux. The GitHub token reaches flux only through its environment.
 */
import {ChildProcessError, OperationError, redact} from '../../errors.ts'
import {runStreaming, tail} from '../../process/run.ts'
import {awsChildEnv} from '../aws-cli.ts'
import {fluxBootstrapArgs, fluxCheckArgs, fluxDecision, fluxRefusal} from '../flux.ts'
import {TOKEN_FLAG, TOKEN_PROMPT, checkGitHub, requireCluster} from '../preflight.ts'
import {STATUS_FLAGS, pikselLine} from '../rerun.ts'
import type {Step} from '../step-context.ts'

export const flux: Step = async (ctx) => {
  const {env, session, dryRun, forceFlux, signal, kubeconfig} = ctx.options
  const target = await requireCluster(ctx)
  if (target.state === 'planned-context') {
    const args = fluxBootstrapArgs(env, kubeconfig)
    return {status: 'planned', detail: `would run: flux ${args.join(' ')} if flux-system needs it, ${target.later}`}
  }
  let status
  try {
    status = await ctx.ports.flux.status(env)
  } catch (error) {
    // Never bootstrap a cluster whose flux-system cannot be read: it may sync something else.
    throw new OperationError(`Could not read flux-system on context ${env.cluster}: ${(error as Error).message}`, {
      code: 'FLUX_STATUS_UNREADABLE',
      hint: `Check access to the cluster (\`${pikselLine(ctx.options, ['status'], STATUS_FLAGS)}\`); bootstrap runs only where it can see what flux-system syncs.`,
      cause: error,
    })
  }
  const decision = fluxDecision(status, env, forceFlux)
  if (decision.action === 'skip') return {status: 'already-done', detail: decision.reason}
  if (decision.action === 'refuse') {
    if (!dryRun) throw fluxRefusal(env, decision)
    return {
      status: 'planned',
      detail: `refused without --force-flux: flux-system syncs ${decision.today}; bootstrap would change ${decision.changes.join(', ')}`,
    }
  }
  const args = fluxBootstrapArgs(env, kubeconfig)
  const changes = decision.changes.length > 0 ? `; it changes ${decision.changes.join(', ')}` : ''
  ctx.line(`piksel: ${decision.reason}: bootstrap needed${changes}`)
  if (dryRun) return {status: 'planned', detail: `would run: flux ${args.join(' ')} (${decision.reason}${changes})`}
  const pre = await runStreaming('flux', fluxCheckArgs(env, kubeconfig), {
    // flux reaches the cluster through the kubeconfig's `aws eks get-token`: the environment's
    // region and profile, not the shell's.
    env: awsChildEnv(session),
    needs: {aws: true},
    onLine: ctx.line,
    signal,
  })
  if (pre.exitCode !== 0) {
    throw new ChildProcessError(
      {command: 'flux check --pre', exitCode: pre.exitCode, tail: tail(pre.lines)},
      {
        code: 'FLUX_PRECHECK_FAILED',
        hint: 'Check the kube context and the cluster version; `flux check --pre` shows the details.',
      },
    )
  }
  const repo = `${env.gitops.owner}/${env.gitops.repository}`
  if (
    !(await ctx.io.confirm(
      `Bootstrap Flux on ${env.cluster} from ${repo} (${env.gitops.branch}, ${env.gitops.path})${changes}?`,
    ))
  ) {
    throw new OperationError('Flux bootstrap declined; nothing was changed.', {code: 'DECLINED'})
  }
  const checked = ctx.state.githubToken
  const token = checked || ctx.options.githubToken || (await ctx.io.secret(TOKEN_PROMPT, TOKEN_FLAG)).trim()
  ctx.io.sensitive(token)
  // Without preflight (--from flux, --only flux), the GitHub check runs here, still before bootstrap writes.
  if (!checked) await checkGitHub({env, token, ports: ctx.ports, note: (text) => ctx.line(`piksel: ${text}`)})
  // The token reaches flux only through its environment: never argv, never logs.
  const out = await runStreaming('flux', args, {
    env: {...awsChildEnv(session), GITHUB_TOKEN: token},
    needs: {aws: true},
    onLine: (line) => ctx.line(redact(line, [token])),
    signal,
  })
  if (out.exitCode !== 0) {
    throw new ChildProcessError(
      {command: 'flux bootstrap', exitCode: out.exitCode, tail: redact(tail(out.lines), [token])},
      {code: 'FLUX_BOOTSTRAP_FAILED', hint: 'Check the token’s repo scope and access to the repository.'},
    )
  }
  return {status: 'done', detail: `flux-system syncs ${repo} ${env.gitops.path}`}
}
