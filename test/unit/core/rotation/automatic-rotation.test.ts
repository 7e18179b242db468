/**
 * Automatic rotation on in-memory ports: the schedule (period, NextRotationDate, changes of period), the
 * rotation visible at its instant before any timer ran (D73), the timer that persists it, logs RotateKey
 * and prepares the next one, disabled and pending-deletion keys (D75), and AWS's refusals.
 */
import { describe, expect, test } from 'vitest';
import { ConflictException, DisabledException, KMSInvalidStateException, UnsupportedOperationException, ValidationException } from '../../../../lambda/core/errors';
import type { KeyRecord, KeySpec } from '../../../../lambda/core/model/key';
import { decrypt } from '../../../../lambda/core/operations/cryptography/decrypt';
import { encrypt } from '../../../../lambda/core/operations/cryptography/encrypt';
import { cancelKeyDeletion } from '../../../../lambda/core/operations/deletion/cancel-key-deletion';
import { scheduleKeyDeletion } from '../../../../lambda/core/operations/deletion/schedule-key-deletion';
import { describeKey } from '../../../../lambda/core/operations/keys/describe-key';
import { disableKey } from '../../../../lambda/core/operations/keys/disable-key';
import { enableKey } from '../../../../lambda/core/operations/keys/enable-key';
import { disableKeyRotation } from '../../../../lambda/core/operations/rotation/disable-key-rotation';
import { enableKeyRotation } from '../../../../lambda/core/operations/rotation/enable-key-rotation';
import { getKeyRotationStatus } from '../../../../lambda/core/operations/rotation/get-key-rotation-status';
import { listKeyRotations } from '../../../../lambda/core/operations/rotation/list-key-rotations';
import { rotateKeyOnDemand } from '../../../../lambda/core/operations/rotation/rotate-key-on-demand';
import { tagResource } from '../../../../lambda/core/operations/tags/tag-resource';
import { onTimerDue } from '../../../../lambda/core/timers/on-timer-due';
import { rotationTimer } from '../../../../lambda/core/timers/timer';
import { TEST_CTX, TEST_SCOPE, memoryDeps, type MemoryDeps } from '../../../support/memory-deps';
import { DAY, bytes, newKey, patchKey, storedKey, text } from '../keys/helpers';

const DAY_MS = DAY * 1000;
const at = (deps: MemoryDeps, days: number) => new Date(deps.clock.now().getTime() + days * DAY_MS);

async function rotatingKey(period?: number) {
  const deps = memoryDeps();
  const { KeyId: keyId, Arn: arn, CurrentKeyMaterialId: firstMaterial } = await newKey(deps);
  const enabledAt = deps.clock.now();
  await enableKeyRotation(deps, TEST_CTX, { KeyId: keyId, ...(period && { RotationPeriodInDays: period }) });
  return { deps, keyId, arn: arn, firstMaterial: firstMaterial!, enabledAt };
}

const status = (deps: MemoryDeps, keyId: string) => getKeyRotationStatus(deps, TEST_CTX, { KeyId: keyId });
const current = async (deps: MemoryDeps, keyId: string) => (await describeKey(deps, TEST_CTX, { KeyId: keyId })).KeyMetadata.CurrentKeyMaterialId;
const rotations = async (deps: MemoryDeps, keyId: string) => (await listKeyRotations(deps, TEST_CTX, { KeyId: keyId })).Rotations;
const fire = (deps: MemoryDeps) => Promise.all([...deps.timers.armed.values()].filter((t) => t.kind === 'RotationDue').map((t) => onTimerDue(deps, t)));

describe('EnableKeyRotation and GetKeyRotationStatus', () => {
  test('enables a yearly rotation by default: period 365, the first rotation 365 days from now, its timer armed, its material prepared', async () => {
    const { deps, keyId, arn, enabledAt } = await rotatingKey();
    const next = new Date(enabledAt.getTime() + 365 * DAY_MS);
    expect(await status(deps, keyId)).toStrictEqual({ KeyId: arn, KeyRotationEnabled: true, RotationPeriodInDays: 365, NextRotationDate: next });
    expect([...deps.timers.armed.values()]).toContainEqual(rotationTimer(TEST_SCOPE, keyId, next));
    expect((await storedKey(deps, keyId)).automaticRotation?.nextMaterial?.materialId).toMatch(/^[0-9a-f]{64}$/);
  });

  test('takes a period of 90 to 2560 days', async () => {
    const { deps, keyId, enabledAt } = await rotatingKey(90);
    expect(await status(deps, keyId)).toMatchObject({ RotationPeriodInDays: 90, NextRotationDate: new Date(enabledAt.getTime() + 90 * DAY_MS) });
    await enableKeyRotation(deps, TEST_CTX, { KeyId: keyId, RotationPeriodInDays: 2560 });
    expect((await status(deps, keyId)).RotationPeriodInDays).toBe(2560);
    await expect(enableKeyRotation(deps, TEST_CTX, { KeyId: keyId, RotationPeriodInDays: 89 })).rejects.toThrow(
      new ValidationException("1 validation error detected: Value '89' at 'rotationPeriodInDays' failed to satisfy constraint: Member must have value greater than or equal to 90"),
    );
    await expect(enableKeyRotation(deps, TEST_CTX, { KeyId: keyId, RotationPeriodInDays: 2561 })).rejects.toThrow('Member must have value less than or equal to 2560');
  });

  test('enabling again with the same period changes nothing', async () => {
    const { deps, keyId } = await rotatingKey(180);
    const before = await storedKey(deps, keyId);
    deps.clock.advance(10 * DAY);
    await enableKeyRotation(deps, TEST_CTX, { KeyId: keyId, RotationPeriodInDays: 180 });
    expect(await storedKey(deps, keyId)).toEqual(before);
  });

  test('disabling a key whose rotation was never enabled changes nothing', async () => {
    const deps = memoryDeps();
    const { KeyId: keyId } = await newKey(deps);
    const before = await storedKey(deps, keyId);
    await disableKeyRotation(deps, TEST_CTX, { KeyId: keyId });
    expect(await storedKey(deps, keyId)).toEqual(before);
  });

  test('a new period counts from the start of the current one; a rotation that it makes overdue happens now (D74)', async () => {
    const { deps, keyId, enabledAt, firstMaterial } = await rotatingKey(365);
    deps.clock.advance(100 * DAY);
    await enableKeyRotation(deps, TEST_CTX, { KeyId: keyId, RotationPeriodInDays: 180 });
    expect((await status(deps, keyId)).NextRotationDate).toEqual(new Date(enabledAt.getTime() + 180 * DAY_MS));
    expect(deps.timers.disarmed).toContain(rotationTimer(TEST_SCOPE, keyId, new Date(enabledAt.getTime() + 365 * DAY_MS)).name);
    // 50 days on (150 after the enable date), a period of 90 days is overdue
    deps.clock.advance(50 * DAY);
    const now = deps.clock.now();
    await enableKeyRotation(deps, TEST_CTX, { KeyId: keyId, RotationPeriodInDays: 90 });
    expect(await rotations(deps, keyId)).toMatchObject([{ RotationType: 'AUTOMATIC', RotationDate: now }]);
    expect(await current(deps, keyId)).not.toBe(firstMaterial);
    expect(await status(deps, keyId)).toMatchObject({ RotationPeriodInDays: 90, NextRotationDate: new Date(now.getTime() + 90 * DAY_MS) });
  });

  test('DisableKeyRotation turns it off: status false without period or date, prepared material dropped, timer disarmed, no rotation', async () => {
    const { deps, keyId, arn, firstMaterial, enabledAt } = await rotatingKey(90);
    await disableKeyRotation(deps, TEST_CTX, { KeyId: keyId });
    expect(await status(deps, keyId)).toStrictEqual({ KeyId: arn, KeyRotationEnabled: false });
    expect(Object.keys(await storedKey(deps, keyId))).not.toContain('automaticRotation');
    expect(deps.timers.disarmed).toContain(rotationTimer(TEST_SCOPE, keyId, new Date(enabledAt.getTime() + 90 * DAY_MS)).name);
    deps.clock.advance(400 * DAY);
    expect(await current(deps, keyId)).toBe(firstMaterial);
    // and again is a no-op; re-enabling starts a new period now
    await disableKeyRotation(deps, TEST_CTX, { KeyId: keyId });
    await enableKeyRotation(deps, TEST_CTX, { KeyId: keyId, RotationPeriodInDays: 90 });
    expect((await status(deps, keyId)).NextRotationDate).toEqual(at(deps, 90));
  });
});

describe('the rotation at NextRotationDate', () => {
  test('is visible at that instant, before any timer ran: new current material, an AUTOMATIC rotation, the next date a period on', async () => {
    // GIVEN a key rotating every 90 days and a ciphertext under its first material
    const { deps, keyId, arn, firstMaterial, enabledAt } = await rotatingKey(90);
    const old = await encrypt(deps, TEST_CTX, { KeyId: keyId, Plaintext: bytes('before') });
    const due = new Date(enabledAt.getTime() + 90 * DAY_MS);
    // WHEN the clock is one millisecond short of it, nothing has happened
    deps.clock.set(new Date(due.getTime() - 1));
    expect(await current(deps, keyId)).toBe(firstMaterial);
    expect(await rotations(deps, keyId)).toEqual([]);
    // THEN at the instant it has
    deps.clock.set(due);
    const rotated = await current(deps, keyId);
    expect(rotated).not.toBe(firstMaterial);
    expect(await rotations(deps, keyId)).toStrictEqual([{ KeyId: keyId, KeyMaterialId: rotated, KeyMaterialState: 'CURRENT', RotationDate: due, RotationType: 'AUTOMATIC' }]);
    expect(await status(deps, keyId)).toStrictEqual({ KeyId: arn, KeyRotationEnabled: true, RotationPeriodInDays: 90, NextRotationDate: new Date(due.getTime() + 90 * DAY_MS) });
    // AND encryption uses the new material while the old ciphertext still decrypts
    const fresh = await encrypt(deps, TEST_CTX, { KeyId: keyId, Plaintext: bytes('after') });
    expect(text((await decrypt(deps, TEST_CTX, { CiphertextBlob: old.CiphertextBlob })).Plaintext)).toBe('before');
    expect((await decrypt(deps, TEST_CTX, { CiphertextBlob: fresh.CiphertextBlob })).KeyMaterialId).toBe(rotated);
    // nothing was written or logged yet: the record is still the one before the rotation
    expect((await storedKey(deps, keyId)).currentMaterialId).toBe(firstMaterial);
    expect(deps.recorded).toEqual([]);
  });

  test('the timer persists it, logs RotateKey (AUTOMATIC) at the rotation instant, prepares the next material and arms the next timer', async () => {
    const { deps, keyId, arn, firstMaterial, enabledAt } = await rotatingKey(90);
    const due = new Date(enabledAt.getTime() + 90 * DAY_MS);
    deps.clock.set(new Date(due.getTime() + 60_000)); // Scheduler fires up to a minute late
    const seen = await current(deps, keyId);
    expect(await fire(deps)).toEqual(['applied']);
    const after = await storedKey(deps, keyId);
    expect(after.currentMaterialId).toBe(seen);
    expect(after.automaticRotation?.nextMaterial?.materialId).toMatch(/^[0-9a-f]{64}$/);
    expect(after.automaticRotation?.nextMaterial?.materialId).not.toBe(seen);
    expect(deps.recorded).toStrictEqual([
      { eventName: 'RotateKey', keyArn: arn, rotationType: 'AUTOMATIC', keyOrigin: 'AWS_KMS', previousKeyMaterialId: firstMaterial, currentKeyMaterialId: seen, eventTime: due },
    ]);
    expect([...deps.timers.armed.values()]).toContainEqual(rotationTimer(TEST_SCOPE, keyId, new Date(due.getTime() + 90 * DAY_MS)));
    // a duplicate delivery changes nothing
    expect(await onTimerDue(deps, rotationTimer(TEST_SCOPE, keyId, due))).toBe('stale');
    expect(deps.recorded).toHaveLength(1);
  });

  test('a rotation timer delivered after DisableKeyRotation does nothing (timers are hints)', async () => {
    const { deps, keyId, firstMaterial, enabledAt } = await rotatingKey(90);
    const due = new Date(enabledAt.getTime() + 90 * DAY_MS);
    await disableKeyRotation(deps, TEST_CTX, { KeyId: keyId });
    const before = await storedKey(deps, keyId);
    deps.clock.set(new Date(due.getTime() + 60_000));
    expect(await onTimerDue(deps, rotationTimer(TEST_SCOPE, keyId, due))).toBe('stale');
    expect(await current(deps, keyId)).toBe(firstMaterial);
    expect(await rotations(deps, keyId)).toEqual([]);
    expect(deps.recorded).toEqual([]);
    expect((await storedKey(deps, keyId)).revision).toBe(before.revision);
  });

  test('a timer that runs two periods late applies both rotations, each at its own date', async () => {
    const { deps, keyId, firstMaterial, enabledAt } = await rotatingKey(90);
    deps.clock.set(new Date(enabledAt.getTime() + 200 * DAY_MS));
    await onTimerDue(deps, rotationTimer(TEST_SCOPE, keyId, new Date(enabledAt.getTime() + 90 * DAY_MS)));
    const list = await rotations(deps, keyId);
    expect(list.map((r) => [r.RotationType, r.RotationDate, r.KeyMaterialState])).toEqual([
      ['AUTOMATIC', new Date(enabledAt.getTime() + 90 * DAY_MS), 'NON_CURRENT'],
      ['AUTOMATIC', new Date(enabledAt.getTime() + 180 * DAY_MS), 'CURRENT'],
    ]);
    expect(deps.recorded.map((e) => e.eventName === 'RotateKey' && e.previousKeyMaterialId)).toEqual([firstMaterial, list[0]!.KeyMaterialId]);
    expect((await status(deps, keyId)).NextRotationDate).toEqual(new Date(enabledAt.getTime() + 270 * DAY_MS));
  });

  test('another write after the due instant persists the rotation and logs it once; the timer then only prepares the next material', async () => {
    const { deps, keyId, enabledAt } = await rotatingKey(90);
    deps.clock.set(new Date(enabledAt.getTime() + 90 * DAY_MS + 1000));
    await tagResource(deps, TEST_CTX, { KeyId: keyId, Tags: [{ TagKey: 'k', TagValue: 'v' }] });
    const written = await storedKey(deps, keyId);
    expect(written.materials).toHaveLength(2);
    expect(written.automaticRotation?.nextMaterial).toBeUndefined();
    expect(deps.recorded.map((e) => e.eventName)).toEqual(['RotateKey']);
    expect(await fire(deps)).toContain('applied');
    expect((await storedKey(deps, keyId)).automaticRotation?.nextMaterial).toBeDefined();
    expect(deps.recorded.map((e) => e.eventName)).toEqual(['RotateKey']);
  });

  test('on-demand rotations do not move the schedule, and are refused within 20 minutes before an automatic one (D76)', async () => {
    const { deps, keyId, arn, enabledAt } = await rotatingKey(90);
    const due = new Date(enabledAt.getTime() + 90 * DAY_MS);
    await rotateKeyOnDemand(deps, TEST_CTX, { KeyId: keyId });
    expect((await status(deps, keyId)).NextRotationDate).toEqual(due);
    deps.clock.set(new Date(due.getTime() - 19 * 60_000));
    await expect(rotateKeyOnDemand(deps, TEST_CTX, { KeyId: keyId })).rejects.toThrow(
      new ConflictException(`An automatic rotation of ${arn} is due within 20 minutes; rotate on demand after it.`),
    );
  });
});

describe('keys that cannot rotate now', () => {
  test('a Disabled key does not rotate at its date, and rotates when it is enabled again (D75)', async () => {
    const { deps, keyId, firstMaterial, enabledAt } = await rotatingKey(90);
    await disableKey(deps, TEST_CTX, { KeyId: keyId });
    deps.clock.set(new Date(enabledAt.getTime() + 100 * DAY_MS));
    expect(await fire(deps)).toEqual(['stale']);
    expect(await current(deps, keyId)).toBe(firstMaterial);
    expect(await status(deps, keyId)).toMatchObject({ KeyRotationEnabled: true, NextRotationDate: new Date(enabledAt.getTime() + 90 * DAY_MS) });
    // WHEN enabled ten days after the date
    const now = deps.clock.now();
    await enableKey(deps, TEST_CTX, { KeyId: keyId });
    // THEN it rotates at once and the next period starts now
    expect(await rotations(deps, keyId)).toMatchObject([{ RotationType: 'AUTOMATIC', RotationDate: now }]);
    expect((await status(deps, keyId)).NextRotationDate).toEqual(new Date(now.getTime() + 90 * DAY_MS));
    expect((await storedKey(deps, keyId)).automaticRotation?.nextMaterial).toBeDefined();
  });

  test('a key pending deletion reports rotation off, does not rotate, and gets its setting back on CancelKeyDeletion', async () => {
    const { deps, keyId, arn, firstMaterial, enabledAt } = await rotatingKey(90);
    await scheduleKeyDeletion(deps, TEST_CTX, { KeyId: keyId, PendingWindowInDays: 30 });
    expect(await status(deps, keyId)).toStrictEqual({ KeyId: arn, KeyRotationEnabled: false });
    await cancelKeyDeletion(deps, TEST_CTX, { KeyId: keyId });
    expect(await status(deps, keyId)).toMatchObject({ KeyRotationEnabled: true, NextRotationDate: new Date(enabledAt.getTime() + 90 * DAY_MS) });
    expect(await current(deps, keyId)).toBe(firstMaterial);
  });

  test.each([
    ['EnableKeyRotation', enableKeyRotation],
    ['DisableKeyRotation', disableKeyRotation],
  ] as const)('%s: DisabledException for a Disabled key, KMSInvalidStateException pending deletion', async (_, operation) => {
    const deps = memoryDeps();
    const disabled = await newKey(deps);
    await disableKey(deps, TEST_CTX, { KeyId: disabled.KeyId });
    await expect(operation(deps, TEST_CTX, { KeyId: disabled.KeyId })).rejects.toThrow(new DisabledException(`${disabled.Arn} is disabled.`));
    const deleting = await newKey(deps);
    await scheduleKeyDeletion(deps, TEST_CTX, { KeyId: deleting.KeyId, PendingWindowInDays: 7 });
    await expect(operation(deps, TEST_CTX, { KeyId: deleting.KeyId })).rejects.toThrow(new KMSInvalidStateException(`${deleting.Arn} is pending deletion.`));
  });

  test.each([
    ['EnableKeyRotation', enableKeyRotation],
    ['DisableKeyRotation', disableKeyRotation],
  ] as const)('%s: UnsupportedOperationException for imported keys in every state, and for other key specs', async (_, operation) => {
    const deps = memoryDeps();
    const external = await newKey(deps, { Origin: 'EXTERNAL' });
    await expect(operation(deps, TEST_CTX, { KeyId: external.KeyId })).rejects.toThrow(
      new UnsupportedOperationException(`${external.Arn} origin is EXTERNAL which is not valid for this operation.`),
    );
    const rsa = await newKey(deps);
    await patchKey(deps, rsa.KeyId, (k): KeyRecord => ({ ...k, keySpec: 'RSA_2048' as KeySpec }));
    await expect(operation(deps, TEST_CTX, { KeyId: rsa.KeyId })).rejects.toThrow(new UnsupportedOperationException(''));
  });
});

describe('EnableKeyRotation and RotateKeyOnDemand at the edges of the schedule', () => {
  test('on demand exactly 20 minutes before the automatic rotation is allowed; a millisecond later it is ConflictException (D76)', async () => {
    const { deps, keyId, arn, enabledAt } = await rotatingKey(90);
    const due = new Date(enabledAt.getTime() + 90 * DAY_MS);
    deps.clock.set(new Date(due.getTime() - 20 * 60_000));
    await expect(rotateKeyOnDemand(deps, TEST_CTX, { KeyId: keyId })).resolves.toEqual({ KeyId: arn });
    deps.clock.set(new Date(due.getTime() - 20 * 60_000 + 1));
    await expect(rotateKeyOnDemand(deps, TEST_CTX, { KeyId: keyId })).rejects.toBeInstanceOf(ConflictException);
  });

  test('EnableKeyRotation with the same period on a key whose rotation fell due: the rotation is stored with its RotateKey, and the next rotation timer stays armed', async () => {
    // GIVEN a rotating key read after its NextRotationDate, before its timer ran
    const { deps, keyId, arn, firstMaterial, enabledAt } = await rotatingKey(90);
    const due = new Date(enabledAt.getTime() + 90 * DAY_MS);
    deps.clock.set(new Date(due.getTime() + 60_000));
    // WHEN
    await enableKeyRotation(deps, TEST_CTX, { KeyId: keyId, RotationPeriodInDays: 90 });
    // THEN
    const [rotated] = await rotations(deps, keyId);
    expect((await storedKey(deps, keyId)).currentMaterialId).toBe(rotated!.KeyMaterialId);
    expect(deps.recorded).toStrictEqual([
      { eventName: 'RotateKey', keyArn: arn, rotationType: 'AUTOMATIC', keyOrigin: 'AWS_KMS', previousKeyMaterialId: firstMaterial, currentKeyMaterialId: rotated!.KeyMaterialId, eventTime: due },
    ]);
    const next = new Date(due.getTime() + 90 * DAY_MS);
    expect(await status(deps, keyId)).toMatchObject({ NextRotationDate: next });
    expect([...deps.timers.armed.values()]).toContainEqual(rotationTimer(TEST_SCOPE, keyId, next));
  });
});
