// Is what Secrets Manager holds what the cluster uses? (`secret list --cluster`, issue 15 §2.)
// The Kubernetes stand-in plays the staging cluster with the Flux Provider's Secret
// flux-system/slack-webhook-staging holding the webhook stored in 20-secrets.
import {writeFileSync} from 'node:fs'
import {join} from 'node:path'

import {ROOT, startProcess} from '../lib.mjs'

const WEBHOOK = 'https://hooks.slack.com/services/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'
const ROTATED = 'https://hooks.slack.com/services/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'

const base64 = (text) => Buffer.from(text, 'utf8').toString('base64')

export default async function secretSync(ctx) {
  const fixture = join(ctx.work, 'slack-webhook-secret.yaml')
  writeFileSync(
    fixture,
    [
      'apiVersion: v1',
      'kind: Secret',
      'metadata: {name: slack-webhook-staging, namespace: flux-system}',
      'type: Opaque',
      `data: {address: ${base64(WEBHOOK)}}`,
      '',
    ].join('\n'),
  )
  let url = ''
  const child = await startProcess(
    process.execPath,
    [
      join(ROOT, 'test/support/kube-standin-server.ts'),
      '--kubeconfig',
      ctx.env.KUBECONFIG,
      '--context',
      'piksel-staging',
      '--fixture',
      fixture,
    ],
    {ready: (out) => Boolean((url = /listening (\S+)/.exec(out)?.[1] ?? ''))},
  )
  ctx.onExit(async () => {
    if (child.exitCode === null) child.kill('SIGTERM')
  })

  ctx.say('Rotate the Slack webhook: the new URL becomes AWSCURRENT, the old one stays AWSPREVIOUS.')
  ctx.piksel(['secret', 'create', 'slack', '-e', 'staging', '--from-stdin', '--overwrite', '--yes'], {
    input: ROTATED,
    allowFail: false,
  })
  ctx.say(
    'Does the cluster use it? Not yet: its Secret still holds AWSPREVIOUS (exit 3). Values are compared by digest, never shown.',
  )
  const stale = ctx.piksel(['secret', 'list', '-e', 'staging', '--cluster'])
  if (stale !== 3) throw new Error(`expected exit 3 while the cluster holds the old webhook, got ${stale}`)

  // What the infrastructure's Terraform run does: rewrite the Kubernetes Secret.
  const response = await fetch(`${url}/api/v1/namespaces/flux-system/secrets/slack-webhook-staging`, {
    method: 'PATCH',
    headers: {'content-type': 'application/merge-patch+json'},
    body: JSON.stringify({data: {address: base64(ROTATED)}}),
  })
  if (!response.ok) throw new Error(`the stand-in refused the Secret update: ${response.status}`)
  ctx.say('The infrastructure Terraform run rewrote flux-system/slack-webhook-staging: now in sync (exit 0).')
  ctx.piksel(['secret', 'list', '-e', 'staging', '--cluster'], {allowFail: false})
  child.kill('SIGTERM')
}
