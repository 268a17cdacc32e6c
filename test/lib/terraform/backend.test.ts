import {expect} from 'chai'

import {resolveSettings} from '../../../src/lib/config/environment.ts'
import {UsageError} from '../../../src/lib/errors.ts'
import {
  type DeclaredBackend,
  backendDifferences,
  backendInitArgs,
  backendsInHcl,
  backendsInJson,
  declaredBackend,
  isOverrideFile,
  parseInitializedBackend,
  resolveS3Backend,
} from '../../../src/lib/terraform/backend.ts'
import {parseHcl} from '../../../src/lib/terraform/hcl.ts'

const staging = resolveSettings().environments.staging!

describe('the backend a root declares', () => {
  const hcl: Array<[string, string, Array<{type: string; attributes: Record<string, unknown>}>]> = [
    [
      'the team’s block',
      `terraform {
  required_version = ">= 1.10.0"
  backend "s3" {
    bucket       = "team-tfstate"
    key          = "platform/staging.tfstate"
    region       = "ap-southeast-3"
    use_lockfile = true
    encrypt      = true
  }
}`,
      [
        {
          type: 's3',
          attributes: {
            bucket: 'team-tfstate',
            key: 'platform/staging.tfstate',
            region: 'ap-southeast-3',
            use_lockfile: true,
            encrypt: true,
          },
        },
      ],
    ],
    ['a partial block', 'terraform {\n  backend "s3" {}\n}\n', [{type: 's3', attributes: {}}]],
    [
      'a single-line block',
      'terraform {\n  backend "s3" { key = "k.tfstate" }\n}\n',
      [{type: 's3', attributes: {key: 'k.tfstate'}}],
    ],
    [
      'comments around and inside the block (never taken for values)',
      `# backend "s3" { bucket = "commented" }
// terraform { backend "s3" { bucket = "also-commented" } }
/* terraform {
  backend "s3" { bucket = "block-commented" }
} */
terraform {
  backend "s3" {
    # bucket = "piksel-staging-tfstate"
    bucket = "team-tfstate" // the team's
    /* key = "x" */
    key    = "a/b.tfstate"
  }
}`,
      [{type: 's3', attributes: {bucket: 'team-tfstate', key: 'a/b.tfstate'}}],
    ],
    [
      'backend text in strings and heredocs (not a block)',
      `locals {
  doc = "terraform { backend \\"s3\\" { bucket = \\"in-a-string\\" } }"
  tpl = "\${var.x} } backend \\"s3\\" {"
}
resource "terraform_data" "readme" {
  input = <<-EOT
    terraform {
      backend "s3" { bucket = "in-a-heredoc" }
    }
    EOT
}`,
      [],
    ],
    [
      'a local backend',
      'terraform {\n  backend "local" {\n    path = "x.tfstate"\n  }\n}',
      [{type: 'local', attributes: {path: 'x.tfstate'}}],
    ],
    ['no backend', 'resource "terraform_data" "a" {}\n', []],
    ['a backend block outside terraform {} (not a backend)', 'backend "s3" {\n  bucket = "x"\n}\n', []],
    [
      'a backend block inside another block (only terraform {} holds one)',
      'module "m" {\n  source = "./m"\n  backend "s3" {}\n}\n',
      [],
    ],
    [
      'the other blocks of terraform {} (required_providers, cloud) and a backend without a type',
      `terraform {
  required_providers {
    aws = { source = "hashicorp/aws" }
  }
  cloud {
    organization = "x"
  }
  backend {
    bucket = "x"
  }
}`,
      [],
    ],
    [
      'a labelled terraform block (Terraform refuses it: not the settings block)',
      'terraform "x" {\n  backend "s3" {}\n}\n',
      [],
    ],
    [
      'nested blocks and expressions inside the block',
      `terraform {
  backend "s3" {
    bucket = "b"
    assume_role {
      role_arn = "arn:aws:iam::123456789012:role/tf"
    }
    endpoints = {
      s3 = "http://127.0.0.1:5000"
    }
    key = "k"
  }
}`,
      [{type: 's3', attributes: {bucket: 'b', key: 'k'}}],
    ],
  ]
  for (const [what, text, expected] of hcl) {
    it(`reads ${what}`, () => {
      const found = backendsInHcl(text, 'main.tf').map((b) => ({type: b.type, attributes: b.attributes}))
      expect(found).to.deep.equal(expected)
    })
  }

  it('names the nested blocks and expressions it cannot read as values', () => {
    const [block] = backendsInHcl(
      'terraform {\n  backend "s3" {\n    bucket = "b"\n    assume_role {\n      role_arn = "r"\n    }\n    endpoints = {\n      s3 = "http://127.0.0.1:5000"\n    }\n  }\n}',
      'main.tf',
    )
    expect(block).to.deep.equal({
      type: 's3',
      file: 'main.tf',
      attributes: {bucket: 'b'},
      expressions: ['endpoints', 'assume_role'],
    })
  })

  it('keeps an attribute set by an expression out of the literal values', () => {
    const [backend] = backendsInHcl(
      'terraform {\n  backend "s3" {\n    bucket = var.bucket\n    key = "k-${terraform.workspace}"\n  }\n}',
      'x.tf',
    )
    expect(backend!.attributes).to.deep.equal({})
    expect(backend!.expressions).to.deep.equal(['bucket', 'key'])
  })

  it('decodes escapes and keeps $${ as a literal', () => {
    const [block] = parseHcl('a "l" {\n  s = "x\\"y\\\\z"\n  t = "$${not}"\n  n = 3\n  b = false\n}\n')
    expect(block!.attributes).to.deep.equal({s: 'x"y\\z', t: '${not}', n: 3, b: false})
  })

  it('reads .tf.json, object and array forms', () => {
    const json = JSON.stringify({terraform: {backend: {s3: {bucket: 'j', key: 'k', use_lockfile: true}}}})
    expect(backendsInJson(json, 'backend.tf.json')).to.deep.equal([
      {type: 's3', file: 'backend.tf.json', attributes: {bucket: 'j', key: 'k', use_lockfile: true}, expressions: []},
    ])
    const arrays = JSON.stringify({terraform: [{backend: [{s3: [{bucket: 'a'}]}]}]})
    expect(backendsInJson(arrays, 'x.tf.json').map((b) => b.attributes)).to.deep.equal([{bucket: 'a'}])
    expect(backendsInJson('not json', 'x.tf.json')).to.deep.equal([])
  })

  const jsonShapes: Array<[string, unknown]> = [
    ['terraform: null', {terraform: null}],
    ['backend: null', {terraform: {backend: null}}],
    ['terraform as a string', {terraform: 'x'}],
    ['a backend body that is not an object', {terraform: {backend: {s3: 'oops'}}}],
    ['a top-level array of nothing', []],
  ]
  for (const [what, doc] of jsonShapes) {
    it(`.tf.json with ${what}: no backend`, () => {
      expect(backendsInJson(JSON.stringify(doc), 'x.tf.json')).to.deep.equal([])
    })
  }

  it('.tf.json: a "//" comment is no attribute; interpolations and nested objects are expressions', () => {
    const body = {
      '//': 'the team',
      bucket: 'b',
      key: '${var.k}',
      assume_role: {role_arn: 'r'},
      encrypt: true,
      max_retries: 5,
    }
    expect(backendsInJson(JSON.stringify({terraform: {backend: {s3: body}}}), 'backend.tf.json')).to.deep.equal([
      {
        type: 's3',
        file: 'backend.tf.json',
        attributes: {bucket: 'b', encrypt: true, max_retries: 5},
        expressions: ['key', 'assume_role'],
      },
    ])
  })

  it('a root declaring its backend in .tf.json is read as JSON', () => {
    const text = JSON.stringify({terraform: {backend: {s3: {bucket: 'j'}}}})
    expect(declaredBackend([{name: 'backend.tf.json', text}])).to.deep.equal({
      type: 's3',
      file: 'backend.tf.json',
      attributes: {bucket: 'j'},
      expressions: [],
    })
  })

  it('an override file’s backend replaces the original one entirely', () => {
    const found = declaredBackend([
      {name: 'main.tf', text: 'terraform {\n  backend "s3" {\n    bucket = "orig"\n    key = "k"\n  }\n}'},
      {name: 'backend_override.tf', text: 'terraform {\n  backend "s3" {\n    bucket = "over"\n  }\n}'},
    ])
    expect(found).to.include({type: 's3', file: 'backend_override.tf'})
    expect(found!.attributes).to.deep.equal({bucket: 'over'})
  })

  it('of several override files, the last in name order wins (Terraform merges them in that order)', () => {
    const found = declaredBackend([
      {name: 'main.tf', text: 'terraform {\n  backend "s3" {}\n}'},
      {name: 'b_override.tf', text: 'terraform {\n  backend "s3" {\n    bucket = "second"\n  }\n}'},
      {name: 'a_override.tf', text: 'terraform {\n  backend "s3" {\n    bucket = "first"\n  }\n}'},
    ])
    expect(found).to.deep.include({file: 'b_override.tf', attributes: {bucket: 'second'}})
  })

  const overrideNames: Array<[string, boolean]> = [
    ['override.tf', true],
    ['override.tf.json', true],
    ['backend_override.tf', true],
    ['backend_override.tf.json', true],
    ['main.tf', false],
    ['nooverride.tf', false],
    ['backend-override.tf', false],
    ['override.tfvars', false],
    ['override.tf.bak', false],
  ]
  for (const [name, override] of overrideNames) {
    it(`${name} ${override ? 'is' : 'is not'} an override file`, () => expect(isOverrideFile(name)).to.equal(override))
  }

  it('two backends in the ordinary files are refused (exit 2), as Terraform refuses them', () => {
    const files = [
      {name: 'a.tf', text: 'terraform {\n  backend "s3" {}\n}'},
      {name: 'b.tf', text: 'terraform {\n  backend "local" {}\n}'},
    ]
    expect(() => declaredBackend(files))
      .to.throw(UsageError, 'The Terraform root declares 2 backends ("s3" in a.tf, "local" in b.tf).')
      .with.property('code', 'DUPLICATE_BACKEND')
    expect(() => declaredBackend(files))
      .to.throw(UsageError)
      .with.property('hint', 'Keep one `backend` block in the root’s terraform block.')
  })

  describe('terraform init -backend-config', () => {
    const s3 = (attributes: Record<string, string | boolean>) => ({
      type: 's3',
      file: 'main.tf',
      attributes,
      expressions: [],
    })
    const cases: Array<[string, DeclaredBackend | undefined, string[]]> = [
      [
        'an empty block: the convention, S3 locking and encryption',
        s3({}),
        [
          '-backend-config=bucket=piksel-staging-tfstate',
          '-backend-config=key=staging/terraform.tfstate',
          '-backend-config=region=ap-southeast-3',
          '-backend-config=use_lockfile=true',
          '-backend-config=encrypt=true',
        ],
      ],
      [
        'a full block: nothing overridden',
        s3({bucket: 'team-tfstate', key: 'p/s.tfstate', region: 'us-west-2', use_lockfile: true, encrypt: true}),
        [],
      ],
      [
        'only the key declared: the bucket and region from the convention, its locking left alone',
        s3({key: 'custom/staging.tfstate'}),
        ['-backend-config=bucket=piksel-staging-tfstate', '-backend-config=region=ap-southeast-3'],
      ],
      [
        'bucket, key and region declared without a lock: nothing added to it',
        s3({bucket: 'b', key: 'k', region: 'ap-southeast-3'}),
        [],
      ],
      [
        'a DynamoDB lock table: no lockfile added',
        s3({bucket: 'b', key: 'k', region: 'ap-southeast-3', dynamodb_table: 'locks', encrypt: false}),
        [],
      ],
      [
        'a bucket set by an expression (Terraform refuses it, and says so): not overridden, and no lock added',
        {type: 's3', file: 'main.tf', attributes: {}, expressions: ['bucket']},
        ['-backend-config=key=staging/terraform.tfstate', '-backend-config=region=ap-southeast-3'],
      ],
      ['a local backend: nothing', {type: 'local', file: 'main.tf', attributes: {}, expressions: []}, []],
      ['no backend: nothing', undefined, []],
    ]
    for (const [what, declared, expected] of cases) {
      it(what, () => expect(backendInitArgs(staging, declared)).to.deep.equal(expected))
    }
  })

  it('a root initialised with the same bucket, key and region gets no -backend-config (Terraform reuses its saved one)', () => {
    const block = {type: 's3', file: 'main.tf', attributes: {key: 'k.tfstate'}, expressions: []}
    const saved = (config: Record<string, unknown>) =>
      parseInitializedBackend(JSON.stringify({version: 3, backend: {type: 's3', config, hash: 1}}))
    expect(
      backendInitArgs(
        staging,
        block,
        saved({bucket: 'piksel-staging-tfstate', key: 'k.tfstate', region: 'ap-southeast-3'}),
      ),
    ).to.deep.equal([])
    // A region left to AWS_REGION at init counts as the environment's.
    expect(
      backendInitArgs(
        staging,
        block,
        saved({bucket: 'piksel-staging-tfstate', key: 'k.tfstate', region: null}),
        'ap-southeast-3',
      ),
    ).to.deep.equal([])
    // Initialised against another region (or key): the arguments go, and Terraform refuses the switch.
    expect(
      backendInitArgs(staging, block, saved({bucket: 'piksel-staging-tfstate', key: 'k.tfstate', region: 'us-west-2'})),
    ).to.deep.equal(['-backend-config=bucket=piksel-staging-tfstate', '-backend-config=region=ap-southeast-3'])
    expect(
      backendInitArgs(
        staging,
        block,
        saved({bucket: 'piksel-staging-tfstate', key: 'other.tfstate', region: 'ap-southeast-3'}),
      ),
    ).to.deep.equal(['-backend-config=bucket=piksel-staging-tfstate', '-backend-config=region=ap-southeast-3'])
    // Initialised against another bucket: the arguments go, and Terraform refuses the switch.
    expect(
      backendInitArgs(staging, block, saved({bucket: 'elsewhere', key: 'k.tfstate', region: 'ap-southeast-3'})),
    ).to.deep.equal(['-backend-config=bucket=piksel-staging-tfstate', '-backend-config=region=ap-southeast-3'])
    // Initialised with an empty region (AWS_REGION at the time): the environment's region.
    expect(
      backendInitArgs(
        staging,
        block,
        saved({bucket: 'piksel-staging-tfstate', key: 'k.tfstate', region: ''}),
        'ap-southeast-3',
      ),
    ).to.deep.equal([])
    expect(parseInitializedBackend('{"version": 3}')).to.equal(undefined)
    expect(parseInitializedBackend('garbage')).to.equal(undefined)
    expect(parseInitializedBackend('{"backend": {"type": 5}}')).to.equal(undefined)
    expect(parseInitializedBackend('{"backend": {"type": "s3"}}')).to.deep.equal({type: 's3', config: {}})
    expect(parseInitializedBackend('{"backend": {"type": "s3", "config": "x"}}')).to.deep.equal({
      type: 's3',
      config: {},
    })
    expect(parseInitializedBackend('{"backend": {"type": "s3", "config": {"bucket": "b"}}}')).to.deep.equal({
      type: 's3',
      config: {bucket: 'b'},
    })
  })

  it('an empty declared bucket, key or region is not a declaration: the convention fills it', () => {
    const s3 = resolveS3Backend(staging, {
      type: 's3',
      file: 'backend.tf',
      attributes: {bucket: '', key: '', region: ''},
      expressions: [],
    })
    expect(s3).to.deep.equal({
      bucket: 'piksel-staging-tfstate',
      key: 'staging/terraform.tfstate',
      region: 'ap-southeast-3',
      declared: [],
      file: 'backend.tf',
    })
  })

  it('the declared bucket, key and region win over the config, and the difference is said', () => {
    const declared = {
      type: 's3',
      file: 'backend.tf',
      attributes: {bucket: 'team-tfstate', region: 'us-west-2'},
      expressions: [],
    }
    const s3 = resolveS3Backend(staging, declared)
    expect(s3).to.deep.equal({
      bucket: 'team-tfstate',
      key: 'staging/terraform.tfstate',
      region: 'us-west-2',
      declared: ['bucket', 'region'],
      file: 'backend.tf',
    })
    expect(backendDifferences(staging, s3)).to.deep.equal([
      'backend.tf declares backend "s3" bucket = "team-tfstate" (the config says "piksel-staging-tfstate"): keeping the declared one',
      'backend.tf declares backend "s3" region = "us-west-2" (the config says "ap-southeast-3"): keeping the declared one',
    ])
    // What the root declares as the config says it is no difference; a root without a file name is "the root".
    const same = resolveS3Backend(staging, {...declared, attributes: {bucket: 'piksel-staging-tfstate'}})
    expect(same.declared).to.deep.equal(['bucket'])
    expect(backendDifferences(staging, same)).to.deep.equal([])
    expect(backendDifferences(staging, {...s3, file: undefined})[0]).to.match(/^the root declares backend "s3" bucket/)
    const convention = {
      bucket: 'piksel-staging-tfstate',
      key: 'staging/terraform.tfstate',
      region: 'ap-southeast-3',
      declared: [],
    }
    expect(resolveS3Backend(staging, undefined)).to.deep.equal(convention)
    expect(
      resolveS3Backend(staging, {type: 'local', file: 'main.tf', attributes: {path: 'x'}, expressions: []}),
    ).to.deep.equal(convention)
    const stateRegion = {...staging, terraform: {...staging.terraform, stateRegion: 'us-west-2'}}
    expect(resolveS3Backend(stateRegion, undefined).region).to.equal('us-west-2')
  })
})
