/** DynamoKeyStore on in-process dynalite: in memory, on disk, and across a restart on the same directory. */
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, test } from 'vitest';
import { DynamoKeyStore } from '../../lambda/adapters/dynamodb/key-store';
import { type RunningDynalite, startDynalite } from '../../lambda/adapters/embedded/dynalite';
import { keyStoreContract } from './key-store.contract';
import { dynamoStoreOn, startLoopbackDynalite } from './support/dynamo-engines';
import { SCOPE_A, anAlias, fullKey } from './support/key-fixtures';

describe('dynalite in memory, in process', () => {
  let engine: RunningDynalite;
  beforeAll(async () => {
    engine = await startDynalite();
  });
  afterAll(async () => engine?.close());

  keyStoreContract('DynamoKeyStore on dynalite in memory (in process)', () => dynamoStoreOn(engine.client));
});

// The reference for the in-process transport: dynalite as its authors run it, over loopback HTTP.
// Only tests make a dynalite listen (startLoopbackDynalite); the service never does (D30).
describe('dynalite in memory, over loopback HTTP (reference)', () => {
  let loopback: Awaited<ReturnType<typeof startLoopbackDynalite>>;
  beforeAll(async () => {
    loopback = await startLoopbackDynalite();
  });
  afterAll(async () => loopback?.stop());

  keyStoreContract('DynamoKeyStore on dynalite in memory (loopback HTTP)', () => dynamoStoreOn(loopback.client));
});

describe('dynalite on disk', () => {
  let dir: string;
  let engine: RunningDynalite;
  beforeAll(async () => {
    dir = await mkdtemp(join(tmpdir(), 'kms-dynalite-'));
    engine = await startDynalite({ path: join(dir, 'dynamodb') });
  });
  afterAll(async () => {
    await engine?.close();
    await rm(dir, { recursive: true, force: true });
  });

  keyStoreContract('DynamoKeyStore on dynalite on disk', () => dynamoStoreOn(engine.client));
});

describe('dynalite on disk, restarted', () => {
  let dir: string;
  beforeAll(async () => {
    dir = await mkdtemp(join(tmpdir(), 'kms-dynalite-restart-'));
  });
  afterAll(async () => rm(dir, { recursive: true, force: true }));

  test('keys, revisions and aliases survive a restart on the same directory', async () => {
    // GIVEN
    const path = join(dir, 'dynamodb');
    const first = await startDynalite({ path });
    const before = await dynamoStoreOn(first.client, 'kms-keys');
    const key = fullKey();
    await before.putKey(key, { expectedRevision: null });
    await before.putKey({ ...key, description: 'saved twice' }, { expectedRevision: 1 });
    await before.createAlias(anAlias(SCOPE_A, 'alias/kept', key.keyId));
    // WHEN
    await first.close();
    const second = await startDynalite({ path });
    try {
      const after = await dynamoStoreOn(second.client, 'kms-keys');
      // THEN
      expect(await after.getKey(SCOPE_A, key.keyId)).toStrictEqual({ ...key, description: 'saved twice', revision: 2 });
      expect(await after.getAlias(SCOPE_A, 'alias/kept')).toStrictEqual(anAlias(SCOPE_A, 'alias/kept', key.keyId));
      await expect(after.putKey(key, { expectedRevision: 1 })).rejects.toThrow('changed during the update');
    } finally {
      await second.close();
    }
  });

  test('fails with a clear message when the directory is in use', async () => {
    // GIVEN
    const path = join(dir, 'locked');
    const running = await startDynalite({ path });
    try {
      // WHEN / THEN
      await expect(startDynalite({ path })).rejects.toThrow(/in use by another process/);
      // and the running one is unharmed
      const store = new DynamoKeyStore(running.client, 'kms-keys');
      await dynamoStoreOn(running.client, 'kms-keys');
      expect(await store.getKey(SCOPE_A, 'nope')).toBeUndefined();
    } finally {
      await running.close();
    }
  });
});
