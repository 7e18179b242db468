import { describe, expect, test } from 'vitest';
import { unwrapMaterial } from '../../../../lambda/core/key-access';
import { findMaterial } from '../../../../lambda/core/model/key';
import { deleteImportedKeyMaterial } from '../../../../lambda/core/operations/import/delete-imported-key-material';
import { disableKeyRotation } from '../../../../lambda/core/operations/rotation/disable-key-rotation';
import { enableKeyRotation } from '../../../../lambda/core/operations/rotation/enable-key-rotation';
import { getKeyRotationStatus } from '../../../../lambda/core/operations/rotation/get-key-rotation-status';
import { allOperations } from '../../../../lambda/core/operations/registry';
import { listKeyRotations, type RotationsListEntry } from '../../../../lambda/core/operations/rotation/list-key-rotations';
import { rotateKeyOnDemand } from '../../../../lambda/core/operations/rotation/rotate-key-on-demand';
import { memoryDeps, type MemoryDeps, TEST_CTX } from '../../../support/memory-deps';
import { aMaterial, anAwsKmsKey, anExternalKey, DAY_S, failure, Importer, patchKey, stored } from './helpers';

const NO_EXPIRY = { ExpirationModel: 'KEY_MATERIAL_DOES_NOT_EXPIRE' } as const;
const NEW = { ...NO_EXPIRY, ImportType: 'NEW_KEY_MATERIAL' } as const;

async function anImportedKey(deps: MemoryDeps) {
  const key = await anExternalKey(deps);
  const client = new Importer(deps, key.keyId);
  const material = aMaterial();
  const { KeyMaterialId } = await client.import(material, { ...NO_EXPIRY, KeyMaterialDescription: 'first' });
  return { key: await stored(deps, key), client, material, materialId: KeyMaterialId };
}

async function listAll(deps: MemoryDeps, keyId: string, include?: 'ALL_KEY_MATERIAL' | 'ROTATIONS_ONLY'): Promise<readonly RotationsListEntry[]> {
  return (await listKeyRotations(deps, TEST_CTX, { KeyId: keyId, ...(include && { IncludeKeyMaterial: include }) })).Rotations;
}

describe('RotateKeyOnDemand: EXTERNAL keys', () => {
  test('makes the pending material CURRENT at once and the old one NON_CURRENT', async () => {
    // GIVEN
    const deps = memoryDeps();
    const { key, client, materialId: firstId } = await anImportedKey(deps);
    const next = aMaterial();
    const { KeyMaterialId: nextId } = await client.import(next, NEW);
    deps.clock.advance(3600);
    // WHEN
    const out = await rotateKeyOnDemand(deps, TEST_CTX, { KeyId: key.keyId });
    // THEN
    expect(out).toEqual({ KeyId: key.arn });
    const after = await stored(deps, key);
    expect(after.currentMaterialId).toBe(nextId);
    expect(after.onDemandRotations).toBe(1);
    expect(after.state).toBe('Enabled');
    expect(findMaterial(after, firstId)).toMatchObject({ materialState: 'NON_CURRENT', importState: 'IMPORTED' });
    expect(findMaterial(after, firstId)?.rotationDate).toBeUndefined();
    expect(findMaterial(after, nextId)).toMatchObject({ materialState: 'CURRENT', importState: 'IMPORTED', rotationDate: deps.clock.now(), rotationType: 'ON_DEMAND' });
    expect(Buffer.from(await unwrapMaterial(deps, after, findMaterial(after, nextId)!))).toEqual(Buffer.from(next));
  });

  test('accepts the key ARN', async () => {
    const deps = memoryDeps();
    const { key, client } = await anImportedKey(deps);
    await client.import(aMaterial(), NEW);
    await expect(rotateKeyOnDemand(deps, TEST_CTX, { KeyId: key.arn })).resolves.toEqual({ KeyId: key.arn });
  });

  test('fails with KMSInvalidStateException when no material is pending rotation', async () => {
    const deps = memoryDeps();
    const { key } = await anImportedKey(deps);
    const err = await failure(() => rotateKeyOnDemand(deps, TEST_CTX, { KeyId: key.keyId }));
    expect(err).toMatchObject({ name: 'KMSInvalidStateException', message: `No available key material pending rotation for the key: ${key.arn}.` });
  });

  test('fails with KMSInvalidStateException after the pending material was deleted', async () => {
    const deps = memoryDeps();
    const { key, client } = await anImportedKey(deps);
    const { KeyMaterialId } = await client.import(aMaterial(), NEW);
    await deleteImportedKeyMaterial(deps, TEST_CTX, { KeyId: key.keyId, KeyMaterialId });
    const err = await failure(() => rotateKeyOnDemand(deps, TEST_CTX, { KeyId: key.keyId }));
    expect(err).toMatchObject({ name: 'KMSInvalidStateException', message: `No available key material pending rotation for the key: ${key.arn}.` });
  });

  test('fails with DisabledException for a Disabled key', async () => {
    const deps = memoryDeps();
    const { key, client } = await anImportedKey(deps);
    await client.import(aMaterial(), NEW);
    await patchKey(deps, key, { state: 'Disabled' });
    const err = await failure(() => rotateKeyOnDemand(deps, TEST_CTX, { KeyId: key.keyId }));
    expect(err).toMatchObject({ name: 'DisabledException', message: `${key.arn} is disabled.` });
  });

  test('fails with KMSInvalidStateException for a PendingImport key', async () => {
    // GIVEN: the current material deleted, new material staged
    const deps = memoryDeps();
    const { key, client } = await anImportedKey(deps);
    await deleteImportedKeyMaterial(deps, TEST_CTX, { KeyId: key.keyId });
    await client.import(aMaterial(), NEW);
    // WHEN
    const err = await failure(() => rotateKeyOnDemand(deps, TEST_CTX, { KeyId: key.keyId }));
    // THEN
    expect(err).toMatchObject({ name: 'KMSInvalidStateException', message: `${key.arn} is pending import.` });
  });

  test('fails with KMSInvalidStateException for a key pending deletion', async () => {
    const deps = memoryDeps();
    const { key, client } = await anImportedKey(deps);
    await client.import(aMaterial(), NEW);
    await patchKey(deps, key, { state: 'PendingDeletion', deletionDate: new Date(deps.clock.now().getTime() + 7 * DAY_S * 1000) });
    const err = await failure(() => rotateKeyOnDemand(deps, TEST_CTX, { KeyId: key.keyId }));
    expect(err).toMatchObject({ name: 'KMSInvalidStateException', message: `${key.arn} is pending deletion.` });
  });

  test('fails with NotFoundException for an alias (D18)', async () => {
    const deps = memoryDeps();
    const { key } = await anImportedKey(deps);
    await deps.keys.createAlias({ scope: key.scope, aliasName: 'alias/r', targetKeyId: key.keyId, creationDate: deps.clock.now(), lastUpdatedDate: deps.clock.now() });
    const err = await failure(() => rotateKeyOnDemand(deps, TEST_CTX, { KeyId: 'alias/r' }));
    expect(err).toMatchObject({ name: 'NotFoundException', message: "Invalid keyId 'alias/r'" });
  });

  test('allows 25 on-demand rotations; the 26th fails with LimitExceededException (D6)', async () => {
    // GIVEN
    const deps = memoryDeps();
    const { key, client } = await anImportedKey(deps);
    // WHEN: 25 rotations, each to newly imported material
    for (let i = 1; i <= 25; i++) {
      const { KeyMaterialId } = await client.import(aMaterial(), NEW);
      await rotateKeyOnDemand(deps, TEST_CTX, { KeyId: key.keyId });
      expect((await stored(deps, key)).currentMaterialId).toBe(KeyMaterialId);
    }
    const { KeyMaterialId: stagedId } = await client.import(aMaterial(), NEW);
    const err = await failure(() => rotateKeyOnDemand(deps, TEST_CTX, { KeyId: key.keyId }));
    // THEN
    expect(err).toMatchObject({
      name: 'LimitExceededException',
      message: `The on-demand rotations limit has been reached for the given keyId. No more on-demand rotations can be performed for this key: ${key.arn}`,
    });
    const after = await stored(deps, key);
    expect(after.onDemandRotations).toBe(25);
    expect(findMaterial(after, stagedId)?.materialState).toBe('PENDING_ROTATION');
    expect(after.materials).toHaveLength(27);
  });
});

describe('RotateKeyOnDemand: AWS_KMS keys', () => {
  test('generates new 32-byte material from the random port and makes it CURRENT', async () => {
    // GIVEN
    const deps = memoryDeps();
    const key = await anAwsKmsKey(deps);
    const oldId = key.currentMaterialId!;
    const drawn: number[] = [];
    const random = deps.random;
    const counting: MemoryDeps = { ...deps, random: (n) => (drawn.push(n), random(n)) };
    // WHEN
    await rotateKeyOnDemand(counting, TEST_CTX, { KeyId: key.keyId });
    // THEN
    const after = await stored(deps, key);
    expect(drawn).toEqual([32]);
    expect(after.currentMaterialId).not.toBe(oldId);
    expect(after.onDemandRotations).toBe(1);
    expect(findMaterial(after, oldId)?.materialState).toBe('NON_CURRENT');
    const current = findMaterial(after, after.currentMaterialId!)!;
    expect(current).toMatchObject({ materialState: 'CURRENT', importState: 'IMPORTED', rotationType: 'ON_DEMAND', rotationDate: deps.clock.now() });
    expect(current.expirationModel).toBeUndefined();
    expect((await unwrapMaterial(deps, after, current)).length).toBe(32);
  });

  test('fails with DisabledException for a Disabled key', async () => {
    const deps = memoryDeps();
    const key = await anAwsKmsKey(deps, { state: 'Disabled' });
    const err = await failure(() => rotateKeyOnDemand(deps, TEST_CTX, { KeyId: key.keyId }));
    expect(err).toMatchObject({ name: 'DisabledException', message: `${key.arn} is disabled.` });
  });

  test('fails with LimitExceededException after 25 rotations', async () => {
    const deps = memoryDeps();
    const key = await anAwsKmsKey(deps, { onDemandRotations: 25 });
    const err = await failure(() => rotateKeyOnDemand(deps, TEST_CTX, { KeyId: key.keyId }));
    expect(err.name).toBe('LimitExceededException');
  });
});

describe('ListKeyRotations', () => {
  /** first (CURRENT→NON_CURRENT), second (rotated, NON_CURRENT, expires), third (rotated, CURRENT), fourth (pending). */
  async function aRotatedKey(deps: MemoryDeps) {
    const { key, client, materialId: first } = await anImportedKey(deps);
    const validTo = new Date(deps.clock.now().getTime() + 100 * DAY_S * 1000);
    const { KeyMaterialId: second } = await client.import(aMaterial(), { ImportType: 'NEW_KEY_MATERIAL', ValidTo: validTo, KeyMaterialDescription: 'second' });
    deps.clock.advance(60);
    await rotateKeyOnDemand(deps, TEST_CTX, { KeyId: key.keyId });
    const secondRotation = deps.clock.now();
    const { KeyMaterialId: third } = await client.import(aMaterial(), NEW);
    deps.clock.advance(60);
    await rotateKeyOnDemand(deps, TEST_CTX, { KeyId: key.keyId });
    const thirdRotation = deps.clock.now();
    const { KeyMaterialId: fourth } = await client.import(aMaterial(), NEW);
    return { key, first, second, third, fourth, validTo, secondRotation, thirdRotation };
  }

  test('by default lists only the materials that became current by rotation', async () => {
    // GIVEN
    const deps = memoryDeps();
    const k = await aRotatedKey(deps);
    // WHEN
    const out = await listKeyRotations(deps, TEST_CTX, { KeyId: k.key.keyId });
    // THEN
    expect(out).toEqual({
      Rotations: [
        {
          KeyId: k.key.keyId,
          KeyMaterialId: k.second,
          KeyMaterialDescription: 'second',
          ImportState: 'IMPORTED',
          KeyMaterialState: 'NON_CURRENT',
          ExpirationModel: 'KEY_MATERIAL_EXPIRES',
          ValidTo: k.validTo,
          RotationDate: k.secondRotation,
          RotationType: 'ON_DEMAND',
        },
        {
          KeyId: k.key.keyId,
          KeyMaterialId: k.third,
          ImportState: 'IMPORTED',
          KeyMaterialState: 'CURRENT',
          ExpirationModel: 'KEY_MATERIAL_DOES_NOT_EXPIRE',
          RotationDate: k.thirdRotation,
          RotationType: 'ON_DEMAND',
        },
      ],
      Truncated: false,
    });
    expect(await listAll(deps, k.key.keyId, 'ROTATIONS_ONLY')).toEqual(out.Rotations);
  });

  test('with ALL_KEY_MATERIAL adds the first material and the pending one, without rotation fields', async () => {
    // GIVEN
    const deps = memoryDeps();
    const k = await aRotatedKey(deps);
    // WHEN
    const rotations = await listAll(deps, k.key.keyId, 'ALL_KEY_MATERIAL');
    // THEN
    expect(rotations.map((r) => [r.KeyMaterialId, r.KeyMaterialState])).toEqual([
      [k.first, 'NON_CURRENT'],
      [k.second, 'NON_CURRENT'],
      [k.third, 'CURRENT'],
      [k.fourth, 'PENDING_ROTATION'],
    ]);
    expect(rotations[0]).toEqual({
      KeyId: k.key.keyId,
      KeyMaterialId: k.first,
      KeyMaterialDescription: 'first',
      ImportState: 'IMPORTED',
      KeyMaterialState: 'NON_CURRENT',
      ExpirationModel: 'KEY_MATERIAL_DOES_NOT_EXPIRE',
    });
    expect(rotations[3]).toEqual({
      KeyId: k.key.keyId,
      KeyMaterialId: k.fourth,
      ImportState: 'IMPORTED',
      KeyMaterialState: 'PENDING_ROTATION',
      ExpirationModel: 'KEY_MATERIAL_DOES_NOT_EXPIRE',
    });
  });

  test('shows deleted material as PENDING_IMPORT without expiration settings', async () => {
    // GIVEN
    const deps = memoryDeps();
    const k = await aRotatedKey(deps);
    // WHEN
    await deleteImportedKeyMaterial(deps, TEST_CTX, { KeyId: k.key.keyId, KeyMaterialId: k.second });
    // THEN
    const entry = (await listAll(deps, k.key.keyId, 'ALL_KEY_MATERIAL')).find((r) => r.KeyMaterialId === k.second);
    expect(entry).toEqual({
      KeyId: k.key.keyId,
      KeyMaterialId: k.second,
      KeyMaterialDescription: 'second',
      ImportState: 'PENDING_IMPORT',
      KeyMaterialState: 'NON_CURRENT',
      RotationDate: k.secondRotation,
      RotationType: 'ON_DEMAND',
    });
  });

  test('shows expired material as PENDING_IMPORT as soon as ValidTo passes', async () => {
    const deps = memoryDeps();
    const k = await aRotatedKey(deps);
    deps.clock.set(k.validTo);
    const entry = (await listAll(deps, k.key.keyId)).find((r) => r.KeyMaterialId === k.second);
    expect(entry?.ImportState).toBe('PENDING_IMPORT');
    expect(entry?.ExpirationModel).toBeUndefined();
    expect(entry?.ValidTo).toBeUndefined();
  });

  test('returns an empty list for a key that was never rotated, and for one that never had material', async () => {
    const deps = memoryDeps();
    const { key } = await anImportedKey(deps);
    expect(await listKeyRotations(deps, TEST_CTX, { KeyId: key.keyId })).toEqual({ Rotations: [], Truncated: false });
    const empty = await anExternalKey(deps);
    expect(await listKeyRotations(deps, TEST_CTX, { KeyId: empty.keyId, IncludeKeyMaterial: 'ALL_KEY_MATERIAL' })).toEqual({ Rotations: [], Truncated: false });
  });

  test('pages with Limit and Marker, in order, without gaps or repeats', async () => {
    // GIVEN: 4 materials
    const deps = memoryDeps();
    const k = await aRotatedKey(deps);
    const seen: string[] = [];
    const truncatedFlags: boolean[] = [];
    // WHEN
    let marker: string | undefined;
    do {
      const page = await listKeyRotations(deps, TEST_CTX, { KeyId: k.key.keyId, IncludeKeyMaterial: 'ALL_KEY_MATERIAL', Limit: 3, ...(marker && { Marker: marker }) });
      seen.push(...page.Rotations.map((r) => r.KeyMaterialId));
      truncatedFlags.push(page.Truncated);
      expect(page.Truncated).toBe(page.NextMarker !== undefined);
      marker = page.NextMarker;
    } while (marker);
    // THEN
    expect(seen).toEqual([k.first, k.second, k.third, k.fourth]);
    expect(truncatedFlags).toEqual([true, false]);
  });

  test('with Limit 1 pages one entry at a time; the last page is not truncated', async () => {
    const deps = memoryDeps();
    const k = await aRotatedKey(deps);
    const p1 = await listKeyRotations(deps, TEST_CTX, { KeyId: k.key.keyId, Limit: 1 });
    expect(p1.Rotations.map((r) => r.KeyMaterialId)).toEqual([k.second]);
    expect(p1.Truncated).toBe(true);
    const p2 = await listKeyRotations(deps, TEST_CTX, { KeyId: k.key.keyId, Limit: 1, Marker: p1.NextMarker! });
    expect(p2.Rotations.map((r) => r.KeyMaterialId)).toEqual([k.third]);
    expect(p2).toMatchObject({ Truncated: false });
    expect(p2.NextMarker).toBeUndefined();
  });

  test('a page exactly as long as the rest is not truncated', async () => {
    const deps = memoryDeps();
    const k = await aRotatedKey(deps);
    const page = await listKeyRotations(deps, TEST_CTX, { KeyId: k.key.keyId, Limit: 2 });
    expect(page.Rotations).toHaveLength(2);
    expect(page.Truncated).toBe(false);
  });

  test('defaults Limit to 100', async () => {
    // GIVEN: 101 materials, 100 of them by rotation
    const deps = memoryDeps();
    const { key, materialId } = await anImportedKey(deps);
    const s = await stored(deps, key);
    const first = s.materials[0]!;
    const rotated = Array.from({ length: 100 }, (_, i) => ({
      ...first,
      materialId: i.toString(16).padStart(64, '0'),
      materialState: 'NON_CURRENT' as const,
      rotationDate: new Date(Date.UTC(2026, 0, 1, 0, i)),
      rotationType: 'ON_DEMAND' as const,
    }));
    await patchKey(deps, key, { materials: [first, ...rotated] });
    // WHEN
    const page = await listKeyRotations(deps, TEST_CTX, { KeyId: key.keyId, IncludeKeyMaterial: 'ALL_KEY_MATERIAL' });
    // THEN
    expect(page.Rotations).toHaveLength(100);
    expect(page.Rotations[0]?.KeyMaterialId).toBe(materialId);
    expect(page.Truncated).toBe(true);
    const rest = await listKeyRotations(deps, TEST_CTX, { KeyId: key.keyId, IncludeKeyMaterial: 'ALL_KEY_MATERIAL', Marker: page.NextMarker! });
    expect(rest.Rotations.map((r) => r.KeyMaterialId)).toEqual([rotated[99]!.materialId]);
  });

  test('fails with InvalidMarkerException for a marker it did not issue', async () => {
    const deps = memoryDeps();
    const k = await aRotatedKey(deps);
    const foreign = Buffer.from('ef'.repeat(32)).toString('base64url');
    for (const marker of ['not a marker', '', 'AAAA', foreign]) {
      const err = await failure(() => listKeyRotations(deps, TEST_CTX, { KeyId: k.key.keyId, Marker: marker }));
      expect(err.name).toBe('InvalidMarkerException');
    }
  });

  test('fails with InvalidMarkerException for a marker of ALL_KEY_MATERIAL used with ROTATIONS_ONLY on the first material', async () => {
    const deps = memoryDeps();
    const k = await aRotatedKey(deps);
    const page = await listKeyRotations(deps, TEST_CTX, { KeyId: k.key.keyId, IncludeKeyMaterial: 'ALL_KEY_MATERIAL', Limit: 1 });
    const err = await failure(() => listKeyRotations(deps, TEST_CTX, { KeyId: k.key.keyId, Marker: page.NextMarker! }));
    expect(err.name).toBe('InvalidMarkerException');
  });

  test('lists AWS_KMS rotations without the imported-material fields', async () => {
    const deps = memoryDeps();
    const key = await anAwsKmsKey(deps);
    await rotateKeyOnDemand(deps, TEST_CTX, { KeyId: key.keyId });
    const after = await stored(deps, key);
    expect(await listAll(deps, key.keyId)).toEqual([
      { KeyId: key.keyId, KeyMaterialId: after.currentMaterialId, KeyMaterialState: 'CURRENT', RotationDate: deps.clock.now(), RotationType: 'ON_DEMAND' },
    ]);
    expect(await listAll(deps, key.keyId, 'ALL_KEY_MATERIAL')).toHaveLength(2);
  });

  test('works while the key is pending deletion', async () => {
    const deps = memoryDeps();
    const k = await aRotatedKey(deps);
    await patchKey(deps, k.key, { state: 'PendingDeletion', deletionDate: new Date(deps.clock.now().getTime() + 7 * DAY_S * 1000) });
    expect(await listAll(deps, k.key.keyId)).toHaveLength(2);
  });

  test('fails with NotFoundException for an alias (D18)', async () => {
    const deps = memoryDeps();
    const key = await anExternalKey(deps);
    await deps.keys.createAlias({ scope: key.scope, aliasName: 'alias/l', targetKeyId: key.keyId, creationDate: deps.clock.now(), lastUpdatedDate: deps.clock.now() });
    const err = await failure(() => listKeyRotations(deps, TEST_CTX, { KeyId: 'alias/l' }));
    expect(err).toMatchObject({ name: 'NotFoundException', message: "Invalid keyId 'alias/l'" });
  });
});

describe('GetKeyRotationStatus', () => {
  test('reports automatic rotation off for an EXTERNAL key, with no on-demand rotation in progress', async () => {
    const deps = memoryDeps();
    const { key, client } = await anImportedKey(deps);
    await client.import(aMaterial(), NEW);
    await rotateKeyOnDemand(deps, TEST_CTX, { KeyId: key.keyId });
    const out = await getKeyRotationStatus(deps, TEST_CTX, { KeyId: key.keyId });
    expect(out).toEqual({ KeyId: key.arn, KeyRotationEnabled: false });
    expect('OnDemandRotationStartDate' in out).toBe(false);
  });

  test('reports automatic rotation off for an AWS_KMS key until it is enabled', async () => {
    const deps = memoryDeps();
    const key = await anAwsKmsKey(deps);
    await expect(getKeyRotationStatus(deps, TEST_CTX, { KeyId: key.arn })).resolves.toEqual({ KeyId: key.arn, KeyRotationEnabled: false });
  });

  test('answers in every key state', async () => {
    const deps = memoryDeps();
    for (const state of ['PendingImport', 'Enabled', 'Disabled', 'PendingDeletion'] as const) {
      const key = await anExternalKey(deps, { state, ...(state === 'PendingDeletion' && { deletionDate: new Date(deps.clock.now().getTime() + DAY_S * 7000) }) });
      await expect(getKeyRotationStatus(deps, TEST_CTX, { KeyId: key.keyId })).resolves.toMatchObject({ KeyRotationEnabled: false });
    }
  });

  test('fails with NotFoundException for an alias (D18)', async () => {
    const deps = memoryDeps();
    const key = await anExternalKey(deps);
    await deps.keys.createAlias({ scope: key.scope, aliasName: 'alias/s', targetKeyId: key.keyId, creationDate: deps.clock.now(), lastUpdatedDate: deps.clock.now() });
    await expect(getKeyRotationStatus(deps, TEST_CTX, { KeyId: 'alias/s' })).rejects.toMatchObject({ name: 'NotFoundException', message: "Invalid keyId 'alias/s'" });
  });
});

describe('EnableKeyRotation / DisableKeyRotation', () => {
  test.each([
    ['EnableKeyRotation', enableKeyRotation],
    ['DisableKeyRotation', disableKeyRotation],
  ] as const)('%s fails with UnsupportedOperationException for an EXTERNAL key', async (_name, operation) => {
    const deps = memoryDeps();
    const key = await anExternalKey(deps);
    const err = await failure(() => operation(deps, TEST_CTX, { KeyId: key.keyId }));
    expect(err).toMatchObject({ name: 'UnsupportedOperationException', message: `${key.arn} origin is EXTERNAL which is not valid for this operation.` });
  });

  test('fails with NotFoundException for an unknown key', async () => {
    const deps = memoryDeps();
    const keyId = '0000aaaa-12ab-34cd-56ef-1234567890ab';
    await expect(enableKeyRotation(deps, TEST_CTX, { KeyId: keyId })).rejects.toMatchObject({
      name: 'NotFoundException',
      message: `Key 'arn:aws:kms:us-east-1:111122223333:key/${keyId}' does not exist`,
    });
  });
});

describe('operations registry', () => {
  test('maps every import and rotation action to its operation', () => {
    const operations = allOperations();
    for (const name of [
      'DeleteImportedKeyMaterial',
      'DisableKeyRotation',
      'EnableKeyRotation',
      'GetKeyRotationStatus',
      'GetParametersForImport',
      'ImportKeyMaterial',
      'ListKeyRotations',
      'RotateKeyOnDemand',
    ]) {
      expect(operations.has(name), name).toBe(true);
    }
  });

  test('the registered ListKeyRotations is the operation (behind the GrantTokens check every action gets)', async () => {
    const deps = memoryDeps();
    const key = await anExternalKey(deps);
    const viaRegistry = await allOperations().get('ListKeyRotations')!(deps, TEST_CTX, { KeyId: key.keyId });
    expect(viaRegistry).toEqual(await listKeyRotations(deps, TEST_CTX, { KeyId: key.keyId }));
  });
});
