// Mutation testing of the pure core (issue 13 §3): `npm run test:mutation`, not part of `npm test`; it runs this
// config once per target (scripts/mutation.mjs), naming the target in STRYKER_TARGET.
// StrykerJS 9 (the release line that runs on Node 20) with its vitest runner, over lambda/core, killed by the
// unit and contract tests only (vitest.mutation.config.ts). Incremental: the results of a target's last run live in
// reports/mutation/<target>/ (not committed, D122), so a re-run tests only mutants whose code or covering tests changed.
// One file or directory: `npm run test:mutation -- lambda/core/model/key-state.ts`; a directory's own files only:
// `'lambda/core/model/*.ts'`.
const target = process.env.STRYKER_TARGET ?? 'lambda/core';
const reportDir = `reports/mutation/${target.replace(/^lambda\/core\/?/, '').replace('*.ts', 'files').replaceAll('/', '-') || 'core'}`;

/** @type {import('@stryker-mutator/api/core').PartialStrykerOptions} */
export default {
  testRunner: 'vitest',
  vitest: { configFile: 'vitest.mutation.config.ts' },
  plugins: ['@stryker-mutator/vitest-runner'],
  mutate: [target.endsWith('.ts') ? target : `${target}/**/*.ts`],
  coverageAnalysis: 'perTest',
  // A static mutant (module-level code: the key-spec table, message tables, constants) runs before any test, so no
  // per-test coverage can narrow it down: every test of every file that imports it runs for it, a minute and more a
  // mutant here (key-specs.ts: 258 mutants, estimated at 3 hours). They are skipped (counted as Ignored) unless the
  // run asks for them: `npm run test:mutation -- --static <file>` (D122).
  ignoreStatic: process.env.MUTATION_STATIC !== 'true',
  incremental: true,
  incrementalFile: `${reportDir}/stryker-incremental.json`,
  // The machine is shared (2 cores): one test process, run with `nice -n 19` by scripts/mutation.mjs.
  concurrency: 1,
  timeoutMS: 30_000,
  // The first, unmutated run of every test (with per-test coverage) took 5 min at nice 19 on a loaded machine.
  dryRunTimeoutMinutes: 60,
  reporters: ['clear-text', 'progress', 'html', 'json'],
  htmlReporter: { fileName: `${reportDir}/index.html` },
  jsonReporter: { fileName: `${reportDir}/mutation.json` },
  clearTextReporter: { reportTests: false, reportMutants: true, allowEmojis: false },
  thresholds: { high: 90, low: 80, break: null },
  tempDirName: '.stryker-tmp',
  // Not copied into the sandbox: reports/mutation may be a symlink to a shared directory (session 5), which Stryker
  // would try to copy as a file (EISDIR), and other targets' reports are no input to any test.
  ignorePatterns: ['/reports'],
  cleanTempDir: 'always',
};
