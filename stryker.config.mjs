// Mutation testing of the pure rule modules: `npm run mutate` (README, Testing).
// The tests are TypeScript that Node runs natively (type stripping): there is no
// build step; Stryker instruments src/**.ts in a sandbox and mocha loads the
// unit tests of those modules from there (not the slow command tests).
import './test/support/stryker-mocha12.mjs'

if (!process.features.typescript) {
  throw new Error(
    `Node ${process.version} cannot run the TypeScript tests: use \`npm run mutate\` (the pinned Node of package.json).`,
  )
}

const mocha12 = new URL('./test/support/stryker-mocha12.mjs', import.meta.url).href

/** @type {import('@stryker-mutator/api/core').PartialStrykerOptions} */
export default {
  testRunner: 'mocha',
  testRunnerNodeArgs: ['--import', mocha12],
  mutate: [
    // The status rules: one object's (health.ts), across objects (across.ts), counts and the verdict (verdict.ts).
    'src/lib/status/health.ts',
    'src/lib/status/across.ts',
    'src/lib/status/verdict.ts',
    'src/lib/secrets/values.ts',
    'src/lib/secrets/plan.ts',
    'src/lib/quota/gpu.ts',
    'src/lib/bootstrap/steps.ts',
    'src/lib/errors.ts',
    // The precedence rules (profile, region, credentials in the environment) and the client options; the
    // client factory below them is I/O, tested against stand-ins in test/lib/aws-errors.test.ts.
    'src/lib/aws/session.ts:1-189',
    'src/lib/aws/profiles.ts',
    'src/lib/prompt.ts',
  ],
  mochaOptions: {
    config: '.mocharc.json',
    spec: [
      // The status rule tables: health.ts is judged by the combination and retried tables too; across.ts
      // and verdict.ts by health.test.ts and the cycles and revision tables.
      'test/lib/status/health.test.ts',
      'test/lib/status/combinations.test.ts',
      'test/lib/status/retried.test.ts',
      'test/lib/status/static-objects.test.ts',
      'test/lib/status/revision.test.ts',
      'test/lib/status/cycles.test.ts',
      // across.ts's rules behind a chart, root causes down long chains, and a selection's dependencies.
      'test/lib/status/behind-chart.test.ts',
      'test/lib/status/root-cause-chain.test.ts',
      'test/lib/status/dependencies.test.ts',
      'test/lib/status/judge.test.ts',
      'test/lib/secrets/values.test.ts',
      'test/lib/secrets/plan.test.ts',
      'test/lib/quota/gpu.test.ts',
      'test/lib/quota/render.test.ts',
      // gpu.ts's category → quota family table is judged by the NodePool tables too.
      'test/lib/quota/karpenter.test.ts',
      'test/lib/bootstrap/steps.test.ts',
      'test/lib/errors.test.ts',
      'test/lib/aws.test.ts',
      'test/lib/region.test.ts',
      'test/lib/prompt.test.ts',
    ],
  },
  coverageAnalysis: 'perTest',
  concurrency: 2,
  reporters: ['clear-text', 'json', 'progress'],
  jsonReporter: {fileName: 'reports/mutation/mutation.json'},
  thresholds: {high: 90, low: 85, break: 85},
  tempDirName: '.stryker-tmp',
}
