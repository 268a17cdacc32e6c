import {existsSync, readFileSync} from 'node:fs'
import {dirname, join, resolve} from 'node:path'

import {ConfigError, UsageError} from '../errors.ts'
import {type Environment, type PikselSettings, resolveSettings} from './environment.ts'

export const CONFIG_FILE_NAME = 'piksel.config.yaml'

export interface ConfigSearch {
  /** --config or PIKSEL_CONFIG: must exist when given. */
  explicit?: string
  cwd: string
  /** The user config dir (oclif's configDir), searched last. */
  userConfigDir?: string
}

/** --config, then the current directory and its parents, then the user config dir. */
export function findConfigFile(search: ConfigSearch): string | undefined {
  if (search.explicit) {
    const file = resolve(search.cwd, search.explicit)
    if (!existsSync(file)) {
      throw new UsageError(`Config file not found: ${file}`, {
        code: 'CONFIG_NOT_FOUND',
        hint: 'Check --config / PIKSEL_CONFIG, or run `piksel init` to write one.',
      })
    }
    return file
  }
  let dir = resolve(search.cwd)
  for (;;) {
    const candidate = join(dir, CONFIG_FILE_NAME)
    if (existsSync(candidate)) return candidate
    const parent = dirname(dir)
    if (parent === dir) break
    dir = parent
  }
  if (search.userConfigDir) {
    const candidate = join(search.userConfigDir, 'config.yaml')
    if (existsSync(candidate)) return candidate
  }
  return undefined
}

/** Load and validate the config file; without one, the built-in Piksel defaults apply. */
export async function loadSettings(search: ConfigSearch): Promise<PikselSettings> {
  const file = findConfigFile(search)
  if (!file) return resolveSettings()
  return parseSettings(readFileSync(file, 'utf8'), file)
}

export async function parseSettings(text: string, file: string): Promise<PikselSettings> {
  // Loaded lazily: a run without a config file never pays for the parser or the schema.
  const [{parse, YAMLParseError}, {configSchema, describeIssues}] = await Promise.all([
    import('yaml'),
    import('./schema.ts'),
  ])
  let data: unknown
  try {
    data = parse(text) ?? {}
  } catch (error) {
    const detail = error instanceof YAMLParseError ? error.message.split('\n')[0] : String(error)
    throw new ConfigError(`${file}: not valid YAML: ${detail}`, {hint: 'Fix the file or point --config elsewhere.'})
  }
  const result = configSchema.safeParse(data)
  if (!result.success) {
    const lines = describeIssues(result.error)
    throw new ConfigError(`${file}: ${lines.join(`\n${file}: `)}`, {
      hint: 'Fix the keys named above; see the README section "Configuration".',
    })
  }
  return resolveSettings(result.data, file)
}

export function knownEnvironments(settings: PikselSettings): string[] {
  return Object.keys(settings.environments)
}

export function getEnvironment(settings: PikselSettings, name: string): Environment {
  const env = settings.environments[name]
  if (!env) {
    throw new UsageError(`Unknown environment "${name}". Known: ${knownEnvironments(settings).join(', ')}.`, {
      code: 'UNKNOWN_ENV',
      hint: settings.file
        ? `Add it under environments: in ${settings.file}, or pass one of the known ones with -e.`
        : 'Pass one of the known ones with -e, or define it in piksel.config.yaml.',
    })
  }
  return env
}
