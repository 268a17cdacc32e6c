/**
 * Preflight's GitHub check: can the token read the GitOps repository and push
 * to its branch? `flux bootstrap github` clones the repository and pushes its
 * manifests (gotk-components.yaml, gotk-sync.yaml) straight to the branch, so a
 * token that cannot, or a protected branch, fails only after Terraform has
 * applied: checked here, before the first write. Through @octokit/rest (loaded
 * lazily) with one timeout for the whole check; `baseUrl` is the API root
 * (GITHUB_API_URL, default https://api.github.com). The token is only ever in
 * the Authorization header: never in a message, a log line or an error.
 */

export const GITHUB_API_TIMEOUT_MS = 10_000

export interface GitHubCheckInput {
  token: string
  owner: string
  repository: string
  branch: string
  /** The REST API root, e.g. https://api.github.com (GITHUB_API_URL on GitHub Actions). */
  baseUrl?: string
  timeoutMs?: number
}

export type GitHubAccess =
  /** The API could not be reached (network, timeout, 5xx): nothing was checked. */
  | {reachable: false; reason: string}
  /** `problems` stop the bootstrap (each with its fix in `fixes`); `notes` are said and do not. */
  | {reachable: true; problems: string[]; fixes: string[]; notes: string[]}

/** The parts of GET /repos/{owner}/{repo} and GET .../branches/{branch} the rules read. */
export interface RepoAnswer {
  status: number
  permissions?: {admin?: boolean; push?: boolean; pull?: boolean}
  /** x-oauth-scopes (classic tokens only), e.g. "repo, workflow". */
  scopes?: string
  private?: boolean
  message?: string
}

export interface BranchAnswer {
  status: number
  protected?: boolean
}

/**
 * Pure: the verdict on what GitHub answered. A classic token needs the `repo`
 * scope (flux bootstrap docs); the token's user needs push; the branch must not
 * be protected (bootstrap pushes to it directly); a missing branch is created.
 */
export function judgeGitHubAccess(
  input: Pick<GitHubCheckInput, 'owner' | 'repository' | 'branch'>,
  repo: RepoAnswer,
  branch?: BranchAnswer,
): Extract<GitHubAccess, {reachable: true}> {
  const slug = `${input.owner}/${input.repository}`
  const problems: string[] = []
  const fixes: string[] = []
  const notes: string[] = []
  if (repo.status === 401) {
    problems.push(`GitHub rejected the token (401${repo.message ? `: ${repo.message}` : ''})`)
    fixes.push(
      'Create a new token with the repo scope (or Contents: read and write on the repository) and set GITHUB_TOKEN.',
    )
    return {reachable: true, problems, fixes, notes}
  }
  if (repo.status === 404) {
    problems.push(`${slug} does not exist or the token cannot read it (404)`)
    fixes.push(`Check --gitops-owner/--gitops-repository, and that the token's user has access to ${slug}.`)
    return {reachable: true, problems, fixes, notes}
  }
  if (repo.status !== 200) {
    problems.push(`GitHub refused to show ${slug} (${repo.status}${repo.message ? `: ${repo.message}` : ''})`)
    fixes.push('Check the token (SSO authorisation for the organisation, rate limits) and retry.')
    return {reachable: true, problems, fixes, notes}
  }
  if (repo.scopes !== undefined) {
    const scopes = repo.scopes
      .split(',')
      .map((s) => s.trim())
      .filter(Boolean)
    const enough = scopes.includes('repo') || (repo.private === false && scopes.includes('public_repo'))
    if (!enough) {
      problems.push(`the token lacks the repo scope (it has: ${scopes.join(', ') || 'none'})`)
      fixes.push('Create a token with the repo scope: flux bootstrap pushes manifests and adds a deploy key.')
    }
  }
  if (repo.permissions && repo.permissions.push !== true) {
    problems.push(`the token's user cannot push to ${slug} (read-only access)`)
    fixes.push(`Give the token's user write access to ${slug}, or use a token of someone who has it.`)
  }
  if (branch?.status === 404) {
    notes.push(`branch ${input.branch} does not exist yet in ${slug}: flux bootstrap creates it`)
  } else if (branch?.protected) {
    problems.push(`branch ${input.branch} of ${slug} is protected: flux bootstrap pushes its commits straight to it`)
    fixes.push(
      `Let the token's user push to ${input.branch} (Settings → Branches → the rule for ${input.branch}: allow it to bypass the rule), ` +
        'or bootstrap from an unprotected branch with --gitops-branch and merge it by pull request.',
    )
  } else if (branch && branch.status !== 200) {
    notes.push(`branch ${input.branch}: GitHub answered ${branch.status}; not checked`)
  }
  return {reachable: true, problems, fixes, notes}
}

interface OctokitLikeError {
  status?: number
  message?: string
  response?: {status: number; data?: unknown; headers?: Record<string, string>}
  cause?: unknown
  name?: string
}

/** An error with an HTTP answer from GitHub, or undefined when the API was not reached (network, timeout). */
function answerOf(error: unknown): {status: number; message?: string} | undefined {
  const e = error as OctokitLikeError
  if (!e?.response) return undefined
  const data = e.response.data as {message?: string} | undefined
  return {status: e.response.status, message: typeof data?.message === 'string' ? data.message : undefined}
}

function unreachable(error: unknown): string {
  const e = error as OctokitLikeError
  const cause = e?.cause as {name?: string; code?: string; message?: string} | undefined
  if (cause?.name === 'TimeoutError' || e?.name === 'TimeoutError' || e?.name === 'AbortError')
    return 'no answer in time'
  const code = (cause as {cause?: {code?: string}})?.cause?.code ?? cause?.code
  return code ?? cause?.message ?? e?.message ?? 'unreachable'
}

/** GET /repos/{owner}/{repo} and GET /repos/{owner}/{repo}/branches/{branch}, judged by judgeGitHubAccess. */
export async function checkGitHubAccess(input: GitHubCheckInput): Promise<GitHubAccess> {
  const {Octokit} = await import('@octokit/rest')
  const silent = {debug: () => {}, info: () => {}, warn: () => {}, error: () => {}}
  const octokit = new Octokit({
    auth: input.token,
    baseUrl: (input.baseUrl ?? 'https://api.github.com').replace(/\/+$/, ''),
    userAgent: 'piksel',
    log: silent,
    request: {signal: AbortSignal.timeout(input.timeoutMs ?? GITHUB_API_TIMEOUT_MS)},
  })
  const owner = input.owner
  const repo = input.repository
  let repoAnswer: RepoAnswer
  try {
    const res = await octokit.rest.repos.get({owner, repo})
    repoAnswer = {
      status: res.status,
      permissions: res.data.permissions,
      private: res.data.private,
      scopes: res.headers['x-oauth-scopes'] as string | undefined,
    }
  } catch (error) {
    const answer = answerOf(error)
    if (!answer || answer.status >= 500)
      return {reachable: false, reason: answer ? `HTTP ${answer.status}` : unreachable(error)}
    return judgeGitHubAccess(input, answer)
  }
  if (repoAnswer.status !== 200) return judgeGitHubAccess(input, repoAnswer)
  let branch: BranchAnswer
  try {
    const res = await octokit.rest.repos.getBranch({owner, repo, branch: input.branch})
    branch = {status: res.status, protected: res.data.protected}
  } catch (error) {
    const answer = answerOf(error)
    if (!answer) return {reachable: false, reason: unreachable(error)}
    branch = {status: answer.status}
  }
  return judgeGitHubAccess(input, repoAnswer, branch)
}
