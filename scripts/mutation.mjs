// npm run test:mutation [-- [--static] <file or directory under lambda/core> …] [--scores]
//
// Runs StrykerJS (stryker.config.mjs) once per target, one after the other at nice 19 (the machine is shared), each
// target with its own incremental file and report in reports/mutation/<target>/: Stryker rewrites its incremental
// file with the files of the current run only, so per-file runs sharing one file would forget each other. Without a
// target it runs the whole of lambda/core. Then (or with --scores alone) it prints the newest score of every file,
// and the files of lambda/core that no report holds yet.
// --static also tests the static mutants (module-level code), which stryker.config.mjs otherwise ignores: each of them
// runs every test of every file that imports its module.
import { spawnSync } from 'node:child_process';
import { existsSync, readdirSync, readFileSync, statSync } from 'node:fs';
import { join, resolve } from 'node:path';

const REPORTS = 'reports/mutation';
// Key pairs the tests generated in earlier runs, handed out again (test/support/key-pair-pool.ts, D122); outside the
// sandboxes Stryker copies the project into, so every target and run shares it.
const KEY_POOL = resolve(REPORTS, 'key-pool');
const args = process.argv.slice(2);
const scoresOnly = args.includes('--scores');
const withStatic = args.includes('--static');
const targets = args.filter((a) => a !== '--scores' && a !== '--static');

if (!scoresOnly) {
  for (const target of targets.length > 0 ? targets : ['lambda/core']) {
    const stripped = target.replace(/\/+$/, '');
    // `lambda/core/model/*.ts` (quoted): the files of a directory without its subdirectories, in one run.
    const exists = stripped.endsWith('/*.ts') ? existsSync(stripped.slice(0, -'/*.ts'.length)) : existsSync(stripped);
    if (!stripped.startsWith('lambda/core') || !exists) {
      console.error(`not a file, directory or directory/*.ts of lambda/core: ${target}`);
      process.exit(2);
    }
    // --force: incremental results would keep a static mutant's earlier Ignored verdict.
    const run = spawnSync('nice', ['-n', '19', 'npx', 'stryker', 'run', ...(withStatic ? ['--force'] : [])], { stdio: 'inherit', env: { ...process.env, STRYKER_TARGET: stripped, MUTATION_KEY_POOL: KEY_POOL, MUTATION_STATIC: String(withStatic) } });
    if (run.status !== 0) process.exit(run.status ?? 1);
  }
}
printScores();

/** Killed and timed-out mutants over all that ran (Stryker's mutation score); ignored ones are not counted. */
function printScores() {
  const newest = new Map();
  for (const dir of existsSync(REPORTS) ? readdirSync(REPORTS) : []) {
    const file = join(REPORTS, dir, 'mutation.json');
    if (!existsSync(file)) continue;
    const at = statSync(file).mtime;
    for (const [name, result] of Object.entries(JSON.parse(readFileSync(file, 'utf8')).files)) {
      if ((newest.get(name)?.at ?? 0) < at) newest.set(name, { at, mutants: result.mutants });
    }
  }
  console.log('| File | Score | Killed | Timeout | Survived | No coverage | Ignored | of them static | Run (UTC) |');
  console.log('|---|---|---|---|---|---|---|---|---|');
  for (const [name, { at, mutants }] of [...newest].sort(([a], [b]) => a.localeCompare(b))) {
    const count = (status) => mutants.filter((m) => m.status === status).length;
    const [killed, timeout, survived, noCoverage] = ['Killed', 'Timeout', 'Survived', 'NoCoverage'].map(count);
    const valid = killed + timeout + survived + noCoverage;
    const score = valid === 0 ? 'n/a' : `${((100 * (killed + timeout)) / valid).toFixed(1)} %`;
    const ignoredStatic = mutants.filter((m) => m.status === 'Ignored' && /ignoreStatic/.test(m.statusReason ?? '')).length;
    console.log(`| \`${name}\` | ${score} | ${killed} | ${timeout} | ${survived} | ${noCoverage} | ${count('Ignored')} | ${ignoredStatic} | ${at.toISOString().slice(0, 16).replace('T', ' ')} |`);
  }
  const notRun = filesOf('lambda/core').filter((file) => !newest.has(file));
  console.log(`\nNot run yet (${notRun.length}; files of types only have no mutants): ${notRun.join(', ') || 'none'}`);
}

function filesOf(dir) {
  return readdirSync(dir, { withFileTypes: true }).flatMap((e) => (e.isDirectory() ? filesOf(join(dir, e.name)) : e.name.endsWith('.ts') ? [join(dir, e.name)] : []));
}
