// The account steps of bootstrap (oidc, spot-role, dns) and doctor's account checks,
// against moto (IAM and Route 53 through the AWS SDK). The sandbox's own setup (the
// team's policy, the hub's parent zone, the delegation) is done with the real aws CLI.
import {spawnSync} from 'node:child_process'
import {writeFileSync} from 'node:fs'
import {join} from 'node:path'

const ZONE = 'staging.piksel.example.org'

export default async function account(ctx) {
  const aws = (args) => {
    const out = spawnSync('aws', [...args, '--region', 'ap-southeast-3', '--output', 'json'], {
      env: ctx.env,
      encoding: 'utf8',
    })
    if (out.status !== 0) throw new Error(`aws ${args.slice(0, 2).join(' ')} failed: ${out.stderr}`)
    return out.stdout ? JSON.parse(out.stdout) : {}
  }
  // The team's own managed policy for the Terraform role (moto has no AWS managed policies unless asked).
  const policy = aws([
    'iam',
    'create-policy',
    '--policy-name',
    'piksel-terraform',
    '--policy-document',
    JSON.stringify({Version: '2012-10-17', Statement: [{Effect: 'Allow', Action: 'eks:*', Resource: '*'}]}),
  ]).Policy.Arn
  writeFileSync(
    join(ctx.work, 'piksel.config.yaml'),
    [
      '# The sandbox config: moto answers as account 123456789012.',
      'defaultEnv: staging',
      'ci:',
      '  repository: piksel-ina/piksel-infra',
      'environments:',
      '  staging:',
      '    account: "123456789012"',
      '    ci:',
      `      policies: [${policy}]`,
      '    dns:',
      `      zone: ${ZONE}`,
      '  production:',
      '    account: "999999999999"',
      '',
    ].join('\n'),
  )

  ctx.say(
    'The account steps as a dry run: the GitHub OIDC provider and the Terraform CI role, the Spot role, the zone.',
  )
  ctx.say('(No zone exists yet: dns reports it and exits 3; it never creates DNS.)')
  ctx.piksel(['bootstrap', '-e', 'staging', '--only', 'oidc,spot-role,dns', '--dry-run'])

  ctx.say(`The zone ${ZONE} and its parent in the hub (here the same moto account), not yet delegated.`)
  const parent = aws(['route53', 'create-hosted-zone', '--name', 'piksel.example.org', '--caller-reference', 'hub'])
  const zone = aws(['route53', 'create-hosted-zone', '--name', ZONE, '--caller-reference', 'staging'])
  ctx.piksel(['bootstrap', '-e', 'staging', '--only', 'dns'])
  ctx.say('The hub owner adds the NS record, as the hint says.')
  aws([
    'route53',
    'change-resource-record-sets',
    '--hosted-zone-id',
    parent.HostedZone.Id,
    '--change-batch',
    JSON.stringify({
      Changes: [
        {
          Action: 'UPSERT',
          ResourceRecordSet: {
            Name: `${ZONE}.`,
            Type: 'NS',
            TTL: 172800,
            ResourceRecords: zone.DelegationSet.NameServers.map((Value) => ({Value})),
          },
        },
      ],
    }),
  ])

  ctx.say(
    "moto names the Spot service-linked role AWSServiceRoleForspot, not AWS's AWSServiceRoleForEC2Spot: the sandbox makes it under AWS's name first, so spot-role finds it already done.",
  )
  aws([
    'iam',
    'create-role',
    '--role-name',
    'AWSServiceRoleForEC2Spot',
    '--path',
    '/aws-service-role/spot.amazonaws.com/',
    '--assume-role-policy-document',
    JSON.stringify({
      Version: '2012-10-17',
      Statement: [{Effect: 'Allow', Principal: {Service: 'spot.amazonaws.com'}, Action: 'sts:AssumeRole'}],
    }),
  ])
  ctx.say(
    'Now for real (--yes answers the confirmation): the provider and the role are created; it prints the workflow lines.',
  )
  ctx.piksel(['bootstrap', '-e', 'staging', '--only', 'oidc,spot-role,dns', '--yes'], {allowFail: false})
  ctx.say('Again: everything already done, nothing changed.')
  ctx.piksel(['bootstrap', '-e', 'staging', '--only', 'oidc,spot-role,dns', '--yes'], {allowFail: false})
  ctx.say('doctor checks the same, read-only: ci-role, spot-role, dns-zone (flux is still missing: exit 3).')
  ctx.piksel(['doctor', '-e', 'staging'])
}
