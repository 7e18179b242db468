// Mutation testing of the pure core (issue 13 §3): `npm run test:mutation`, not part of `npm test`.
// StrykerJS 9 (the release line that runs on Node 20) with its vitest runner, over lambda/core, killed by the
// unit and contract tests only (vitest.mutation.config.ts). Incremental: the results of the last run live in
// reports/mutation/ (not committed), so a re-run tests only mutants whose code or covering tests changed.
// One file: `npm run test:mutation -- --mutate lambda/core/model/key-state.ts`.
/** @type {import('@stryker-mutator/api/core').PartialStrykerOptions} */
export default {
  testRunner: 'vitest',
  vitest: { configFile: 'vitest.mutation.config.ts' },
  plugins: ['@stryker-mutator/vitest-runner'],
  mutate: ['lambda/core/**/*.ts'],
  coverageAnalysis: 'perTest',
  incremental: true,
  incrementalFile: 'reports/mutation/stryker-incremental.json',
  // The machine is shared (2 cores): one test process, run with `nice -n 19` by the npm script.
  concurrency: 1,
  timeoutMS: 30_000,
  // The first, unmutated run of every test (with per-test coverage) took 5 min at nice 19 on a loaded machine.
  dryRunTimeoutMinutes: 60,
  reporters: ['clear-text', 'progress', 'html', 'json'],
  htmlReporter: { fileName: 'reports/mutation/index.html' },
  jsonReporter: { fileName: 'reports/mutation/mutation.json' },
  clearTextReporter: { reportTests: false, reportMutants: true, allowEmojis: false },
  thresholds: { high: 90, low: 80, break: null },
  tempDirName: '.stryker-tmp',
  cleanTempDir: 'always',
};
