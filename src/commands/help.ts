/**
 * `piksel help [COMMAND]`: @oclif/plugin-help's own command, hosted in this command
 * tree instead of declared as an oclif plugin: oclif finds, reads and indexes every
 * declared plugin at the start of every command (`npm run bench` has the cost).
 */
import {commands} from '@oclif/plugin-help'

export default commands.help
