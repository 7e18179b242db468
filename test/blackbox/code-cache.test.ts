/**
 * D97: the `byok-kms` command (dist/local.mjs) runs dist/server.cjs with V8's code cache. Run on a copy of
 * the two files, inside node_modules/.cache so that the server's run-time dependencies resolve as they do
 * from dist/: the first start leaves a cache file when it stops, a damaged cache is ignored (the server
 * still serves, and the next stop writes a good one), and a changed bundle gets a cache of its own.
 */
import { type ChildProcess, spawn } from 'node:child_process';
import { appendFileSync, copyFileSync, mkdtempSync, readdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { join, resolve } from 'node:path';
import { CreateKeyCommand, KMSClient } from '@aws-sdk/client-kms';
import { afterAll, describe, expect, test } from 'vitest';

const ROOT = resolve(import.meta.dirname, '..', '..');
const cacheParent = join(ROOT, 'node_modules', '.cache');
const dir = mkdtempSync(join(cacheParent, 'byok-kms-code-cache-test-'));
afterAll(() => rmSync(dir, { recursive: true, force: true }));
for (const file of ['local.mjs', 'server.cjs']) copyFileSync(join(ROOT, 'dist', file), join(dir, file));

const caches = () => readdirSync(dir).filter((name) => /^server\.cjs\.[0-9a-f]{16}\.cache$/.test(name));

/** Starts the copy, makes one KMS call, stops it with SIGTERM and waits for its exit code. */
async function startServeStop(): Promise<number | null> {
  const child: ChildProcess = spawn(process.execPath, [join(dir, 'local.mjs'), '--port', '0', '--in-memory', '--no-request-log'], { stdio: ['ignore', 'pipe', 'pipe'] });
  let stdout = '';
  let stderr = '';
  child.stdout!.setEncoding('utf8').on('data', (d: string) => (stdout += d));
  child.stderr!.setEncoding('utf8').on('data', (d: string) => (stderr += d));
  const exited = new Promise<number | null>((done) => child.once('exit', (code) => done(code)));
  const endpoint = await new Promise<string>((done, fail) => {
    child.stdout!.on('data', () => {
      const match = /byok-kms listening on (http:\/\/\S+)/.exec(stdout);
      if (match) done(match[1]!);
    });
    void exited.then((code) => fail(new Error(`the server exited (${code}) before listening: ${stderr}`)));
  });
  const kms = new KMSClient({ endpoint, region: 'us-east-1', credentials: { accessKeyId: '111122223333', secretAccessKey: 'x' }, maxAttempts: 1 });
  expect((await kms.send(new CreateKeyCommand({}))).KeyMetadata?.KeyState).toBe('Enabled');
  child.kill('SIGTERM');
  return exited;
}

describe('the code cache of the byok-kms command (D97)', () => {
  test('the first start leaves one cache file when it stops; later starts keep it', async () => {
    expect(caches()).toEqual([]);
    expect(await startServeStop()).toBe(0);
    expect(caches()).toHaveLength(1);
    const cache = readFileSync(join(dir, caches()[0]!));
    expect(await startServeStop()).toBe(0);
    expect(readFileSync(join(dir, caches()[0]!)).equals(cache)).toBe(true);
    expect(readdirSync(dir).filter((name) => name.includes('.cache.'))).toEqual([]); // no temporary file left
  });

  test('a damaged cache is ignored, and replaced when the server stops', async () => {
    const [name] = caches();
    writeFileSync(join(dir, name!), Buffer.from('not bytecode at all'));
    expect(await startServeStop()).toBe(0);
    expect(readFileSync(join(dir, name!)).length).toBeGreaterThan(1000);
  });

  test('a changed bundle has a cache of its own', async () => {
    const [before] = caches();
    appendFileSync(join(dir, 'server.cjs'), '\n// rebuilt\n');
    expect(await startServeStop()).toBe(0);
    expect(caches()).toContain(before);
    expect(caches()).toHaveLength(2);
  });
});
