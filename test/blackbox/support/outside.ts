/**
 * Independent implementations for the black-box tests: Python's cryptography (one process per batch of
 * jobs) and openssl, on files in a temporary directory.
 */
import { spawn } from 'node:child_process';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { expect } from 'vitest';
import { tool } from '../../support/tools';

const hex = (b: Uint8Array) => Buffer.from(b).toString('hex');

export type OutsideJob =
  | { readonly op: 'verify'; readonly publicKey: Uint8Array; readonly algorithm: string; readonly messageType: string; readonly message: Uint8Array; readonly signature: Uint8Array }
  | { readonly op: 'sign'; readonly privateKey: Uint8Array; readonly algorithm: string; readonly messageType: string; readonly message: Uint8Array }
  | { readonly op: 'derive'; readonly privateKey: Uint8Array; readonly publicKey: Uint8Array }
  | { readonly op: 'publicKey'; readonly privateKey: Uint8Array };

/** Runs the jobs in one python3 process (test/blackbox/support/outside-crypto.py); results in order. */
export async function pythonCryptography(jobs: readonly OutsideJob[]): Promise<unknown[]> {
  const input = JSON.stringify(jobs.map((job) => Object.fromEntries(Object.entries(job).map(([k, v]) => [k, v instanceof Uint8Array ? hex(v) : v]))));
  return new Promise((resolve, reject) => {
    const child = spawn('python3', ['test/blackbox/support/outside-crypto.py'], { stdio: ['pipe', 'pipe', 'pipe'] });
    let stdout = '';
    let stderr = '';
    child.stdout.on('data', (d: Buffer) => (stdout += d));
    child.stderr.on('data', (d: Buffer) => (stderr += d));
    child.on('error', (err) => reject(new Error(`python3 is needed (apt-get install python3; pip install cryptography): ${err.message}`)));
    child.on('close', (code) => (code === 0 ? resolve(JSON.parse(stdout) as unknown[]) : reject(new Error(`outside-crypto.py failed (${code}): ${stderr}`))));
    child.stdin.end(input);
  });
}

/** A scratch directory for openssl's files; `remove()` after the tests. */
export class OpensslDir {
  readonly dir = mkdtempSync(join(tmpdir(), 'byok-openssl-'));

  write(name: string, data: Uint8Array | string): string {
    const path = join(this.dir, name);
    writeFileSync(path, data);
    return path;
  }

  /** openssl with the directory as working directory; expects exit code 0 unless `allowFailure`. */
  async run(args: readonly string[], allowFailure = false): Promise<{ code: number; stdout: string; stderr: string }> {
    const result = await tool('openssl', args, { cwd: this.dir });
    if (!allowFailure) expect(result.code, `openssl ${args.join(' ')}: ${result.stderr}`).toBe(0);
    return result;
  }

  remove(): void {
    rmSync(this.dir, { recursive: true, force: true });
  }
}
