// `piksel secret create slack --from-stdin --yes` against the command the team
// pastes today, `aws secretsmanager create-secret --secret-string ... --tags ...`,
// on the same moto server. Each run creates a new secret (unique name per process).
//
// piksel does more per run: sts:GetCallerIdentity (account guard), DescribeSecret
// and CreateSecret. The AWS CLI makes the one CreateSecret call.
import {mkdtempSync, writeFileSync} from 'node:fs'
import {tmpdir} from 'node:os'
import {join} from 'node:path'

import {BIN, compare} from '../lib.mjs'
import {launchMoto} from '../../test/support/moto.ts'

const LIMIT = 0.75
const URL = 'https://hooks.slack.com/services/T0BENCH01/B0BENCH01/abcdefghijklmnopqrstuvwx'

export default async function secret() {
  const moto = await launchMoto()
  const {endpoint} = moto
  try {
    const dir = mkdtempSync(join(tmpdir(), 'piksel-bench-secret-'))
    // AWS CLI v1 would try to download a --secret-string that starts with https://
    // (the trap in the README): turn that off, as the team has to.
    const awsConfig = join(dir, 'aws-config')
    writeFileSync(awsConfig, '[default]\ncli_follow_urlparam = false\n')
    const env = {
      ...process.env,
      HOME: dir,
      AWS_CONFIG_FILE: awsConfig,
      AWS_SHARED_CREDENTIALS_FILE: join(dir, 'credentials'),
      AWS_ENDPOINT_URL: endpoint,
      AWS_ACCESS_KEY_ID: 'bench',
      AWS_SECRET_ACCESS_KEY: 'bench',
      AWS_REGION: 'ap-southeast-3',
      AWS_DEFAULT_REGION: 'ap-southeast-3',
      AWS_EC2_METADATA_DISABLED: 'true',
      SLACK_URL: URL,
    }
    for (const key of Object.keys(env)) if (/^PIKSEL_/.test(key)) delete env[key]
    // Both through `sh -c` so both pay the same shell and both get a fresh name ($$).
    const piksel = `printf %s "$SLACK_URL" | "${process.execPath}" "${BIN}" secret create slack -e staging --from-stdin --yes --name bench-piksel-$$ 2>/dev/null`
    const tags = [
      'Project=Piksel',
      'Service=monitoring',
      'Environment=staging',
      'Owner=Piksel-Devops-Team',
      'Tenant=Slack',
    ]
      .map((t) => `Key=${t.replace('=', ',Value=')}`)
      .join(' ')
    const aws = `aws secretsmanager create-secret --name bench-aws-$$ --secret-string "$SLACK_URL" --description "Slack incoming webhook URL for Piksel staging alerts" --tags ${tags} --region ap-southeast-3`
    console.log(
      '  (aws CLI v1 runs with cli_follow_urlparam = false via AWS_CONFIG_FILE, or it would fetch the https:// value)',
    )
    const result = compare({
      label: 'piksel secret create slack --from-stdin --yes vs aws secretsmanager create-secret (moto)',
      candidate: ['sh', ['-c', piksel]],
      baseline: ['sh', ['-c', aws]],
      runs: 10,
      options: {env},
      check: (r, which) => {
        if (r.code !== 0) throw new Error(`${which} failed (exit ${r.code}): ${r.stderr.split('\n')[0]}`)
      },
    })
    // Check the work was done: every run created its secret, and both stored the URL itself.
    const {SecretsManagerClient, ListSecretsCommand, GetSecretValueCommand} =
      await import('@aws-sdk/client-secrets-manager')
    const sm = new SecretsManagerClient({
      endpoint,
      region: 'ap-southeast-3',
      credentials: {accessKeyId: 'bench', secretAccessKey: 'bench'},
    })
    const names = []
    let NextToken
    do {
      const page = await sm.send(new ListSecretsCommand({MaxResults: 100, NextToken}))
      names.push(...(page.SecretList ?? []).map((s) => s.Name))
      NextToken = page.NextToken
    } while (NextToken)
    const ours = names.filter((n) => n.startsWith('bench-piksel-'))
    const theirs = names.filter((n) => n.startsWith('bench-aws-'))
    const stored = async (name) => (await sm.send(new GetSecretValueCommand({SecretId: name}))).SecretString
    const right = (await stored(ours[0])) === URL && (await stored(theirs[0])) === URL
    sm.destroy()
    console.log(
      `  created: ${ours.length} by piksel, ${theirs.length} by the AWS CLI; stored values ${right ? 'correct' : 'WRONG'}`,
    )
    const ok = result.ratio < LIMIT && right && ours.length === theirs.length
    console.log(`  minimum: piksel well under the AWS CLI time (ratio < ${LIMIT}): ${ok ? 'met' : 'NOT MET'}`)
    return ok
  } finally {
    await moto.stop()
  }
}
