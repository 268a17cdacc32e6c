import {expect} from 'chai'
import {mkdtempSync, writeFileSync} from 'node:fs'
import {tmpdir} from 'node:os'
import {join} from 'node:path'

import {type PluginEnv, loadKubeConfig, noKubeconfigError, updateKubeconfigCommand} from '../../src/lib/kube/config.ts'

// The `aws eks update-kubeconfig` a hint gives is aimed at the environment: typed bare it would
// use the shell's AWS_REGION and AWS_PROFILE (another region has no such cluster; another
// account's profile writes a context for the wrong cluster).
describe('kube hints aim aws eks update-kubeconfig at the environment', () => {
  const cases: Array<[PluginEnv | undefined, string]> = [
    [undefined, 'aws eks update-kubeconfig --name piksel-staging --alias piksel-staging'],
    [{}, 'aws eks update-kubeconfig --name piksel-staging --alias piksel-staging'],
    [
      {AWS_REGION: 'ap-southeast-3'},
      'aws eks update-kubeconfig --name piksel-staging --alias piksel-staging --region ap-southeast-3',
    ],
    [
      {AWS_REGION: 'eu-west-1', AWS_PROFILE: 'staging-piksel'},
      'aws eks update-kubeconfig --name piksel-staging --alias piksel-staging --region eu-west-1 --profile staging-piksel',
    ],
  ]
  for (const [pluginEnv, expected] of cases) {
    it(`${JSON.stringify(pluginEnv)} → ${expected}`, () => {
      expect(updateKubeconfigCommand('piksel-staging', pluginEnv)).to.equal(expected)
    })
  }

  it('NO_KUBECONFIG names the region and profile', () => {
    const error = noKubeconfigError('piksel-staging', {AWS_REGION: 'ap-southeast-3', AWS_PROFILE: 'staging-piksel'})
    expect(error.code).to.equal('NO_KUBECONFIG')
    expect(error.hint).to.equal(
      'Run `aws eks update-kubeconfig --name piksel-staging --alias piksel-staging --region ap-southeast-3 --profile staging-piksel`, or pass --kubeconfig.',
    )
  })

  it('NO_CONTEXT names the region and profile', async () => {
    const file = join(mkdtempSync(join(tmpdir(), 'piksel-kube-hints-')), 'config')
    writeFileSync(
      file,
      `apiVersion: v1
kind: Config
clusters: [{name: other, cluster: {server: 'https://127.0.0.1:1'}}]
users: [{name: other, user: {token: t}}]
contexts: [{name: other, context: {cluster: other, user: other}}]
current-context: other
`,
    )
    const pluginEnv = {AWS_REGION: 'ap-southeast-3', AWS_PROFILE: 'staging-piksel'}
    const failed = await loadKubeConfig({kubeconfig: file, context: 'piksel-staging', pluginEnv}).then(
      () => undefined,
      (error: {code?: string; hint?: string}) => error,
    )
    expect(failed?.code).to.equal('NO_CONTEXT')
    expect(failed?.hint).to.equal(
      'Run `aws eks update-kubeconfig --name piksel-staging --alias piksel-staging --region ap-southeast-3 --profile staging-piksel`, or pass --context.',
    )
  })
})
