import {expect} from 'chai'

import {type RepoAnswer, checkGitHubAccess, judgeGitHubAccess} from '../../../src/lib/bootstrap/github.ts'
import {GitHubStandin} from '../../support/github-standin.ts'
import {freePort} from '../../support/moto.ts'

const TOKEN = 'ghp_standinToken0123456789abcdefABCD'
const target = {owner: 'piksel-ina', repository: 'piksel-gitops', branch: 'main'}
const push = {admin: false, push: true, pull: true}

describe('GitHub access rules (pure)', () => {
  const cases: Array<[string, RepoAnswer, {status: number; protected?: boolean} | undefined, RegExp[], RegExp[]]> = [
    [
      'push access, unprotected branch',
      {status: 200, permissions: push, scopes: 'repo'},
      {status: 200, protected: false},
      [],
      [],
    ],
    [
      'a fine-grained token (no scopes header)',
      {status: 200, permissions: push},
      {status: 200, protected: false},
      [],
      [],
    ],
    [
      'a protected branch',
      {status: 200, permissions: push},
      {status: 200, protected: true},
      [/branch main of piksel-ina\/piksel-gitops is protected/],
      [],
    ],
    [
      'read-only access',
      {status: 200, permissions: {admin: false, push: false, pull: true}},
      {status: 200},
      [/cannot push to piksel-ina\/piksel-gitops/],
      [],
    ],
    [
      'a classic token without repo scope',
      {status: 200, permissions: push, scopes: 'read:org, workflow', private: true},
      {status: 200},
      [/lacks the repo scope \(it has: read:org, workflow\)/],
      [],
    ],
    [
      'public_repo on a public repository',
      {status: 200, permissions: push, scopes: 'public_repo', private: false},
      {status: 200},
      [],
      [],
    ],
    [
      'public_repo on a private repository',
      {status: 200, permissions: push, scopes: 'public_repo', private: true},
      {status: 200},
      [/lacks the repo scope/],
      [],
    ],
    [
      'a bad token',
      {status: 401, message: 'Bad credentials'},
      undefined,
      [/rejected the token \(401: Bad credentials\)/],
      [],
    ],
    [
      'no such repository (or no access)',
      {status: 404},
      undefined,
      [/piksel-ina\/piksel-gitops does not exist or the token cannot read it/],
      [],
    ],
    [
      'SSO not authorised',
      {status: 403, message: 'Resource protected by organization SAML enforcement'},
      undefined,
      [/refused .*403: Resource protected/],
      [],
    ],
    [
      'a branch that does not exist yet',
      {status: 200, permissions: push},
      {status: 404},
      [],
      [/does not exist yet .*flux bootstrap creates it/],
    ],
  ]
  for (const [what, repo, branch, problems, notes] of cases) {
    it(`${what}: ${problems.length === 0 ? 'ok' : 'a preflight failure'}`, () => {
      const verdict = judgeGitHubAccess(target, repo, branch)
      expect(verdict.problems).to.have.length(problems.length)
      problems.forEach((p, i) => expect(verdict.problems[i]).to.match(p))
      expect(verdict.fixes).to.have.length(problems.length)
      expect(verdict.notes).to.have.length(notes.length)
      notes.forEach((n, i) => expect(verdict.notes[i]).to.match(n))
    })
  }
  it('a protected branch comes with the fix', () => {
    const verdict = judgeGitHubAccess(target, {status: 200, permissions: push}, {status: 200, protected: true})
    expect(verdict.fixes[0]).to.match(
      /Let the token's user push to main .* or bootstrap from an unprotected branch with --gitops-branch/,
    )
  })
})

describe('checkGitHubAccess through Octokit against a loopback stand-in', function () {
  this.timeout(20_000)
  let github: GitHubStandin
  before(async () => {
    github = await GitHubStandin.start({
      tokens: {[TOKEN]: 'repo', ghp_readonly000000000000000000000000: 'repo'},
      repos: {
        'piksel-ina/piksel-gitops': {
          permissions: push,
          branches: {main: {protected: false}, release: {protected: true}},
        },
        'piksel-ina/mirror': {
          permissions: {admin: false, push: false, pull: true},
          branches: {main: {protected: false}},
        },
      },
    })
  })
  after(async () => github?.stop())

  const check = (over: Partial<Parameters<typeof checkGitHubAccess>[0]> = {}) =>
    checkGitHubAccess({token: TOKEN, ...target, baseUrl: github.url, ...over})

  it('reads the repository and the branch with the token in the Authorization header only', async () => {
    const mark = github.requests.length
    expect(await check()).to.deep.equal({reachable: true, problems: [], fixes: [], notes: []})
    const requests = github.requests.slice(mark)
    expect(requests.map((r) => `${r.method} ${r.path}`)).to.deep.equal([
      'GET /repos/piksel-ina/piksel-gitops',
      'GET /repos/piksel-ina/piksel-gitops/branches/main',
    ])
    for (const r of requests) {
      expect(r.authorization).to.equal(`token ${TOKEN}`)
      expect(r.path).not.to.include(TOKEN)
    }
  })

  it('a protected branch, read-only access, an unknown repository or token: problems, none naming the token', async () => {
    const verdicts = [
      await check({branch: 'release'}),
      await check({repository: 'mirror'}),
      await check({repository: 'nope'}),
      await check({token: 'ghp_revoked00000000000000000000000000'}),
    ]
    const problems = verdicts.map((v) => (v.reachable ? v.problems.join('; ') : 'unreachable'))
    expect(problems[0]).to.match(/branch release .* is protected/)
    expect(problems[1]).to.match(/cannot push to piksel-ina\/mirror/)
    expect(problems[2]).to.match(/piksel-ina\/nope does not exist or the token cannot read it/)
    expect(problems[3]).to.match(/rejected the token \(401: Bad credentials\)/)
    for (const verdict of verdicts) expect(JSON.stringify(verdict)).not.to.include('ghp_')
  })

  it('a branch that does not exist yet is a note, not a problem', async () => {
    const verdict = await check({branch: 'bootstrap'})
    expect(verdict).to.deep.include({reachable: true, problems: []})
    expect((verdict as {notes: string[]}).notes).to.deep.equal([
      'branch bootstrap does not exist yet in piksel-ina/piksel-gitops: flux bootstrap creates it',
    ])
  })

  it('an API that answers nothing: unreachable within the timeout, not a hang', async () => {
    const silent = await GitHubStandin.start({tokens: {}, repos: {}, hang: true})
    try {
      const verdict = await checkGitHubAccess({token: TOKEN, ...target, baseUrl: silent.url, timeoutMs: 300})
      expect(verdict).to.deep.equal({reachable: false, reason: 'no answer in time'})
    } finally {
      await silent.stop()
    }
  })

  it('an API nobody listens on: unreachable (connection refused)', async () => {
    const port = await freePort()
    const verdict = await checkGitHubAccess({token: TOKEN, ...target, baseUrl: `http://127.0.0.1:${port}`})
    expect(verdict).to.deep.equal({reachable: false, reason: 'ECONNREFUSED'})
  })
})
