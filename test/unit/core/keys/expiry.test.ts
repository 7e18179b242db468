import { describe, expect, test } from 'vitest';
import { decrypt } from '../../../../lambda/core/operations/cryptography/decrypt';
import { describeKey } from '../../../../lambda/core/operations/keys/describe-key';
import { disableKey } from '../../../../lambda/core/operations/keys/disable-key';
import { encrypt } from '../../../../lambda/core/operations/cryptography/encrypt';
import { generateDataKey } from '../../../../lambda/core/operations/cryptography/generate-data-key';
import { scheduleKeyDeletion } from '../../../../lambda/core/operations/deletion/schedule-key-deletion';
import { tagResource } from '../../../../lambda/core/operations/tags/tag-resource';
import { expiryTimer } from '../../../../lambda/core/timers/timer';
import { onTimerDue } from '../../../../lambda/core/timers/on-timer-due';
import { memoryDeps, TEST_CTX, TEST_SCOPE } from '../../../support/memory-deps';
import { addMaterial, bytes, externalKeyWithMaterial, failure, patchKey, storedKey } from './helpers';

const T0 = new Date('2026-01-01T00:00:00Z');
const VALID_TO = new Date('2026-01-01T00:02:00Z');
const justBefore = new Date(VALID_TO.getTime() - 1);

describe('expiry of imported material, observed at the instant ValidTo passes (D16)', () => {
  test('Encrypt works until ValidTo and then fails with pending import; DescribeKey shows PendingImport; no timer has run', async () => {
    // GIVEN
    const deps = memoryDeps();
    const k = await externalKeyWithMaterial(deps, { validTo: VALID_TO });
    const { CiphertextBlob } = await encrypt(deps, TEST_CTX, { KeyId: k.keyId, Plaintext: bytes('before') });
    deps.clock.set(justBefore);
    await expect(encrypt(deps, TEST_CTX, { KeyId: k.keyId, Plaintext: bytes('x') })).resolves.toBeDefined();
    // WHEN
    deps.clock.set(VALID_TO);
    // THEN
    const pendingImport = { name: 'KMSInvalidStateException', message: `${k.arn} is pending import.` };
    expect(await failure(encrypt(deps, TEST_CTX, { KeyId: k.keyId, Plaintext: bytes('x') }))).toMatchObject(pendingImport);
    expect(await failure(decrypt(deps, TEST_CTX, { CiphertextBlob }))).toMatchObject(pendingImport);
    expect(await failure(generateDataKey(deps, TEST_CTX, { KeyId: k.keyId, KeySpec: 'AES_256' }))).toMatchObject(pendingImport);
    const { KeyMetadata } = await describeKey(deps, TEST_CTX, { KeyId: k.keyId });
    expect(KeyMetadata).toMatchObject({ KeyState: 'PendingImport', Enabled: false, CurrentKeyMaterialId: k.materialId });
    expect(KeyMetadata).not.toHaveProperty('ValidTo');
    expect(KeyMetadata).not.toHaveProperty('ExpirationModel');
    // storage still holds the material: nothing has been written
    expect((await storedKey(deps, k.keyId)).materials[0]!.importState).toBe('IMPORTED');
    expect(deps.recorded).toEqual([]);
  });

  test('a Disabled key whose material expires becomes PendingImport (D3)', async () => {
    const deps = memoryDeps();
    const k = await externalKeyWithMaterial(deps, { validTo: VALID_TO });
    await disableKey(deps, TEST_CTX, { KeyId: k.keyId });
    deps.clock.set(VALID_TO);
    expect((await describeKey(deps, TEST_CTX, { KeyId: k.keyId })).KeyMetadata.KeyState).toBe('PendingImport');
  });

  test('a key pending deletion whose material expires stays PendingDeletion', async () => {
    const deps = memoryDeps();
    const k = await externalKeyWithMaterial(deps, { validTo: VALID_TO });
    await scheduleKeyDeletion(deps, TEST_CTX, { KeyId: k.keyId, PendingWindowInDays: 7 });
    deps.clock.set(VALID_TO);
    expect((await describeKey(deps, TEST_CTX, { KeyId: k.keyId })).KeyMetadata.KeyState).toBe('PendingDeletion');
  });

  test('expiry of a NON_CURRENT material makes the whole key PendingImport', async () => {
    const deps = memoryDeps();
    const k = await externalKeyWithMaterial(deps);
    await addMaterial(deps, k.keyId, { materialState: 'NON_CURRENT', validTo: VALID_TO });
    deps.clock.set(VALID_TO);
    expect(await failure(encrypt(deps, TEST_CTX, { KeyId: k.keyId, Plaintext: bytes('x') }))).toMatchObject({ message: `${k.arn} is pending import.` });
  });

  test('expiry of a PENDING_ROTATION material leaves the key Enabled', async () => {
    const deps = memoryDeps();
    const k = await externalKeyWithMaterial(deps);
    await addMaterial(deps, k.keyId, { materialState: 'PENDING_ROTATION', validTo: VALID_TO });
    deps.clock.set(VALID_TO);
    await expect(encrypt(deps, TEST_CTX, { KeyId: k.keyId, Plaintext: bytes('x') })).resolves.toBeDefined();
    expect((await describeKey(deps, TEST_CTX, { KeyId: k.keyId })).KeyMetadata.KeyState).toBe('Enabled');
  });

  test('the next write persists the expiry and records DeleteExpiredKeyMaterial', async () => {
    // GIVEN
    const deps = memoryDeps();
    const k = await externalKeyWithMaterial(deps, { validTo: VALID_TO });
    deps.clock.set(VALID_TO);
    // WHEN a write that is allowed in PendingImport
    await tagResource(deps, TEST_CTX, { KeyId: k.keyId, Tags: [{ TagKey: 'a', TagValue: 'b' }] });
    // THEN
    const stored = await storedKey(deps, k.keyId);
    expect(stored.state).toBe('PendingImport');
    expect(stored.materials[0]).toMatchObject({ materialId: k.materialId, importState: 'PENDING_IMPORT' });
    expect(stored.materials[0]!.wrapped).toBeUndefined();
    expect(deps.recorded).toEqual([{ eventName: 'DeleteExpiredKeyMaterial', keyArn: k.arn, keyMaterialId: k.materialId, eventTime: VALID_TO }]);
  });
});

describe('the material expiry timer', () => {
  test('erases the expired material from storage, records DeleteExpiredKeyMaterial, and evicts the cache', async () => {
    // GIVEN a key whose material is cached by an Encrypt
    const deps = memoryDeps();
    const k = await externalKeyWithMaterial(deps, { validTo: VALID_TO });
    await encrypt(deps, TEST_CTX, { KeyId: k.keyId, Plaintext: bytes('x') });
    expect(deps.materialCache.size).toBe(1);
    const timer = expiryTimer(TEST_SCOPE, k.keyId, VALID_TO);
    // WHEN
    deps.clock.set(VALID_TO);
    const result = await onTimerDue(deps, timer);
    // THEN
    expect(result).toBe('applied');
    const stored = await storedKey(deps, k.keyId);
    expect(stored.state).toBe('PendingImport');
    expect(stored.materials).toEqual([{ materialId: k.materialId, materialState: 'CURRENT', importState: 'PENDING_IMPORT' }]);
    expect(stored.currentMaterialId).toBe(k.materialId);
    expect(deps.recorded).toEqual([{ eventName: 'DeleteExpiredKeyMaterial', keyArn: k.arn, keyMaterialId: k.materialId, eventTime: VALID_TO }]);
    expect(deps.materialCache.size).toBe(0);
  });

  test('firing late (Scheduler may be a minute late, a process may be down for hours), it dates the event at ValidTo (D151)', async () => {
    const deps = memoryDeps();
    const k = await externalKeyWithMaterial(deps, { validTo: VALID_TO });
    deps.clock.set(new Date(VALID_TO.getTime() + 3_600_000));
    expect(await onTimerDue(deps, expiryTimer(TEST_SCOPE, k.keyId, VALID_TO))).toBe('applied');
    expect(deps.recorded).toStrictEqual([{ eventName: 'DeleteExpiredKeyMaterial', keyArn: k.arn, keyMaterialId: k.materialId, eventTime: VALID_TO }]);
  });

  test('does nothing when it fires early, twice, or after the material was re-imported with a later ValidTo', async () => {
    // GIVEN
    const deps = memoryDeps();
    const k = await externalKeyWithMaterial(deps, { validTo: VALID_TO });
    const timer = expiryTimer(TEST_SCOPE, k.keyId, VALID_TO);
    // early
    deps.clock.set(justBefore);
    expect(await onTimerDue(deps, timer)).toBe('stale');
    // superseded: the same material now runs to a later ValidTo (as a re-import would leave it)
    await patchKey(deps, k.keyId, (key) => ({ ...key, materials: key.materials.map((m) => ({ ...m, validTo: new Date('2026-02-01T00:00:00Z') })) }));
    deps.clock.set(VALID_TO);
    expect(await onTimerDue(deps, timer)).toBe('stale');
    expect((await storedKey(deps, k.keyId)).materials[0]!.importState).toBe('IMPORTED');
    // due at last, then again
    deps.clock.set(new Date('2026-02-01T00:00:00Z'));
    const later = expiryTimer(TEST_SCOPE, k.keyId, new Date('2026-02-01T00:00:00Z'));
    expect(await onTimerDue(deps, later)).toBe('applied');
    expect(await onTimerDue(deps, later)).toBe('stale');
    expect(deps.recorded).toHaveLength(1);
  });

  test('does nothing for a key that is gone or past its deletion date', async () => {
    const deps = memoryDeps();
    const k = await externalKeyWithMaterial(deps, { validTo: VALID_TO });
    await scheduleKeyDeletion(deps, TEST_CTX, { KeyId: k.keyId, PendingWindowInDays: 7 });
    deps.clock.set(new Date(T0.getTime() + 8 * 86_400_000));
    expect(await onTimerDue(deps, expiryTimer(TEST_SCOPE, k.keyId, VALID_TO))).toBe('stale');
    expect(await onTimerDue(deps, expiryTimer(TEST_SCOPE, '22222222-2222-4222-8222-222222222222', VALID_TO))).toBe('stale');
  });
});

describe('the material cache', () => {
  test('serves repeated use without unwrapping again', async () => {
    const deps = memoryDeps();
    const k = await externalKeyWithMaterial(deps);
    await encrypt(deps, TEST_CTX, { KeyId: k.keyId, Plaintext: bytes('x') });
    const calls = deps.rootKey.unwrapCalls;
    await encrypt(deps, TEST_CTX, { KeyId: k.keyId, Plaintext: bytes('x') });
    expect(deps.rootKey.unwrapCalls).toBe(calls);
  });

  test('is not used after the material was deleted by another process, even though its entry remains here', async () => {
    // GIVEN material cached in this process, then deleted in storage by another process
    const deps = memoryDeps();
    const k = await externalKeyWithMaterial(deps);
    const { CiphertextBlob } = await encrypt(deps, TEST_CTX, { KeyId: k.keyId, Plaintext: bytes('x') });
    expect(deps.materialCache.size).toBe(1);
    await patchKey(deps, k.keyId, (key) => ({
      ...key,
      state: 'PendingImport',
      materials: key.materials.map((m) => ({ materialId: m.materialId, materialState: m.materialState, importState: 'PENDING_IMPORT' })),
    }));
    // WHEN / THEN
    expect(await failure(decrypt(deps, TEST_CTX, { CiphertextBlob }))).toMatchObject({ message: `${k.arn} is pending import.` });
    expect(await failure(encrypt(deps, TEST_CTX, { KeyId: k.keyId, Plaintext: bytes('x') }))).toMatchObject({ message: `${k.arn} is pending import.` });
  });

  test('drops the material at its ValidTo', async () => {
    const deps = memoryDeps();
    const k = await externalKeyWithMaterial(deps, { validTo: VALID_TO });
    await encrypt(deps, TEST_CTX, { KeyId: k.keyId, Plaintext: bytes('x') });
    // (the cache's own maximum age is 5 minutes; ValidTo here is sooner)
    expect(deps.materialCache.get(k.arn, k.materialId, VALID_TO.getTime() - 1)).toBeDefined();
    expect(deps.materialCache.get(k.arn, k.materialId, VALID_TO.getTime())).toBeUndefined();
  });
});
