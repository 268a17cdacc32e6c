import {readFileSync} from 'node:fs'

/** The same line oclif prints for `--version`, without loading oclif. */
export function versionLine(): string {
  const pkg = JSON.parse(readFileSync(new URL('../package.json', import.meta.url), 'utf8')) as {
    name: string
    version: string
  }
  return `${pkg.name}/${pkg.version} ${process.platform}-${process.arch} node-${process.version}`
}

export function printVersion(): void {
  process.stdout.write(`${versionLine()}\n`)
}
