/**
 * What `piksel init` writes, from templates/: placeholder rendering, where each
 * template lands, and the config file. Pure, tested table-driven.
 */
import type {Environment} from '../config/environment.ts'

export type TemplateVars = Record<string, string>

export type FileKind = 'config' | 'terraform' | 'gitops'

export interface PlannedFile {
  kind: FileKind
  /** Absolute path to write. */
  path: string
  content: string
}

/** `{{name}}` placeholders; an unknown one is a bug in the template, not a user error. */
export function renderTemplate(text: string, vars: TemplateVars, name = 'template'): string {
  return text.replace(/\{\{\s*([A-Za-z_][A-Za-z0-9_]*)\s*\}\}/g, (_, key: string) => {
    const value = vars[key]
    if (value === undefined) throw new Error(`${name}: unknown placeholder {{${key}}}`)
    return value
  })
}

export function templateVars(env: Environment, project: string, owner: string): TemplateVars {
  return {
    env: env.name,
    project,
    project_slug: project.toLowerCase(),
    owner,
    // Both templates that use it (backend.tf, the bootstrap root's tfvars) mean the state bucket's region.
    region: env.terraform.stateRegion ?? env.region,
    cluster: env.cluster,
    bucket: env.terraform.stateBucket,
    stateKey: env.terraform.stateKey,
  }
}

/** Where a template (path relative to templates/) is written; `__env__` in a path is the environment. */
export function targetPath(
  template: string,
  env: Pick<Environment, 'name' | 'terraform'>,
  dirs: {infraDir: string; gitopsDir: string},
): {kind: FileKind; path: string} | undefined {
  const join = (...parts: string[]) => parts.filter(Boolean).join('/').replace(/\/+/g, '/')
  const parts = template.split('/')
  const [top, sub, ...rest] = parts
  if (top === 'terraform' && sub === 'bootstrap') {
    return {kind: 'terraform', path: join(dirs.infraDir, 'bootstrap', env.name, ...rest)}
  }
  if (top === 'terraform' && sub === 'env') {
    return {kind: 'terraform', path: join(dirs.infraDir, env.terraform.dir, ...rest)}
  }
  if (top === 'gitops') {
    return {kind: 'gitops', path: join(dirs.gitopsDir, ...parts.slice(1).map((p) => (p === '__env__' ? env.name : p)))}
  }
  return undefined
}

/** Quote a YAML scalar only when needed (account ids always: they must stay strings). */
function scalar(value: string): string {
  return /^[A-Za-z0-9_./-]+$/.test(value) && !/^\d+$/.test(value) ? value : JSON.stringify(value)
}

/** piksel.config.yaml for one environment, with the account left out (and said so) when unknown. */
export function renderConfig(env: Environment, project: string, owner: string): string {
  const lines = [
    `# piksel configuration, written by \`piksel init -e ${env.name}\`.`,
    '# Every key is optional; the built-in Piksel defaults apply to what is left out.',
    `project: ${scalar(project)}`,
    `owner: ${scalar(owner)}`,
    `defaultEnv: ${env.name}`,
    'environments:',
    `  ${env.name}:`,
  ]
  if (env.account) {
    lines.push(`    account: ${JSON.stringify(env.account)} # the account guard: nothing is written in another account`)
  } else {
    lines.push(
      '    # account: "123456789012"',
      '    # The AWS account id was not known when this file was written, so the account',
      '    # guard is OFF for this environment: set it to have piksel refuse to write in',
      '    # any other account.',
    )
  }
  lines.push(
    `    profile: ${scalar(env.profile)}`,
    `    region: ${scalar(env.region)}`,
    `    cluster: ${scalar(env.cluster)}`,
    '    terraform:',
    `      dir: ${scalar(env.terraform.dir)}`,
    `      stateBucket: ${scalar(env.terraform.stateBucket)}`,
    `      stateKey: ${scalar(env.terraform.stateKey)}`,
    ...(env.terraform.stateRegion && env.terraform.stateRegion !== env.region
      ? [
          `      stateRegion: ${scalar(env.terraform.stateRegion)} # the state bucket's region (from the root's backend block)`,
        ]
      : []),
    '      # phases: apply in order; the last one runs after Flux is bootstrapped.',
    '      # phases:',
    '      #   - name: platform',
    '      #     targets: [module.vpc, module.eks]',
    '      #   - name: applications',
    '      #     targets: []',
    '    gitops:',
    `      owner: ${scalar(env.gitops.owner)}`,
    `      repository: ${scalar(env.gitops.repository)}`,
    `      branch: ${scalar(env.gitops.branch)}`,
    `      path: ${scalar(env.gitops.path)}`,
    '',
  )
  return lines.join('\n')
}
