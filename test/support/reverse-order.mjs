// Runs the mocha suite with every list reversed: files, and the suites and tests
// inside each describe. A test that needs another to have run first fails here.
//   node test/support/reverse-order.mjs [FILE...]   (after npm run build; .ci/run runs it)
// Mocha's options are those of .mocharc.json.
import {globSync, readFileSync} from 'node:fs'

import Mocha from 'mocha'

const files = process.argv.slice(2).length ? process.argv.slice(2) : globSync('test/**/*.test.ts').sort()
const rc = JSON.parse(readFileSync(new URL('../../.mocharc.json', import.meta.url), 'utf8'))
const mocha = new Mocha({timeout: rc.timeout, slow: rc.slow, forbidOnly: rc['forbid-only'], reporter: rc.reporter})
for (const file of files.reverse()) mocha.addFile(file)
await mocha.loadFilesAsync()
const reverse = (suite) => {
  suite.tests.reverse()
  suite.suites.reverse()
  suite.suites.forEach(reverse)
}
reverse(mocha.suite)
mocha.run((failures) => {
  process.exitCode = failures ? 1 : 0
})
