import { describe, expect, test } from 'vitest';
import { StoreConflictError } from '../../../../lambda/core/errors';
import { cancelKeyDeletion } from '../../../../lambda/core/operations/deletion/cancel-key-deletion';
import { createAlias } from '../../../../lambda/core/operations/aliases/create-alias';
import { decrypt } from '../../../../lambda/core/operations/cryptography/decrypt';
import { describeKey } from '../../../../lambda/core/operations/keys/describe-key';
import { encrypt } from '../../../../lambda/core/operations/cryptography/encrypt';
import { listAliases } from '../../../../lambda/core/operations/aliases/list-aliases';
import { listKeys } from '../../../../lambda/core/operations/keys/list-keys';
import { scheduleKeyDeletion } from '../../../../lambda/core/operations/deletion/schedule-key-deletion';
import { deletionTimer } from '../../../../lambda/core/timers/timer';
import { onTimerDue } from '../../../../lambda/core/timers/on-timer-due';
import { memoryDeps, TEST_CTX, TEST_SCOPE } from '../../../support/memory-deps';
import { bytes, DAY, externalKeyWithMaterial, failure, newKey, patchKey, storedKey } from './helpers';

const T0 = new Date('2026-01-01T00:00:00Z');
const window = (days: number) => new Date(T0.getTime() + days * DAY * 1000);

describe('ScheduleKeyDeletion', () => {
  test('moves the key to PendingDeletion for 30 days by default and answers with the key ARN', async () => {
    // GIVEN
    const deps = memoryDeps();
    const md = await newKey(deps);
    // WHEN
    const out = await scheduleKeyDeletion(deps, TEST_CTX, { KeyId: md.KeyId });
    // THEN
    expect(out).toEqual({ KeyId: md.Arn, DeletionDate: window(30), KeyState: 'PendingDeletion', PendingWindowInDays: 30 });
    expect((await describeKey(deps, TEST_CTX, { KeyId: md.KeyId })).KeyMetadata).toMatchObject({ KeyState: 'PendingDeletion', DeletionDate: window(30) });
  });

  test.each([7, 30])('accepts a window of %d days', async (days) => {
    const deps = memoryDeps();
    const md = await newKey(deps);
    expect((await scheduleKeyDeletion(deps, TEST_CTX, { KeyId: md.Arn, PendingWindowInDays: days })).DeletionDate).toEqual(window(days));
  });

  test.each([0, 1, 6, 31, 365])('fails with ValidationException (D11) for a window of %d days', async (days) => {
    // GIVEN
    const deps = memoryDeps();
    const md = await newKey(deps);
    // WHEN
    const err = await failure(scheduleKeyDeletion(deps, TEST_CTX, { KeyId: md.KeyId, PendingWindowInDays: days }));
    // THEN
    expect(err).toMatchObject({
      name: 'ValidationException',
      message: `1 validation error detected: Value '${days}' at 'pendingWindowInDays' failed to satisfy constraint: Member must have minimum value of 7 and maximum value of 30.`,
    });
    expect((await storedKey(deps, md.KeyId)).state).toBe('Enabled');
    expect(deps.timers.armed.size).toBe(0);
  });

  test('arms a deletion timer named after the key and the deletion date', async () => {
    const deps = memoryDeps();
    const md = await newKey(deps);
    await scheduleKeyDeletion(deps, TEST_CTX, { KeyId: md.KeyId, PendingWindowInDays: 7 });
    const expected = deletionTimer(TEST_SCOPE, md.KeyId, window(7));
    expect([...deps.timers.armed.values()]).toEqual([expected]);
    expect(expected.name).toBe(`del-${md.KeyId}-${window(7).getTime() / 1000}`);
  });

  test('arms the timer before saving: when arming fails, the key is not scheduled', async () => {
    // GIVEN timers that refuse to arm
    const base = memoryDeps();
    const md = await newKey(base);
    const deps = { ...base, timers: { arm: async () => { throw new Error('scheduler down'); }, disarm: async () => {} } };
    // WHEN
    await expect(scheduleKeyDeletion(deps, TEST_CTX, { KeyId: md.KeyId })).rejects.toThrow('scheduler down');
    // THEN
    expect((await storedKey(base, md.KeyId)).state).toBe('Enabled');
  });

  test('schedules a PendingImport key', async () => {
    const deps = memoryDeps();
    const md = await newKey(deps, { Origin: 'EXTERNAL' });
    expect((await scheduleKeyDeletion(deps, TEST_CTX, { KeyId: md.KeyId, PendingWindowInDays: 7 })).KeyState).toBe('PendingDeletion');
  });
});

describe('CancelKeyDeletion', () => {
  test('returns an AWS_KMS key to Disabled, answers with the key ARN, and disarms the timer', async () => {
    // GIVEN
    const deps = memoryDeps();
    const md = await newKey(deps);
    await scheduleKeyDeletion(deps, TEST_CTX, { KeyId: md.KeyId, PendingWindowInDays: 7 });
    // WHEN
    const out = await cancelKeyDeletion(deps, TEST_CTX, { KeyId: md.Arn });
    // THEN
    expect(out).toEqual({ KeyId: md.Arn });
    const { KeyMetadata } = await describeKey(deps, TEST_CTX, { KeyId: md.KeyId });
    expect(KeyMetadata).toMatchObject({ KeyState: 'Disabled', Enabled: false });
    expect(KeyMetadata).not.toHaveProperty('DeletionDate');
    expect(deps.timers.disarmed).toEqual([deletionTimer(TEST_SCOPE, md.KeyId, window(7)).name]);
    expect(deps.timers.armed.size).toBe(0);
  });

  test('returns an EXTERNAL key with its material to Disabled', async () => {
    const deps = memoryDeps();
    const k = await externalKeyWithMaterial(deps);
    await scheduleKeyDeletion(deps, TEST_CTX, { KeyId: k.keyId, PendingWindowInDays: 7 });
    await cancelKeyDeletion(deps, TEST_CTX, { KeyId: k.keyId });
    expect((await describeKey(deps, TEST_CTX, { KeyId: k.keyId })).KeyMetadata.KeyState).toBe('Disabled');
  });

  test('returns an EXTERNAL key without material to PendingImport (D1)', async () => {
    const deps = memoryDeps();
    const md = await newKey(deps, { Origin: 'EXTERNAL' });
    await scheduleKeyDeletion(deps, TEST_CTX, { KeyId: md.KeyId, PendingWindowInDays: 7 });
    await cancelKeyDeletion(deps, TEST_CTX, { KeyId: md.KeyId });
    expect((await describeKey(deps, TEST_CTX, { KeyId: md.KeyId })).KeyMetadata.KeyState).toBe('PendingImport');
  });

  test('returns to PendingImport a key whose material expired during the window (D1)', async () => {
    // GIVEN a key whose material expires on day 3 of a 7-day window
    const deps = memoryDeps();
    const k = await externalKeyWithMaterial(deps, { validTo: window(3) });
    await scheduleKeyDeletion(deps, TEST_CTX, { KeyId: k.keyId, PendingWindowInDays: 7 });
    deps.clock.set(window(4));
    // WHEN
    await cancelKeyDeletion(deps, TEST_CTX, { KeyId: k.keyId });
    // THEN
    expect((await storedKey(deps, k.keyId)).state).toBe('PendingImport');
    // recorded on day 3, when the material expired, not on day 4 when CancelKeyDeletion stored it (D151)
    expect(deps.recorded).toEqual([{ eventName: 'DeleteExpiredKeyMaterial', keyArn: k.arn, keyMaterialId: k.materialId, eventTime: window(3) }]);
  });

  test('fails with KMSInvalidStateException for a key that is not pending deletion', async () => {
    const deps = memoryDeps();
    const md = await newKey(deps);
    expect(await failure(cancelKeyDeletion(deps, TEST_CTX, { KeyId: md.KeyId }))).toMatchObject({
      name: 'KMSInvalidStateException',
      message: `${md.Arn} is not pending deletion (or pending replica deletion).`,
    });
  });
});

describe('the end of the deletion window', () => {
  test('at the instant DeletionDate passes, the key and its aliases are gone without any timer (D17)', async () => {
    // GIVEN a key with two aliases and a ciphertext, scheduled for deletion in 7 days
    const deps = memoryDeps();
    const md = await newKey(deps);
    const keep = await newKey(deps);
    await createAlias(deps, TEST_CTX, { AliasName: 'alias/doomed-1', TargetKeyId: md.KeyId });
    await createAlias(deps, TEST_CTX, { AliasName: 'alias/doomed-2', TargetKeyId: md.KeyId });
    await createAlias(deps, TEST_CTX, { AliasName: 'alias/kept', TargetKeyId: keep.KeyId });
    const { CiphertextBlob } = await encrypt(deps, TEST_CTX, { KeyId: md.KeyId, Plaintext: bytes('x') });
    await scheduleKeyDeletion(deps, TEST_CTX, { KeyId: md.KeyId, PendingWindowInDays: 7 });
    deps.clock.set(new Date(window(7).getTime() - 1));
    expect((await describeKey(deps, TEST_CTX, { KeyId: md.KeyId })).KeyMetadata.KeyState).toBe('PendingDeletion');
    expect((await listAliases(deps, TEST_CTX, {})).Aliases).toHaveLength(3);
    // WHEN
    deps.clock.set(window(7));
    // THEN
    const notFound = { name: 'NotFoundException', message: `Key '${md.Arn}' does not exist` };
    expect(await failure(describeKey(deps, TEST_CTX, { KeyId: md.KeyId }))).toMatchObject(notFound);
    expect(await failure(describeKey(deps, TEST_CTX, { KeyId: md.Arn }))).toMatchObject(notFound);
    expect(await failure(decrypt(deps, TEST_CTX, { CiphertextBlob, KeyId: md.KeyId }))).toMatchObject(notFound);
    expect(await failure(decrypt(deps, TEST_CTX, { CiphertextBlob }))).toMatchObject(notFound); // the blob names the deleted key
    expect(await failure(cancelKeyDeletion(deps, TEST_CTX, { KeyId: md.KeyId }))).toMatchObject(notFound);
    expect(await failure(describeKey(deps, TEST_CTX, { KeyId: 'alias/doomed-1' }))).toMatchObject({
      name: 'NotFoundException',
      message: 'Alias arn:aws:kms:us-east-1:111122223333:alias/doomed-1 is not found.',
    });
    expect((await listAliases(deps, TEST_CTX, {})).Aliases.map((a) => a.AliasName)).toEqual(['alias/kept']);
    expect((await listKeys(deps, TEST_CTX, {})).Keys.map((k) => k.KeyId)).toEqual([keep.KeyId]);
    expect(deps.keys.keys.size).toBe(2); // storage still holds it until the timer runs
  });

  test('the deletion timer removes the key, its aliases and its cached material, and records DeleteKey', async () => {
    // GIVEN
    const deps = memoryDeps();
    const md = await newKey(deps);
    const other = await newKey(deps);
    await createAlias(deps, TEST_CTX, { AliasName: 'alias/doomed', TargetKeyId: md.KeyId });
    await createAlias(deps, TEST_CTX, { AliasName: 'alias/other', TargetKeyId: other.KeyId });
    await encrypt(deps, TEST_CTX, { KeyId: md.KeyId, Plaintext: bytes('x') });
    await encrypt(deps, TEST_CTX, { KeyId: other.KeyId, Plaintext: bytes('x') });
    expect(deps.materialCache.size).toBe(2);
    await scheduleKeyDeletion(deps, TEST_CTX, { KeyId: md.KeyId, PendingWindowInDays: 7 });
    const timer = [...deps.timers.armed.values()][0]!;
    deps.clock.set(window(7));
    // WHEN
    const result = await onTimerDue(deps, timer);
    // THEN
    expect(result).toBe('applied');
    expect(await deps.keys.getKey(TEST_SCOPE, md.KeyId)).toBeUndefined();
    expect(await deps.keys.getAlias(TEST_SCOPE, 'alias/doomed')).toBeUndefined();
    expect(await deps.keys.getAlias(TEST_SCOPE, 'alias/other')).toBeDefined();
    expect(deps.materialCache.get(md.Arn, md.CurrentKeyMaterialId!, window(7).getTime())).toBeUndefined();
    expect(deps.materialCache.size).toBe(1);
    expect(deps.recorded).toEqual([{ eventName: 'DeleteKey', keyArn: md.Arn, eventTime: window(7) }]);
  });

  test('a deletion timer that runs late records DeleteKey at the deletion date, not at its own time (D137)', async () => {
    const deps = memoryDeps();
    const md = await newKey(deps);
    await scheduleKeyDeletion(deps, TEST_CTX, { KeyId: md.KeyId, PendingWindowInDays: 7 });
    deps.clock.set(window(30));
    expect(await onTimerDue(deps, deletionTimer(TEST_SCOPE, md.KeyId, window(7)))).toBe('applied');
    expect(deps.recorded).toEqual([{ eventName: 'DeleteKey', keyArn: md.Arn, eventTime: window(7) }]);
  });

  test('the deletion timer removes every alias of the key, over several pages', async () => {
    const deps = memoryDeps();
    const md = await newKey(deps);
    for (let i = 0; i < 230; i++) await createAlias(deps, TEST_CTX, { AliasName: `alias/a${String(i).padStart(3, '0')}`, TargetKeyId: md.KeyId });
    await scheduleKeyDeletion(deps, TEST_CTX, { KeyId: md.KeyId, PendingWindowInDays: 7 });
    deps.clock.set(window(7));
    expect(await onTimerDue(deps, deletionTimer(TEST_SCOPE, md.KeyId, window(7)))).toBe('applied');
    expect(deps.keys.aliases.size).toBe(0);
  });

  test('a timer that fires early, twice, or for a key that is gone does nothing', async () => {
    // GIVEN
    const deps = memoryDeps();
    const md = await newKey(deps);
    await scheduleKeyDeletion(deps, TEST_CTX, { KeyId: md.KeyId, PendingWindowInDays: 7 });
    const timer = deletionTimer(TEST_SCOPE, md.KeyId, window(7));
    // WHEN / THEN early
    deps.clock.set(new Date(window(7).getTime() - 1000));
    expect(await onTimerDue(deps, timer)).toBe('stale');
    expect((await storedKey(deps, md.KeyId)).state).toBe('PendingDeletion');
    // due, then again
    deps.clock.set(window(7));
    expect(await onTimerDue(deps, timer)).toBe('applied');
    expect(await onTimerDue(deps, timer)).toBe('stale');
    expect(deps.recorded.filter((e) => e.eventName === 'DeleteKey')).toHaveLength(1);
  });

  test('a timer superseded by CancelKeyDeletion does nothing', async () => {
    // GIVEN a deletion scheduled, then cancelled
    const deps = memoryDeps();
    const md = await newKey(deps);
    await scheduleKeyDeletion(deps, TEST_CTX, { KeyId: md.KeyId, PendingWindowInDays: 7 });
    const timer = deletionTimer(TEST_SCOPE, md.KeyId, window(7));
    await cancelKeyDeletion(deps, TEST_CTX, { KeyId: md.KeyId });
    // WHEN the old timer fires anyway
    deps.clock.set(window(7));
    // THEN
    expect(await onTimerDue(deps, timer)).toBe('stale');
    expect((await storedKey(deps, md.KeyId)).state).toBe('Disabled');
    expect(deps.recorded).toEqual([]);
  });

  test('a timer superseded by a later re-schedule does nothing; the new one applies', async () => {
    // GIVEN schedule 7 days, cancel, schedule 30 days
    const deps = memoryDeps();
    const md = await newKey(deps);
    await scheduleKeyDeletion(deps, TEST_CTX, { KeyId: md.KeyId, PendingWindowInDays: 7 });
    await cancelKeyDeletion(deps, TEST_CTX, { KeyId: md.KeyId });
    await scheduleKeyDeletion(deps, TEST_CTX, { KeyId: md.KeyId, PendingWindowInDays: 30 });
    expect([...deps.timers.armed.keys()]).toEqual([deletionTimer(TEST_SCOPE, md.KeyId, window(30)).name]);
    // WHEN / THEN
    deps.clock.set(window(7));
    expect(await onTimerDue(deps, deletionTimer(TEST_SCOPE, md.KeyId, window(7)))).toBe('stale');
    expect((await describeKey(deps, TEST_CTX, { KeyId: md.KeyId })).KeyMetadata.KeyState).toBe('PendingDeletion');
    deps.clock.set(window(30));
    expect(await onTimerDue(deps, deletionTimer(TEST_SCOPE, md.KeyId, window(30)))).toBe('applied');
  });

  test('retries when the key changes between the timer\'s read and its delete', async () => {
    // GIVEN a store that lets another writer touch the key just before the first delete
    const deps = memoryDeps();
    const md = await newKey(deps);
    await scheduleKeyDeletion(deps, TEST_CTX, { KeyId: md.KeyId, PendingWindowInDays: 7 });
    deps.clock.set(window(7));
    const realDelete = deps.keys.deleteKey.bind(deps.keys);
    let conflicts = 0;
    deps.keys.deleteKey = async (scope, keyId, guard) => {
      if (conflicts++ === 0) await patchKey(deps, keyId, (k) => ({ ...k, description: 'touched' }));
      return realDelete(scope, keyId, guard);
    };
    // WHEN
    const result = await onTimerDue(deps, deletionTimer(TEST_SCOPE, md.KeyId, window(7)));
    // THEN
    expect(result).toBe('applied');
    expect(conflicts).toBe(2);
    expect(await deps.keys.getKey(TEST_SCOPE, md.KeyId)).toBeUndefined();
  });

  test('fails with ThrottlingException when the key keeps changing (D91)', async () => {
    const deps = memoryDeps();
    const md = await newKey(deps);
    await scheduleKeyDeletion(deps, TEST_CTX, { KeyId: md.KeyId, PendingWindowInDays: 7 });
    deps.clock.set(window(7));
    deps.keys.deleteKey = async (_scope, keyId) => {
      throw new StoreConflictError(keyId);
    };
    expect((await failure(onTimerDue(deps, deletionTimer(TEST_SCOPE, md.KeyId, window(7))))).name).toBe('ThrottlingException');
  });
});
