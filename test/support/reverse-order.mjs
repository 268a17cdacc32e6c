// Runs the mocha suite with every list reversed: files, and the suites and tests
// inside each describe. A test that needs another to have run first fails here.
//   node test/support/reverse-order.mjs [FILE...]   (after npm run build)
import {globSync} from 'node:fs'

import Mocha from 'mocha'

const files = process.argv.slice(2).length ? process.argv.slice(2) : globSync('test/**/*.test.ts').sort()
const mocha = new Mocha({timeout: 30_000, slow: 2000, forbidOnly: true, reporter: 'spec'})
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
