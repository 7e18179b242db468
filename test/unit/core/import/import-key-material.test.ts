import { describe, expect, test } from 'vitest';
import { WRAPPING_ALGORITHMS } from '../../../../lambda/core/crypto/wrapping';
import { StoreConflictError, UnwrapError } from '../../../../lambda/core/errors';
import { unwrapMaterial } from '../../../../lambda/core/key-access';
import { findMaterial } from '../../../../lambda/core/model/key';
import { deleteImportedKeyMaterial } from '../../../../lambda/core/operations/import/delete-imported-key-material';
import { importKeyMaterial } from '../../../../lambda/core/operations/import/import-key-material';
import { decrypt } from '../../../../lambda/core/operations/cryptography/decrypt';
import { encrypt } from '../../../../lambda/core/operations/cryptography/encrypt';
import { describeKey } from '../../../../lambda/core/operations/keys/describe-key';
import { listKeyRotations } from '../../../../lambda/core/operations/rotation/list-key-rotations';
import { rotateKeyOnDemand } from '../../../../lambda/core/operations/rotation/rotate-key-on-demand';
import { expiryTimer } from '../../../../lambda/core/timers/timer';
import { IMPORT_MESSAGES as MESSAGES } from '../../../support/import-messages';
import { memoryDeps, type MemoryDeps, TEST_CTX } from '../../../support/memory-deps';
import { aMaterial, anAwsKmsKey, anExternalKey, clientWrap, DAY_S, expectNoMaterialIn, failure, Importer, patchKey, stored } from './helpers';

const NO_EXPIRY = { ExpirationModel: 'KEY_MATERIAL_DOES_NOT_EXPIRE' } as const;

function inDays(deps: MemoryDeps, days: number): Date {
  return new Date(deps.clock.now().getTime() + days * DAY_S * 1000);
}

/** An EXTERNAL key with one imported (CURRENT) material, Enabled. */
async function anImportedKey(deps: MemoryDeps) {
  const key = await anExternalKey(deps);
  const client = new Importer(deps, key.keyId);
  const material = aMaterial();
  const { KeyMaterialId } = await client.import(material);
  return { key: await stored(deps, key), client, material, materialId: KeyMaterialId };
}

describe('ImportKeyMaterial: first import', () => {
  test('makes a PendingImport key Enabled with its first material CURRENT', async () => {
    // GIVEN
    const deps = memoryDeps();
    const key = await anExternalKey(deps);
    const client = new Importer(deps, key.keyId);
    // WHEN
    const out = await client.import(aMaterial(), { ValidTo: inDays(deps, 30) });
    // THEN
    expect(out).toEqual({ KeyId: key.arn, KeyMaterialId: expect.stringMatching(/^[0-9a-f]{64}$/) });
    const after = await stored(deps, key);
    expect(after.state).toBe('Enabled');
    expect(after.currentMaterialId).toBe(out.KeyMaterialId);
    expect(after.materials).toHaveLength(1);
    expect(after.materials[0]).toMatchObject({
      materialId: out.KeyMaterialId,
      materialState: 'CURRENT',
      importState: 'IMPORTED',
      expirationModel: 'KEY_MATERIAL_EXPIRES',
      validTo: inDays(deps, 30),
    });
  });

  test('stores the material only wrapped by the root key', async () => {
    // GIVEN
    const deps = memoryDeps();
    const key = await anExternalKey(deps);
    const material = aMaterial();
    // WHEN
    const { KeyMaterialId } = await new Importer(deps, key.keyId).import(material);
    // THEN
    const after = await stored(deps, key);
    const m = findMaterial(after, KeyMaterialId)!;
    expect(Buffer.from(m.wrapped!).includes(Buffer.from(material))).toBe(false);
    expect(JSON.stringify(after, (_k, v) => (v instanceof Uint8Array ? Buffer.from(v).toString('hex') : v))).not.toContain(Buffer.from(material).toString('hex'));
    expect(Buffer.from(await unwrapMaterial(deps, after, m))).toEqual(Buffer.from(material));
  });

  test('accepts the key ARN as KeyId', async () => {
    const deps = memoryDeps();
    const key = await anExternalKey(deps);
    const client = new Importer(deps, key.keyId);
    const out = await importKeyMaterial(deps, TEST_CTX, { KeyId: key.arn, ...(await client.wrap(aMaterial())), ...NO_EXPIRY });
    expect(out.KeyId).toBe(key.arn);
  });

  test.each(WRAPPING_ALGORITHMS.flatMap((algorithm) => (['RSA_2048', 'RSA_3072'] as const).map((spec) => [algorithm, spec] as const)))(
    'imports material wrapped with %s and a %s wrapping key',
    async (algorithm, spec) => {
      // GIVEN
      const deps = memoryDeps();
      const key = await anExternalKey(deps);
      const material = aMaterial();
      // WHEN
      const { KeyMaterialId } = await new Importer(deps, key.keyId, algorithm, spec).import(material);
      // THEN
      const after = await stored(deps, key);
      expect(after.state).toBe('Enabled');
      expect(Buffer.from(await unwrapMaterial(deps, after, findMaterial(after, KeyMaterialId)!))).toEqual(Buffer.from(material));
    },
  );

  test('gives the same material the same KeyMaterialId in one key and a different one in another key', async () => {
    // GIVEN
    const deps = memoryDeps();
    const a = await anExternalKey(deps);
    const b = await anExternalKey(deps);
    const material = aMaterial();
    // WHEN
    const inA = await new Importer(deps, a.keyId).import(material);
    const inB = await new Importer(deps, b.keyId).import(material);
    // THEN
    expect(inA.KeyMaterialId).not.toBe(inB.KeyMaterialId);
    const again = await new Importer(deps, a.keyId, 'RSA_AES_KEY_WRAP_SHA_1').import(material);
    expect(again.KeyMaterialId).toBe(inA.KeyMaterialId);
  });

  test('keeps the KeyMaterialDescription', async () => {
    const deps = memoryDeps();
    const key = await anExternalKey(deps);
    const { KeyMaterialId } = await new Importer(deps, key.keyId).import(aMaterial(), { ...NO_EXPIRY, KeyMaterialDescription: 'from HSM a' });
    expect(findMaterial(await stored(deps, key), KeyMaterialId)?.description).toBe('from HSM a');
  });

  test('accepts ImportType NEW_KEY_MATERIAL explicitly for the first material', async () => {
    const deps = memoryDeps();
    const key = await anExternalKey(deps);
    const { KeyMaterialId } = await new Importer(deps, key.keyId).import(aMaterial(), { ...NO_EXPIRY, ImportType: 'NEW_KEY_MATERIAL' });
    const after = await stored(deps, key);
    expect(after.currentMaterialId).toBe(KeyMaterialId);
    expect(after.state).toBe('Enabled');
  });

  test('fails with IncorrectKeyMaterialException for ImportType EXISTING_KEY_MATERIAL on a key that never had material', async () => {
    const deps = memoryDeps();
    const key = await anExternalKey(deps);
    const err = await failure(() => new Importer(deps, key.keyId).import(aMaterial(), { ...NO_EXPIRY, ImportType: 'EXISTING_KEY_MATERIAL' }));
    expect(err).toMatchObject({ name: 'IncorrectKeyMaterialException', message: MESSAGES.notAssociated(key.arn) });
    expect((await stored(deps, key)).state).toBe('PendingImport');
  });
});

describe('ImportKeyMaterial: expiration settings (D12)', () => {
  test('fails with ValidationException when ValidTo is missing and ExpirationModel defaults to KEY_MATERIAL_EXPIRES', async () => {
    const deps = memoryDeps();
    const key = await anExternalKey(deps);
    const err = await failure(() => new Importer(deps, key.keyId).import(aMaterial(), {}));
    expect(err).toMatchObject({ name: 'ValidationException', message: 'A validTo date must be set if the ExpirationModel is KEY_MATERIAL_EXPIRES' });
  });

  test('fails with ValidationException when ValidTo is missing with ExpirationModel KEY_MATERIAL_EXPIRES', async () => {
    const deps = memoryDeps();
    const key = await anExternalKey(deps);
    const err = await failure(() => new Importer(deps, key.keyId).import(aMaterial(), { ExpirationModel: 'KEY_MATERIAL_EXPIRES' }));
    expect(err).toMatchObject({ name: 'ValidationException', message: 'A validTo date must be set if the ExpirationModel is KEY_MATERIAL_EXPIRES' });
  });

  test('fails with ValidationException when ValidTo is given with KEY_MATERIAL_DOES_NOT_EXPIRE', async () => {
    const deps = memoryDeps();
    const key = await anExternalKey(deps);
    const err = await failure(() => new Importer(deps, key.keyId).import(aMaterial(), { ...NO_EXPIRY, ValidTo: inDays(deps, 1) }));
    expect(err).toMatchObject({ name: 'ValidationException', message: 'A validTo date must not be set if the ExpirationModel is KEY_MATERIAL_DOES_NOT_EXPIRE' });
  });

  test('fails with ValidationException when ValidTo is not in the future', async () => {
    const deps = memoryDeps();
    const key = await anExternalKey(deps);
    for (const validTo of [deps.clock.now(), new Date(deps.clock.now().getTime() - 1000)]) {
      const err = await failure(() => new Importer(deps, key.keyId).import(aMaterial(), { ValidTo: validTo }));
      expect(err).toMatchObject({ name: 'ValidationException', message: 'The validTo date must be in the future.' });
    }
  });

  test('fails with ValidationException when ValidTo is not a date (the core refuses it whatever its caller checked)', async () => {
    const deps = memoryDeps();
    const key = await anExternalKey(deps);
    const err = await failure(() => new Importer(deps, key.keyId).import(aMaterial(), { ValidTo: new Date(Number.NaN) }));
    expect(err).toMatchObject({ name: 'ValidationException', message: 'The validTo date is not a valid date.' });
    expect((await stored(deps, key)).revision).toBe(key.revision);
  });

  test('fails with ValidationException when ValidTo is more than 365 days ahead', async () => {
    const deps = memoryDeps();
    const key = await anExternalKey(deps);
    const err = await failure(() => new Importer(deps, key.keyId).import(aMaterial(), { ValidTo: new Date(inDays(deps, 365).getTime() + 1000) }));
    expect(err).toMatchObject({ name: 'ValidationException', message: 'The validTo date must be no more than 365 days after the request.' });
    expect((await stored(deps, key)).state).toBe('PendingImport');
  });

  test('accepts ValidTo exactly 365 days ahead and one second ahead', async () => {
    const deps = memoryDeps();
    for (const validTo of [inDays(deps, 365), new Date(deps.clock.now().getTime() + 1000)]) {
      const key = await anExternalKey(deps);
      await new Importer(deps, key.keyId).import(aMaterial(), { ValidTo: validTo });
      expect((await stored(deps, key)).materials[0]?.validTo).toEqual(validTo);
    }
  });

  test('arms an expiry timer for ValidTo', async () => {
    // GIVEN
    const deps = memoryDeps();
    const key = await anExternalKey(deps);
    const validTo = inDays(deps, 10);
    // WHEN
    await new Importer(deps, key.keyId).import(aMaterial(), { ValidTo: validTo });
    // THEN
    expect([...deps.timers.armed.keys()]).toEqual([expiryTimer(key.scope, key.keyId, validTo).name]);
    expect(deps.timers.armed.get(expiryTimer(key.scope, key.keyId, validTo).name)).toMatchObject({ kind: 'MaterialExpired', keyId: key.keyId, at: validTo });
  });

  test('re-import moves the expiry: the new timer is armed and the old one disarmed', async () => {
    // GIVEN
    const deps = memoryDeps();
    const key = await anExternalKey(deps);
    const client = new Importer(deps, key.keyId);
    const material = aMaterial();
    const first = inDays(deps, 10);
    const second = inDays(deps, 20);
    await client.import(material, { ValidTo: first });
    // WHEN
    await client.import(material, { ValidTo: second });
    // THEN
    expect([...deps.timers.armed.keys()]).toEqual([expiryTimer(key.scope, key.keyId, second).name]);
    expect(deps.timers.disarmed).toEqual([expiryTimer(key.scope, key.keyId, first).name]);
    expect((await stored(deps, key)).materials[0]).toMatchObject({ expirationModel: 'KEY_MATERIAL_EXPIRES', validTo: second });
  });

  test('re-import with KEY_MATERIAL_DOES_NOT_EXPIRE removes the expiry and disarms its timer', async () => {
    // GIVEN
    const deps = memoryDeps();
    const key = await anExternalKey(deps);
    const client = new Importer(deps, key.keyId);
    const material = aMaterial();
    const validTo = inDays(deps, 10);
    await client.import(material, { ValidTo: validTo });
    // WHEN
    await client.import(material, NO_EXPIRY);
    // THEN
    expect(deps.timers.armed.size).toBe(0);
    expect(deps.timers.disarmed).toEqual([expiryTimer(key.scope, key.keyId, validTo).name]);
    const m = (await stored(deps, key)).materials[0]!;
    expect(m.expirationModel).toBe('KEY_MATERIAL_DOES_NOT_EXPIRE');
    expect(m.validTo).toBeUndefined();
  });

  test('re-import adds an expiry to material that did not expire', async () => {
    const deps = memoryDeps();
    const { key, client, material } = await anImportedKey(deps);
    const validTo = inDays(deps, 5);
    await client.import(material, { ValidTo: validTo });
    expect([...deps.timers.armed.keys()]).toEqual([expiryTimer(key.scope, key.keyId, validTo).name]);
    expect((await stored(deps, key)).materials[0]).toMatchObject({ expirationModel: 'KEY_MATERIAL_EXPIRES', validTo });
  });

  test('re-import drops the cached plaintext of the material', async () => {
    // GIVEN: the material is in the cache
    const deps = memoryDeps();
    const { key, client, material, materialId } = await anImportedKey(deps);
    await unwrapMaterial(deps, key, findMaterial(key, materialId)!);
    expect(deps.materialCache.size).toBe(1);
    // WHEN
    await client.import(material, { ValidTo: inDays(deps, 1) });
    // THEN
    expect(deps.materialCache.size).toBe(0);
  });

  test('expired material can be imported again and the key is Enabled again', async () => {
    // GIVEN: material that expired (no timer has run)
    const deps = memoryDeps();
    const key = await anExternalKey(deps);
    const client = new Importer(deps, key.keyId);
    const material = aMaterial();
    const validTo = new Date(deps.clock.now().getTime() + 60_000);
    const { KeyMaterialId } = await client.import(material, { ValidTo: validTo });
    deps.clock.advance(61);
    // WHEN
    const again = await client.import(material, NO_EXPIRY);
    // THEN
    expect(again.KeyMaterialId).toBe(KeyMaterialId);
    const after = await stored(deps, key);
    expect(after.state).toBe('Enabled');
    // the import stored the expiry a second after it happened; the event is dated when the material expired (D151)
    expect(deps.recorded).toEqual([{ eventName: 'DeleteExpiredKeyMaterial', keyArn: key.arn, keyMaterialId: KeyMaterialId, eventTime: validTo }]);
  });

  test.each(['deleted', 'expired'])('%s material imported again encrypts, and decrypts what it encrypted before', async (how) => {
    // GIVEN a ciphertext made under the material, which is then deleted or expires
    const deps = memoryDeps();
    const key = await anExternalKey(deps);
    const client = new Importer(deps, key.keyId);
    const material = aMaterial();
    await client.import(material, { ValidTo: inDays(deps, 1) });
    const { CiphertextBlob } = await encrypt(deps, TEST_CTX, { KeyId: key.keyId, Plaintext: new Uint8Array([1, 2, 3]) });
    if (how === 'deleted') await deleteImportedKeyMaterial(deps, TEST_CTX, { KeyId: key.keyId });
    else deps.clock.advance(DAY_S + 1);
    // WHEN it is imported again (with a fresh token: the first one is a day old by then)
    await new Importer(deps, key.keyId).import(material, NO_EXPIRY);
    // THEN the key works with it, old ciphertext and new
    expect((await decrypt(deps, TEST_CTX, { CiphertextBlob })).Plaintext).toEqual(new Uint8Array([1, 2, 3]));
    const again = await encrypt(deps, TEST_CTX, { KeyId: key.keyId, Plaintext: new Uint8Array([4]) });
    expect((await decrypt(deps, TEST_CTX, { CiphertextBlob: again.CiphertextBlob })).Plaintext).toEqual(new Uint8Array([4]));
  });
});

describe('ImportKeyMaterial: re-import (EXISTING_KEY_MATERIAL, the default after the first import)', () => {
  test('accepts the same material any number of times, with one token or fresh ones', async () => {
    // GIVEN
    const deps = memoryDeps();
    const { key, client, material, materialId } = await anImportedKey(deps);
    // WHEN / THEN
    for (let i = 0; i < 5; i++) {
      await expect(client.import(material)).resolves.toEqual({ KeyId: key.arn, KeyMaterialId: materialId });
    }
    await expect(new Importer(deps, key.keyId, 'RSA_AES_KEY_WRAP_SHA_256').import(material, { ImportType: 'EXISTING_KEY_MATERIAL', ...NO_EXPIRY }))
      .resolves.toEqual({ KeyId: key.arn, KeyMaterialId: materialId });
    const after = await stored(deps, key);
    expect(after.materials).toHaveLength(1);
    expect(after.state).toBe('Enabled');
  });

  test('fails with IncorrectKeyMaterialException for different material', async () => {
    // GIVEN
    const deps = memoryDeps();
    const { key, client } = await anImportedKey(deps);
    const other = aMaterial();
    // WHEN
    const err = await failure(() => client.import(other));
    // THEN
    expect(err).toMatchObject({ name: 'IncorrectKeyMaterialException', message: MESSAGES.notAssociated(key.arn) });
    expectNoMaterialIn(err, other);
    expect((await stored(deps, key)).materials).toHaveLength(1);
  });

  test('accepts a KeyMaterialId that matches the material', async () => {
    const deps = memoryDeps();
    const { key, client, material, materialId } = await anImportedKey(deps);
    await expect(client.import(material, { ...NO_EXPIRY, KeyMaterialId: materialId })).resolves.toEqual({ KeyId: key.arn, KeyMaterialId: materialId });
  });

  test('fails with NotFoundException for a KeyMaterialId the key does not have (D10)', async () => {
    const deps = memoryDeps();
    const { key, client, material } = await anImportedKey(deps);
    const unknown = 'ab'.repeat(32);
    const err = await failure(() => client.import(material, { ...NO_EXPIRY, KeyMaterialId: unknown }));
    expect(err.name).toBe('NotFoundException');
    expect(err.message).toContain(unknown);
    expect(err.message).toContain(key.arn);
  });

  test('fails with IncorrectKeyMaterialException when KeyMaterialId names another material of the key', async () => {
    // GIVEN: a key with two materials
    const deps = memoryDeps();
    const { client, material } = await anImportedKey(deps);
    const second = aMaterial();
    const { KeyMaterialId: secondId } = await client.import(second, { ...NO_EXPIRY, ImportType: 'NEW_KEY_MATERIAL' });
    // WHEN
    const err = await failure(() => client.import(material, { ...NO_EXPIRY, KeyMaterialId: secondId }));
    // THEN
    expect(err).toMatchObject({ name: 'IncorrectKeyMaterialException', message: MESSAGES.otherMaterialId(secondId!) });
    expectNoMaterialIn(err, material);
  });

  test('keeps the earlier KeyMaterialDescription when omitted and replaces it when given', async () => {
    const deps = memoryDeps();
    const key = await anExternalKey(deps);
    const client = new Importer(deps, key.keyId);
    const material = aMaterial();
    const { KeyMaterialId } = await client.import(material, { ...NO_EXPIRY, KeyMaterialDescription: 'first' });
    await client.import(material);
    expect(findMaterial(await stored(deps, key), KeyMaterialId)?.description).toBe('first');
    await client.import(material, { ...NO_EXPIRY, KeyMaterialDescription: 'second' });
    expect(findMaterial(await stored(deps, key), KeyMaterialId)?.description).toBe('second');
  });

  test('retries a conflicting write and unwraps the token only once', async () => {
    // GIVEN: someone else writes the key between our read and our write, once
    const deps = memoryDeps();
    const { key, client, material } = await anImportedKey(deps);
    const wrapped = await client.wrap(material);
    const putKey = deps.keys.putKey.bind(deps.keys);
    let interfered = false;
    deps.keys.putKey = async (next, guard) => {
      if (!interfered) {
        interfered = true;
        const current = (await deps.keys.getKey(key.scope, key.keyId))!;
        await putKey({ ...current, description: 'changed meanwhile' }, { expectedRevision: current.revision });
      }
      return putKey(next, guard);
    };
    const unwrapsBefore = deps.rootKey.unwrapCalls;
    // WHEN
    await importKeyMaterial(deps, TEST_CTX, { KeyId: key.keyId, ...wrapped, ValidTo: inDays(deps, 3) });
    // THEN
    const after = await stored(deps, key);
    expect(after.description).toBe('changed meanwhile');
    expect(after.materials[0]?.validTo).toEqual(inDays(deps, 3));
    // one token unwrap, plus one material-id-key unwrap per attempt
    expect(deps.rootKey.unwrapCalls - unwrapsBefore).toBe(1 + 2);
  });

  test('fails with ThrottlingException after repeated write conflicts (D91)', async () => {
    const deps = memoryDeps();
    const { key, client, material } = await anImportedKey(deps);
    deps.keys.putKey = async () => {
      throw new StoreConflictError(key.keyId);
    };
    const err = await failure(() => client.import(material));
    expect(err.name).toBe('ThrottlingException');
  });
});

describe('ImportKeyMaterial: NEW_KEY_MATERIAL after the first import', () => {
  test('stages the material as PENDING_ROTATION; the current material and the key state do not change', async () => {
    // GIVEN
    const deps = memoryDeps();
    const { key, client, materialId } = await anImportedKey(deps);
    // WHEN
    const out = await client.import(aMaterial(), { ...NO_EXPIRY, ImportType: 'NEW_KEY_MATERIAL', KeyMaterialDescription: 'next' });
    // THEN
    const after = await stored(deps, key);
    expect(after.state).toBe('Enabled');
    expect(after.currentMaterialId).toBe(materialId);
    expect(findMaterial(after, out.KeyMaterialId)).toMatchObject({ materialState: 'PENDING_ROTATION', importState: 'IMPORTED', description: 'next' });
    expect(findMaterial(after, materialId)?.materialState).toBe('CURRENT');
  });

  test('fails with ValidationException when KeyMaterialId is given with NEW_KEY_MATERIAL (D9)', async () => {
    const deps = memoryDeps();
    const { client, materialId } = await anImportedKey(deps);
    const err = await failure(() => client.import(aMaterial(), { ...NO_EXPIRY, ImportType: 'NEW_KEY_MATERIAL', KeyMaterialId: materialId }));
    expect(err).toMatchObject({ name: 'ValidationException', message: MESSAGES.keyMaterialIdWithNew });
  });

  test('fails with ValidationException when KeyMaterialId is given for the first import (ImportType defaults to NEW)', async () => {
    const deps = memoryDeps();
    const key = await anExternalKey(deps);
    const err = await failure(() => new Importer(deps, key.keyId).import(aMaterial(), { ...NO_EXPIRY, KeyMaterialId: 'ab'.repeat(32) }));
    expect(err).toMatchObject({ name: 'ValidationException', message: MESSAGES.keyMaterialIdWithNew });
  });

  test('fails with IncorrectKeyMaterialException for material already associated with the key', async () => {
    const deps = memoryDeps();
    const { key, client, material, materialId } = await anImportedKey(deps);
    const err = await failure(() => client.import(material, { ...NO_EXPIRY, ImportType: 'NEW_KEY_MATERIAL' }));
    expect(err).toMatchObject({ name: 'IncorrectKeyMaterialException', message: MESSAGES.alreadyAssociated(materialId!, key.arn) });
    expectNoMaterialIn(err, material);
    expect((await stored(deps, key)).materials).toHaveLength(1);
  });

  test('fails with KMSInvalidStateException while another material is pending rotation', async () => {
    // GIVEN
    const deps = memoryDeps();
    const { key, client } = await anImportedKey(deps);
    const { KeyMaterialId: pendingId } = await client.import(aMaterial(), { ...NO_EXPIRY, ImportType: 'NEW_KEY_MATERIAL' });
    const third = aMaterial();
    // WHEN
    const err = await failure(() => client.import(third, { ...NO_EXPIRY, ImportType: 'NEW_KEY_MATERIAL' }));
    // THEN
    expect(err.name).toBe('KMSInvalidStateException');
    expect(err.message).toMatch(
      new RegExp(`^New key material \\(id: [0-9a-f]{64}\\) cannot be imported into KMS key ${key.arn}, because another key material \\(id: ${pendingId}\\) is pending rotation\\.$`),
    );
    expectNoMaterialIn(err, third);
  });

  test('accepts the pending material again as EXISTING_KEY_MATERIAL (e.g. to change its expiry)', async () => {
    const deps = memoryDeps();
    const { key, client } = await anImportedKey(deps);
    const next = aMaterial();
    const { KeyMaterialId } = await client.import(next, { ...NO_EXPIRY, ImportType: 'NEW_KEY_MATERIAL' });
    await client.import(next, { ValidTo: inDays(deps, 2) });
    expect(findMaterial(await stored(deps, key), KeyMaterialId)).toMatchObject({ materialState: 'PENDING_ROTATION', validTo: inDays(deps, 2) });
  });
});

describe('ImportKeyMaterial: key states (D2)', () => {
  test('a Disabled key stays Disabled after re-import', async () => {
    const deps = memoryDeps();
    const { key, client, material } = await anImportedKey(deps);
    await patchKey(deps, key, { state: 'Disabled' });
    await client.import(material, { ValidTo: inDays(deps, 7) });
    expect((await stored(deps, key)).state).toBe('Disabled');
  });

  test('an Enabled key stays Enabled after re-import', async () => {
    const deps = memoryDeps();
    const { key, client, material } = await anImportedKey(deps);
    await client.import(material);
    expect((await stored(deps, key)).state).toBe('Enabled');
  });

  test('fails with KMSInvalidStateException while the key is pending deletion', async () => {
    const deps = memoryDeps();
    const { key, client, material } = await anImportedKey(deps);
    await client.parameters();
    await patchKey(deps, key, { state: 'PendingDeletion', deletionDate: inDays(deps, 7) });
    const err = await failure(() => client.import(material));
    expect(err).toMatchObject({ name: 'KMSInvalidStateException', message: `${key.arn} is pending deletion.` });
  });

  test('a PendingImport key becomes Enabled only once every permanently associated material is imported', async () => {
    // GIVEN: two permanent materials (after a rotation), both deleted
    const deps = memoryDeps();
    const { key, client, material: first, materialId: firstId } = await anImportedKey(deps);
    const second = aMaterial();
    const { KeyMaterialId: secondId } = await client.import(second, { ...NO_EXPIRY, ImportType: 'NEW_KEY_MATERIAL' });
    // promote the second by hand (RotateKeyOnDemand is tested in rotation.test.ts)
    const s = await stored(deps, key);
    await patchKey(deps, key, {
      currentMaterialId: secondId,
      materials: s.materials.map((m) => ({ ...m, materialState: m.materialId === secondId ? 'CURRENT' : 'NON_CURRENT' })),
    });
    await deleteImportedKeyMaterial(deps, TEST_CTX, { KeyId: key.keyId, KeyMaterialId: firstId });
    await deleteImportedKeyMaterial(deps, TEST_CTX, { KeyId: key.keyId, KeyMaterialId: secondId });
    expect((await stored(deps, key)).state).toBe('PendingImport');
    // WHEN: one is imported again
    await client.import(first);
    // THEN
    expect((await stored(deps, key)).state).toBe('PendingImport');
    // WHEN: the other too
    await client.import(second);
    // THEN
    expect((await stored(deps, key)).state).toBe('Enabled');
  });

  test('NEW material staged while the key is PendingImport leaves it PendingImport', async () => {
    const deps = memoryDeps();
    const { key, client } = await anImportedKey(deps);
    await deleteImportedKeyMaterial(deps, TEST_CTX, { KeyId: key.keyId });
    await client.import(aMaterial(), { ...NO_EXPIRY, ImportType: 'NEW_KEY_MATERIAL' });
    expect((await stored(deps, key)).state).toBe('PendingImport');
  });
});

describe('ImportKeyMaterial: tokens and wrapped material', () => {
  test('accepts a token again within its 24 hours (D13)', async () => {
    const deps = memoryDeps();
    const { key, client, material } = await anImportedKey(deps);
    deps.clock.advance(24 * 3600 - 1);
    await expect(client.import(material)).resolves.toMatchObject({ KeyId: key.arn });
  });

  test('fails with ExpiredImportTokenException once the token is older than 24 hours', async () => {
    // GIVEN
    const deps = memoryDeps();
    const { key, client, material } = await anImportedKey(deps);
    const before = await stored(deps, key);
    // WHEN
    deps.clock.advance(24 * 3600 + 1);
    const err = await failure(() => client.import(material));
    // THEN
    expect(err).toMatchObject({ name: 'ExpiredImportTokenException', message: MESSAGES.expiredToken });
    expectNoMaterialIn(err, material);
    expect((await stored(deps, key)).revision).toBe(before.revision);
  });

  test('fails with InvalidImportTokenException for a token issued for another key', async () => {
    // GIVEN
    const deps = memoryDeps();
    const a = await anExternalKey(deps);
    const b = await anExternalKey(deps);
    const forA = await new Importer(deps, a.keyId).wrap(aMaterial());
    // WHEN
    const err = await failure(() => importKeyMaterial(deps, TEST_CTX, { KeyId: b.keyId, ...forA, ...NO_EXPIRY }));
    // THEN
    expect(err).toMatchObject({ name: 'InvalidImportTokenException', message: MESSAGES.tokenForAnotherKey });
    expect((await stored(deps, b)).state).toBe('PendingImport');
  });

  /** Edits of a real token's header (import-token.ts: format, key id length n, id, algorithm, spec, validTo, blob). */
  const headerEdits: [string, (t: Uint8Array, n: number) => Uint8Array][] = [
    ['another format byte', (t) => Uint8Array.from(t, (b, i) => (i === 0 ? 2 : b))],
    ['a key id of length 0', (t) => Uint8Array.from([1, 0, ...t.subarray(2, 40)])],
    ['a key id of length 0 before a whole header', (t, n) => Uint8Array.from([1, 0, ...t.subarray(2 + n)])],
    ['the header without the wrapped key', (t, n) => t.subarray(0, 12 + n)],
    ['a header cut inside validTo', (t, n) => t.subarray(0, 8 + n)],
    ['an unknown wrapping algorithm code', (t, n) => Uint8Array.from(t, (b, i) => (i === 2 + n ? 99 : b))],
    ['an unknown wrapping key spec code', (t, n) => Uint8Array.from(t, (b, i) => (i === 3 + n ? 99 : b))],
    ['a validTo no Date can hold', (t, n) => Uint8Array.from(t, (b, i) => (i >= 4 + n && i < 12 + n ? 0xff : b))],
  ];

  test.each(headerEdits)('a token with %s is InvalidImportTokenException without a root-key call (a KMS request when deployed)', async (_, edit) => {
    // GIVEN a real token, edited
    const deps = memoryDeps();
    const key = await anExternalKey(deps);
    const wrapped = await new Importer(deps, key.keyId).wrap(aMaterial());
    const token = edit(wrapped.ImportToken, wrapped.ImportToken[1]!);
    const callsBefore = deps.rootKey.unwrapCalls;
    // WHEN
    const err = await failure(() => importKeyMaterial(deps, TEST_CTX, { KeyId: key.keyId, ...wrapped, ImportToken: token, ...NO_EXPIRY }));
    // THEN
    expect(err).toMatchObject({ name: 'InvalidImportTokenException', message: MESSAGES.invalidToken });
    expect(deps.rootKey.unwrapCalls).toBe(callsBefore);
    expect((await stored(deps, key)).revision).toBe(key.revision);
  });

  test('fails with InvalidImportTokenException for a token from another account', async () => {
    // GIVEN: the same key id in two accounts
    const deps = memoryDeps();
    const here = await anExternalKey(deps);
    const otherCtx = { scope: { ...here.scope, account: '444455556666' } };
    await anExternalKey(deps, { keyId: here.keyId }, otherCtx.scope);
    const fromOther = await new Importer(deps, here.keyId, 'RSAES_OAEP_SHA_256', 'RSA_2048', otherCtx).wrap(aMaterial());
    // WHEN
    const err = await failure(() => importKeyMaterial(deps, TEST_CTX, { KeyId: here.keyId, ...fromOther, ...NO_EXPIRY }));
    // THEN
    expect(err).toMatchObject({ name: 'InvalidImportTokenException', message: MESSAGES.invalidToken });
  });

  test('fails with InvalidImportTokenException for garbage or a tampered token', async () => {
    const deps = memoryDeps();
    const key = await anExternalKey(deps);
    const wrapped = await new Importer(deps, key.keyId).wrap(aMaterial());
    const tampered = Uint8Array.from(wrapped.ImportToken);
    tampered[tampered.length - 1]! ^= 0x80;
    for (const token of [Uint8Array.of(7), new Uint8Array(300), tampered]) {
      const err = await failure(() => importKeyMaterial(deps, TEST_CTX, { KeyId: key.keyId, ImportToken: token, EncryptedKeyMaterial: wrapped.EncryptedKeyMaterial, ...NO_EXPIRY }));
      expect(err).toMatchObject({ name: 'InvalidImportTokenException', message: MESSAGES.invalidToken });
    }
  });

  test('fails with InvalidCiphertextException for material wrapped with another public key', async () => {
    // GIVEN: the token of one pair, material wrapped for another
    const deps = memoryDeps();
    const key = await anExternalKey(deps);
    const one = new Importer(deps, key.keyId);
    const other = new Importer(deps, key.keyId);
    const material = aMaterial();
    const { ImportToken } = await one.wrap(material);
    const { EncryptedKeyMaterial } = await other.wrap(material);
    // WHEN
    const err = await failure(() => importKeyMaterial(deps, TEST_CTX, { KeyId: key.keyId, ImportToken, EncryptedKeyMaterial, ...NO_EXPIRY }));
    // THEN
    expect(err).toMatchObject({ name: 'InvalidCiphertextException', message: MESSAGES.notUnwrapped });
    expectNoMaterialIn(err, material);
  });

  test('fails with InvalidCiphertextException for material wrapped with another algorithm than the token', async () => {
    const deps = memoryDeps();
    const key = await anExternalKey(deps);
    const sha256 = new Importer(deps, key.keyId, 'RSAES_OAEP_SHA_256');
    const params = await sha256.parameters();
    const material = aMaterial();
    for (const algorithm of ['RSAES_OAEP_SHA_1', 'RSA_AES_KEY_WRAP_SHA_256'] as const) {
      const err = await failure(() => importKeyMaterial(deps, TEST_CTX, {
        KeyId: key.keyId,
        ImportToken: params.ImportToken,
        EncryptedKeyMaterial: clientWrap(params.PublicKey, algorithm, material),
        ...NO_EXPIRY,
      }));
      expect(err).toMatchObject({ name: 'InvalidCiphertextException', message: MESSAGES.notUnwrapped });
    }
  });

  test('fails with InvalidCiphertextException for garbage EncryptedKeyMaterial', async () => {
    const deps = memoryDeps();
    const key = await anExternalKey(deps);
    const { ImportToken } = await new Importer(deps, key.keyId).wrap(aMaterial());
    for (const garbage of [Uint8Array.of(1), new Uint8Array(256), new Uint8Array(512)]) {
      const err = await failure(() => importKeyMaterial(deps, TEST_CTX, { KeyId: key.keyId, ImportToken, EncryptedKeyMaterial: garbage, ...NO_EXPIRY }));
      expect(err).toMatchObject({ name: 'InvalidCiphertextException', message: MESSAGES.notUnwrapped });
    }
  });

  test.each([16, 31, 33, 64])('fails with IncorrectKeyMaterialException for %i bytes of material', async (length) => {
    const deps = memoryDeps();
    const key = await anExternalKey(deps);
    const material = new Uint8Array(Buffer.alloc(length, 0xa5));
    const err = await failure(() => new Importer(deps, key.keyId).import(material));
    expect(err).toMatchObject({ name: 'IncorrectKeyMaterialException', message: 'The key material must be 256 bits (32 bytes) for a SYMMETRIC_DEFAULT KMS key.' });
    expectNoMaterialIn(err, material);
  });
});

describe('ImportKeyMaterial: which keys', () => {
  test('fails with NotFoundException for an alias (D18)', async () => {
    const deps = memoryDeps();
    const key = await anExternalKey(deps);
    const wrapped = await new Importer(deps, key.keyId).wrap(aMaterial());
    await deps.keys.createAlias({ scope: key.scope, aliasName: 'alias/byok', targetKeyId: key.keyId, creationDate: deps.clock.now(), lastUpdatedDate: deps.clock.now() });
    const err = await failure(() => importKeyMaterial(deps, TEST_CTX, { KeyId: 'alias/byok', ...wrapped, ...NO_EXPIRY }));
    expect(err).toMatchObject({ name: 'NotFoundException', message: "Invalid keyId 'alias/byok'" });
  });

  test('fails with UnsupportedOperationException for an AWS_KMS key', async () => {
    const deps = memoryDeps();
    const external = await anExternalKey(deps);
    const wrapped = await new Importer(deps, external.keyId).wrap(aMaterial());
    const key = await anAwsKmsKey(deps);
    const err = await failure(() => importKeyMaterial(deps, TEST_CTX, { KeyId: key.keyId, ...wrapped, ...NO_EXPIRY }));
    expect(err).toMatchObject({ name: 'UnsupportedOperationException', message: `${key.arn} origin is AWS_KMS which is not valid for this operation.` });
  });
});

describe('ImportKeyMaterial: root-key faults are the service\'s, never the caller\'s', () => {
  /**
   * Imports a valid token and material while the root key fails to unwrap blobs of one purpose, as an outage,
   * throttling or a damaged record would; returns the error and whether the key is unchanged.
   */
  async function importWhileUnwrapFails(purpose: string, error: Error): Promise<{ err: Error; unchanged: boolean }> {
    const deps = memoryDeps();
    const key = await anExternalKey(deps);
    const wrapped = await new Importer(deps, key.keyId).wrap(aMaterial());
    const unwrap = deps.rootKey.unwrap.bind(deps.rootKey);
    deps.rootKey.unwrap = async (blob, context) => {
      if (context.purpose === purpose) throw error;
      return unwrap(blob, context);
    };
    const err = await failure(() => importKeyMaterial(deps, TEST_CTX, { KeyId: key.keyId, ...wrapped, ...NO_EXPIRY }));
    return { err, unchanged: (await stored(deps, key)).revision === key.revision };
  }

  test.each(['import-token', 'material-id-key'])('a root-key outage while unwrapping the %s surfaces as that fault, not InvalidImportTokenException', async (purpose) => {
    const outage = Object.assign(new Error('Rate exceeded'), { name: 'ThrottlingException' });
    const { err, unchanged } = await importWhileUnwrapFails(purpose, outage);
    // the handler turns it into a 500 (KMSInternalException), and nothing changed
    expect(err).toBe(outage);
    expect(unchanged).toBe(true);
  });

  test('a material-id key the root key refuses (a damaged record) is KMSInternalException, a server fault', async () => {
    const { err, unchanged } = await importWhileUnwrapFails('material-id-key', new UnwrapError());
    expect(err).toMatchObject({ name: 'KMSInternalException', message: 'An internal error occurred.', fault: 'server' });
    expect(err.cause).toBeInstanceOf(UnwrapError);
    expect(unchanged).toBe(true);
  });

  test('a token the root key refuses is InvalidImportTokenException (the client sent it)', async () => {
    const { err, unchanged } = await importWhileUnwrapFails('import-token', new UnwrapError());
    expect(err).toMatchObject({ name: 'InvalidImportTokenException', message: MESSAGES.invalidToken });
    expect(unchanged).toBe(true);
  });
});

describe('ImportKeyMaterial: which error wins (D121)', () => {
  test('KeyMaterialId with NEW_KEY_MATERIAL for a key that does not exist: ValidationException, before the key is looked up', async () => {
    const deps = memoryDeps();
    const key = await anExternalKey(deps);
    const wrapped = await new Importer(deps, key.keyId).wrap(aMaterial());
    const missing = '1234abcd-12ab-34cd-56ef-1234567890ab';
    const err = await failure(() => importKeyMaterial(deps, TEST_CTX, {
      KeyId: missing, ...wrapped, ...NO_EXPIRY, ImportType: 'NEW_KEY_MATERIAL', KeyMaterialId: 'ab'.repeat(32),
    }));
    expect(err).toMatchObject({ name: 'ValidationException', message: MESSAGES.keyMaterialIdWithNew });
  });
});

describe('ImportKeyMaterial: what a re-import keeps, and which expiry DescribeKey shows', () => {
  test('re-importing a rotated-in material keeps its RotationDate and rotation type, so ListKeyRotations still lists the rotation', async () => {
    // GIVEN a rotation to a second material, which is then deleted
    const deps = memoryDeps();
    const { key, client } = await anImportedKey(deps);
    const second = aMaterial();
    const { KeyMaterialId: secondId } = await client.import(second, { ...NO_EXPIRY, ImportType: 'NEW_KEY_MATERIAL' });
    deps.clock.advance(3600);
    await rotateKeyOnDemand(deps, TEST_CTX, { KeyId: key.keyId });
    const rotatedAt = deps.clock.now();
    const before = (await listKeyRotations(deps, TEST_CTX, { KeyId: key.keyId })).Rotations;
    expect(before).toEqual([expect.objectContaining({ KeyMaterialId: secondId, RotationDate: rotatedAt, RotationType: 'ON_DEMAND' })]);
    await deleteImportedKeyMaterial(deps, TEST_CTX, { KeyId: key.keyId, KeyMaterialId: secondId });
    // WHEN it is imported again, later
    deps.clock.advance(3600);
    await client.import(second, { ...NO_EXPIRY, KeyMaterialId: secondId });
    // THEN the rotation is listed as before
    expect((await listKeyRotations(deps, TEST_CTX, { KeyId: key.keyId })).Rotations).toEqual(before);
    expect(findMaterial(await stored(deps, key), secondId!)).toMatchObject({ rotationDate: rotatedAt, rotationType: 'ON_DEMAND', importState: 'IMPORTED' });
  });

  test('ValidTo is the earliest expiry of the materials, also when that material comes first', async () => {
    // GIVEN the first material expires in 5 days, the second (rotated in after it) in 10
    const deps = memoryDeps();
    const key = await anExternalKey(deps);
    const client = new Importer(deps, key.keyId);
    await client.import(aMaterial(), { ValidTo: inDays(deps, 5) });
    await client.import(aMaterial(), { ValidTo: inDays(deps, 10), ImportType: 'NEW_KEY_MATERIAL' });
    await rotateKeyOnDemand(deps, TEST_CTX, { KeyId: key.keyId });
    expect((await stored(deps, key)).materials.map((m) => m.validTo)).toEqual([inDays(deps, 5), inDays(deps, 10)]);
    // THEN
    expect((await describeKey(deps, TEST_CTX, { KeyId: key.keyId })).KeyMetadata).toMatchObject({ ValidTo: inDays(deps, 5), ExpirationModel: 'KEY_MATERIAL_EXPIRES' });
  });
});
