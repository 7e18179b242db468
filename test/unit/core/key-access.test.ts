/**
 * key-access.ts, where a port is what a caller observes: the keys a request names in its audit record's `resources`,
 * the expiry timers and store erasure a write asks for, the per-key lock a change runs under, and the plaintext
 * material `unwrapMaterial` hands out (the cache's copy, zeroed on eviction; the root key's refusals).
 */
import { randomBytes, randomUUID } from 'node:crypto';
import { describe, expect, test } from 'vitest';
import type { AuditResource } from '../../../lambda/core/audit/cloudtrail-event';
import { KMSInternalException, UnwrapError } from '../../../lambda/core/errors';
import { changeKey, loadKey, resolveKey, saveKey, unwrapMaterial, wrapMaterial } from '../../../lambda/core/key-access';
import type { KeyMaterial, KeyRecord } from '../../../lambda/core/model/key';
import type { KeyWrites, SaveGuard } from '../../../lambda/core/ports';
import type { Timer } from '../../../lambda/core/timers/timer';
import { type MemoryDeps, memoryDeps, TEST_CTX, TEST_SCOPE } from '../../support/memory-deps';
import { anExternalKey, stored } from './import/helpers';

const DAY_MS = 86_400_000;

/** An EXTERNAL key with imported materials of the given plaintexts (CURRENT first), each with its ValidTo if any. */
async function importedKey(deps: MemoryDeps, materials: readonly { bytes: Uint8Array; validTo?: Date }[]): Promise<KeyRecord> {
  const key = await anExternalKey(deps);
  const records: KeyMaterial[] = [];
  for (const [i, m] of materials.entries()) {
    const materialId = `${i}`.repeat(64).slice(0, 64);
    records.push({
      materialId,
      materialState: i === 0 ? 'CURRENT' : 'NON_CURRENT',
      importState: 'IMPORTED',
      wrapped: await wrapMaterial(deps, key, materialId, m.bytes),
      ...(m.validTo ? { expirationModel: 'KEY_MATERIAL_EXPIRES' as const, validTo: m.validTo } : { expirationModel: 'KEY_MATERIAL_DOES_NOT_EXPIRE' as const }),
    });
  }
  await deps.keys.putKey({ ...key, state: 'Enabled', materials: records, currentMaterialId: records[0]?.materialId }, { expectedRevision: key.revision });
  return stored(deps, key);
}

/** Every timer armed and every guard the store was given, in order. */
function recordPorts(deps: MemoryDeps): { arms: Timer[]; guards: SaveGuard[] } {
  const arms: Timer[] = [];
  const guards: SaveGuard[] = [];
  const arm = deps.timers.arm.bind(deps.timers);
  deps.timers.arm = async (timer) => {
    arms.push(timer);
    await arm(timer);
  };
  const putKey = deps.keys.putKey.bind(deps.keys);
  deps.keys.putKey = async (key, guard) => {
    guards.push(guard);
    await putKey(key, guard);
  };
  return { arms, guards };
}

describe('resolveKey: the audit record names the key the request used', () => {
  test.each<[string, (key: KeyRecord) => string]>([
    ['its key id', (key) => key.keyId],
    ['its key ARN', (key) => key.arn],
    ['an alias of it', () => 'alias/app'],
  ])('by %s: resources lists the key ARN', async (_, refOf) => {
    const deps = memoryDeps();
    const key = await importedKey(deps, [{ bytes: randomBytes(32) }]);
    await deps.keys.createAlias({ scope: TEST_SCOPE, aliasName: 'alias/app', targetKeyId: key.keyId, creationDate: deps.clock.now(), lastUpdatedDate: deps.clock.now() });
    const resources: AuditResource[] = [];
    const loaded = await resolveKey(deps, { ...TEST_CTX, resources: { add: (r) => void resources.push(r) } }, refOf(key), { allowAlias: true });
    expect(loaded.key.arn).toBe(key.arn);
    expect(resources).toEqual([{ type: 'AWS::KMS::Key', arn: key.arn }]);
  });
});

describe('saveKey: timers and erasure', () => {
  test('a write that keeps the materials (a new description) arms no timer again, disarms none, and asks for no erasure', async () => {
    const deps = memoryDeps();
    const validTo = new Date(deps.clock.now().getTime() + 30 * DAY_MS);
    const key = await importedKey(deps, [{ bytes: randomBytes(32), validTo }, { bytes: randomBytes(32) }]);
    const loaded = (await loadKey(deps, TEST_SCOPE, key.keyId))!;
    await unwrapMaterial(deps, loaded.key, loaded.key.materials[0]!);
    const seen = recordPorts(deps);

    await saveKey(deps, loaded, { ...loaded.key, description: 'renamed' });

    expect(seen.arms).toEqual([]);
    expect(deps.timers.disarmed).toEqual([]);
    expect(seen.guards).toStrictEqual([{ expectedRevision: key.revision }]);
    // The cached plaintext stays: the next Encrypt needs no root-key call.
    expect(deps.materialCache.get(key.arn, loaded.key.materials[0]!.materialId, deps.clock.now().getTime())).toBeDefined();
    expect((await stored(deps, key)).description).toBe('renamed');
  });

  test('a write that drops one imported material asks the store to erase it and evicts only its plaintext; a new ValidTo arms one timer', async () => {
    const deps = memoryDeps();
    const validTo = new Date(deps.clock.now().getTime() + 30 * DAY_MS);
    const key = await importedKey(deps, [{ bytes: randomBytes(32) }, { bytes: randomBytes(32) }]);
    const loaded = (await loadKey(deps, TEST_SCOPE, key.keyId))!;
    const [kept, dropped] = loaded.key.materials as [KeyMaterial, KeyMaterial];
    const keptPlain = await unwrapMaterial(deps, loaded.key, kept);
    const droppedPlain = await unwrapMaterial(deps, loaded.key, dropped);
    const seen = recordPorts(deps);

    await saveKey(deps, loaded, { ...loaded.key, materials: [{ ...kept, expirationModel: 'KEY_MATERIAL_EXPIRES', validTo }] });

    expect(seen.guards).toStrictEqual([{ expectedRevision: key.revision, erasesSecrets: true }]);
    expect(seen.arms.map((t) => [t.kind, t.keyId, t.at])).toEqual([['MaterialExpired', key.keyId, validTo]]);
    expect(deps.timers.disarmed).toEqual([]);
    expect(droppedPlain.every((b) => b === 0)).toBe(true);
    expect(keptPlain.some((b) => b !== 0)).toBe(true);
  });
});

describe('changeKey: the lock a change runs under', () => {
  test.each<[string, string, string]>([
    ['a key id', '1234abcd-12ab-34cd-56ef-1234567890ab', 'arn:aws:kms:us-east-1:111122223333:key/1234abcd-12ab-34cd-56ef-1234567890ab'],
    ['a key ARN', 'arn:aws:kms:us-east-1:111122223333:key/1234abcd-12ab-34cd-56ef-1234567890ab', 'arn:aws:kms:us-east-1:111122223333:key/1234abcd-12ab-34cd-56ef-1234567890ab'],
    ['an alias (refused later by the attempt)', 'alias/app', 'alias/app'],
    ['something else', 'not a key', 'not a key'],
  ])('%s: the key ARN when it names a key, so an id and an ARN of one key share a lock', async (_, keyRef, lock) => {
    const locks: (string | null)[] = [];
    const keyWrites: KeyWrites = { run: (name, attempt) => (locks.push(name), attempt()) };
    expect(await changeKey({ keyWrites }, TEST_CTX, keyRef, async () => 'done')).toBe('done');
    expect(locks).toEqual([lock]);
  });
});

describe('unwrapMaterial', () => {
  test("hands out the cache's copy: evicting the material zeroes the bytes the caller holds, and the root key's buffer is zeroed", async () => {
    const deps = memoryDeps();
    const plaintext = new Uint8Array(randomBytes(32));
    const key = await importedKey(deps, [{ bytes: plaintext }]);
    const fromRootKey: Uint8Array[] = [];
    const unwrap = deps.rootKey.unwrap.bind(deps.rootKey);
    deps.rootKey.unwrap = async (blob, context) => {
      const plain = await unwrap(blob, context);
      fromRootKey.push(plain);
      return plain;
    };
    const material = await unwrapMaterial(deps, key, key.materials[0]!);
    expect(material).toEqual(plaintext);
    expect(fromRootKey).toHaveLength(1);
    expect(fromRootKey[0]!.every((b) => b === 0)).toBe(true);
    // Served from the cache the second time: no root-key call.
    expect(await unwrapMaterial(deps, key, key.materials[0]!)).toBe(material);
    expect(fromRootKey).toHaveLength(1);
    deps.materialCache.evict(key.arn, key.materials[0]!.materialId);
    expect(material.every((b) => b === 0)).toBe(true);
  });

  test('material the cache does not keep (its ValidTo is now) is still handed out, as a copy', async () => {
    const deps = memoryDeps();
    const plaintext = new Uint8Array(randomBytes(32));
    const key = await importedKey(deps, [{ bytes: plaintext, validTo: deps.clock.now() }]);
    expect(await unwrapMaterial(deps, key, key.materials[0]!)).toEqual(plaintext);
    expect(deps.materialCache.size).toBe(0);
  });

  test('a material that is not imported is a broken invariant: KMSInternalException, no root-key call, even if the record carries a blob', async () => {
    const deps = memoryDeps();
    const key = await importedKey(deps, [{ bytes: randomBytes(32) }]);
    const { wrapped, ...imported } = key.materials[0]!;
    const pending: KeyMaterial = { ...imported, importState: 'PENDING_IMPORT' };
    const before = deps.rootKey.unwrapCalls;
    for (const material of [pending, { ...pending, wrapped }, { ...imported, importState: 'IMPORTED' } as KeyMaterial]) {
      // Refused at once (no promise needed, D136) or as a rejection: the caller's await sees it alike.
      await expect(Promise.resolve().then(() => unwrapMaterial(deps, key, material))).rejects.toEqual(new KMSInternalException());
    }
    expect(deps.rootKey.unwrapCalls).toBe(before);
  });

  test("a blob the root key refuses (another key's) is KMSInternalException with the refusal as cause; a root-key outage surfaces as itself", async () => {
    const deps = memoryDeps();
    const key = await importedKey(deps, [{ bytes: randomBytes(32) }]);
    const other = { ...key, keyId: randomUUID(), arn: key.arn.replace(key.keyId, randomUUID()) };
    const refused = await Promise.resolve(unwrapMaterial(deps, other, key.materials[0]!)).catch((err: unknown) => err);
    expect(refused).toEqual(new KMSInternalException('The key material could not be unwrapped.'));
    expect((refused as Error).cause).toBeInstanceOf(UnwrapError);

    const outage = new Error('root key unreachable');
    deps.rootKey.unwrap = async () => {
      throw outage;
    };
    await expect(unwrapMaterial(deps, key, key.materials[0]!)).rejects.toBe(outage);
  });
});
