import { describe, expect, test } from 'vitest';
import { unwrapMaterial } from '../../../../lambda/core/key-access';
import { findMaterial } from '../../../../lambda/core/model/key';
import { deleteImportedKeyMaterial } from '../../../../lambda/core/operations/import/delete-imported-key-material';
import { rotateKeyOnDemand } from '../../../../lambda/core/operations/rotation/rotate-key-on-demand';
import { expiryTimer } from '../../../../lambda/core/timers/timer';
import { memoryDeps, type MemoryDeps, TEST_CTX } from '../../../support/memory-deps';
import { aMaterial, anAwsKmsKey, anExternalKey, DAY_S, failure, Importer, patchKey, stored } from './helpers';

const NO_EXPIRY = { ExpirationModel: 'KEY_MATERIAL_DOES_NOT_EXPIRE' } as const;

async function anImportedKey(deps: MemoryDeps, validTo?: Date) {
  const key = await anExternalKey(deps);
  const client = new Importer(deps, key.keyId);
  const material = aMaterial();
  const { KeyMaterialId } = await client.import(material, validTo ? { ValidTo: validTo } : NO_EXPIRY);
  return { key: await stored(deps, key), client, material, materialId: KeyMaterialId };
}

describe('DeleteImportedKeyMaterial', () => {
  test('without KeyMaterialId deletes the current material: the key becomes PendingImport and keeps the entry', async () => {
    // GIVEN
    const deps = memoryDeps();
    const { key, materialId } = await anImportedKey(deps);
    // WHEN
    const out = await deleteImportedKeyMaterial(deps, TEST_CTX, { KeyId: key.keyId });
    // THEN
    expect(out).toEqual({ KeyId: key.arn, KeyMaterialId: materialId });
    const after = await stored(deps, key);
    expect(after.state).toBe('PendingImport');
    expect(after.currentMaterialId).toBe(materialId);
    expect(after.materials).toEqual([{ materialId, materialState: 'CURRENT', importState: 'PENDING_IMPORT' }]);
  });

  test('accepts the key ARN as KeyId', async () => {
    const deps = memoryDeps();
    const { key } = await anImportedKey(deps);
    await expect(deleteImportedKeyMaterial(deps, TEST_CTX, { KeyId: key.arn })).resolves.toMatchObject({ KeyId: key.arn });
  });

  test('disarms the expiry timer of the deleted material', async () => {
    // GIVEN
    const deps = memoryDeps();
    const validTo = new Date(deps.clock.now().getTime() + 3 * DAY_S * 1000);
    const { key } = await anImportedKey(deps, validTo);
    const timerName = expiryTimer(key.scope, key.keyId, validTo).name;
    expect(deps.timers.armed.has(timerName)).toBe(true);
    // WHEN
    await deleteImportedKeyMaterial(deps, TEST_CTX, { KeyId: key.keyId });
    // THEN
    expect(deps.timers.armed.size).toBe(0);
    expect(deps.timers.disarmed).toEqual([timerName]);
  });

  test('evicts the plaintext of the deleted material from the cache', async () => {
    // GIVEN
    const deps = memoryDeps();
    const { key, materialId } = await anImportedKey(deps);
    await unwrapMaterial(deps, key, findMaterial(key, materialId)!);
    expect(deps.materialCache.size).toBe(1);
    // WHEN
    await deleteImportedKeyMaterial(deps, TEST_CTX, { KeyId: key.keyId });
    // THEN
    expect(deps.materialCache.size).toBe(0);
    expect(deps.materialCache.get(key.arn, materialId, deps.clock.now().getTime())).toBeUndefined();
  });

  test('a Disabled key becomes PendingImport, and Enabled after the material is imported again (D3)', async () => {
    // GIVEN
    const deps = memoryDeps();
    const { key, client, material } = await anImportedKey(deps);
    await patchKey(deps, key, { state: 'Disabled' });
    // WHEN
    await deleteImportedKeyMaterial(deps, TEST_CTX, { KeyId: key.keyId });
    // THEN
    expect((await stored(deps, key)).state).toBe('PendingImport');
    await client.import(material);
    expect((await stored(deps, key)).state).toBe('Enabled');
  });

  test('a key pending deletion stays PendingDeletion, its material gone', async () => {
    // GIVEN
    const deps = memoryDeps();
    const { key, materialId } = await anImportedKey(deps);
    const deletionDate = new Date(deps.clock.now().getTime() + 7 * DAY_S * 1000);
    await patchKey(deps, key, { state: 'PendingDeletion', deletionDate });
    // WHEN
    const out = await deleteImportedKeyMaterial(deps, TEST_CTX, { KeyId: key.keyId });
    // THEN
    expect(out.KeyMaterialId).toBe(materialId);
    const after = await stored(deps, key);
    expect(after.state).toBe('PendingDeletion');
    expect(after.deletionDate).toEqual(deletionDate);
    expect(findMaterial(after, materialId)?.importState).toBe('PENDING_IMPORT');
    expect(findMaterial(after, materialId)?.wrapped).toBeUndefined();
  });

  test('on a key that never had material: succeeds, changes nothing and omits KeyMaterialId (D4)', async () => {
    // GIVEN
    const deps = memoryDeps();
    const key = await anExternalKey(deps);
    // WHEN
    const out = await deleteImportedKeyMaterial(deps, TEST_CTX, { KeyId: key.keyId });
    // THEN
    expect(out).toEqual({ KeyId: key.arn });
    expect('KeyMaterialId' in out).toBe(false);
    expect(await stored(deps, key)).toEqual(key);
  });

  test('twice in a row: the second call succeeds with no change and omits KeyMaterialId (D4)', async () => {
    // GIVEN
    const deps = memoryDeps();
    const { key } = await anImportedKey(deps);
    await deleteImportedKeyMaterial(deps, TEST_CTX, { KeyId: key.keyId });
    const before = await stored(deps, key);
    // WHEN
    const out = await deleteImportedKeyMaterial(deps, TEST_CTX, { KeyId: key.keyId });
    // THEN
    expect(out).toEqual({ KeyId: key.arn });
    expect(await stored(deps, key)).toEqual(before);
  });

  test('naming a material that is already deleted succeeds with no change', async () => {
    const deps = memoryDeps();
    const { key, materialId } = await anImportedKey(deps);
    await deleteImportedKeyMaterial(deps, TEST_CTX, { KeyId: key.keyId });
    const before = await stored(deps, key);
    const out = await deleteImportedKeyMaterial(deps, TEST_CTX, { KeyId: key.keyId, KeyMaterialId: materialId });
    expect(out).toEqual({ KeyId: key.arn, KeyMaterialId: materialId });
    expect(await stored(deps, key)).toEqual(before);
  });

  test('after expiry (no timer has run): nothing to delete; the erasure is persisted and recorded once', async () => {
    // GIVEN
    const deps = memoryDeps();
    const validTo = new Date(deps.clock.now().getTime() + 60_000);
    const { key, materialId } = await anImportedKey(deps, validTo);
    deps.clock.advance(60);
    // WHEN
    const out = await deleteImportedKeyMaterial(deps, TEST_CTX, { KeyId: key.keyId });
    // THEN
    expect(out).toEqual({ KeyId: key.arn });
    const after = await stored(deps, key);
    expect(after.state).toBe('PendingImport');
    expect(findMaterial(after, materialId)?.wrapped).toBeUndefined();
    expect(deps.recorded).toEqual([{ eventName: 'DeleteExpiredKeyMaterial', keyArn: key.arn, keyMaterialId: materialId, eventTime: validTo }]);
  });

  test('with the id of a PENDING_ROTATION material: removes it, keeps the key state, and lets other NEW material in', async () => {
    // GIVEN
    const deps = memoryDeps();
    const { key, client, materialId } = await anImportedKey(deps);
    const { KeyMaterialId: pendingId } = await client.import(aMaterial(), { ...NO_EXPIRY, ImportType: 'NEW_KEY_MATERIAL' });
    // WHEN
    const out = await deleteImportedKeyMaterial(deps, TEST_CTX, { KeyId: key.keyId, KeyMaterialId: pendingId });
    // THEN
    expect(out).toEqual({ KeyId: key.arn, KeyMaterialId: pendingId });
    const after = await stored(deps, key);
    expect(after.state).toBe('Enabled');
    expect(after.materials.map((m) => m.materialId)).toEqual([materialId]);
    await expect(client.import(aMaterial(), { ...NO_EXPIRY, ImportType: 'NEW_KEY_MATERIAL' })).resolves.toBeDefined();
  });

  test('with the id of a NON_CURRENT material: the whole key becomes PendingImport', async () => {
    // GIVEN: a rotated key
    const deps = memoryDeps();
    const { key, client, materialId: firstId } = await anImportedKey(deps);
    const { KeyMaterialId: secondId } = await client.import(aMaterial(), { ...NO_EXPIRY, ImportType: 'NEW_KEY_MATERIAL' });
    await rotateKeyOnDemand(deps, TEST_CTX, { KeyId: key.keyId });
    // WHEN
    await deleteImportedKeyMaterial(deps, TEST_CTX, { KeyId: key.keyId, KeyMaterialId: firstId });
    // THEN
    const after = await stored(deps, key);
    expect(after.state).toBe('PendingImport');
    expect(after.currentMaterialId).toBe(secondId);
    expect(findMaterial(after, firstId)).toMatchObject({ materialState: 'NON_CURRENT', importState: 'PENDING_IMPORT' });
    expect(findMaterial(after, secondId)).toMatchObject({ materialState: 'CURRENT', importState: 'IMPORTED' });
  });

  test('fails with NotFoundException for a KeyMaterialId the key does not have (D10)', async () => {
    const deps = memoryDeps();
    const { key } = await anImportedKey(deps);
    const unknown = 'cd'.repeat(32);
    const err = await failure(() => deleteImportedKeyMaterial(deps, TEST_CTX, { KeyId: key.keyId, KeyMaterialId: unknown }));
    expect(err).toMatchObject({ name: 'NotFoundException', message: `Key material '${unknown}' does not exist for key '${key.arn}'` });
    expect((await stored(deps, key)).state).toBe('Enabled');
  });

  test('fails with NotFoundException for an alias (D18)', async () => {
    const deps = memoryDeps();
    const { key } = await anImportedKey(deps);
    await deps.keys.createAlias({ scope: key.scope, aliasName: 'alias/byok', targetKeyId: key.keyId, creationDate: deps.clock.now(), lastUpdatedDate: deps.clock.now() });
    const err = await failure(() => deleteImportedKeyMaterial(deps, TEST_CTX, { KeyId: 'alias/byok' }));
    expect(err).toMatchObject({ name: 'NotFoundException', message: "Invalid keyId 'alias/byok'" });
    expect((await stored(deps, key)).state).toBe('Enabled');
  });

  test('fails with UnsupportedOperationException for an AWS_KMS key', async () => {
    const deps = memoryDeps();
    const key = await anAwsKmsKey(deps);
    const err = await failure(() => deleteImportedKeyMaterial(deps, TEST_CTX, { KeyId: key.keyId }));
    expect(err).toMatchObject({ name: 'UnsupportedOperationException', message: `${key.arn} origin is AWS_KMS which is not valid for this operation.` });
  });
});
