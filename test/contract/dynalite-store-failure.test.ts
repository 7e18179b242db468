/**
 * D138: a LevelDB failure under the in-process dynalite reaches the key store as a rejected call; it
 * no longer escapes from dynalite's callback as an uncaught exception that ends the process (here: the
 * test worker, whose awaited call would then never settle).
 *
 * The failure is real, and needs no privileges: the database directory is removed under the running
 * store. LevelDB keeps writing to its open write-ahead log until the 4 MB memtable is full; then it must
 * create a new log file in that directory, cannot (IO error: No such file or directory), and refuses
 * that write and every later one.
 */
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, expect, test } from 'vitest';
import type { DynamoKeyStore } from '../../lambda/adapters/dynamodb/key-store';
import { type RunningDynalite, startDynalite } from '../../lambda/adapters/embedded/dynalite';
import { dynamoStoreOn } from './support/dynamo-engines';
import { fullKey } from './support/key-fixtures';

let dir: string;
let engine: RunningDynalite;
let store: DynamoKeyStore;
beforeAll(async () => {
  dir = await mkdtemp(join(tmpdir(), 'kms-dynalite-failure-'));
  engine = await startDynalite({ path: join(dir, 'dynamodb') });
  store = await dynamoStoreOn(engine.client);
});
afterAll(async () => {
  await engine?.close().catch(() => undefined); // closing a database whose files are gone may fail; nothing is left to keep
  await rm(dir, { recursive: true, force: true });
});

test('a write LevelDB cannot make rejects with DynamoDB’s InternalServerError, and the store goes on answering', async () => {
  // GIVEN a stored key, then the database directory removed under the running store
  const kept = fullKey();
  await store.putKey(kept, { expectedRevision: null });
  await rm(join(dir, 'dynamodb'), { recursive: true, force: true });

  // WHEN keys of 300 KB each are written until LevelDB needs a new log file (at most 100: 30 MB)
  let failure: unknown;
  let written = 0;
  while (failure === undefined && written < 100) {
    try {
      await store.putKey({ ...fullKey(), policy: 'p'.repeat(300_000) }, { expectedRevision: null });
      written++;
    } catch (err) {
      failure = err;
    }
  }

  // THEN the write that failed rejected, as a server fault with LevelDB's reason, after more than the memtable's 4 MB
  expect(written).toBeGreaterThanOrEqual(13);
  expect(failure).toMatchObject({ name: 'InternalServerError', $fault: 'server', $metadata: { httpStatusCode: 500 } });
  expect((failure as Error).message).toMatch(/^Internal server error: IO error: .*No such file or directory/);
  // and later writes are refused the same way, while reads of what LevelDB still holds answer
  await expect(store.putKey(fullKey(), { expectedRevision: null })).rejects.toMatchObject({ name: 'InternalServerError' });
  expect(await store.getKey(kept.scope, kept.keyId)).toMatchObject({ keyId: kept.keyId, description: kept.description });
});
