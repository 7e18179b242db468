/**
 * Builds the console the way `npm start` does (only when its sources changed), once at a time: browser test files
 * run in parallel workers, and a second build emptying console/dist would pull the files from under a server that
 * another file is already testing. `flock` (util-linux) holds the lock while the build runs.
 */
import { execFile } from 'node:child_process';
import { createHash } from 'node:crypto';
import { tmpdir } from 'node:os';
import { dirname, join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { promisify } from 'node:util';

const ROOT = resolve(dirname(fileURLToPath(import.meta.url)), '..', '..', '..');

export async function buildConsoleOnce(): Promise<void> {
  const lock = join(tmpdir(), `byok-kms-console-build-${createHash('sha256').update(ROOT).digest('hex').slice(0, 12)}.lock`);
  await promisify(execFile)('flock', [lock, process.execPath, join(ROOT, 'scripts', 'build-console.mjs')], { cwd: ROOT });
}
