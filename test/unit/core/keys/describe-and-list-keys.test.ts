import { describe, expect, test } from 'vitest';
import { createAlias } from '../../../../lambda/core/operations/aliases/create-alias';
import { describeKey } from '../../../../lambda/core/operations/keys/describe-key';
import { listKeys } from '../../../../lambda/core/operations/keys/list-keys';
import { scheduleKeyDeletion } from '../../../../lambda/core/operations/deletion/schedule-key-deletion';
import { updateKeyDescription } from '../../../../lambda/core/operations/keys/update-key-description';
import { memoryDeps, TEST_CTX } from '../../../support/memory-deps';
import { addMaterial, DAY, externalKeyWithMaterial, failure, newKey, patchKey } from './helpers';

const OTHER_REGION_CTX = { scope: { ...TEST_CTX.scope, region: 'eu-west-1' } };

describe('DescribeKey', () => {
  test('finds a key by key id, key ARN, alias name and alias ARN', async () => {
    // GIVEN
    const deps = memoryDeps();
    const md = await newKey(deps);
    await createAlias(deps, TEST_CTX, { AliasName: 'alias/app', TargetKeyId: md.KeyId });
    // WHEN / THEN
    for (const ref of [md.KeyId, md.Arn, 'alias/app', 'arn:aws:kms:us-east-1:111122223333:alias/app']) {
      expect((await describeKey(deps, TEST_CTX, { KeyId: ref })).KeyMetadata).toEqual(md);
    }
  });

  test('fails with NotFoundException naming the key ARN for an unknown key id', async () => {
    const id = '00000000-0000-4000-8000-000000000000';
    const err = await failure(describeKey(memoryDeps(), TEST_CTX, { KeyId: id }));
    expect(err).toMatchObject({ name: 'NotFoundException', message: `Key 'arn:aws:kms:us-east-1:111122223333:key/${id}' does not exist` });
  });

  test('fails with NotFoundException for a malformed key id', async () => {
    const err = await failure(describeKey(memoryDeps(), TEST_CTX, { KeyId: 'not-a-key' }));
    expect(err).toMatchObject({ name: 'NotFoundException', message: "Invalid keyId 'not-a-key'" });
  });

  test('fails with NotFoundException naming the alias ARN for an unknown alias', async () => {
    const err = await failure(describeKey(memoryDeps(), TEST_CTX, { KeyId: 'alias/none' }));
    expect(err).toMatchObject({ name: 'NotFoundException', message: 'Alias arn:aws:kms:us-east-1:111122223333:alias/none is not found.' });
  });

  test('fails with NotFoundException for a key of another Region', async () => {
    // GIVEN
    const deps = memoryDeps();
    const md = await newKey(deps, {});
    // WHEN
    const err = await failure(describeKey(deps, OTHER_REGION_CTX, { KeyId: md.KeyId }));
    // THEN
    expect(err).toMatchObject({ name: 'NotFoundException', message: `Key 'arn:aws:kms:eu-west-1:111122223333:key/${md.KeyId}' does not exist` });
    expect(await failure(describeKey(deps, OTHER_REGION_CTX, { KeyId: md.Arn }))).toMatchObject({ message: 'Invalid arn us-east-1' });
  });

  test('shows ExpirationModel, ValidTo and CurrentKeyMaterialId for an EXTERNAL key with expiring material', async () => {
    // GIVEN
    const deps = memoryDeps();
    const validTo = new Date('2026-03-01T00:00:00Z');
    const k = await externalKeyWithMaterial(deps, { validTo });
    // WHEN
    const { KeyMetadata: md } = await describeKey(deps, TEST_CTX, { KeyId: k.keyId });
    // THEN
    expect(md).toMatchObject({ KeyState: 'Enabled', Enabled: true, Origin: 'EXTERNAL', ExpirationModel: 'KEY_MATERIAL_EXPIRES', ValidTo: validTo, CurrentKeyMaterialId: k.materialId });
  });

  test('shows KEY_MATERIAL_DOES_NOT_EXPIRE without ValidTo for non-expiring material', async () => {
    const deps = memoryDeps();
    const k = await externalKeyWithMaterial(deps);
    const { KeyMetadata: md } = await describeKey(deps, TEST_CTX, { KeyId: k.keyId });
    expect(md.ExpirationModel).toBe('KEY_MATERIAL_DOES_NOT_EXPIRE');
    expect(md).not.toHaveProperty('ValidTo');
  });

  test('shows the earliest ValidTo among permanently associated materials, ignoring a pending one', async () => {
    // GIVEN a CURRENT material to March, a NON_CURRENT one to February, a PENDING_ROTATION one to January 15
    const deps = memoryDeps();
    const k = await externalKeyWithMaterial(deps, { validTo: new Date('2026-03-01T00:00:00Z') });
    await addMaterial(deps, k.keyId, { materialState: 'NON_CURRENT', validTo: new Date('2026-02-01T00:00:00Z') });
    await addMaterial(deps, k.keyId, { materialState: 'PENDING_ROTATION', validTo: new Date('2026-01-15T00:00:00Z') });
    // WHEN
    const { KeyMetadata: md } = await describeKey(deps, TEST_CTX, { KeyId: k.keyId });
    // THEN
    expect(md.ValidTo).toEqual(new Date('2026-02-01T00:00:00Z'));
  });

  test('keeps CurrentKeyMaterialId but drops ExpirationModel and ValidTo once the material is deleted', async () => {
    // GIVEN
    const deps = memoryDeps();
    const k = await externalKeyWithMaterial(deps, { validTo: new Date('2026-03-01T00:00:00Z') });
    await patchKey(deps, k.keyId, (key) => ({
      ...key,
      state: 'PendingImport',
      materials: key.materials.map((m) => ({ materialId: m.materialId, materialState: m.materialState, importState: 'PENDING_IMPORT' })),
    }));
    // WHEN
    const { KeyMetadata: md } = await describeKey(deps, TEST_CTX, { KeyId: k.keyId });
    // THEN
    expect(md).toMatchObject({ KeyState: 'PendingImport', Enabled: false, CurrentKeyMaterialId: k.materialId });
    expect(md).not.toHaveProperty('ExpirationModel');
    expect(md).not.toHaveProperty('ValidTo');
  });

  test('shows DeletionDate only while PendingDeletion', async () => {
    const deps = memoryDeps();
    const md = await newKey(deps);
    await scheduleKeyDeletion(deps, TEST_CTX, { KeyId: md.KeyId, PendingWindowInDays: 7 });
    const { KeyMetadata } = await describeKey(deps, TEST_CTX, { KeyId: md.KeyId });
    expect(KeyMetadata).toMatchObject({ KeyState: 'PendingDeletion', Enabled: false, DeletionDate: new Date('2026-01-08T00:00:00Z') });
  });
});

describe('UpdateKeyDescription', () => {
  test('replaces the description', async () => {
    const deps = memoryDeps();
    const md = await newKey(deps, { Description: 'old' });
    await updateKeyDescription(deps, TEST_CTX, { KeyId: md.Arn, Description: 'new' });
    expect((await describeKey(deps, TEST_CTX, { KeyId: md.KeyId })).KeyMetadata.Description).toBe('new');
  });

  test('fails with NotFoundException for an alias (D18)', async () => {
    const deps = memoryDeps();
    const md = await newKey(deps);
    await createAlias(deps, TEST_CTX, { AliasName: 'alias/app', TargetKeyId: md.KeyId });
    expect(await failure(updateKeyDescription(deps, TEST_CTX, { KeyId: 'alias/app', Description: 'x' }))).toMatchObject({
      name: 'NotFoundException',
      message: "Invalid keyId 'alias/app'",
    });
  });
});

describe('ListKeys', () => {
  test('lists keys in every state as KeyId and KeyArn', async () => {
    // GIVEN
    const deps = memoryDeps();
    const a = await newKey(deps);
    const b = await newKey(deps, { Origin: 'EXTERNAL' });
    const c = await newKey(deps);
    await scheduleKeyDeletion(deps, TEST_CTX, { KeyId: c.KeyId, PendingWindowInDays: 7 });
    // WHEN
    const out = await listKeys(deps, TEST_CTX, {});
    // THEN
    expect(out.Truncated).toBe(false);
    expect(out).not.toHaveProperty('NextMarker');
    expect(new Set(out.Keys.map((k) => k.KeyId))).toEqual(new Set([a.KeyId, b.KeyId, c.KeyId]));
    expect(out.Keys.find((k) => k.KeyId === a.KeyId)).toEqual({ KeyId: a.KeyId, KeyArn: a.Arn });
  });

  test('pages with Limit and Marker', async () => {
    // GIVEN
    const deps = memoryDeps();
    for (let i = 0; i < 5; i++) await newKey(deps);
    // WHEN
    const first = await listKeys(deps, TEST_CTX, { Limit: 2 });
    const second = await listKeys(deps, TEST_CTX, { Limit: 2, Marker: first.NextMarker! });
    const third = await listKeys(deps, TEST_CTX, { Limit: 2, Marker: second.NextMarker! });
    // THEN
    expect([first.Keys.length, second.Keys.length, third.Keys.length]).toEqual([2, 2, 1]);
    expect([first.Truncated, second.Truncated, third.Truncated]).toEqual([true, true, false]);
    expect(new Set([...first.Keys, ...second.Keys, ...third.Keys].map((k) => k.KeyId)).size).toBe(5);
  });

  test('does not list keys of another Region', async () => {
    const deps = memoryDeps();
    await newKey(deps);
    expect((await listKeys(deps, OTHER_REGION_CTX, {})).Keys).toEqual([]);
  });

  test('stops listing a key at the instant its deletion date passes, and still fills the page', async () => {
    // GIVEN three keys, the middle one (in list order) scheduled for deletion in 7 days
    const deps = memoryDeps();
    for (let i = 0; i < 3; i++) await newKey(deps);
    const ordered = (await listKeys(deps, TEST_CTX, {})).Keys.map((k) => k.KeyId);
    await scheduleKeyDeletion(deps, TEST_CTX, { KeyId: ordered[1]!, PendingWindowInDays: 7 });
    deps.clock.advance(7 * DAY - 1);
    expect((await listKeys(deps, TEST_CTX, {})).Keys).toHaveLength(3);
    // WHEN
    deps.clock.advance(1);
    // THEN
    const page = await listKeys(deps, TEST_CTX, { Limit: 2 });
    expect(page.Keys.map((k) => k.KeyId)).toEqual([ordered[0], ordered[2]]);
    expect(page.Truncated).toBe(false);
  });

  test('fails with InvalidMarkerException for a marker it did not issue', async () => {
    const deps = memoryDeps();
    await newKey(deps);
    expect((await failure(listKeys(deps, TEST_CTX, { Marker: 'bogus' }))).name).toBe('InvalidMarkerException');
  });

  test.each([0, 1001])('fails with ValidationException for Limit %d', async (limit) => {
    expect((await failure(listKeys(memoryDeps(), TEST_CTX, { Limit: limit }))).name).toBe('ValidationException');
  });
});
