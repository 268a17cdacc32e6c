/**
 * A loopback stand-in for the two GitHub REST endpoints bootstrap's preflight
 * reads: GET /repos/{owner}/{repo} (permissions; classic tokens get an
 * x-oauth-scopes header) and GET /repos/{owner}/{repo}/branches/{branch}
 * (protected). Unknown tokens get 401 "Bad credentials", unknown repositories
 * and branches 404, as GitHub answers. Every request is recorded (method, path,
 * authorization header) so tests can prove where the token went.
 */
import {type Server, createServer} from 'node:http'
import type {AddressInfo} from 'node:net'

export interface StandinRepo {
  private?: boolean
  permissions?: {admin: boolean; push: boolean; pull: boolean}
  branches: Record<string, {protected: boolean}>
}

export interface GitHubStandinOptions {
  /** token -> its classic scopes (x-oauth-scopes), or null for a fine-grained token (no header). */
  tokens: Record<string, string | null>
  repos: Record<string, StandinRepo>
  /** Answer nothing (to prove the client's timeout). */
  hang?: boolean
}

export interface RecordedRequest {
  method: string
  path: string
  authorization?: string
}

export class GitHubStandin {
  readonly requests: RecordedRequest[] = []
  private server?: Server
  private port = 0

  readonly options: GitHubStandinOptions

  constructor(options: GitHubStandinOptions) {
    this.options = options
  }

  static async start(options: GitHubStandinOptions): Promise<GitHubStandin> {
    const standin = new GitHubStandin(options)
    standin.server = createServer((req, res) => {
      const url = new URL(req.url ?? '/', 'http://github.standin')
      standin.requests.push({method: req.method ?? '', path: url.pathname, authorization: req.headers.authorization})
      if (standin.options.hang) return
      const send = (status: number, body: unknown, headers: Record<string, string> = {}) => {
        res.writeHead(status, {'content-type': 'application/json; charset=utf-8', ...headers})
        res.end(JSON.stringify(body))
      }
      const token = /^(?:token|bearer) (.+)$/i.exec(req.headers.authorization ?? '')?.[1]
      if (!token || !(token in standin.options.tokens)) {
        return send(401, {message: 'Bad credentials', documentation_url: 'https://docs.github.com/rest', status: '401'})
      }
      const scopes = standin.options.tokens[token]
      const scopeHeader: Record<string, string> =
        scopes === null || scopes === undefined ? {} : {'x-oauth-scopes': scopes}
      const match = /^\/repos\/([^/]+)\/([^/]+)(?:\/branches\/(.+))?$/.exec(url.pathname)
      const repo = match ? standin.options.repos[`${match[1]}/${match[2]}`] : undefined
      if (req.method !== 'GET' || !match || !repo) return send(404, {message: 'Not Found', status: '404'}, scopeHeader)
      if (match[3] === undefined) {
        return send(
          200,
          {
            full_name: `${match[1]}/${match[2]}`,
            private: repo.private ?? true,
            default_branch: 'main',
            permissions: repo.permissions ?? {admin: true, push: true, pull: true},
          },
          scopeHeader,
        )
      }
      const branch = repo.branches[decodeURIComponent(match[3])]
      if (!branch) return send(404, {message: 'Branch not found', status: '404'}, scopeHeader)
      return send(200, {name: match[3], protected: branch.protected}, scopeHeader)
    })
    await new Promise<void>((resolve) => standin.server!.listen(0, '127.0.0.1', resolve))
    standin.port = (standin.server.address() as AddressInfo).port
    return standin
  }

  get url(): string {
    return `http://127.0.0.1:${this.port}`
  }

  async stop(): Promise<void> {
    const server = this.server
    if (!server) return
    server.closeAllConnections()
    await new Promise<void>((resolve) => server.close(() => resolve()))
  }
}
