/**
 * Automatic rotation through the real SDK (spec kms-policies-grants-rotation.md §4; D72–D76): enabling
 * and disabling, GetKeyRotationStatus, the refusals AWS makes, and — with clock control — the key
 * rotating when the service clock reaches NextRotationDate: new current material, an AUTOMATIC entry in
 * ListKeyRotations, old ciphertexts still decrypting, a RotateKey event, across a restart too.
 */
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import {
  DecryptCommand,
  DisableKeyCommand,
  DisableKeyRotationCommand,
  EnableKeyRotationCommand,
  EncryptCommand,
  GetKeyRotationStatusCommand,
  ListKeyRotationsCommand,
  type KMSClient,
} from '@aws-sdk/client-kms';
import { describe, expect, test } from 'vitest';
import { startLocalServer } from '../support/local-server';
import { DAY, createExternalKey, createKey, describeKey, eventsOf, expectDuring, expectKmsError, timed, useLocalServer } from './helpers';

const status = (kms: KMSClient, keyId: string) => kms.send(new GetKeyRotationStatusCommand({ KeyId: keyId }));

describe('settings', () => {
  const local = useLocalServer();

  test('a new key does not rotate; EnableKeyRotation: 365 days by default, any period from 90 to 2560; DisableKeyRotation: off again', async () => {
    const { KeyId, Arn } = await createKey(local.kms);
    expect(await status(local.kms, KeyId!)).toMatchObject({ KeyId: Arn, KeyRotationEnabled: false });
    const [, enabling] = await timed(() => local.kms.send(new EnableKeyRotationCommand({ KeyId })));
    const on = await status(local.kms, Arn!);
    expect(on).toMatchObject({ KeyId: Arn, KeyRotationEnabled: true, RotationPeriodInDays: 365 });
    expectDuring(on.NextRotationDate, enabling, 365 * DAY * 1000);
    await local.kms.send(new EnableKeyRotationCommand({ KeyId, RotationPeriodInDays: 90 }));
    expect(await status(local.kms, KeyId!)).toMatchObject({ RotationPeriodInDays: 90 });
    await local.kms.send(new DisableKeyRotationCommand({ KeyId }));
    const off = await status(local.kms, KeyId!);
    expect(off).toMatchObject({ KeyId: Arn, KeyRotationEnabled: false });
    expect(off.RotationPeriodInDays).toBeUndefined();
    expect(off.NextRotationDate).toBeUndefined();
  });

  test('refusals: a period out of range, an imported key (any state), a disabled key', async () => {
    const { KeyId, Arn } = await createKey(local.kms);
    await expectKmsError(
      local.kms.send(new EnableKeyRotationCommand({ KeyId, RotationPeriodInDays: 89 })),
      'ValidationException',
      "1 validation error detected: Value '89' at 'rotationPeriodInDays' failed to satisfy constraint: Member must have value greater than or equal to 90",
    );
    await expectKmsError(local.kms.send(new EnableKeyRotationCommand({ KeyId, RotationPeriodInDays: 2561 })), 'ValidationException');
    const external = await createExternalKey(local.kms);
    for (const command of [new EnableKeyRotationCommand({ KeyId: external.KeyId }), new DisableKeyRotationCommand({ KeyId: external.KeyId })]) {
      await expectKmsError(local.kms.send(command as never), 'UnsupportedOperationException', `${external.Arn} origin is EXTERNAL which is not valid for this operation.`);
    }
    await local.kms.send(new DisableKeyCommand({ KeyId }));
    await expectKmsError(local.kms.send(new EnableKeyRotationCommand({ KeyId })), 'DisabledException', `${Arn} is disabled.`);
    expect((await status(local.kms, KeyId!)).KeyRotationEnabled).toBe(false);
  });
});

describe('with clock control', () => {
  const local = useLocalServer({ inMemory: true, clockControl: true });

  test('advancing the service clock 365 days rotates the key: new material, AUTOMATIC rotation, old ciphertexts decrypt, RotateKey logged', async () => {
    // GIVEN a key rotating yearly, and a ciphertext under its first material
    const { KeyId, Arn, CurrentKeyMaterialId: first } = await createKey(local.kms);
    await local.kms.send(new EnableKeyRotationCommand({ KeyId }));
    const { NextRotationDate: due } = await status(local.kms, KeyId!);
    const { CiphertextBlob } = await local.kms.send(new EncryptCommand({ KeyId, Plaintext: Buffer.from('year one') }));
    // WHEN a day before, nothing has happened
    await local.server.advanceClock(364 * DAY);
    expect((await describeKey(local.kms, KeyId!)).CurrentKeyMaterialId).toBe(first);
    // AND a day later it has
    await local.server.advanceClock(DAY + 1);
    const now = (await describeKey(local.kms, KeyId!)).CurrentKeyMaterialId;
    expect(now).toMatch(/^[0-9a-f]{64}$/);
    expect(now).not.toBe(first);
    // THEN
    const { Rotations } = await local.kms.send(new ListKeyRotationsCommand({ KeyId }));
    expect(Rotations).toEqual([{ KeyId, KeyMaterialId: now, KeyMaterialState: 'CURRENT', RotationDate: due, RotationType: 'AUTOMATIC' }]);
    const after = await status(local.kms, KeyId!);
    expect(after).toMatchObject({ KeyRotationEnabled: true, RotationPeriodInDays: 365, NextRotationDate: new Date(due!.getTime() + 365 * DAY * 1000) });
    expect(Buffer.from((await local.kms.send(new DecryptCommand({ CiphertextBlob }))).Plaintext!).toString()).toBe('year one');
    const fresh = await local.kms.send(new EncryptCommand({ KeyId, Plaintext: Buffer.from('year two') }));
    expect((await local.kms.send(new DecryptCommand({ CiphertextBlob: fresh.CiphertextBlob }))).KeyMaterialId).toBe(now);
    const [event, ...more] = eventsOf(local.server, 'RotateKey', Arn!);
    expect(more).toEqual([]);
    expect(event).toMatchObject({ level: 'INFO', event: 'RotateKey', keyArn: Arn, rotationType: 'AUTOMATIC', keyOrigin: 'AWS_KMS', previousKeyMaterialId: first, currentKeyMaterialId: now, time: due!.toISOString() });
  });

  test('every period brings one more rotation; ListKeyRotations lists them oldest first, the newest CURRENT', async () => {
    const { KeyId } = await createKey(local.kms);
    await local.kms.send(new EnableKeyRotationCommand({ KeyId, RotationPeriodInDays: 90 }));
    await local.server.advanceClock(3 * 90 * DAY + 60);
    const { Rotations } = await local.kms.send(new ListKeyRotationsCommand({ KeyId }));
    expect(Rotations!.map((r) => [r.RotationType, r.KeyMaterialState])).toEqual([
      ['AUTOMATIC', 'NON_CURRENT'],
      ['AUTOMATIC', 'NON_CURRENT'],
      ['AUTOMATIC', 'CURRENT'],
    ]);
    const dates = Rotations!.map((r) => r.RotationDate!.getTime());
    expect(dates[1]! - dates[0]!).toBe(90 * DAY * 1000);
    expect(dates[2]! - dates[1]!).toBe(90 * DAY * 1000);
  });
});

describe('across a restart', () => {
  test('the rotation timer is re-armed from the store: the key rotates after the restart', async () => {
    const dataDir = mkdtempSync(join(tmpdir(), 'byok-kms-rotation-'));
    try {
      const first = await startLocalServer({ dataDir, clockControl: true });
      const kms = first.kms();
      const { KeyId, CurrentKeyMaterialId } = await createKey(kms);
      await kms.send(new EnableKeyRotationCommand({ KeyId, RotationPeriodInDays: 90 }));
      kms.destroy();
      await first.stop();
      // the clock offset is not kept: the restarted server starts at real time again
      const second = await startLocalServer({ dataDir, clockControl: true });
      const again = second.kms();
      try {
        await second.advanceClock(90 * DAY + 60);
        expect((await describeKey(again, KeyId!)).CurrentKeyMaterialId).not.toBe(CurrentKeyMaterialId);
        expect((await again.send(new ListKeyRotationsCommand({ KeyId }))).Rotations).toHaveLength(1);
      } finally {
        again.destroy();
        await second.stop();
      }
    } finally {
      rmSync(dataDir, { recursive: true, force: true });
    }
  });
});
