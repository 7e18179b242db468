/**
 * `npm start` (and the test set-up, and the bench) runs scripts/build.mjs's check first; right after a build it
 * must build nothing. The server's build once recorded a plugin's virtual module (`lazy-level:level`) among its
 * inputs: no such file exists, so the check found an input missing and every start rebuilt the server (3–9 s).
 */
import { execFile } from 'node:child_process';
import { dirname, join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { describe, expect, test } from 'vitest';

const ROOT = resolve(dirname(fileURLToPath(import.meta.url)), '..', '..');

function buildScript(): Promise<{ code: number | null; stdout: string; stderr: string }> {
  return new Promise((done) => {
    const child = execFile(process.execPath, [join(ROOT, 'scripts', 'build.mjs')], { cwd: ROOT, timeout: 240_000 }, (_err, stdout, stderr) =>
      done({ code: child.exitCode, stdout, stderr }),
    );
  });
}

describe('the server build before npm start', () => {
  test('builds nothing and says nothing when dist/ is up to date', async () => {
    // GIVEN dist/ brought up to date from these sources (the global set-up did, as npm start would)
    // WHEN the check runs again
    const again = await buildScript();
    // THEN it builds nothing: no output at all, exit 0
    expect(again).toEqual({ code: 0, stdout: '', stderr: '' });
  }, 300_000);
});
