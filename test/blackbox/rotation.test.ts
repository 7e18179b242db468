/**
 * Several materials per imported key and on-demand rotation (spec §2.7–2.9, §6; D6, D7) through the
 * real SDK: staging NEW material, RotateKeyOnDemand, ListKeyRotations, deleting NON_CURRENT and
 * PENDING_ROTATION materials, the 25-rotation limit.
 */
import {
  DecryptCommand,
  DeleteImportedKeyMaterialCommand,
  DisableKeyCommand,
  DisableKeyRotationCommand,
  EnableKeyRotationCommand,
  EncryptCommand,
  GenerateDataKeyCommand,
  GetKeyRotationStatusCommand,
  ListKeyRotationsCommand,
  RotateKeyOnDemandCommand,
  type IncludeKeyMaterial,
  type RotationsListEntry,
} from '@aws-sdk/client-kms';
import { describe, expect, test } from 'vitest';
import {
  DAY,
  allPages,
  createExternalKey,
  createImportedKey,
  describeKey,
  expectKmsError,
  expectDuring,
  getParameters,
  importMaterial,
  kmsError,
  newMaterial,
  timed,
  useLocalServer,
  type ImportedKey,
} from './helpers';

const local = useLocalServer();

const inDays = (days: number) => new Date(Math.floor(Date.now() / 1000 + days * DAY) * 1000);

async function listRotations(keyId: string, include?: IncludeKeyMaterial, limit?: number): Promise<RotationsListEntry[]> {
  return allPages(
    'ListKeyRotations',
    async (marker) => {
      const out = await local.kms.send(
        new ListKeyRotationsCommand({ KeyId: keyId, ...(include && { IncludeKeyMaterial: include }), ...(limit && { Limit: limit }), ...(marker && { Marker: marker }) }),
      );
      return { ...out, entries: out.Rotations! };
    },
    { fullPages: limit },
  );
}

const entryOf = (entries: RotationsListEntry[], id: string) => {
  const entry = entries.find((e) => e.KeyMaterialId === id);
  expect(entry, `material ${id} listed`).toBeDefined();
  return entry!;
};

/** An imported key with a second material staged as NEW (PENDING_ROTATION). */
async function keyWithStagedMaterial(options: { description?: string; validTo?: Date } = {}): Promise<ImportedKey & { staged: Buffer; stagedId: string }> {
  const key = await createImportedKey(local.kms);
  const staged = newMaterial();
  const out = await importMaterial(local.kms, key.keyId, staged, { importType: 'NEW_KEY_MATERIAL', ...options });
  return { ...key, staged, stagedId: out.KeyMaterialId! };
}

describe('importing NEW_KEY_MATERIAL', () => {
  test('stages the material as PENDING_ROTATION and leaves CurrentKeyMaterialId and encryption unchanged', async () => {
    // GIVEN / WHEN
    const key = await keyWithStagedMaterial({ description: 'next material' });
    // THEN
    expect(key.stagedId).toMatch(/^[0-9a-f]{64}$/);
    expect(key.stagedId).not.toBe(key.keyMaterialId);
    expect(await describeKey(local.kms, key.keyId)).toMatchObject({ KeyState: 'Enabled', CurrentKeyMaterialId: key.keyMaterialId });
    const gdk = await local.kms.send(new GenerateDataKeyCommand({ KeyId: key.keyId, KeySpec: 'AES_256' }));
    expect(gdk.KeyMaterialId).toBe(key.keyMaterialId);

    const all = await listRotations(key.keyId, 'ALL_KEY_MATERIAL');
    expect(all).toHaveLength(2);
    const first = entryOf(all, key.keyMaterialId);
    expect(first).toMatchObject({ KeyId: key.keyId, KeyMaterialState: 'CURRENT', ImportState: 'IMPORTED', ExpirationModel: 'KEY_MATERIAL_DOES_NOT_EXPIRE' });
    expect(first.RotationDate).toBeUndefined();
    expect(first.RotationType).toBeUndefined();
    expect(first.ValidTo).toBeUndefined();
    const pending = entryOf(all, key.stagedId);
    expect(pending).toMatchObject({ KeyId: key.keyId, KeyMaterialState: 'PENDING_ROTATION', ImportState: 'IMPORTED', KeyMaterialDescription: 'next material' });
    expect(pending.RotationDate).toBeUndefined();
    expect(pending.RotationType).toBeUndefined();

    // ROTATIONS_ONLY (the default) hides the first and the pending material
    expect(await listRotations(key.keyId)).toEqual([]);
    expect(await listRotations(key.keyId, 'ROTATIONS_ONLY')).toEqual([]);
  });

  test('a staged material does not count for DescribeKey ValidTo until it is rotated in', async () => {
    // GIVEN the first material expires in 10 days, the staged one in 5
    const meta = await createExternalKey(local.kms);
    const [in10, in5] = [inDays(10), inDays(5)];
    await importMaterial(local.kms, meta.KeyId!, newMaterial(), { validTo: in10 });
    await importMaterial(local.kms, meta.KeyId!, newMaterial(), { importType: 'NEW_KEY_MATERIAL', validTo: in5 });
    expect((await describeKey(local.kms, meta.KeyId!)).ValidTo!.getTime()).toBe(in10.getTime());
    // WHEN rotated
    await local.kms.send(new RotateKeyOnDemandCommand({ KeyId: meta.KeyId }));
    // THEN the earliest expiry of the permanently associated materials
    expect((await describeKey(local.kms, meta.KeyId!)).ValidTo!.getTime()).toBe(in5.getTime());
  });

  test('fails with KMSInvalidStateException while another material is pending rotation; deleting the pending one lets a different NEW material in', async () => {
    // GIVEN
    const key = await keyWithStagedMaterial();
    const third = newMaterial();
    // WHEN a second NEW material is imported
    const refused = await expectKmsError(importMaterial(local.kms, key.keyId, third, { importType: 'NEW_KEY_MATERIAL' }), 'KMSInvalidStateException');
    // AND the pending material is deleted
    const deleted = await local.kms.send(new DeleteImportedKeyMaterialCommand({ KeyId: key.keyId, KeyMaterialId: key.stagedId }));
    expect(deleted.KeyMaterialId).toBe(key.stagedId);
    // THEN the key is untouched and the staged material is gone (not kept as PENDING_IMPORT)
    expect(await describeKey(local.kms, key.keyId)).toMatchObject({ KeyState: 'Enabled', CurrentKeyMaterialId: key.keyMaterialId });
    expect((await listRotations(key.keyId, 'ALL_KEY_MATERIAL')).map((e) => e.KeyMaterialId)).toEqual([key.keyMaterialId]);
    // AND the different material now stages
    const thirdId = (await importMaterial(local.kms, key.keyId, third, { importType: 'NEW_KEY_MATERIAL' })).KeyMaterialId!;
    expect(entryOf(await listRotations(key.keyId, 'ALL_KEY_MATERIAL'), thirdId).KeyMaterialState).toBe('PENDING_ROTATION');
    // and the refusal named both materials exactly as AWS does
    expect(refused.message).toBe(
      `New key material (id: ${thirdId}) cannot be imported into KMS key ${key.arn}, because another key material (id: ${key.stagedId}) is pending rotation.`,
    );
  });

  test('the staged material can be re-imported as EXISTING (e.g. to change its expiry) without becoming current', async () => {
    const key = await keyWithStagedMaterial();
    const validTo = inDays(3);
    const out = await importMaterial(local.kms, key.keyId, key.staged, { importType: 'EXISTING_KEY_MATERIAL', keyMaterialId: key.stagedId, validTo });
    expect(out.KeyMaterialId).toBe(key.stagedId);
    const staged = entryOf(await listRotations(key.keyId, 'ALL_KEY_MATERIAL'), key.stagedId);
    expect(staged).toMatchObject({ KeyMaterialState: 'PENDING_ROTATION', ExpirationModel: 'KEY_MATERIAL_EXPIRES' });
    expect(staged.ValidTo!.getTime()).toBe(validTo.getTime());
    expect((await describeKey(local.kms, key.keyId)).CurrentKeyMaterialId).toBe(key.keyMaterialId);
  });
});

describe('RotateKeyOnDemand', () => {
  test('completes before it returns: new ciphertexts use the new material, old ones still decrypt (D7)', async () => {
    // GIVEN a ciphertext under the first material, and a staged material
    const key = await keyWithStagedMaterial();
    const old = await local.kms.send(new EncryptCommand({ KeyId: key.keyId, Plaintext: Buffer.from('before rotation') }));
    // WHEN
    const [out, rotating] = await timed(() => local.kms.send(new RotateKeyOnDemandCommand({ KeyId: key.keyId })));
    // THEN
    expect(out.KeyId).toBe(key.arn);
    expect(await describeKey(local.kms, key.keyId)).toMatchObject({ KeyState: 'Enabled', CurrentKeyMaterialId: key.stagedId });
    const oldDecrypted = await local.kms.send(new DecryptCommand({ CiphertextBlob: old.CiphertextBlob }));
    expect(Buffer.from(oldDecrypted.Plaintext!).toString()).toBe('before rotation');
    expect(oldDecrypted.KeyMaterialId).toBe(key.keyMaterialId);
    const fresh = await local.kms.send(new EncryptCommand({ KeyId: key.keyId, Plaintext: Buffer.from('after rotation') }));
    const freshDecrypted = await local.kms.send(new DecryptCommand({ CiphertextBlob: fresh.CiphertextBlob }));
    expect(freshDecrypted.KeyMaterialId).toBe(key.stagedId);
    expect((await local.kms.send(new GenerateDataKeyCommand({ KeyId: key.keyId, NumberOfBytes: 32 }))).KeyMaterialId).toBe(key.stagedId);

    const all = await listRotations(key.keyId, 'ALL_KEY_MATERIAL');
    const previous = entryOf(all, key.keyMaterialId);
    expect(previous).toMatchObject({ KeyMaterialState: 'NON_CURRENT', ImportState: 'IMPORTED' });
    expect(previous.RotationDate).toBeUndefined();
    const current = entryOf(all, key.stagedId);
    expect(current).toMatchObject({ KeyMaterialState: 'CURRENT', ImportState: 'IMPORTED', RotationType: 'ON_DEMAND' });
    expectDuring(current.RotationDate, rotating);
    const rotationsOnly = await listRotations(key.keyId);
    expect(rotationsOnly).toHaveLength(1);
    expect(rotationsOnly[0]).toMatchObject({ KeyId: key.keyId, KeyMaterialId: key.stagedId, RotationType: 'ON_DEMAND' });

    const status = await local.kms.send(new GetKeyRotationStatusCommand({ KeyId: key.keyId }));
    expect(status.KeyRotationEnabled).toBe(false);
    expect(status.KeyId).toBe(key.arn);
    expect(status.OnDemandRotationStartDate).toBeUndefined();
  });

  test('fails with KMSInvalidStateException when no material is pending rotation', async () => {
    const key = await createImportedKey(local.kms);
    await expectKmsError(
      local.kms.send(new RotateKeyOnDemandCommand({ KeyId: key.keyId })),
      'KMSInvalidStateException',
      `No available key material pending rotation for the key: ${key.arn}.`,
    );
    expect((await describeKey(local.kms, key.keyId)).CurrentKeyMaterialId).toBe(key.keyMaterialId);
  });

  test('fails with DisabledException on a Disabled key, and rotates nothing', async () => {
    const key = await keyWithStagedMaterial();
    await local.kms.send(new DisableKeyCommand({ KeyId: key.keyId }));
    await expectKmsError(local.kms.send(new RotateKeyOnDemandCommand({ KeyId: key.keyId })), 'DisabledException', `${key.arn} is disabled.`);
    expect((await describeKey(local.kms, key.keyId)).CurrentKeyMaterialId).toBe(key.keyMaterialId);
  });

  test('fails with KMSInvalidStateException on a PendingImport key', async () => {
    const meta = await createExternalKey(local.kms);
    await expectKmsError(local.kms.send(new RotateKeyOnDemandCommand({ KeyId: meta.Arn })), 'KMSInvalidStateException', `${meta.Arn} is pending import.`);
  });

  test('fails with LimitExceededException on the 26th on-demand rotation (D6)', async () => {
    // GIVEN 25 completed rotations (one import token reused, D13)
    const key = await createImportedKey(local.kms);
    const params = await getParameters(local.kms, key.keyId);
    for (let i = 1; i <= 25; i++) {
      await importMaterial(local.kms, key.keyId, newMaterial(), { params, importType: 'NEW_KEY_MATERIAL' });
      await local.kms.send(new RotateKeyOnDemandCommand({ KeyId: key.keyId }));
    }
    const staged = await importMaterial(local.kms, key.keyId, newMaterial(), { params, importType: 'NEW_KEY_MATERIAL' });
    const currentBefore = (await describeKey(local.kms, key.keyId)).CurrentKeyMaterialId;
    // WHEN / THEN
    await expectKmsError(
      local.kms.send(new RotateKeyOnDemandCommand({ KeyId: key.keyId })),
      'LimitExceededException',
      `The on-demand rotations limit has been reached for the given keyId. No more on-demand rotations can be performed for this key: ${key.arn}`,
    );
    expect((await describeKey(local.kms, key.keyId)).CurrentKeyMaterialId).toBe(currentBefore);
    expect(entryOf(await listRotations(key.keyId, 'ALL_KEY_MATERIAL'), staged.KeyMaterialId!).KeyMaterialState).toBe('PENDING_ROTATION');
    expect(await listRotations(key.keyId, 'ROTATIONS_ONLY')).toHaveLength(25);
  });
});

describe('ListKeyRotations', () => {
  test('pages ROTATIONS_ONLY and ALL_KEY_MATERIAL with Limit/Marker/Truncated', async () => {
    // GIVEN a key with three rotations and a staged material: 5 materials, 3 rotations
    const key = await createImportedKey(local.kms);
    const params = await getParameters(local.kms, key.keyId);
    for (let i = 0; i < 3; i++) {
      await importMaterial(local.kms, key.keyId, newMaterial(), { params, importType: 'NEW_KEY_MATERIAL' });
      await local.kms.send(new RotateKeyOnDemandCommand({ KeyId: key.keyId }));
    }
    await importMaterial(local.kms, key.keyId, newMaterial(), { params, importType: 'NEW_KEY_MATERIAL' });
    // WHEN / THEN
    const allPaged = await listRotations(key.keyId, 'ALL_KEY_MATERIAL', 2);
    const allWhole = await listRotations(key.keyId, 'ALL_KEY_MATERIAL');
    expect(allPaged).toHaveLength(5);
    expect(allPaged.map((e) => e.KeyMaterialId)).toEqual(allWhole.map((e) => e.KeyMaterialId));
    expect(new Set(allPaged.map((e) => e.KeyMaterialId)).size).toBe(5);
    expect(allPaged.filter((e) => e.KeyMaterialState === 'CURRENT')).toHaveLength(1);
    expect(allPaged.filter((e) => e.KeyMaterialState === 'NON_CURRENT')).toHaveLength(3);
    expect(allPaged.filter((e) => e.KeyMaterialState === 'PENDING_ROTATION')).toHaveLength(1);
    const rotations = await listRotations(key.keyId, 'ROTATIONS_ONLY', 1);
    expect(rotations).toHaveLength(3);
    for (const r of rotations) {
      expect(r.RotationType).toBe('ON_DEMAND');
      expect(r.RotationDate).toBeInstanceOf(Date);
    }
  });

  test('fails with InvalidMarkerException for a marker it did not issue', async () => {
    const key = await createImportedKey(local.kms);
    await expectKmsError(local.kms.send(new ListKeyRotationsCommand({ KeyId: key.keyId, Marker: 'Zm9yZ2Vk' })), 'InvalidMarkerException');
  });
});

describe('deleting one of several materials', () => {
  test('deleting the NON_CURRENT material makes the whole key PendingImport; re-importing it restores Enabled', async () => {
    // GIVEN a rotated key and a ciphertext under each material
    const key = await keyWithStagedMaterial();
    const oldBlob = (await local.kms.send(new EncryptCommand({ KeyId: key.keyId, Plaintext: Buffer.from('old') }))).CiphertextBlob!;
    await local.kms.send(new RotateKeyOnDemandCommand({ KeyId: key.keyId }));
    const newBlob = (await local.kms.send(new EncryptCommand({ KeyId: key.keyId, Plaintext: Buffer.from('new') }))).CiphertextBlob!;
    // WHEN the NON_CURRENT (first) material is deleted
    const deleted = await local.kms.send(new DeleteImportedKeyMaterialCommand({ KeyId: key.keyId, KeyMaterialId: key.keyMaterialId }));
    expect(deleted.KeyMaterialId).toBe(key.keyMaterialId);
    // THEN the key is PendingImport and refuses both ciphertexts and new encryption
    const meta = await describeKey(local.kms, key.keyId);
    expect(meta).toMatchObject({ KeyState: 'PendingImport', Enabled: false, CurrentKeyMaterialId: key.stagedId });
    const pendingImport = `${key.arn} is pending import.`;
    await expectKmsError(local.kms.send(new DecryptCommand({ CiphertextBlob: oldBlob })), 'KMSInvalidStateException', pendingImport);
    await expectKmsError(local.kms.send(new DecryptCommand({ CiphertextBlob: newBlob })), 'KMSInvalidStateException', pendingImport);
    await expectKmsError(local.kms.send(new EncryptCommand({ KeyId: key.keyId, Plaintext: Buffer.from('x') })), 'KMSInvalidStateException', pendingImport);
    const all = await listRotations(key.keyId, 'ALL_KEY_MATERIAL');
    expect(entryOf(all, key.keyMaterialId)).toMatchObject({ ImportState: 'PENDING_IMPORT', KeyMaterialState: 'NON_CURRENT' });
    expect(entryOf(all, key.keyMaterialId).ExpirationModel).toBeUndefined();
    expect(entryOf(all, key.stagedId)).toMatchObject({ ImportState: 'IMPORTED', KeyMaterialState: 'CURRENT' });

    // WHEN the same material is re-imported as EXISTING, naming its id
    const again = await importMaterial(local.kms, key.keyId, key.material, { importType: 'EXISTING_KEY_MATERIAL', keyMaterialId: key.keyMaterialId });
    // THEN
    expect(again.KeyMaterialId).toBe(key.keyMaterialId);
    expect(await describeKey(local.kms, key.keyId)).toMatchObject({ KeyState: 'Enabled', CurrentKeyMaterialId: key.stagedId });
    expect(Buffer.from((await local.kms.send(new DecryptCommand({ CiphertextBlob: oldBlob }))).Plaintext!).toString()).toBe('old');
    expect(Buffer.from((await local.kms.send(new DecryptCommand({ CiphertextBlob: newBlob }))).Plaintext!).toString()).toBe('new');
  });

  test('re-importing a deleted rotated-in material keeps its rotation: ListKeyRotations lists the same RotationDate and RotationType', async () => {
    // GIVEN a rotated key, whose rotation is listed
    const key = await keyWithStagedMaterial();
    await local.kms.send(new RotateKeyOnDemandCommand({ KeyId: key.keyId }));
    const before = await listRotations(key.keyId);
    expect(before).toEqual([expect.objectContaining({ KeyMaterialId: key.stagedId, RotationType: 'ON_DEMAND', ImportState: 'IMPORTED' })]);
    expect(before[0]!.RotationDate).toBeInstanceOf(Date);
    // WHEN the rotated-in material is deleted and imported again
    await local.kms.send(new DeleteImportedKeyMaterialCommand({ KeyId: key.keyId, KeyMaterialId: key.stagedId }));
    await importMaterial(local.kms, key.keyId, key.staged, { importType: 'EXISTING_KEY_MATERIAL', keyMaterialId: key.stagedId });
    // THEN the rotation is listed exactly as before
    expect(await listRotations(key.keyId)).toEqual(before);
  });

  test('without KeyMaterialId, DeleteImportedKeyMaterial deletes the CURRENT material', async () => {
    const key = await keyWithStagedMaterial();
    await local.kms.send(new RotateKeyOnDemandCommand({ KeyId: key.keyId }));
    const out = await local.kms.send(new DeleteImportedKeyMaterialCommand({ KeyId: key.keyId }));
    expect(out.KeyMaterialId).toBe(key.stagedId);
    const all = await listRotations(key.keyId, 'ALL_KEY_MATERIAL');
    expect(entryOf(all, key.stagedId)).toMatchObject({ ImportState: 'PENDING_IMPORT', KeyMaterialState: 'CURRENT' });
    expect(entryOf(all, key.keyMaterialId)).toMatchObject({ ImportState: 'IMPORTED', KeyMaterialState: 'NON_CURRENT' });
    expect((await describeKey(local.kms, key.keyId)).KeyState).toBe('PendingImport');
  });

  test('a PendingImport key lacking one material does not rotate, and re-importing the other material alone does not enable it', async () => {
    // GIVEN a rotated key whose two materials are both deleted
    const key = await keyWithStagedMaterial();
    await local.kms.send(new RotateKeyOnDemandCommand({ KeyId: key.keyId }));
    await local.kms.send(new DeleteImportedKeyMaterialCommand({ KeyId: key.keyId, KeyMaterialId: key.keyMaterialId }));
    await local.kms.send(new DeleteImportedKeyMaterialCommand({ KeyId: key.keyId, KeyMaterialId: key.stagedId }));
    // WHEN only the current one comes back
    await importMaterial(local.kms, key.keyId, key.staged, { keyMaterialId: key.stagedId });
    // THEN the key stays PendingImport until every permanently associated material is imported
    expect((await describeKey(local.kms, key.keyId)).KeyState).toBe('PendingImport');
    const e = await kmsError(local.kms.send(new RotateKeyOnDemandCommand({ KeyId: key.keyId })));
    expect(e.name).toBe('KMSInvalidStateException');
    await importMaterial(local.kms, key.keyId, key.material, { keyMaterialId: key.keyMaterialId });
    expect((await describeKey(local.kms, key.keyId)).KeyState).toBe('Enabled');
  });
});

describe('automatic rotation', () => {
  test('fails with UnsupportedOperationException for EnableKeyRotation/DisableKeyRotation on an imported key', async () => {
    const key = await createImportedKey(local.kms);
    await expectKmsError(local.kms.send(new EnableKeyRotationCommand({ KeyId: key.keyId })), 'UnsupportedOperationException');
    await expectKmsError(local.kms.send(new DisableKeyRotationCommand({ KeyId: key.keyId })), 'UnsupportedOperationException');
    expect((await local.kms.send(new GetKeyRotationStatusCommand({ KeyId: key.keyId }))).KeyRotationEnabled).toBe(false);
  });
});
