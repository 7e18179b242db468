/**
 * What `npm start` prints for the web console (its launcher runs scripts/build.mjs's check first): "building" when it
 * builds, and nothing when the console is up to date. The script runs on a copy of the console's sources in a
 * directory of its own, so that the console/dist the browser tests serve is never rebuilt under them.
 */
import { execFile } from 'node:child_process';
import { copyFileSync, cpSync, existsSync, mkdirSync, mkdtempSync, rmSync, symlinkSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { afterAll, describe, expect, test } from 'vitest';

const ROOT = resolve(dirname(fileURLToPath(import.meta.url)), '..', '..');
const copy = mkdtempSync(join(tmpdir(), 'byok-kms-console-build-'));

afterAll(() => rmSync(copy, { recursive: true, force: true }));

/** The console's sources (no server sources: only the console builds), the build scripts and the lock file in `copy`, with this project's node_modules. */
function copyProject(): void {
  for (const name of ['src', 'index.html', 'vite.config.ts', 'tsconfig.json']) cpSync(join(ROOT, 'console', name), join(copy, 'console', name), { recursive: true });
  mkdirSync(join(copy, 'scripts'));
  for (const script of ['build.mjs', 'build-console.mjs', 'build-server.mjs']) copyFileSync(join(ROOT, 'scripts', script), join(copy, 'scripts', script));
  copyFileSync(join(ROOT, 'package-lock.json'), join(copy, 'package-lock.json'));
  symlinkSync(join(ROOT, 'node_modules'), join(copy, 'node_modules'), 'dir');
}

function buildScript(): Promise<{ code: number | null; stdout: string; stderr: string }> {
  return new Promise((done) => {
    const child = execFile(process.execPath, [join(copy, 'scripts', 'build.mjs')], { cwd: copy, timeout: 240_000 }, (_err, stdout, stderr) =>
      done({ code: child.exitCode, stdout, stderr }),
    );
  });
}

describe('the console build before npm start', () => {
  test('says it is building when it builds, and nothing when the console is up to date', async () => {
    // GIVEN console sources that were never built
    copyProject();
    // WHEN the build script runs
    const first = await buildScript();
    // THEN it says that it builds, and has built
    expect(first.code, first.stderr).toBe(0);
    expect(first.stdout).toMatch(/^building the web console into console\/dist…\nconsole built into console\/dist in [\d.]+ s\n$/);
    expect(existsSync(join(copy, 'console', 'dist', 'index.html'))).toBe(true);
    // WHEN it runs again with nothing changed
    const second = await buildScript();
    // THEN it builds nothing and says nothing (no "skipped")
    expect(second.code, second.stderr).toBe(0);
    expect(second.stdout).toBe('');
    expect(second.stderr).toBe('');
  });
});
