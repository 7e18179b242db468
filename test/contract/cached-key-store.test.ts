/**
 * The embedded mode's write-through cache (D92) on a real store (DynamoKeyStore on in-process
 * dynalite): it passes the KeyStore contract, serves what it knows without a store read, and never
 * serves a state the store does not hold.
 */
import { randomUUID } from 'node:crypto';
import { afterAll, beforeAll, describe, expect, test } from 'vitest';
import { ensureKeyTable } from '../../lambda/adapters/dynamodb/ensure-table';
import { DynamoKeyStore } from '../../lambda/adapters/dynamodb/key-store';
import { CachedKeyStore } from '../../lambda/adapters/embedded/cached-key-store';
import { type RunningDynalite, startDynalite } from '../../lambda/adapters/embedded/dynalite';
import { StoreConflictError } from '../../lambda/core/errors';
import type { AliasRecord, KeyRecord, Scope } from '../../lambda/core/model/key';
import type { KeyStore, SaveGuard } from '../../lambda/core/ports';
import { STORED_RECORDS } from '../../lambda/runtime/embedded';
import { keyStoreContract } from './key-store.contract';
import { dynamoStoreOn } from './support/dynamo-engines';
import { SCOPE_A, anAlias, bareKey, fullKey } from './support/key-fixtures';

let engine: RunningDynalite;
beforeAll(async () => {
  engine = await startDynalite();
});
afterAll(async () => engine?.close());

keyStoreContract('CachedKeyStore over DynamoKeyStore on dynalite', async () => new CachedKeyStore(await dynamoStoreOn(engine.client), STORED_RECORDS));

/** A DynamoKeyStore that counts its reads and can hold a read or a write until the test releases it. */
class WatchedStore extends DynamoKeyStore {
  reads = 0;
  holdNextRead?: Promise<void>;
  holdNextWrite?: Promise<void>;
  override async getKey(scope: Scope, keyId: string): Promise<KeyRecord | undefined> {
    this.reads++;
    const read = await super.getKey(scope, keyId);
    const hold = this.holdNextRead;
    this.holdNextRead = undefined;
    await hold; // the record was read; its answer arrives only now
    return read;
  }
  override async getAlias(scope: Scope, aliasName: string): Promise<AliasRecord | undefined> {
    this.reads++;
    return super.getAlias(scope, aliasName);
  }
  override async putKey(key: KeyRecord, guard: SaveGuard): Promise<void> {
    const hold = this.holdNextWrite;
    this.holdNextWrite = undefined;
    await hold;
    return super.putKey(key, guard);
  }
}

function gate() {
  let open!: () => void;
  const opened = new Promise<void>((resolve) => (open = resolve));
  return { opened, open };
}

async function watched(maxEntries?: number): Promise<{ store: WatchedStore; cached: KeyStore }> {
  const tableName = `keys-${randomUUID()}`;
  await ensureKeyTable(engine.client, tableName);
  const store = new WatchedStore(engine.client, tableName);
  return { store, cached: new CachedKeyStore(store, STORED_RECORDS, maxEntries === undefined ? {} : { maxEntries }) };
}

describe('CachedKeyStore', () => {
  test('serves a written key without reading the store, exactly as a store read gives it', async () => {
    // GIVEN
    const { store, cached } = await watched();
    const key = fullKey();
    // WHEN
    await cached.putKey(key, { expectedRevision: null });
    const first = await cached.getKey(key.scope, key.keyId);
    const second = await cached.getKey(key.scope, key.keyId);
    // THEN
    expect(store.reads).toBe(0);
    expect(first).toStrictEqual(await store.getKey(key.scope, key.keyId));
    expect(second).toBe(first);
  });

  test('reads a key it does not know from the store once, then from memory', async () => {
    const { store, cached } = await watched();
    const key = bareKey();
    await store.putKey(key, { expectedRevision: null });
    await cached.getKey(key.scope, key.keyId);
    await cached.getKey(key.scope, key.keyId);
    expect(store.reads).toBe(1);
  });

  test('forgets a key after a write that lost its condition, and reads what the store holds', async () => {
    // GIVEN a key the cache knows at revision 1, changed behind it to revision 2
    const { store, cached } = await watched();
    const key = bareKey();
    await cached.putKey(key, { expectedRevision: null });
    await store.putKey({ ...key, description: 'elsewhere' }, { expectedRevision: 1 });
    // WHEN
    await expect(cached.putKey({ ...key, description: 'stale' }, { expectedRevision: 1 })).rejects.toBeInstanceOf(StoreConflictError);
    // THEN
    expect(await cached.getKey(key.scope, key.keyId)).toMatchObject({ description: 'elsewhere', revision: 2 });
  });

  test('keeps serving the acknowledged state while a write is in flight, and the new one once it is acknowledged', async () => {
    // GIVEN
    const { store, cached } = await watched();
    const key = bareKey();
    await cached.putKey(key, { expectedRevision: null });
    const hold = gate();
    store.holdNextWrite = hold.opened;
    // WHEN
    const writing = cached.putKey({ ...key, description: 'next' }, { expectedRevision: 1 });
    // THEN
    expect(await cached.getKey(key.scope, key.keyId)).toMatchObject({ description: '', revision: 1 });
    hold.open();
    await writing;
    expect(await cached.getKey(key.scope, key.keyId)).toMatchObject({ description: 'next', revision: 2 });
    expect(store.reads).toBe(0);
  });

  test('does not keep a store read that a write overtook', async () => {
    // GIVEN a read of revision 1 whose answer is held back until a write of revision 2 is acknowledged
    const { store, cached } = await watched();
    const key = bareKey();
    await store.putKey(key, { expectedRevision: null });
    const hold = gate();
    store.holdNextRead = hold.opened;
    const reading = cached.getKey(key.scope, key.keyId);
    await new Promise((r) => setImmediate(r));
    await cached.putKey({ ...key, description: 'newer' }, { expectedRevision: 1 });
    // WHEN the old answer arrives
    hold.open();
    expect(await reading).toMatchObject({ revision: 1 });
    // THEN the cache serves the write, not the overtaken read
    expect(await cached.getKey(key.scope, key.keyId)).toMatchObject({ description: 'newer', revision: 2 });
  });

  test('does not bring back a key deleted while a store read of it was under way', async () => {
    // GIVEN a read of the key whose answer is held back until the key is deleted
    const { store, cached } = await watched();
    const key = bareKey();
    await store.putKey(key, { expectedRevision: null });
    const hold = gate();
    store.holdNextRead = hold.opened;
    const reading = cached.getKey(key.scope, key.keyId);
    await new Promise((r) => setImmediate(r));
    await cached.deleteKey(key.scope, key.keyId, { expectedRevision: 1 });
    // WHEN the old answer arrives
    hold.open();
    expect(await reading).toMatchObject({ revision: 1 });
    // THEN the key stays gone
    expect(await cached.getKey(key.scope, key.keyId)).toBeUndefined();
  });

  test('forgets a deleted key and does not remember its absence', async () => {
    const { store, cached } = await watched();
    const key = bareKey();
    await cached.putKey(key, { expectedRevision: null });
    await cached.deleteKey(key.scope, key.keyId, { expectedRevision: 1 });
    expect(await cached.getKey(key.scope, key.keyId)).toBeUndefined();
    await store.putKey(key, { expectedRevision: null }); // another record of that id, written to the store
    expect(await cached.getKey(key.scope, key.keyId)).toMatchObject({ revision: 1 });
  });

  test('an alias follows its writes: created, re-pointed, deleted only while it names the key', async () => {
    // GIVEN
    const { store, cached } = await watched();
    const alias = anAlias(SCOPE_A, 'alias/cached', 'k1');
    await cached.createAlias(alias);
    expect(await cached.getAlias(SCOPE_A, 'alias/cached')).toMatchObject({ targetKeyId: 'k1' });
    // WHEN re-pointed, then a conditional delete for the old target
    await cached.updateAlias({ ...alias, targetKeyId: 'k2' });
    await cached.deleteAlias(SCOPE_A, 'alias/cached', 'k1');
    // THEN it still names k2, as the store says
    expect(await cached.getAlias(SCOPE_A, 'alias/cached')).toMatchObject({ targetKeyId: 'k2' });
    await cached.deleteAlias(SCOPE_A, 'alias/cached', 'k2');
    expect(await cached.getAlias(SCOPE_A, 'alias/cached')).toBeUndefined();
    expect(await store.getAlias(SCOPE_A, 'alias/cached')).toBeUndefined();
  });

  test('heldKey and heldAlias answer at once exactly what getKey and getAlias answer from memory, and nothing they would ask the store for (D136)', async () => {
    const { store, cached } = await watched();
    const key = bareKey();
    await store.putKey(key, { expectedRevision: null });
    // Not read yet: the store must be asked.
    expect(cached.heldKey!(key.scope, key.keyId)).toBeUndefined();
    const read = await cached.getKey(key.scope, key.keyId);
    expect(cached.heldKey!(key.scope, key.keyId)).toBe(read);
    // A write in flight: still the acknowledged state; once acknowledged, the new one.
    const hold = gate();
    store.holdNextWrite = hold.opened;
    const writing = cached.putKey({ ...key, description: 'next' }, { expectedRevision: 1 });
    expect(cached.heldKey!(key.scope, key.keyId)).toMatchObject({ description: '', revision: 1 });
    hold.open();
    await writing;
    expect(cached.heldKey!(key.scope, key.keyId)).toBe(await cached.getKey(key.scope, key.keyId));
    expect(cached.heldKey!(key.scope, key.keyId)).toMatchObject({ description: 'next', revision: 2 });
    // A write that lost its condition, and a deletion: forgotten.
    await expect(cached.putKey({ ...key, description: 'stale' }, { expectedRevision: 1 })).rejects.toBeInstanceOf(StoreConflictError);
    expect(cached.heldKey!(key.scope, key.keyId)).toBeUndefined();
    await cached.getKey(key.scope, key.keyId);
    await cached.deleteKey(key.scope, key.keyId, { expectedRevision: 2 });
    expect(cached.heldKey!(key.scope, key.keyId)).toBeUndefined();

    const alias = anAlias(SCOPE_A, 'alias/held', key.keyId);
    expect(cached.heldAlias!(SCOPE_A, 'alias/held')).toBeUndefined();
    await cached.createAlias(alias);
    expect(cached.heldAlias!(SCOPE_A, 'alias/held')).toBe(await cached.getAlias(SCOPE_A, 'alias/held'));
    await cached.deleteAlias(SCOPE_A, 'alias/held');
    expect(cached.heldAlias!(SCOPE_A, 'alias/held')).toBeUndefined();
  });

  test('keeps at most maxEntries records, dropping the oldest', async () => {
    const { store, cached } = await watched(2);
    const keys = [bareKey(), bareKey(), bareKey()];
    for (const k of keys) await cached.putKey(k, { expectedRevision: null });
    await cached.getKey(keys[2]!.scope, keys[2]!.keyId);
    await cached.getKey(keys[1]!.scope, keys[1]!.keyId);
    expect(store.reads).toBe(0);
    await cached.getKey(keys[0]!.scope, keys[0]!.keyId);
    expect(store.reads).toBe(1);
  });
});
