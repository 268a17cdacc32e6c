import {expect} from 'chai'

import {type Moto, startMoto} from '../../support/moto.ts'
import {SLACK_URL, SLACK_URL_2, SecretsProbe, configFile, runAgainst, secretFile} from '../../support/secrets.ts'

const CONVENTION = {
  Project: 'Piksel',
  Service: 'monitoring',
  Environment: 'staging',
  Owner: 'Piksel-Devops-Team',
  Tenant: 'Slack',
}

interface CreateJson {
  name: string
  arn: string | null
  account: string
  region: string
  action: string
  versionId: string | null
  tags: Record<string, string>
  previousVersionId: string | null
  restored: boolean
}

describe('piksel secret create (against moto)', function () {
  let moto: Moto
  let probe: SecretsProbe

  before(async function () {
    moto = await startMoto(this)
    probe = new SecretsProbe(moto)
  })
  after(async () => {
    probe?.sm.destroy()
    await moto?.stop()
  })
  beforeEach(async () => {
    await moto?.reset()
  })

  const slack = (args: string[], input?: string) =>
    runAgainst(moto, ['secret', 'create', 'slack', '-e', 'staging', ...args], {input})

  describe('slack', () => {
    it('creates slack-alerts-<env> from stdin with the tag convention, one version, trailing newline dropped', async () => {
      const r = await slack(['--from-stdin', '--yes'], `${SLACK_URL}\n`)
      expect(r.exitCode, r.stderr).to.equal(0)
      expect(r.stdout).to.match(/^created slack-alerts-staging in account 123456789012 \(staging\), ap-southeast-3/)
      expect(await probe.value('slack-alerts-staging')).to.have.property('value', SLACK_URL)
      expect(await probe.tags('slack-alerts-staging')).to.deep.equal(CONVENTION)
      const described = await probe.describe('slack-alerts-staging')
      expect(described.Description).to.equal('Slack incoming webhook URL for Piksel staging alerts')
      expect(Object.values(await probe.versions('slack-alerts-staging'))).to.deep.equal([['AWSCURRENT']])
      // The summary went to stderr, masked: name, account, region, tags and what will be done.
      expect(r.stderr).to.include('https://hooks.slack.com/services/****')
      expect(r.stderr)
        .to.include('Secret slack-alerts-staging')
        .and.to.include('account      123456789012 (staging), region ap-southeast-3')
        .and.to.include(
          'tags         Project=Piksel, Service=monitoring, Environment=staging, Owner=Piksel-Devops-Team, Tenant=Slack',
        )
        .and.to.include('will         create the secret')
    })

    it('--from-file --json: one JSON document with the documented shape', async () => {
      const r = await slack(['--from-file', secretFile(`${SLACK_URL}\n`), '--yes', '--json'])
      expect(r.exitCode, r.stderr).to.equal(0)
      const json = r.json<CreateJson>()
      expect(Object.keys(json).slice(0, 7)).to.deep.equal([
        'name',
        'arn',
        'account',
        'region',
        'action',
        'versionId',
        'tags',
      ])
      const current = await probe.value('slack-alerts-staging')
      expect(json).to.include({
        name: 'slack-alerts-staging',
        account: '123456789012',
        region: 'ap-southeast-3',
        action: 'created',
        versionId: current.versionId,
      })
      expect(json.arn).to.match(/^arn:aws:secretsmanager:ap-southeast-3:123456789012:secret:slack-alerts-staging-/)
      expect(json.tags).to.deep.equal(CONVENTION)
      expect(current.value).to.equal(SLACK_URL)
    })

    it('a re-run with the same value is unchanged: exit 0, no new version', async () => {
      const first = await slack(['--from-stdin', '--yes', '--json'], SLACK_URL)
      // No --yes: nothing is written, so no confirmation is needed even without a TTY.
      const again = await slack(['--from-stdin', '--json'], `${SLACK_URL}\n`)
      expect(again.exitCode, again.stderr).to.equal(0)
      expect(again.json<CreateJson>()).to.include({action: 'unchanged', versionId: first.json<CreateJson>().versionId})
      expect(Object.keys(await probe.versions('slack-alerts-staging'))).to.have.length(1)
    })

    it('a different value is refused with a hint (exit 2) and the stored one is kept', async () => {
      await slack(['--from-stdin', '--yes'], SLACK_URL)
      const r = await slack(['--from-stdin', '--yes'], SLACK_URL_2)
      expect(r.exitCode).to.equal(2)
      expect(r.stderr).to.include('already exists with a different value').and.to.include('--overwrite')
      expect(await probe.value('slack-alerts-staging')).to.have.property('value', SLACK_URL)
      expect(Object.keys(await probe.versions('slack-alerts-staging'))).to.have.length(1)
    })

    it('--overwrite stores a new version, keeps the old as AWSPREVIOUS, and brings tags and description up to date', async () => {
      const created = await probe.create('slack-alerts-staging', SLACK_URL, {
        description: 'hand made',
        tags: {Project: 'Piksel', Service: 'old', Keep: 'me'},
      })
      const r = await slack(['--from-stdin', '--yes', '--overwrite', '--json'], SLACK_URL_2)
      expect(r.exitCode, r.stderr).to.equal(0)
      const json = r.json<CreateJson>()
      expect(json).to.include({action: 'updated', previousVersionId: created.VersionId})
      expect(await probe.value('slack-alerts-staging')).to.deep.equal({value: SLACK_URL_2, versionId: json.versionId})
      expect(await probe.value('slack-alerts-staging', 'AWSPREVIOUS')).to.deep.equal({
        value: SLACK_URL,
        versionId: created.VersionId,
      })
      expect(await probe.tags('slack-alerts-staging')).to.deep.equal({...CONVENTION, Keep: 'me'})
      expect((await probe.describe('slack-alerts-staging')).Description).to.equal(
        'Slack incoming webhook URL for Piksel staging alerts',
      )
    })

    it('an unchanged secret with drifted tags says so; --overwrite updates the tags without a new version', async () => {
      await probe.create('slack-alerts-staging', SLACK_URL, {tags: {Project: 'Piksel'}})
      const unchanged = await slack(['--from-stdin', '--json'], SLACK_URL)
      expect(unchanged.json<CreateJson>()).to.include({action: 'unchanged', metadataDrift: true})
      expect(unchanged.stderr).to.include('--overwrite')
      expect(await probe.tags('slack-alerts-staging')).to.deep.equal({Project: 'Piksel'})
      const updated = await slack(['--from-stdin', '--yes', '--overwrite', '--json'], SLACK_URL)
      expect(updated.json<CreateJson>()).to.include({action: 'updated', previousVersionId: null})
      expect(await probe.tags('slack-alerts-staging')).to.deep.equal(CONVENTION)
      expect(Object.keys(await probe.versions('slack-alerts-staging'))).to.have.length(1)
    })

    it('--dry-run reports would-create / would-update and writes nothing', async () => {
      const wouldCreate = await slack(['--from-stdin', '--dry-run', '--json'], SLACK_URL)
      expect(wouldCreate.exitCode, wouldCreate.stderr).to.equal(0)
      expect(wouldCreate.json<CreateJson>()).to.include({action: 'would-create', versionId: null, arn: null})
      expect(await probe.names()).to.deep.equal([])

      await probe.create('slack-alerts-staging', SLACK_URL)
      const wouldUpdate = await slack(['--from-stdin', '--dry-run', '--overwrite', '--json'], SLACK_URL_2)
      expect(wouldUpdate.json<CreateJson>()).to.include({action: 'would-update'})
      expect(await probe.value('slack-alerts-staging')).to.have.property('value', SLACK_URL)
      expect(Object.keys(await probe.versions('slack-alerts-staging'))).to.have.length(1)
      // Human output: the dry run says so.
      const human = await slack(['--from-stdin', '--dry-run', '--overwrite'], SLACK_URL_2)
      expect(human.stdout).to.include('would-update slack-alerts-staging').and.to.include('nothing was written')
    })

    it('a secret that exists without a value (declared by Terraform) gets its first value, no --overwrite needed', async () => {
      await probe.createEmpty('slack-alerts-staging')
      const refused = await slack(['--from-stdin'], SLACK_URL)
      expect(refused.exitCode).to.equal(2)
      expect(refused.stderr).to.include('--yes')
      expect(Object.keys(await probe.versions('slack-alerts-staging'))).to.have.length(0)
      const dry = await slack(['--from-stdin', '--dry-run', '--json'], SLACK_URL)
      expect(dry.json()).to.include({action: 'would-update', firstValue: true})
      expect(Object.keys(await probe.versions('slack-alerts-staging'))).to.have.length(0)
      const r = await slack(['--from-stdin', '--yes', '--json'], SLACK_URL)
      expect(r.exitCode, r.stderr).to.equal(0)
      const json = r.json<{action: string; firstValue: boolean; versionId: string; previousVersionId: null}>()
      expect(json).to.include({action: 'updated', firstValue: true, previousVersionId: null})
      expect(await probe.value('slack-alerts-staging')).to.deep.equal({value: SLACK_URL, versionId: json.versionId})
      expect(await probe.tags('slack-alerts-staging')).to.deep.equal(CONVENTION)
      const human = await slack(['--from-stdin'], SLACK_URL)
      expect(human.exitCode).to.equal(0)
      expect(human.stdout).to.include('unchanged')
    })

    it('a secret scheduled for deletion is refused; --restore restores it and continues', async () => {
      await probe.create('slack-alerts-staging', SLACK_URL)
      await probe.scheduleDeletion('slack-alerts-staging')
      const refused = await slack(['--from-stdin', '--yes'], SLACK_URL)
      expect(refused.exitCode).to.equal(2)
      expect(refused.stderr).to.include('scheduled for deletion').and.to.include('--restore')
      expect((await probe.describe('slack-alerts-staging')).DeletedDate).to.be.instanceOf(Date)

      const restored = await slack(['--from-stdin', '--yes', '--restore', '--json'], SLACK_URL)
      expect(restored.exitCode, restored.stderr).to.equal(0)
      expect(restored.json<CreateJson>()).to.include({action: 'updated', restored: true})
      expect((await probe.describe('slack-alerts-staging')).DeletedDate).to.equal(undefined)
      expect(await probe.tags('slack-alerts-staging')).to.deep.equal(CONVENTION)
      expect(await probe.value('slack-alerts-staging')).to.have.property('value', SLACK_URL)
    })

    it('--restore with a different value restores but keeps the value unless --overwrite (exit 1)', async () => {
      await probe.create('slack-alerts-staging', SLACK_URL)
      await probe.scheduleDeletion('slack-alerts-staging')
      const r = await slack(['--from-stdin', '--yes', '--restore'], SLACK_URL_2)
      expect(r.exitCode).to.equal(1)
      expect(r.stderr).to.include('was restored').and.to.include('--overwrite')
      expect(await probe.value('slack-alerts-staging')).to.have.property('value', SLACK_URL)
      const overwritten = await slack(['--from-stdin', '--yes', '--overwrite', '--json'], SLACK_URL_2)
      expect(overwritten.json<CreateJson>()).to.include({action: 'updated'})
      expect(await probe.value('slack-alerts-staging', 'AWSPREVIOUS')).to.have.property('value', SLACK_URL)
    })

    it('the account guard: another configured account means exit 2 and nothing written', async () => {
      const config = configFile('environments:\n  staging:\n    account: "999999999999"\n')
      const r = await slack(['--from-stdin', '--yes', '--config', config], SLACK_URL)
      expect(r.exitCode).to.equal(2)
      expect(r.stderr).to.include('Wrong AWS account').and.to.include('999999999999')
      expect(await probe.names()).to.deep.equal([])
      const ok = await slack(
        ['--from-stdin', '--yes', '--config', configFile('environments:\n  staging:\n    account: "123456789012"\n')],
        SLACK_URL,
      )
      expect(ok.exitCode, ok.stderr).to.equal(0)
    })

    it('without a TTY and without --yes, a write fails naming --yes and nothing is written', async () => {
      const r = await slack(['--from-stdin'], SLACK_URL)
      expect(r.exitCode).to.equal(2)
      expect(r.stderr).to.include('--yes')
      expect(await probe.names()).to.deep.equal([])
    })

    it('without a TTY and without --from-stdin/--from-file, fails at once naming those flags', async () => {
      // A run that waited for input would be killed after runAgainst's give-up and not exit 2.
      for (const cmd of [
        ['secret', 'create', 'slack', '-e', 'staging', '--yes'],
        ['secret', 'create', 'oauth', '--app', 'grafana', '-e', 'staging', '--yes'],
        ['secret', 'create', 'oauth', '--app', 'grafana', '-e', 'staging', '--yes', '--client-id', 'abc'],
      ]) {
        const r = await runAgainst(moto, cmd)
        expect(r.exitCode, cmd.join(' ')).to.equal(2)
        expect(r.stderr).to.include('--from-stdin or --from-file')
      }
      expect(await probe.names()).to.deep.equal([])
    })

    it('--skip-validation stores a value that is not a Slack URL; --name, --description and --tag apply', async () => {
      const r = await slack(
        [
          '--from-stdin',
          '--yes',
          '--skip-validation',
          '--name',
          'team/alerts-hook',
          '--description',
          'Mattermost hook',
          '--tag',
          'CostCenter=platform',
          '--service',
          'alerting',
        ],
        'https://chat.example.org/hooks/abc',
      )
      expect(r.exitCode, r.stderr).to.equal(0)
      expect(await probe.value('team/alerts-hook')).to.have.property('value', 'https://chat.example.org/hooks/abc')
      expect(await probe.tags('team/alerts-hook')).to.deep.equal({
        ...CONVENTION,
        Service: 'alerting',
        CostCenter: 'platform',
      })
      expect((await probe.describe('team/alerts-hook')).Description).to.equal('Mattermost hook')
    })

    describe('the drift report names what differs (issue 12 §4)', () => {
      const DESCRIPTION = 'Slack incoming webhook URL for Piksel staging alerts'
      const KEY_ALIAS_ARN = 'arn:aws:kms:ap-southeast-3:123456789012:alias/piksel-secrets'
      const createWith = async (extra: {KmsKeyId?: string; Description?: string; tags?: Record<string, string>}) => {
        const {CreateSecretCommand} = await import('@aws-sdk/client-secrets-manager')
        await probe.sm.send(
          new CreateSecretCommand({
            Name: 'slack-alerts-staging',
            SecretString: SLACK_URL,
            Description: extra.Description ?? DESCRIPTION,
            ...(extra.KmsKeyId ? {KmsKeyId: extra.KmsKeyId} : {}),
            Tags: Object.entries(extra.tags ?? CONVENTION).map(([Key, Value]) => ({Key, Value})),
          }),
        )
      }
      type Drift = Array<{field: string; key?: string; stored: string | null; wanted: string; note?: string}>

      it('each tag with its old and new value, and the description, on stderr and in the JSON', async () => {
        await createWith({Description: 'old words', tags: {...CONVENTION, Service: 'alerts', Keep: 'me'}})
        const r = await slack(['--from-stdin', '--json'], SLACK_URL)
        expect(r.exitCode, r.stderr).to.equal(0)
        const json = r.json<CreateJson & {metadataDrift: boolean; drift: Drift}>()
        expect(json).to.include({action: 'unchanged', metadataDrift: true})
        expect(json.drift).to.deep.equal([
          {field: 'tag', key: 'Service', stored: 'alerts', wanted: 'monitoring'},
          {field: 'description', stored: 'old words', wanted: DESCRIPTION},
        ])
        expect(r.stderr).to.include(
          `It differs from what was asked: tag Service: "alerts" → "monitoring"; description: "old words" → "${DESCRIPTION}". Pass --overwrite to bring it up to date.`,
        )
      })

      it('--overwrite shows the differences before the confirmation and writes exactly them', async () => {
        await createWith({tags: {...CONVENTION, Tenant: 'Mattermost'}})
        const r = await slack(
          ['--from-stdin', '--yes', '--overwrite', '--kms-key-id', 'alias/piksel-secrets', '--json'],
          SLACK_URL,
        )
        expect(r.exitCode, r.stderr).to.equal(0)
        expect(r.stderr).to.include(
          '  differs      tag Tenant: "Mattermost" → "Slack"; KMS key: (AWS managed key alias/aws/secretsmanager) → "alias/piksel-secrets"',
        )
        const json = r.json<CreateJson & {drift: Drift}>()
        expect(json.action).to.equal('updated')
        expect(json.drift.map((d) => d.field)).to.deep.equal(['tag', 'kmsKeyId'])
        expect(await probe.tags('slack-alerts-staging')).to.deep.equal(CONVENTION)
        expect((await probe.describe('slack-alerts-staging')).KmsKeyId).to.equal('alias/piksel-secrets')
      })

      it('the AWS managed key asked for by alias, where DescribeSecret reports none: no drift', async () => {
        await createWith({})
        expect((await probe.describe('slack-alerts-staging')).KmsKeyId).to.equal(undefined)
        for (const key of [
          'alias/aws/secretsmanager',
          'arn:aws:kms:ap-southeast-3:123456789012:alias/aws/secretsmanager',
        ]) {
          const r = await slack(['--from-stdin', '--kms-key-id', key, '--json'], SLACK_URL)
          expect(r.json<CreateJson & {metadataDrift: boolean; drift: Drift}>(), key).to.deep.include({
            action: 'unchanged',
            metadataDrift: false,
            drift: [],
          })
          expect(r.stderr).not.to.include('differs')
        }
      })

      it('an alias given by name where the secret holds its ARN (and the reverse): no drift', async () => {
        await createWith({KmsKeyId: KEY_ALIAS_ARN})
        const byName = await slack(['--from-stdin', '--kms-key-id', 'alias/piksel-secrets', '--json'], SLACK_URL)
        expect(byName.json<CreateJson & {metadataDrift: boolean}>()).to.include({
          action: 'unchanged',
          metadataDrift: false,
        })
        await moto.reset()
        await createWith({KmsKeyId: 'alias/piksel-secrets'})
        const byArn = await slack(['--from-stdin', '--kms-key-id', KEY_ALIAS_ARN, '--json'], SLACK_URL)
        expect(byArn.json<CreateJson & {metadataDrift: boolean}>()).to.include({
          action: 'unchanged',
          metadataDrift: false,
        })
      })

      it('another key is drift; an alias against a key id is drift that says only KMS could tell', async () => {
        await createWith({KmsKeyId: 'alias/piksel-secrets'})
        const other = await slack(['--from-stdin', '--kms-key-id', 'alias/other', '--json'], SLACK_URL)
        expect(other.json<{drift: Drift}>().drift).to.deep.equal([
          {field: 'kmsKeyId', stored: 'alias/piksel-secrets', wanted: 'alias/other'},
        ])
        const keyId = '1234abcd-12ab-34cd-56ef-1234567890ab'
        const unknown = await slack(['--from-stdin', '--kms-key-id', keyId, '--json'], SLACK_URL)
        const [item] = unknown.json<{drift: Drift}>().drift
        expect(item).to.include({field: 'kmsKeyId', stored: 'alias/piksel-secrets', wanted: keyId})
        expect(item?.note).to.match(/only KMS \(kms:DescribeKey\) can tell/)
      })
    })

    it('--kms-key-id is passed to Secrets Manager', async () => {
      const r = await slack(['--from-stdin', '--yes', '--kms-key-id', 'alias/piksel-secrets'], SLACK_URL)
      expect(r.exitCode, r.stderr).to.equal(0)
      expect((await probe.describe('slack-alerts-staging')).KmsKeyId).to.equal('alias/piksel-secrets')
    })

    it('without -e and without a TTY, fails naming -e (exit 2)', async () => {
      const r = await runAgainst(moto, ['secret', 'create', 'slack', '--from-stdin', '--yes'], {input: SLACK_URL})
      expect(r.exitCode).to.equal(2)
      expect(r.stderr).to.include('-e <dev|staging|production>')
      expect(await probe.names()).to.deep.equal([])
    })

    it('an unreachable AWS endpoint is exit 1 with a hint, nothing more', async () => {
      const r = await runAgainst(moto, ['secret', 'create', 'slack', '-e', 'staging', '--from-stdin', '--yes'], {
        input: SLACK_URL,
        extraEnv: {AWS_ENDPOINT_URL: 'http://127.0.0.1:9', AWS_MAX_ATTEMPTS: '1'},
      })
      expect(r.exitCode).to.equal(1)
      expect(r.stderr).to.match(/cannot reach AWS|ECONNREFUSED/)
      expect(r.stderr).to.include('Hint:')
    })
  })

  describe('oauth', () => {
    const oauth = (args: string[], input?: string) =>
      runAgainst(moto, ['secret', 'create', 'oauth', '-e', 'staging', ...args], {input})

    it('client_id:client_secret from stdin → <app>-oauth-<env>, Tenant=Auth0, Service=<app>', async () => {
      const r = await oauth(['--app', 'grafana', '--from-stdin', '--yes', '--json'], 'grafana-client:s3cr3t-Value_42\n')
      expect(r.exitCode, r.stderr).to.equal(0)
      expect(r.json<CreateJson>()).to.include({name: 'grafana-oauth-staging', action: 'created'})
      expect(await probe.value('grafana-oauth-staging')).to.have.property('value', 'grafana-client:s3cr3t-Value_42')
      expect(await probe.tags('grafana-oauth-staging')).to.deep.equal({
        ...CONVENTION,
        Service: 'grafana',
        Tenant: 'Auth0',
      })
      expect((await probe.describe('grafana-oauth-staging')).Description).to.equal(
        'Grafana OAuth client for Piksel staging (client_id:client_secret)',
      )
    })

    it('--client-id with the secret from a file; --tenant overrides Auth0', async () => {
      const r = await oauth([
        '--app',
        'jupyterhub',
        '--client-id',
        'hub-client',
        '--from-file',
        secretFile('hub-secret-123\n'),
        '--tenant',
        'Okta',
        '--yes',
      ])
      expect(r.exitCode, r.stderr).to.equal(0)
      expect(await probe.value('jupyterhub-oauth-staging')).to.have.property('value', 'hub-client:hub-secret-123')
      expect(await probe.tags('jupyterhub-oauth-staging')).to.include({Tenant: 'Okta', Service: 'jupyterhub'})
    })

    it('a client id that also appears in the name (Keycloak-style "grafana") is not masked in the output', async () => {
      const r = await oauth(['--app', 'grafana', '--from-stdin', '--yes', '--json'], 'grafana:kc-secret-Value_42')
      expect(r.exitCode, r.stderr).to.equal(0)
      const json = r.json<CreateJson>()
      expect(json).to.include({name: 'grafana-oauth-staging', action: 'created'})
      expect(json.arn).to.include(':secret:grafana-oauth-staging-')
      expect(json.tags).to.include({Service: 'grafana'})
      expect(r.stderr).to.include('Secret grafana-oauth-staging').and.to.include('****:****')
      expect(r.stdout + r.stderr).not.to.include('kc-secret-Value_42')
      expect(await probe.value('grafana-oauth-staging')).to.have.property('value', 'grafana:kc-secret-Value_42')
    })

    it('re-run unchanged, conflict refused, --overwrite adds a version', async () => {
      await oauth(['--app', 'argo', '--from-stdin', '--yes'], 'argo-id:secret-1')
      const same = await oauth(['--app', 'argo', '--from-stdin', '--json'], 'argo-id:secret-1')
      expect(same.json<CreateJson>()).to.include({action: 'unchanged'})
      const conflict = await oauth(['--app', 'argo', '--from-stdin', '--yes'], 'argo-id:secret-2')
      expect(conflict.exitCode).to.equal(2)
      const overwrite = await oauth(['--app', 'argo', '--from-stdin', '--yes', '--overwrite'], 'argo-id:secret-2')
      expect(overwrite.exitCode, overwrite.stderr).to.equal(0)
      expect(await probe.value('argo-oauth-staging')).to.have.property('value', 'argo-id:secret-2')
      expect(await probe.value('argo-oauth-staging', 'AWSPREVIOUS')).to.have.property('value', 'argo-id:secret-1')
    })
  })

  describe('bad input: exit 2 and nothing created', () => {
    const T = 'abcdefghijklmnopqrstuvwx'
    const cases: Array<[string, string[], string | undefined, RegExp]> = [
      ['malformed URL', ['slack', '--from-stdin'], 'hooks.slack.com/services/T0AAAAAA1', /not a URL/],
      ['http:// URL', ['slack', '--from-stdin'], SLACK_URL.replace('https', 'http'), /http:\/\//],
      ['wrong host', ['slack', '--from-stdin'], SLACK_URL.replace('hooks.slack.com', 'hooks.example.com'), /host/],
      [
        'truncated webhook',
        ['slack', '--from-stdin'],
        'https://hooks.slack.com/services/T0PIKSEL1/B0ALERTS1',
        /truncated/,
      ],
      ['truncated token', ['slack', '--from-stdin'], SLACK_URL.slice(0, -6), /token/],
      ['empty stdin', ['slack', '--from-stdin'], '', /not a Slack webhook URL: it is empty|empty/],
      ['missing --from-file', ['slack', '--from-file', '/nonexistent/webhook.txt'], undefined, /no such file/],
      [
        'oauth: ":" in the secret',
        ['oauth', '--app', 'grafana', '--client-id', 'id', '--from-stdin'],
        'se:cret',
        /':'/,
      ],
      [
        'oauth: ":" in the client id',
        ['oauth', '--app', 'grafana', '--client-id', 'i:d', '--from-stdin'],
        'secret',
        /':'/,
      ],
      ['oauth: space in the secret', ['oauth', '--app', 'grafana', '--from-stdin'], 'id:sec ret', /whitespace/],
      [
        'oauth: space in the client id',
        ['oauth', '--app', 'grafana', '--client-id', 'i d', '--from-stdin'],
        'x',
        /whitespace/,
      ],
      ['oauth: empty client id', ['oauth', '--app', 'grafana', '--from-stdin'], ':secret', /client id is empty/],
      ['oauth: empty secret', ['oauth', '--app', 'grafana', '--from-stdin'], 'id:', /client secret is empty/],
      ['oauth: empty --client-id', ['oauth', '--app', 'grafana', '--client-id', '', '--from-stdin'], 'x', /empty/],
      ['oauth: no colon and no --client-id', ['oauth', '--app', 'grafana', '--from-stdin'], `only${T}`, /--client-id/],
      ['oauth: tab in the secret', ['oauth', '--app', 'argo', '--from-stdin'], 'id:se\tcret', /whitespace/],
      ['invalid --tag (no =)', ['slack', '--from-stdin', '--tag', 'CostCenter'], SLACK_URL, /Key=Value/],
      ['invalid --tag (aws: prefix)', ['slack', '--from-stdin', '--tag', 'aws:x=1'], SLACK_URL, /reserved/],
      ['invalid --tag (value > 256)', ['slack', '--from-stdin', '--tag', `k=${'v'.repeat(257)}`], SLACK_URL, /256/],
      [
        'invalid --tag (convention key)',
        ['slack', '--from-stdin', '--tag', 'Environment=prod'],
        SLACK_URL,
        /convention/,
      ],
      ['invalid --name', ['slack', '--from-stdin', '--name', 'bad name!'], SLACK_URL, /Invalid secret name/],
      ['unknown --app', ['oauth', '--app', 'terria', '--from-stdin'], 'id:secret', /terria|one of/],
      ['missing --app', ['oauth', '--from-stdin'], 'id:secret', /app/],
      ['unknown env', ['slack', '--from-stdin', '-e', 'qa'], SLACK_URL, /Unknown environment "qa"/],
      ['--value flag', ['slack', `--value=${SLACK_URL}`], undefined, /--value is not accepted/],
      ['--secret-string flag', ['slack', '--secret-string', SLACK_URL], undefined, /--secret-string is not accepted/],
      [
        '--client-secret flag',
        ['oauth', '--app', 'argo', '--client-secret', 'x'],
        undefined,
        /--client-secret is not accepted/,
      ],
      ['positional value', ['slack', SLACK_URL], undefined, /Positional arguments are not accepted/],
      [
        '--from-stdin with --from-file',
        ['slack', '--from-stdin', '--from-file', '/tmp/x'],
        SLACK_URL,
        /cannot also be provided|--from-file/,
      ],
    ]
    for (const [what, args, input, message] of cases) {
      it(what, async () => {
        const [kind, ...rest] = args
        const env = rest.includes('-e') ? [] : ['-e', 'staging']
        const r = await runAgainst(moto, ['secret', 'create', kind ?? '', ...env, '--yes', ...rest], {input})
        expect(r.exitCode, r.stderr).to.equal(2)
        expect(r.stderr).to.match(message)
        expect(await probe.names()).to.deep.equal([])
      })
    }

    it('--json failures are one JSON error document on stdout', async () => {
      const r = await slack(['--from-stdin', '--yes', '--json'], SLACK_URL.replace('https', 'http'))
      expect(r.exitCode).to.equal(2)
      expect(r.json()).to.have.nested.property('error.code', 'INVALID_SLACK_WEBHOOK')
    })
  })
})
