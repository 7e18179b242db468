/**
 * D147: the server build starts the server it built once (scripts/build-server.mjs `warmCodeCache`), so
 * that its code cache exists before the first real start; that start dies with the build. Run on a copy
 * of dist/local.mjs and dist/server.cjs inside node_modules/.cache (the server's run-time dependencies
 * resolve as from dist/), by a "build" process that runs only the warm-up, as the build runs it.
 */
import { type ChildProcess, spawn } from 'node:child_process';
import { copyFileSync, mkdtempSync, readdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { join, resolve } from 'node:path';
import { pathToFileURL } from 'node:url';
import { afterAll, describe, expect, test } from 'vitest';
import { childrenOf, isRunning, listeningPorts } from '../support/processes';

const ROOT = resolve(import.meta.dirname, '..', '..');
const dir = mkdtempSync(join(ROOT, 'node_modules', '.cache', 'byok-kms-warm-up-test-'));
/** Servers a test saw started; any still running at the end (a failed test) is killed by PID. */
const servers = new Set<number>();
afterAll(() => {
  for (const pid of servers) if (isRunning(pid)) process.kill(pid, 'SIGKILL');
  rmSync(dir, { recursive: true, force: true });
});
for (const file of ['local.mjs', 'server.cjs']) copyFileSync(join(ROOT, 'dist', file), join(dir, file));

/** A process that runs the build's warm-up of `launcher` (bound `boundMs`, else the build's own) and exits. */
function warmUp(launcher: string, boundMs?: number): { child: ChildProcess; exited: Promise<{ code: number | null; stderr: string }> } {
  const script = `import { warmCodeCache } from ${JSON.stringify(pathToFileURL(join(ROOT, 'scripts', 'build-server.mjs')).href)};
await warmCodeCache(${JSON.stringify(launcher)}${boundMs === undefined ? '' : `, { boundMs: ${boundMs} }`});`;
  const child = spawn(process.execPath, ['--input-type=module', '-e', script], { stdio: ['ignore', 'ignore', 'pipe'] });
  let stderr = '';
  child.stderr!.setEncoding('utf8').on('data', (d: string) => (stderr += d));
  return { child, exited: new Promise((done) => child.once('exit', (code) => done({ code, stderr }))) };
}

/** Resolves once `condition` holds, checked every 20 ms (the test's timeout is the hang detector). */
async function until(condition: () => boolean): Promise<void> {
  while (!condition()) await new Promise((r) => setTimeout(r, 20));
}

const caches = () => readdirSync(dir).filter((name) => /^server\.cjs\.[0-9a-f]{16}\.cache$/.test(name));

describe("the build's code-cache warm-up start (D147)", () => {
  test('leaves the code cache behind and stops', async () => {
    expect(caches()).toEqual([]);
    const { exited } = warmUp(join(dir, 'local.mjs'));
    expect(await exited).toEqual({ code: 0, stderr: '' });
    expect(caches()).toHaveLength(1);
  });

  test('dies with a build killed by SIGKILL, even one that never saw the banner', async () => {
    // GIVEN a build whose warm-up start is listening, the build held stopped so that it cannot stop it
    const build = warmUp(join(dir, 'local.mjs'));
    await until(() => childrenOf(build.child.pid!).length > 0);
    build.child.kill('SIGSTOP');
    const [server] = childrenOf(build.child.pid!);
    servers.add(server!);
    await until(() => listeningPorts(server!).length > 0);
    // WHEN the build is killed
    build.child.kill('SIGKILL');
    await build.exited;
    // THEN its warm-up server stops too (before, it went on listening, an orphan, until someone killed it)
    await until(() => !isRunning(server!));
  });

  test('one that never listens is killed at the bound, and the build says why', async () => {
    // GIVEN a launcher that never prints the banner, and notes its pid
    const pidFile = join(dir, 'hang.pid');
    const hang = join(dir, 'hang.mjs');
    writeFileSync(hang, `import { writeFileSync } from 'node:fs';\nwriteFileSync(${JSON.stringify(pidFile)}, String(process.pid));\nsetInterval(() => {}, 60_000);\n`);
    // WHEN the build warms it up with a bound of one second
    const { code, stderr } = await warmUp(hang, 1000).exited;
    // THEN the build goes on (exit 0), says what happened, and the hanging start is gone
    expect(code).toBe(0);
    expect(stderr).toBe(
      'byok-kms build: the code-cache warm-up start (D147) did not listen within 1 s and was killed; the first start after this build compiles the bundle instead\n',
    );
    const hung = Number(readFileSync(pidFile, 'utf8'));
    servers.add(hung);
    await until(() => !isRunning(hung));
  });
});
