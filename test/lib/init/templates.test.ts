import {expect} from 'chai'
import {execa} from 'execa'
import {mkdirSync, mkdtempSync, readFileSync, readdirSync, writeFileSync} from 'node:fs'
import {tmpdir} from 'node:os'
import {dirname, join} from 'node:path'

import {parse, parseAllDocuments} from 'yaml'

import {resolveSettings} from '../../../src/lib/config/environment.ts'
import {parseSettings} from '../../../src/lib/config/load.ts'
import {UsageError} from '../../../src/lib/errors.ts'
import {TEMPLATES_DIR, listTemplates, planInit} from '../../../src/lib/init/service.ts'
import {renderConfig, renderTemplate, targetPath} from '../../../src/lib/init/templates.ts'
import {validateInitValues} from '../../../src/lib/init/validate.ts'
import {ROOT} from '../../support/cli.ts'
import {type CrdVersion, loadCrds, validateObject} from '../../support/crd-schema.ts'
import {requireTool} from '../../support/tools.ts'

const staging = resolveSettings().environments.staging!
const plan = (env = staging) =>
  planInit({
    env,
    project: 'Piksel',
    owner: 'Piksel-Devops-Team',
    infraDir: '/i',
    gitopsDir: '/g',
    configFile: '/c/piksel.config.yaml',
    dryRun: true,
  })

describe('init templates', () => {
  let crds: Map<string, CrdVersion>
  before(() => {
    crds = loadCrds()
  })

  describe('placeholders and paths', () => {
    it('renders {{placeholders}} and refuses unknown ones', () => {
      expect(renderTemplate('a {{env}} b {{ bucket }}', {env: 'dev', bucket: 'x'})).to.equal('a dev b x')
      expect(() => renderTemplate('{{nope}}', {}, 't.yaml')).to.throw('t.yaml: unknown placeholder {{nope}}')
    })

    const paths: Array<[string, string | undefined]> = [
      ['terraform/bootstrap/main.tf', '/i/bootstrap/staging/main.tf'],
      ['terraform/env/backend.tf', '/i/staging/backend.tf'],
      ['gitops/clusters/__env__/apps.yaml', '/g/clusters/staging/apps.yaml'],
      [
        'gitops/infrastructure/__env__/configs/kustomization.yaml',
        '/g/infrastructure/staging/configs/kustomization.yaml',
      ],
      ['README.md', undefined],
    ]
    for (const [template, path] of paths) {
      it(`${template} lands at ${path ?? 'nowhere'}`, () =>
        expect(targetPath(template, staging, {infraDir: '/i', gitopsDir: '/g'})?.path).to.equal(path))
    }

    it('plans every template, each with no placeholder left', () => {
      const files = plan()
      expect(files.map((f) => f.path)).to.include.members([
        '/c/piksel.config.yaml',
        '/i/bootstrap/staging/versions.tf',
        '/i/staging/backend.tf',
        '/g/clusters/staging/infrastructure.yaml',
        '/g/clusters/staging/notifications.yaml',
      ])
      expect(files).to.have.length(listTemplates(TEMPLATES_DIR).length + 1)
      for (const file of files) expect(file.content, file.path).not.to.match(/\{\{|\}\}|__env__/)
    })

    const good = {
      env: 'dev',
      profile: 'dev-piksel',
      region: 'ap-southeast-3',
      cluster: 'piksel-dev',
      stateBucket: 'piksel-dev-tfstate',
      gitops: {owner: 'piksel-ina', repository: 'piksel-gitops', branch: 'main'},
    }
    // The config loader's own rules (schema.ts), each message naming the flag that gave the value.
    const bad: Array<[Partial<typeof good> & {account?: string}, RegExp]> = [
      [{env: 'Staging'}, /^-e Staging: environment names/],
      [{env: 'stag ing'}, /environment names/],
      [{account: '1234'}, /^--account "1234": must be a 12-digit/],
      [{account: 'abcdefghijkl'}, /12-digit/],
      [{region: 'mars-1'}, /^--region "mars-1": must look like an AWS region/],
      [{region: 'AP-SOUTHEAST-3'}, /--region .*AWS region/],
      [{cluster: 'piksel staging'}, /^--cluster "piksel staging": must be an EKS cluster name/],
      [{cluster: '-piksel'}, /--cluster .*EKS cluster name/],
      [{cluster: 'x'.repeat(101)}, /--cluster .*EKS cluster name/],
      [{stateBucket: 'Piksel_State'}, /^--state-bucket "Piksel_State": must be a valid S3 bucket name/],
      [{stateBucket: 'ab'}, /--state-bucket .*S3 bucket/],
      // S3's other naming rules (the S3 user guide, "General purpose bucket naming rules"): each one
      // is a bucket CreateBucket refuses, so a config holding it fails only at the state-backend step.
      [
        {stateBucket: 'piksel..tfstate'},
        /^--state-bucket "piksel\.\.tfstate": must be a valid S3 bucket name: no two adjacent periods/,
      ],
      [{stateBucket: '192.168.5.4'}, /--state-bucket "192\.168\.5\.4": .*not an IP address/],
      [{stateBucket: 'xn--piksel-tfstate'}, /--state-bucket .*must not start with xn--/],
      [{stateBucket: 'sthree-piksel'}, /must not start with .*sthree-/],
      [{stateBucket: 'amzn-s3-demo-piksel'}, /must not start with .*amzn-s3-demo-/],
      [{stateBucket: 'piksel-tfstate-s3alias'}, /must not end with -s3alias/],
      [{stateBucket: 'piksel-tfstate--ol-s3'}, /must not end with .*--ol-s3/],
      [{stateBucket: 'piksel-tfstate.mrap'}, /must not end with .*\.mrap/],
      [{stateBucket: 'piksel-tfstate--x-s3'}, /must not end with .*--x-s3/],
      [{stateBucket: 'piksel-tfstate--table-s3'}, /must not end with .*--table-s3/],
      [{profile: ''}, /^--profile "": must not be empty/],
      [{region: 'mars-1', cluster: 'a b'}, /--region .*; --cluster /],
    ]
    for (const [change, message] of bad) {
      it(`refuses ${JSON.stringify(change).slice(0, 60)} with exit 2`, () =>
        expect(() => validateInitValues({...good, ...change}))
          .to.throw(UsageError, message)
          .with.property('exitCode', 2))
    }
    it('accepts good values, with or without an account', () => {
      expect(() => validateInitValues({...good, env: 'dev-2', account: '123456789012'})).not.to.throw()
      expect(() => validateInitValues(good)).not.to.throw()
      expect(() => validateInitValues({...good, cluster: 'Piksel_Dev-2', region: 'us-gov-west-1'})).not.to.throw()
      for (const stateBucket of ['piksel.dev.tfstate', '1piksel-dev', 'piksel-xn--dev', 'a-s3alias-b', '10.0.0.1a']) {
        expect(() => validateInitValues({...good, stateBucket}), stateBucket).not.to.throw()
      }
    })
  })

  describe('piksel.config.yaml', () => {
    it('is a valid config with the environment; an unknown account is left out and said so', async () => {
      const text = renderConfig(staging, 'Piksel', 'Piksel-Devops-Team')
      expect(text).to.include('guard is OFF for this environment').and.to.include('# account: "123456789012"')
      const settings = await parseSettings(text, 'piksel.config.yaml')
      const env = settings.environments.staging!
      expect(env.account).to.equal(undefined)
      expect(env).to.deep.include({profile: 'staging-piksel', cluster: 'piksel-staging', region: 'ap-southeast-3'})
      expect(env.terraform).to.deep.equal({
        dir: 'staging',
        stateBucket: 'piksel-staging-tfstate',
        stateKey: 'staging/terraform.tfstate',
        phases: [],
      })
      expect(settings.defaultEnv).to.equal('staging')
    })
    it('keeps a known account id as a string', async () => {
      const text = renderConfig({...staging, account: '012345678901'}, 'Piksel', 'Piksel-Devops-Team')
      const settings = await parseSettings(text, 'piksel.config.yaml')
      expect(settings.environments.staging!.account).to.equal('012345678901')
    })
  })

  describe('Flux templates validate against the Flux v2.6 CRD schemas', () => {
    const docs = () =>
      plan()
        .filter((f) => f.kind === 'gitops')
        .flatMap((f) =>
          parseAllDocuments(f.content).map((d) => ({path: f.path, obj: d.toJS() as Record<string, unknown>})),
        )

    it('every toolkit object is a served version and passes its schema', () => {
      const flux = docs().filter((d) => String(d.obj.apiVersion).includes('toolkit.fluxcd.io'))
      expect(flux.map((d) => `${d.obj.kind}/${(d.obj.metadata as {name: string}).name}`)).to.deep.equal([
        'Kustomization/apps',
        'Kustomization/infra-controllers',
        'Kustomization/infra-configs',
        'Provider/slack-staging',
        'Alert/slack-staging',
      ])
      for (const d of flux) expect(validateObject(d.obj, crds), `${d.path} ${d.obj.kind}`).to.deep.equal([])
    })

    it('uses the storage versions (kustomize v1, notification v1beta3)', () => {
      for (const d of docs().filter((x) => String(x.obj.apiVersion).includes('toolkit.fluxcd.io'))) {
        const [group, version] = String(d.obj.apiVersion).split('/')
        expect(crds.get(`${group}/${version}/${d.obj.kind}`)?.storage, `${d.obj.apiVersion} ${d.obj.kind}`).to.equal(
          true,
        )
      }
    })

    it('says what the runbook says: intervals, dependencies, the Slack secret and the alert sources', () => {
      const byName = Object.fromEntries(
        docs()
          .filter((d) => d.obj.metadata)
          .map((d) => [
            `${d.obj.kind}/${(d.obj.metadata as {name: string}).name}`,
            d.obj.spec as Record<string, unknown>,
          ]),
      )
      expect(byName['Kustomization/infra-controllers']).to.include({
        interval: '1h',
        path: './infrastructure/staging/controllers',
      })
      expect(byName['Kustomization/infra-configs']).to.deep.include({
        interval: '1h',
        dependsOn: [{name: 'infra-controllers'}],
      })
      expect(byName['Kustomization/apps']).to.deep.include({interval: '1m', dependsOn: [{name: 'infra-configs'}]})
      expect(byName['Provider/slack-staging']).to.deep.include({
        type: 'slack',
        secretRef: {name: 'slack-webhook-staging'},
      })
      expect((byName['Alert/slack-staging']!.eventSources as Array<{kind: string}>).map((s) => s.kind)).to.deep.equal([
        'GitRepository',
        'Kustomization',
        'HelmRelease',
      ])
      const notifications = plan().find((f) => f.path.endsWith('notifications.yaml'))!.content
      expect(notifications).to.include('key `address`')
    })

    it('the kustomize files the Kustomization paths point at parse', () => {
      const kustomize = docs().filter((d) => d.obj.apiVersion === 'kustomize.config.k8s.io/v1beta1')
      expect(kustomize).to.have.length(3)
      for (const d of kustomize) expect(d.obj).to.deep.include({kind: 'Kustomization', resources: []})
    })
  })

  describe('the validator can fail', () => {
    const good = () => ({
      apiVersion: 'kustomize.toolkit.fluxcd.io/v1',
      kind: 'Kustomization',
      metadata: {name: 'apps', namespace: 'flux-system'},
      spec: {interval: '1m', prune: true, sourceRef: {kind: 'GitRepository', name: 'flux-system'}},
    })
    const broken: Array<[string, (o: ReturnType<typeof good>) => unknown, RegExp]> = [
      [
        'a bad interval',
        (o) => ({...o, spec: {...o.spec, interval: 'hourly'}}),
        /spec\.interval: "hourly" does not match/,
      ],
      ['a missing sourceRef', (o) => ({...o, spec: {interval: '1m', prune: true}}), /spec\.sourceRef: required/],
      [
        'a misspelt field',
        (o) => ({...o, spec: {...o.spec, dependOn: [{name: 'x'}]}}),
        /spec\.dependOn: unknown field/,
      ],
      ['a wrong type', (o) => ({...o, spec: {...o.spec, prune: 'yes'}}), /spec\.prune: expected boolean/],
      [
        'a bad enum',
        (o) => ({...o, spec: {...o.spec, sourceRef: {kind: 'GitRepo', name: 'x'}}}),
        /spec\.sourceRef\.kind: "GitRepo" is not one of/,
      ],
      ['an unknown version', (o) => ({...o, apiVersion: 'kustomize.toolkit.fluxcd.io/v9'}), /no CRD version/],
      ['a bad name', (o) => ({...o, metadata: {name: 'Apps_1'}}), /metadata\.name: Apps_1 is not a DNS-1123 name/],
    ]
    it('accepts the good object', () => expect(validateObject(good(), crds)).to.deep.equal([]))
    for (const [what, mutate, message] of broken) {
      it(`reports ${what}`, () => expect(validateObject(mutate(good()), crds).join('\n')).to.match(message))
    }

    it('accepts the real piksel-gitops manifests (mixed v1beta2 and v1)', () => {
      const reference = join(ROOT, 'test', 'fixtures', 'flux')
      const files = [
        'gotk-sync.yaml',
        'reference-apps.yaml',
        'reference-infrastructures.yaml',
        'reference-notifications.yaml',
      ].map((f) => join(reference, f))
      for (const file of files) {
        for (const doc of parseAllDocuments(readFileSync(file, 'utf8'))) {
          const obj = doc.toJS()
          if (obj) expect(validateObject(obj, crds), file).to.deep.equal([])
        }
      }
    })
  })

  describe('Terraform templates are formatted (terraform fmt -check)', function () {
    this.timeout(60_000)
    before(function () {
      requireTool(this, 'terraform')
    })

    it('every .tf template as shipped', async () => {
      const tf = listTemplates(TEMPLATES_DIR).filter((f) => f.endsWith('.tf') || f.endsWith('.tfvars'))
      expect(tf).to.have.length(6)
      const r = await execa(
        'terraform',
        ['fmt', '-check', '-recursive', '-list=true', join(TEMPLATES_DIR, 'terraform')],
        {reject: false},
      )
      expect(r.exitCode, `not formatted: ${r.stdout}`).to.equal(0)
    })

    it('every rendered Terraform file, and the env backend block says use_lockfile = true', async () => {
      const dir = mkdtempSync(join(tmpdir(), 'piksel-tmpl-'))
      const files = planInit({
        env: staging,
        project: 'Piksel',
        owner: 'Piksel-Devops-Team',
        infraDir: dir,
        gitopsDir: join(dir, 'g'),
        configFile: join(dir, 'c.yaml'),
        dryRun: true,
      })
      for (const f of files.filter((x) => x.kind === 'terraform')) {
        mkdirSync(dirname(f.path), {recursive: true})
        writeFileSync(f.path, f.content)
      }
      const r = await execa('terraform', ['fmt', '-check', '-recursive', dir], {reject: false})
      expect(r.exitCode, `not formatted: ${r.stdout}`).to.equal(0)
      const backend = readFileSync(join(dir, 'staging', 'backend.tf'), 'utf8')
      expect(backend).to.match(/backend "s3" \{/)
      for (const line of [
        'bucket       = "piksel-staging-tfstate"',
        'key          = "staging/terraform.tfstate"',
        'region       = "ap-southeast-3"',
        'use_lockfile = true',
        'encrypt      = true',
      ]) {
        expect(backend).to.include(line)
      }
      const main = readFileSync(join(dir, 'bootstrap', 'staging', 'main.tf'), 'utf8')
      for (const needle of [
        'prevent_destroy = true',
        'status = "Enabled"',
        'sse_algorithm = "AES256"',
        'restrict_public_buckets = true',
        'aws:SecureTransport',
      ]) {
        expect(main).to.include(needle)
      }
      expect(readFileSync(join(dir, 'bootstrap', 'staging', 'versions.tf'), 'utf8')).to.include('backend "local" {}')
      expect(parse('a: 1')).to.deep.equal({a: 1})
      expect(readdirSync(join(dir, 'bootstrap', 'staging')).sort()).to.deep.equal([
        'main.tf',
        'outputs.tf',
        'terraform.tfvars',
        'variables.tf',
        'versions.tf',
      ])
    })
  })
})
