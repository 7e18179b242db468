/**
 * EnableKey and DisableKey (enable-key.ts, disable-key.ts) beyond the state matrix: what an idempotent call
 * writes (nothing, unless the key as read differs from storage: an expiry or an automatic rotation that fell
 * due meanwhile is persisted, with its service event, by the first write), and the description limits of
 * UpdateKeyDescription.
 */
import { describe, expect, test } from 'vitest';
import { describeKey } from '../../../../lambda/core/operations/keys/describe-key';
import { disableKey } from '../../../../lambda/core/operations/keys/disable-key';
import { enableKey } from '../../../../lambda/core/operations/keys/enable-key';
import { updateKeyDescription } from '../../../../lambda/core/operations/keys/update-key-description';
import { enableKeyRotation } from '../../../../lambda/core/operations/rotation/enable-key-rotation';
import { listKeyRotations } from '../../../../lambda/core/operations/rotation/list-key-rotations';
import { memoryDeps, TEST_CTX, type MemoryDeps } from '../../../support/memory-deps';
import { addMaterial, DAY, externalKeyWithMaterial, failure, newKey, storedKey } from './helpers';

const DAY_MS = DAY * 1000;
const ACTIONS = { EnableKey: enableKey, DisableKey: disableKey } as const;

/** What a call may have written: the stored revision, the service events, the timers armed. */
async function writesOf(deps: MemoryDeps, keyId: string) {
  return { revision: (await storedKey(deps, keyId)).revision, recorded: [...deps.recorded], timers: [...deps.timers.armed.keys()] };
}

describe('EnableKey and DisableKey on a key already in that state', () => {
  test.each([
    ['EnableKey', 'an Enabled key'],
    ['DisableKey', 'a Disabled key'],
  ] as const)('%s on %s writes nothing and records nothing', async (action, _) => {
    const deps = memoryDeps();
    const { KeyId } = await newKey(deps);
    if (action === 'DisableKey') await disableKey(deps, TEST_CTX, { KeyId });
    const before = await writesOf(deps, KeyId);
    await ACTIONS[action](deps, TEST_CTX, { KeyId });
    expect(await writesOf(deps, KeyId)).toStrictEqual(before);
  });

  test('EnableKey on an Enabled key that rotates automatically writes nothing, and its schedule stays', async () => {
    const deps = memoryDeps();
    const { KeyId } = await newKey(deps);
    await enableKeyRotation(deps, TEST_CTX, { KeyId, RotationPeriodInDays: 90 });
    const before = await writesOf(deps, KeyId);
    deps.clock.set(new Date(deps.clock.now().getTime() + 30 * DAY_MS));
    await enableKey(deps, TEST_CTX, { KeyId });
    expect(await writesOf(deps, KeyId)).toStrictEqual(before);
  });

  test.each(['EnableKey', 'DisableKey'] as const)(
    '%s on a key whose PENDING_ROTATION material expired meanwhile persists the expiry: erased from storage, DeleteExpiredKeyMaterial recorded at ValidTo',
    async (action) => {
      // GIVEN a key in the state the action leads to, with a staged material that expires (the key keeps its state)
      const deps = memoryDeps();
      const k = await externalKeyWithMaterial(deps);
      if (action === 'DisableKey') await disableKey(deps, TEST_CTX, { KeyId: k.keyId });
      const validTo = new Date(deps.clock.now().getTime() + DAY_MS);
      const staged = await addMaterial(deps, k.keyId, { materialState: 'PENDING_ROTATION', validTo });
      const calledAt = new Date(validTo.getTime() + 60_000);
      deps.clock.set(calledAt);
      // WHEN
      await ACTIONS[action](deps, TEST_CTX, { KeyId: k.keyId });
      // THEN the staged material is gone from storage, not only from what the key shows
      const stored = await storedKey(deps, k.keyId);
      expect(stored.materials.map((m) => m.materialId)).toStrictEqual([k.materialId]);
      expect(stored.state).toBe(action === 'EnableKey' ? 'Enabled' : 'Disabled');
      // AWS deletes the material when it expires: the event is dated ValidTo, not the later call that stored it (D151)
      expect(deps.recorded).toStrictEqual([{ eventName: 'DeleteExpiredKeyMaterial', keyArn: k.arn, keyMaterialId: staged, eventTime: validTo }]);
    },
  );

  test('EnableKey on an Enabled key whose automatic rotation fell due persists the rotation and records RotateKey at its date', async () => {
    // GIVEN a rotating key read after its NextRotationDate, before any timer ran
    const deps = memoryDeps();
    const { KeyId, Arn, CurrentKeyMaterialId: first } = await newKey(deps);
    const enabledAt = deps.clock.now();
    await enableKeyRotation(deps, TEST_CTX, { KeyId, RotationPeriodInDays: 90 });
    const due = new Date(enabledAt.getTime() + 90 * DAY_MS);
    deps.clock.set(new Date(due.getTime() + 60_000));
    const [rotation] = (await listKeyRotations(deps, TEST_CTX, { KeyId })).Rotations;
    // WHEN
    await enableKey(deps, TEST_CTX, { KeyId });
    // THEN storage holds the rotation the key showed, and CloudTrail's RotateKey is recorded once, at the due date
    expect((await storedKey(deps, KeyId)).currentMaterialId).toBe(rotation!.KeyMaterialId);
    expect(deps.recorded).toStrictEqual([
      { eventName: 'RotateKey', keyArn: Arn, rotationType: 'AUTOMATIC', keyOrigin: 'AWS_KMS', previousKeyMaterialId: first, currentKeyMaterialId: rotation!.KeyMaterialId, eventTime: due },
    ]);
    expect((await describeKey(deps, TEST_CTX, { KeyId })).KeyMetadata).toMatchObject({ KeyState: 'Enabled', CurrentKeyMaterialId: rotation!.KeyMaterialId });
  });
});

describe('UpdateKeyDescription', () => {
  test('takes 0 to 8192 characters; 8193 is ValidationException naming description, and the description stays', async () => {
    const deps = memoryDeps();
    const { KeyId } = await newKey(deps, { Description: 'first' });
    await updateKeyDescription(deps, TEST_CTX, { KeyId, Description: 'd'.repeat(8192) });
    expect((await describeKey(deps, TEST_CTX, { KeyId })).KeyMetadata.Description).toBe('d'.repeat(8192));
    await updateKeyDescription(deps, TEST_CTX, { KeyId, Description: '' });
    expect((await describeKey(deps, TEST_CTX, { KeyId })).KeyMetadata.Description).toBe('');
    expect(await failure(updateKeyDescription(deps, TEST_CTX, { KeyId, Description: 'd'.repeat(8193) }))).toMatchObject({
      name: 'ValidationException',
      message: "1 validation error detected: Value at 'description' failed to satisfy constraint: Member must have length less than or equal to 8192",
    });
    expect((await describeKey(deps, TEST_CTX, { KeyId })).KeyMetadata.Description).toBe('');
  });
});
