import {expect} from 'chai'
import {createHash} from 'node:crypto'

import {parseSettings} from '../../../src/lib/config/load.ts'
import {withCluster} from '../../../src/lib/secrets/list.ts'
import {expectedSecrets} from '../../../src/lib/secrets/naming.ts'
import {
  type ClusterRead,
  type ClusterSecretRef,
  type ClusterSync,
  type FieldDigests,
  clusterSecretFor,
  configuredSecretProblem,
  clusterExitCode,
  describeSync,
  fieldDigests,
  isStandardBase64,
  judgeSync,
  matchingVersion,
  versionsToRead,
} from '../../../src/lib/secrets/sync.ts'

const h = (text: string) => createHash('sha256').update(text, 'utf8').digest('hex')

const SLACK: ClusterSecretRef = {namespace: 'flux-system', name: 'slack-webhook-staging', keys: {value: 'address'}}
const OAUTH: ClusterSecretRef = {
  namespace: 'monitoring',
  name: 'grafana',
  keys: {clientId: 'id', clientSecret: 'secret'},
}

describe('secret sync (pure)', () => {
  describe('clusterSecretFor: where an expected secret is carried', () => {
    const [slackStaging, grafanaStaging] = expectedSecrets(['staging'])
    const [slackProduction] = expectedSecrets(['production'])
    const cases: Array<[string, ReturnType<typeof clusterSecretFor>, ClusterSecretRef | undefined]> = [
      ['Slack, staging: the Flux Provider’s Secret, key address', clusterSecretFor(slackStaging!), SLACK],
      [
        'Slack, production: slack-webhook-prod, as the GitOps repository names it',
        clusterSecretFor(slackProduction!),
        {namespace: 'flux-system', name: 'slack-webhook-prod', keys: {value: 'address'}},
      ],
      ['OAuth without config: not compared', clusterSecretFor(grafanaStaging!), undefined],
      [
        'OAuth with config: the config’s',
        clusterSecretFor(grafanaStaging!, {'grafana-oauth-staging': {cluster: OAUTH}}),
        OAUTH,
      ],
      [
        'Slack with config: the config overrides the default',
        clusterSecretFor(slackStaging!, {'slack-alerts-staging': {cluster: {...SLACK, name: 'hooks'}}}),
        {...SLACK, name: 'hooks'},
      ],
    ]
    for (const [what, got, want] of cases) it(what, () => expect(got).to.deep.equal(want))
  })

  describe('configuredSecretProblem', () => {
    const cases: Array<[string, string, Record<string, string>, string | undefined]> = [
      ['staging', 'slack-alerts-staging', {value: 'address'}, undefined],
      ['staging', 'grafana-oauth-staging', {clientId: 'id', clientSecret: 'secret'}, undefined],
      ['staging', 'argo-oauth-staging', {value: 'v'}, undefined],
      ['staging', 'argo-oauth-staging', {clientSecret: 's'}, undefined],
      ['staging', 'argo-oauth-staging', {clientId: 'id', value: 'all'}, undefined],
      ['staging', 'slack-alerts-dev', {value: 'v'}, 'is not an expected secret of environment staging'],
      ['staging', 'db-password', {value: 'v'}, 'is not an expected secret of environment staging'],
      ['staging', 'slack-alerts-staging', {clientSecret: 's'}, 'clientSecret is not a field of a slack secret (value)'],
      [
        'staging',
        'grafana-oauth-staging',
        {clientId: 'k', clientSecret: 'k'},
        'clientId and clientSecret name the same data key k',
      ],
      ['staging', 'grafana-oauth-staging', {value: 'k', clientId: 'k'}, 'value and clientId name the same data key k'],
      [
        'staging',
        'grafana-oauth-staging',
        {clientId: 'GF_CLIENT_ID'},
        'clientId alone would not show a rotated client secret',
      ],
    ]
    for (const [env, name, keys, problem] of cases) {
      it(`${env} ${name} ${JSON.stringify(keys)} → ${problem ?? 'ok'}`, () => {
        const got = configuredSecretProblem(env, name, keys)
        if (problem === undefined) expect(got).to.equal(undefined)
        else expect(got).to.include(problem)
      })
    }
  })

  describe('isStandardBase64: a data value as the API server serves it', () => {
    const cases: Array<[string, boolean]> = [
      ['', true],
      ['YQ==', true],
      ['YWI=', true],
      ['YWJj', true],
      ['YQ', true],
      ['YWI', true],
      ['+/+/', true],
      ['Y', false],
      ['YQ=', false],
      ['YWJjZ===', false],
      ['YWJj=', false],
      ['YW=I', false],
      ['!!!not base64***', false],
      ['YWJj\nZGVm', false],
      ['YW Jj', false],
      ['-_-_', false],
    ]
    for (const [text, ok] of cases)
      it(`${JSON.stringify(text)} → ${ok}`, () => expect(isStandardBase64(text)).to.equal(ok))
  })

  describe('fieldDigests', () => {
    it('slack: the whole value', () => {
      expect(fieldDigests('slack', 'https://hooks.slack.com/x')).to.deep.equal({value: h('https://hooks.slack.com/x')})
    })
    it('oauth: the whole value and each part, split on the first colon (as Terraform splits it)', () => {
      expect(fieldDigests('oauth', 'id:se:cret')).to.deep.equal({
        value: h('id:se:cret'),
        clientId: h('id'),
        clientSecret: h('se:cret'),
      })
    })
    it('oauth without a colon: the whole value only', () => {
      expect(fieldDigests('oauth', 'nocolon')).to.deep.equal({value: h('nocolon')})
    })
  })

  describe('judgeSync', () => {
    const found = (digests: Record<string, string>): ClusterRead => ({state: 'found', digests})
    const cases: Array<
      [string, ClusterSecretRef, ClusterRead, FieldDigests | {permission: string} | undefined, Partial<ClusterSync>]
    > = [
      [
        'same digest: in-sync',
        SLACK,
        found({address: h('a')}),
        {value: h('a')},
        {status: 'in-sync', secretExists: true},
      ],
      [
        'another digest: stale on that key',
        SLACK,
        found({address: h('old')}),
        {value: h('new')},
        {status: 'stale', staleKeys: ['address']},
      ],
      [
        'no Secret: missing, every key',
        OAUTH,
        {state: 'absent'},
        {clientId: h('i'), clientSecret: h('s')},
        {status: 'missing', missingKeys: ['id', 'secret'], secretExists: false},
      ],
      [
        'a key absent: missing, that key',
        OAUTH,
        found({id: h('i')}),
        {clientId: h('i'), clientSecret: h('s')},
        {status: 'missing', missingKeys: ['secret'], secretExists: true},
      ],
      [
        'RBAC refused: unknown with the permission',
        SLACK,
        {state: 'forbidden', permission: 'get secrets in namespace flux-system'},
        {value: h('a')},
        {status: 'unknown', permission: 'get secrets in namespace flux-system', secretExists: null},
      ],
      [
        'the cluster did not answer: unknown with the reason, whatever Secrets Manager holds',
        SLACK,
        {state: 'unreadable', error: {code: 'TIMEOUT', message: 'no answer', hint: 'wait longer'}},
        {value: h('a')},
        {
          status: 'unknown',
          error: {code: 'TIMEOUT', message: 'no answer', hint: 'wait longer'},
          secretExists: null,
        },
      ],
      [
        'Secrets Manager refused: unknown with its permission',
        SLACK,
        found({address: h('a')}),
        {permission: 'secretsmanager:GetSecretValue on x'},
        {status: 'unknown', permission: 'secretsmanager:GetSecretValue on x'},
      ],
      [
        'oauth, one of two keys differs: stale on it',
        OAUTH,
        found({id: h('i'), secret: h('old')}),
        {clientId: h('i'), clientSecret: h('new')},
        {status: 'stale', staleKeys: ['secret']},
      ],
      [
        'no current value in Secrets Manager: stale on every key',
        OAUTH,
        found({id: h('i'), secret: h('s')}),
        undefined,
        {status: 'stale', staleKeys: ['id', 'secret']},
      ],
      [
        'the current value lacks the field (an OAuth value without a colon): stale',
        OAUTH,
        found({id: h('i'), secret: h('s')}),
        {value: h('nocolon')},
        {status: 'stale', staleKeys: ['id', 'secret']},
      ],
      [
        'a key named like an Object property (constructor) that the Secret lacks: missing, not stale',
        {...SLACK, keys: {value: 'constructor'}},
        found({}),
        {value: h('a')},
        {status: 'missing', missingKeys: ['constructor']},
      ],
      [
        'a key named __proto__ the Secret holds (an own key): in-sync',
        {...SLACK, keys: {value: '__proto__'}},
        found(Object.fromEntries([['__proto__', h('a')]])),
        {value: h('a')},
        {status: 'in-sync'},
      ],
      [
        'a missing key outranks a stale one',
        OAUTH,
        found({id: h('other')}),
        {clientId: h('i'), clientSecret: h('s')},
        {status: 'missing', missingKeys: ['secret']},
      ],
    ]
    for (const [what, ref, read, current, want] of cases) {
      it(what, () => {
        expect(judgeSync(ref, read, current)).to.deep.equal({
          matches: null,
          missingKeys: [],
          staleKeys: [],
          permission: null,
          error: null,
          secretExists: true,
          ...want,
        })
      })
    }
  })

  describe('matchingVersion', () => {
    const read: ClusterRead = {state: 'found', digests: {id: h('i'), secret: h('s1')}}
    it('the first version whose every field matches', () => {
      expect(
        matchingVersion(OAUTH, read, [
          {label: 'AWSPREVIOUS', digests: {clientId: h('i'), clientSecret: h('s0')}},
          {label: 'v-1', digests: {clientId: h('i'), clientSecret: h('s1')}},
          {label: 'v-2', digests: {clientId: h('i'), clientSecret: h('s1')}},
        ]),
      ).to.equal('v-1')
    })
    it('none: null; a version lacking a field never matches', () => {
      expect(matchingVersion(OAUTH, read, [{label: 'v', digests: {value: h('i:s1')}}])).to.equal(null)
      expect(matchingVersion(OAUTH, {state: 'absent'}, [])).to.equal(null)
    })
  })

  describe('versionsToRead', () => {
    const at = (day: number) => new Date(Date.UTC(2026, 0, day))
    it('AWSPREVIOUS, AWSPENDING, then newest first; never AWSCURRENT; bounded', () => {
      const versions = [
        {id: 'old', stages: [], created: at(1)},
        {id: 'cur', stages: ['AWSCURRENT'], created: at(5)},
        {id: 'newer', stages: [], created: at(3)},
        {id: 'prev', stages: ['AWSPREVIOUS'], created: at(4)},
        {id: 'pend', stages: ['AWSPENDING'], created: at(6)},
      ]
      expect(versionsToRead(versions, 10)).to.deep.equal([
        {id: 'prev', label: 'AWSPREVIOUS'},
        {id: 'pend', label: 'AWSPENDING'},
        {id: 'newer', label: 'newer'},
        {id: 'old', label: 'old'},
      ])
      expect(versionsToRead(versions, 2).map((v) => v.id)).to.deep.equal(['prev', 'pend'])
      expect(versionsToRead(versions, 0)).to.deep.equal([])
    })
  })

  describe('describeSync', () => {
    const base: ClusterSync = {
      ...SLACK,
      status: 'in-sync',
      matches: null,
      missingKeys: [],
      staleKeys: [],
      permission: null,
      error: null,
      secretExists: true,
    }
    const cases: Array<[Partial<ClusterSync>, string]> = [
      [{}, 'in-sync'],
      [{status: 'stale', staleKeys: ['address'], matches: 'AWSPREVIOUS'}, 'stale: address holds AWSPREVIOUS'],
      [{status: 'stale', staleKeys: ['address']}, 'stale: address matches no version read'],
      [{status: 'missing', missingKeys: ['address'], secretExists: false}, 'missing: no such Secret'],
      [{status: 'missing', missingKeys: ['address']}, 'missing: no key address'],
      [
        {status: 'unknown', permission: 'get secrets in namespace flux-system', secretExists: null},
        'unknown: not allowed to read it (needs get secrets in namespace flux-system)',
      ],
      [
        {status: 'unknown', error: {code: 'NETWORK', message: 'refused', hint: null}, secretExists: null},
        'unknown: could not read it (NETWORK)',
      ],
    ]
    for (const [change, line] of cases) it(line, () => expect(describeSync({...base, ...change})).to.equal(line))
  })

  describe('withCluster', () => {
    it('attaches each expected secret’s state (null where not configured) and names those not in sync', () => {
      const expected = expectedSecrets(['staging']).map((e) => ({...e, present: true}))
      const stale: ClusterSync = {
        ...SLACK,
        status: 'stale',
        matches: 'AWSPREVIOUS',
        missingKeys: [],
        staleKeys: ['address'],
        permission: null,
        error: null,
        secretExists: true,
      }
      const result = withCluster(
        {
          account: '1',
          region: 'r',
          environments: ['staging'],
          skippedEnvironments: [],
          secrets: [],
          expected,
          missing: [],
        },
        new Map([['slack-alerts-staging', stale]]),
        'piksel-staging',
      )
      expect(result.expected.map((e) => e.cluster?.status ?? null)).to.deep.equal(['stale', null, null, null])
      expect(result.cluster).to.deep.equal({
        context: 'piksel-staging',
        notInSync: ['slack-alerts-staging'],
        notChecked: ['grafana-oauth-staging', 'jupyterhub-oauth-staging', 'argo-oauth-staging'],
        notRead: [],
      })
    })

    it('names the secrets whose Kubernetes Secret could not be read (unknown, with the reason)', () => {
      const expected = expectedSecrets(['staging']).map((e) => ({...e, present: true}))
      const unread: ClusterSync = {
        ...SLACK,
        status: 'unknown',
        matches: null,
        missingKeys: [],
        staleKeys: [],
        permission: null,
        error: {code: 'TIMEOUT', message: 'no answer', hint: null},
        secretExists: null,
      }
      const refused: ClusterSync = {...unread, error: null, permission: 'get secrets in namespace monitoring'}
      const result = withCluster(
        {
          account: '1',
          region: 'r',
          environments: ['staging'],
          skippedEnvironments: [],
          secrets: [],
          expected,
          missing: [],
        },
        new Map([
          ['slack-alerts-staging', unread],
          ['grafana-oauth-staging', refused],
        ]),
        'piksel-staging',
      )
      expect(result.cluster).to.deep.equal({
        context: 'piksel-staging',
        notInSync: ['slack-alerts-staging', 'grafana-oauth-staging'],
        notChecked: ['jupyterhub-oauth-staging', 'argo-oauth-staging'],
        notRead: ['slack-alerts-staging'],
      })
    })
  })

  describe('clusterExitCode: 1 when a Secret could not be read, else 3 when one is not in sync, else 0', () => {
    const cases: Array<[{notInSync: string[]; notRead: string[]} | undefined, number]> = [
      [undefined, 0],
      [{notInSync: [], notRead: []}, 0],
      [{notInSync: ['a'], notRead: []}, 3],
      [{notInSync: ['a'], notRead: ['a']}, 1],
      [{notInSync: ['a', 'b'], notRead: ['b']}, 1],
    ]
    for (const [cluster, code] of cases) {
      it(`${JSON.stringify(cluster)} → ${code}`, () => expect(clusterExitCode(cluster)).to.equal(code))
    }
  })

  describe('config: environments.<env>.secrets.<name>.cluster', () => {
    it('is read into the environment', async () => {
      const settings = await parseSettings(
        'environments:\n  staging:\n    secrets:\n      argo-oauth-staging:\n        cluster: {namespace: argo, name: argo-sso, keys: {clientId: client-id, clientSecret: client-secret}}\n',
        'f.yaml',
      )
      expect(settings.environments.staging?.secrets).to.deep.equal({
        'argo-oauth-staging': {
          cluster: {namespace: 'argo', name: 'argo-sso', keys: {clientId: 'client-id', clientSecret: 'client-secret'}},
        },
      })
    })
    const bad: Array<[string, string, RegExp]> = [
      ['a namespace too long', `namespace: ${'a'.repeat(64)}`, /cluster\.namespace: must be a namespace name/],
      ['a namespace ending in -', 'namespace: argo-', /cluster\.namespace/],
      ['a name with upper case', 'name: Argo', /cluster\.name: must be a Kubernetes object name/],
      ['a key with /', 'keys: {value: a/b}', /cluster\.keys\.value: must be a Secret data key/],
      ['a key ..', 'keys: {value: ..}', /cluster\.keys\.value: must not be \. or \.\./],
    ]
    for (const [what, change, message] of bad) {
      it(`refuses ${what}`, async () => {
        const fields: Record<string, string> = {namespace: 'argo', name: 'argo-sso', keys: '{value: v}'}
        const [k, ...v] = change.split(': ')
        fields[k as string] = v.join(': ')
        const body = Object.entries(fields)
          .map(([key, value]) => `          ${key}: ${value}`)
          .join('\n')
        const text = `environments:\n  staging:\n    secrets:\n      argo-oauth-staging:\n        cluster:\n${body}\n`
        const error = await parseSettings(text, 'f.yaml').catch((e: Error & {exitCode?: number}) => e)
        expect(error).to.be.instanceOf(Error)
        expect((error as {exitCode?: number}).exitCode).to.equal(2)
        expect((error as Error).message).to.match(message)
      })
    }
  })
})
