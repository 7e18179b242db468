/**
 * Hard-kill durability of the embedded mode: a child process writes keys through embeddedDeps and is
 * killed with SIGKILL mid-stream; every write it had seen acknowledged is there when another
 * process opens the same data directory.
 */
import { type ChildProcess, spawn } from 'node:child_process';
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, test } from 'vitest';
import { embeddedDeps } from '../../lambda/runtime/embedded';
import { SCOPE_A } from './support/key-fixtures';

let dir: string;
beforeAll(async () => {
  dir = await mkdtemp(join(tmpdir(), 'kms-durability-'));
});
afterAll(async () => rm(dir, { recursive: true, force: true }));

/** Starts the writer and resolves with what it printed once it has acknowledged `acks` rounds. */
function runWriterUntil(dataDir: string, acks: number): Promise<{ child: ChildProcess; lines: string[] }> {
  const child = spawn(process.execPath, ['--import', 'tsx', 'test/contract/support/durability-child.ts', dataDir], {
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  const lines: string[] = [];
  let stderr = '';
  let buffered = '';
  return new Promise((resolve, reject) => {
    const timeout = setTimeout(() => reject(new Error(`writer did not acknowledge ${acks} writes in time: ${stderr}`)), 240_000); // a hang detector (D120)
    child.stderr!.on('data', (chunk: Buffer) => {
      stderr += chunk.toString();
    });
    child.once('exit', (code, signal) => reject(new Error(`writer exited early (${code ?? signal}): ${stderr}`)));
    child.stdout!.on('data', (chunk: Buffer) => {
      buffered += chunk.toString();
      const complete = buffered.split('\n');
      buffered = complete.pop()!;
      lines.push(...complete);
      if (lines.filter((l) => l.startsWith('ACK ')).length >= acks) {
        clearTimeout(timeout);
        resolve({ child, lines });
      }
    });
  });
}

describe('embedded mode after SIGKILL', () => {
  test('every acknowledged write, and the root key, survive a hard kill of the process', async () => {
    // GIVEN a writer that is still writing
    const dataDir = join(dir, 'data');
    const { child, lines: seen } = await runWriterUntil(dataDir, 25);
    // WHEN it is killed without warning
    const exited = new Promise<NodeJS.Signals | null>((resolve) => child.once('exit', (_, signal) => resolve(signal)));
    child.stdout!.removeAllListeners('data');
    process.kill(child.pid!, 'SIGKILL');
    expect(await exited).toBe('SIGKILL');
    const acked = seen.filter((l) => l.startsWith('ACK ')).map((l) => l.split(' ') as [string, string, string]);
    const rootLine = seen.find((l) => l.startsWith('ROOT '))!;
    // THEN another process finds all of it
    const reopened = await embeddedDeps({ dataDir, inMemory: false });
    try {
      for (const [, i, keyId] of acked) {
        expect(await reopened.deps.keys.getKey(SCOPE_A, keyId)).toMatchObject({ keyId, description: `updated ${i}`, revision: 2 });
        expect(await reopened.deps.keys.getAlias(SCOPE_A, `alias/k${i}`)).toMatchObject({ targetKeyId: keyId });
      }
      const wrapped = Buffer.from(rootLine.slice('ROOT '.length), 'hex');
      expect(Buffer.from(await reopened.deps.rootKey.unwrap(wrapped, { purpose: 'durability' })).toString()).toBe('kept secret');
      // and the store is writable again (the dead process's lock is gone)
      const page = await reopened.deps.keys.listKeys(SCOPE_A, { limit: 1000 });
      expect(page.items.length).toBeGreaterThanOrEqual(acked.length);
    } finally {
      await reopened.close();
    }
  });
});
