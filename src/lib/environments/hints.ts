/**
 * `--all-envs`: the hint of an environment's error row. A single-environment hint may name what
 * `--all-envs` refuses or ignores (`--profile`, `--region`, `--context`, `-e`, AWS_PROFILE, ...);
 * under `--all-envs` each environment's profile, region and kube context come from its keys in
 * the config file (`environments.<env>.profile`, `.region`, `.cluster`: the kube context is
 * named after the cluster), so that is what the hint points at. A hint that names none of
 * those is kept word for word (the row says what `-e <env>` says). Pure, table-tested.
 */
import type {EnvironmentError} from './fan-out.ts'

/** What the hint of one environment's row may point at. */
export interface EnvironmentTarget {
  /** The environment's name. */
  name: string
  /** The config file it comes from. */
  file: string
  /** The profile its calls used; undefined when the credentials come from the environment (CI). */
  profile?: string
  /** Its configured account id, when set. */
  account?: string
  region: string
  /** Its EKS cluster: its kube context is named after it. */
  cluster: string
}

/**
 * What `--all-envs` refuses on the command line (exit 2 `CONFLICTING_FLAGS`, any command) or
 * ignores in the shell: a hint of a row must never tell the user to use them.
 */
const REFUSED = [
  /(?:^|[^\w-])(-e|--env)(?![\w-])/,
  /(?:^|[^\w-])(--profile)(?![\w-])/,
  /(?:^|[^\w-])(--region)(?![\w-])/,
  /(?:^|[^\w-])(--context)(?![\w-])/,
  /(?:^|[^\w-])(--watch|--reconcile|--request)(?![\w-])/,
  /\b(AWS_PROFILE|AWS_REGION|AWS_DEFAULT_REGION|PIKSEL_ENV)\b/,
]

/**
 * Pure: what a hint tells the user to use that `--all-envs` refuses or ignores. A command in
 * backticks (`aws sso login --profile p`, `piksel bootstrap -e staging ...`) is another
 * command line, not advice about this one: its flags do not count.
 */
export function refusedIn(hint: string): string[] {
  const prose = hint.replace(/`[A-Za-z][^`]*`/g, '`…`')
  return REFUSED.flatMap((pattern) => {
    const found = new RegExp(pattern.source, 'g')
    return [...prose.matchAll(found)].map((m) => m[1] ?? '')
  })
}

/**
 * Pure: the hint of an environment's error row under `--all-envs`: the single-environment hint
 * when it names nothing `--all-envs` refuses or ignores (and no `<profile>` placeholder it can
 * fill), else one that points at the environment's own config keys, by error code.
 */
export function allEnvsHint(error: Pick<EnvironmentError, 'code' | 'hint'>, target: EnvironmentTarget): string | null {
  if (error.hint === null) return null
  const hint = onItsTarget(error.hint, target)
  if (refusedIn(hint).length === 0 && !(hint.includes('<profile>') && target.profile)) return hint
  const fix = HINTS[error.code] ?? generic
  return fix(target)
}

/**
 * Pure: the hint with each `aws` command it gives aimed at the environment: a bare
 * `aws eks update-kubeconfig …` gains `--region` (and `--profile`) and a bare `aws sso login`
 * gains `--profile`. Typed in the shell as they stand, they would use the shell's AWS_REGION
 * and AWS_PROFILE, which --all-envs ignores (another environment's region or account: no
 * such cluster, or a context written for the wrong one).
 */
export function onItsTarget(hint: string, target: EnvironmentTarget): string {
  const profile = target.profile ? ` --profile ${target.profile}` : ''
  return hint
    .replace(/`(aws eks update-kubeconfig\b[^`]*)`/g, (_, command: string) => {
      const region = /\s--region\b/.test(command) ? '' : ` --region ${target.region}`
      const own = /\s--profile\b/.test(command) ? '' : profile
      return `\`${command}${region}${own}\``
    })
    .replace(/`aws sso login`/g, `\`aws sso login${profile}\``)
}

const key = (t: EnvironmentTarget, name: string) => `environments.${t.name}.${name}`
const inFile = (t: EnvironmentTarget) => `in ${t.file}`
const profileKey = (t: EnvironmentTarget) => `${key(t, 'profile')} ${inFile(t)}`
const updateKubeconfig = (t: EnvironmentTarget) =>
  `\`aws eks update-kubeconfig --name ${t.cluster} --alias ${t.cluster} --region ${t.region}${t.profile ? ` --profile ${t.profile}` : ''}\``

/** Credentials of the environment's profile, or (CI) of the environment variables every environment shares. */
function login(t: EnvironmentTarget): string {
  return t.profile
    ? `Run \`aws sso login --profile ${t.profile}\` (${t.name}'s profile: ${profileKey(t)}).`
    : `The credentials in the environment (AWS_ACCESS_KEY_ID, a web identity) are used for every environment under --all-envs: refresh them.`
}

function generic(t: EnvironmentTarget): string {
  return `Under --all-envs, ${t.name}'s target comes from the config: ${key(t, 'profile')}${t.profile ? ` (${t.profile})` : ''}, ${key(t, 'region')} (${t.region}) and ${key(t, 'cluster')} (its kube context, ${t.cluster}) ${inFile(t)}.`
}

/** By error code: what to change for this environment instead of a flag. */
const HINTS: Record<string, (t: EnvironmentTarget) => string> = {
  ACCOUNT_MISMATCH: (t) =>
    t.profile
      ? `Set ${profileKey(t)} to a profile of account ${t.account ?? '(its account)'} (it is ${t.profile}), or fix ${key(t, 'account')} if that account is wrong.`
      : `The credentials in the environment (AWS_ACCESS_KEY_ID, a web identity) are used for every environment under --all-envs and are not account ${t.account ?? '(its account)'}: check ${t.name} with its own credentials, or fix ${key(t, 'account')} ${inFile(t)}.`,
  SSO_EXPIRED: login,
  CREDENTIALS_EXPIRED: login,
  NO_CREDENTIALS: login,
  CREDENTIALS_INVALID: login,
  PROFILE_NOT_FOUND: (t) =>
    `Run \`aws configure sso --profile ${t.profile ?? '<profile>'}\`, or set ${profileKey(t)} to a profile configured on this machine.`,
  NETWORK: (t) =>
    `Check the network, a VPN or proxy, AWS_ENDPOINT_URL*, ${key(t, 'region')} (${t.region}) ${inFile(t)}, and the server of kube context ${t.cluster} (\`kubectl config view --minify --context ${t.cluster}\`).`,
  NOT_FOUND: (t) => `Check the name, and ${key(t, 'region')} (${t.region}) ${inFile(t)}.`,
  NO_CONTEXT: (t) =>
    `Write the context with ${updateKubeconfig(t)}, or set ${key(t, 'cluster')} ${inFile(t)} to the cluster it is named after.`,
  KUBECONFIG: (t) =>
    `Check the kubeconfig (--kubeconfig, KUBECONFIG) and its context ${t.cluster} (\`kubectl config view --minify --context ${t.cluster}\`), named after ${key(t, 'cluster')} ${inFile(t)}.`,
  ACCESS_DENIED: (t) =>
    `Ask for the permission named above for ${t.name}'s identity: in the IAM policy of ${t.profile ? `profile ${t.profile}` : 'the credentials in the environment'}, or in RBAC for kube context ${t.cluster} (e.g. the flux-view role; the context is named after ${key(t, 'cluster')} ${inFile(t)}).`,
  FLUX_NOT_INSTALLED: (t) =>
    `Install Flux (\`piksel bootstrap -e ${t.name}\`), or check that ${key(t, 'cluster')} ${inFile(t)} names the cluster that runs it (kube context ${t.cluster}).`,
}
