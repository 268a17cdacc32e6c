// @oclif/plugin-autocomplete's command, hosted here rather than loaded as a plugin (see ../help.ts).
import {createRequire} from 'node:module'
import {dirname, join} from 'node:path'
import {pathToFileURL} from 'node:url'

const lib = dirname(createRequire(import.meta.url).resolve('@oclif/plugin-autocomplete'))
const command = (await import(pathToFileURL(join(lib, 'commands/autocomplete/create.js')).href)) as {default: unknown}
export default command.default
