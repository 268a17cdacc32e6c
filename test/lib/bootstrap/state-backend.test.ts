import {expect} from 'chai'
import {mkdirSync, mkdtempSync, writeFileSync} from 'node:fs'
import {tmpdir} from 'node:os'
import {join} from 'node:path'

import {getCallerIdentity} from '../../../src/lib/aws/identity.ts'
import {type BootstrapOptions, runBootstrap} from '../../../src/command-kit/bootstrap-tasks.ts'
import {selectSteps} from '../../../src/lib/bootstrap/steps.ts'
import {resolveSettings} from '../../../src/lib/config/environment.ts'
import {Prompter} from '../../../src/lib/prompt.ts'
import {fakePorts} from '../../support/bootstrap.ts'
import {type Moto, startMoto} from '../../support/moto.ts'
import {type PostureSpec, STATE_BUCKET, bucketConfiguration, createStateBucket, objectKeys} from '../../support/s3.ts'
import {copyFixture, stateAddresses} from '../../support/terraform.ts'
import {requireTool} from '../../support/tools.ts'

/**
 * The state-backend step against S3 on moto, through @aws-sdk/client-s3: a bucket
 * counts as done only with its whole posture; each missing safeguard is reported
 * with its fix and the bucket is left exactly as it was.
 */
describe('bootstrap state-backend: the state bucket’s posture (moto)', function () {
  this.timeout(120_000)
  let moto: Moto
  const saved = {...process.env}
  let work: string

  before(async function () {
    requireTool(this, 'terraform')
    moto = await startMoto(this)
    Object.assign(process.env, moto.env)
    delete process.env.AWS_PROFILE
  })
  after(async () => {
    for (const key of Object.keys(process.env)) if (!(key in saved)) delete process.env[key]
    Object.assign(process.env, saved)
    await moto?.stop()
  })
  beforeEach(async () => {
    await moto.reset()
    work = mkdtempSync(join(tmpdir(), 'piksel-sb-'))
    copyFixture('basic', 'staging', work)
    mkdirSync(join(work, 'bootstrap'))
    copyFixture('bootstrap-root', 'staging', join(work, 'bootstrap'))
    delete process.env.TF_VAR_posture_skip
  })

  function options(over: Partial<BootstrapOptions> = {}): BootstrapOptions {
    return {
      env: resolveSettings().environments.staging!,
      session: {region: 'ap-southeast-3', profileSource: 'environment'},
      caller: () => getCallerIdentity({region: 'ap-southeast-3', profileSource: 'environment'}),
      steps: selectSteps({only: ['state-backend']}),
      infraDir: work,
      dryRun: false,
      allowDestroy: false,
      forceFlux: false,
      timeoutMs: 60_000,
      verbose: false,
      enginesRange: '>=22',
      renderer: 'silent',
      ...over,
    }
  }
  const io = {
    interactive: false,
    confirm: (message: string) => new Prompter(false).confirm(message, {yes: true}),
    secret: async () => expect.fail('no secret here'),
    sensitive: () => {},
  }
  const run = (over: Partial<BootstrapOptions> = {}) => runBootstrap(options(over), fakePorts().ports, io)
  const step = (r: Awaited<ReturnType<typeof run>>) => r.result.steps.find((s) => s.id === 'state-backend')!

  it('the whole posture: already done, and nothing is written', async () => {
    await createStateBucket(moto)
    const before = await bucketConfiguration(moto)
    const r = await run()
    expect(r.error, r.error?.message).to.equal(undefined)
    expect(step(r)).to.include({
      status: 'already-done',
      detail:
        'bucket piksel-staging-tfstate exists: versioned, default encryption, public access blocked, TLS-only policy',
    })
    expect(await bucketConfiguration(moto)).to.deep.equal(before)
    expect(stateAddresses(join(work, 'bootstrap', 'staging'))).to.deep.equal([])
  })

  const missing: Array<[string, PostureSpec, RegExp, RegExp]> = [
    [
      'versioning never enabled',
      {versioning: 'never'},
      /versioning was never enabled/,
      /put-bucket-versioning --bucket piksel-staging-tfstate --versioning-configuration Status=Enabled/,
    ],
    [
      'versioning suspended',
      {versioning: 'Suspended'},
      /versioning is Suspended, not Enabled/,
      /put-bucket-versioning/,
    ],
    ['no default encryption', {encryption: false}, /no default encryption/, /put-bucket-encryption/],
    ['no public access block', {publicAccessBlock: 'none'}, /no public access block/, /put-public-access-block/],
    [
      'public access partly blocked',
      {publicAccessBlock: ['BlockPublicAcls', 'IgnorePublicAcls']},
      /public access is not fully blocked \(BlockPublicPolicy, RestrictPublicBuckets off\)/,
      /RestrictPublicBuckets=true/,
    ],
    [
      'no bucket policy',
      {policy: 'none'},
      /no bucket policy denying requests without TLS/,
      /put-bucket-policy --bucket piksel-staging-tfstate/,
    ],
    [
      'a policy without the TLS deny',
      {policy: 'other'},
      /the bucket policy does not deny requests without TLS/,
      /add this statement to the bucket policy/,
    ],
  ]
  for (const [what, spec, problem, fix] of missing) {
    it(`${what}: not done (exit 3, STATE_BUCKET_POSTURE) with the fix; the bucket is left as it was`, async () => {
      await createStateBucket(moto, STATE_BUCKET, spec)
      const before = await bucketConfiguration(moto)
      const r = await run()
      expect(r.failedAt).to.equal('state-backend')
      expect(r.error?.exitCode).to.equal(3)
      expect(r.error?.code).to.equal('STATE_BUCKET_POSTURE')
      expect(r.error?.message).to.match(/^State bucket piksel-staging-tfstate lacks 1 of the runbook's safeguards: /)
      expect(r.error?.message).to.match(problem)
      expect(r.error?.message).to.include('piksel never changes an existing bucket')
      expect(r.error?.hint).to.match(fix)
      expect(r.error?.hint).to.include('piksel bootstrap -e staging --from state-backend')
      expect(await bucketConfiguration(moto)).to.deep.equal(before)
      // The bootstrap root is never applied over an existing bucket.
      expect(stateAddresses(join(work, 'bootstrap', 'staging'))).to.deep.equal([])
    })
  }

  it('a bare bucket: all four safeguards reported, in one error', async () => {
    await createStateBucket(moto, STATE_BUCKET, {
      versioning: 'never',
      encryption: false,
      publicAccessBlock: 'none',
      policy: 'none',
    })
    const r = await run({dryRun: true})
    expect(r.error?.code).to.equal('STATE_BUCKET_POSTURE')
    expect(r.error?.message).to.include('lacks 4 of the runbook')
    expect(r.error?.hint).to.match(
      /\(1\) .*put-bucket-versioning.* \(2\) .*put-bucket-encryption.* \(3\) .*put-public-access-block.* \(4\) .*put-bucket-policy/,
    )
  })

  it('a bucket in another region than the backend says: reported with the region to declare', async () => {
    await createStateBucket(moto, STATE_BUCKET, {region: 'us-west-2'})
    const r = await run()
    expect(r.error?.code).to.equal('STATE_BUCKET_POSTURE')
    expect(r.error?.message).to.include('the bucket is in us-west-2, not ap-southeast-3')
    expect(r.error?.hint).to.include('region = "us-west-2"')
  })

  it('a missing bucket is created by the bootstrap root with every safeguard, checked afterwards', async () => {
    const r = await run()
    expect(r.error, r.error?.message).to.equal(undefined)
    expect(step(r).status).to.equal('done')
    const made = await bucketConfiguration(moto)
    expect(made.versioning).to.equal('Enabled')
    expect(JSON.stringify(made.encryption)).to.include('AES256')
    expect(made.publicAccessBlock).to.deep.equal({
      BlockPublicAcls: true,
      IgnorePublicAcls: true,
      BlockPublicPolicy: true,
      RestrictPublicBuckets: true,
    })
    expect(String(made.policy)).to.include('aws:SecureTransport')
    expect(await objectKeys(moto)).to.deep.equal([])
  })

  it('a bootstrap root that creates the bucket without a safeguard: reported, not counted as done', async () => {
    process.env.TF_VAR_posture_skip = 'policy'
    const r = await run()
    expect(r.error?.code).to.equal('STATE_BUCKET_POSTURE')
    expect(r.error?.message).to.match(
      /^State bucket piksel-staging-tfstate was created without 1 of the runbook's safeguards: no bucket policy/,
    )
  })

  it('the bucket a root’s backend block declares is the one checked', async () => {
    writeFileSync(
      join(work, 'staging', 'main.tf'),
      'terraform {\n  backend "s3" {\n    bucket = "team-tfstate"\n    key    = "platform/staging.tfstate"\n  }\n}\n',
    )
    await createStateBucket(moto, 'team-tfstate', {versioning: 'never'})
    const r = await run()
    expect(r.error?.code).to.equal('STATE_BUCKET_POSTURE')
    expect(r.error?.message).to.match(/^State bucket team-tfstate lacks 1 .*versioning was never enabled/)
  })
})
