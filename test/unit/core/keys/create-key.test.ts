import { describe, expect, test } from 'vitest';
import { keyMaterialId } from '../../../../lambda/core/crypto/material-id';
import { UnwrapError } from '../../../../lambda/core/errors';
import { materialContext, materialIdKeyContext } from '../../../../lambda/core/key-access';
import { createKey } from '../../../../lambda/core/operations/keys/create-key';
import { memoryDeps, TEST_CTX } from '../../../support/memory-deps';
import { failure, newKey, storedKey } from './helpers';

const UUID_V4 = /^[0-9a-f]{8}-[0-9a-f]{4}-4[0-9a-f]{3}-[89ab][0-9a-f]{3}-[0-9a-f]{12}$/;

describe('CreateKey with Origin AWS_KMS (the default)', () => {
  test('creates an Enabled key with one CURRENT imported material', async () => {
    // GIVEN
    const deps = memoryDeps();
    // WHEN
    const { KeyMetadata: md } = await createKey(deps, TEST_CTX, {});
    // THEN
    expect(md).toEqual({
      AWSAccountId: '111122223333',
      KeyId: md.KeyId,
      Arn: `arn:aws:kms:us-east-1:111122223333:key/${md.KeyId}`,
      CreationDate: new Date('2026-01-01T00:00:00Z'),
      Enabled: true,
      Description: '',
      KeyUsage: 'ENCRYPT_DECRYPT',
      KeyState: 'Enabled',
      Origin: 'AWS_KMS',
      KeyManager: 'CUSTOMER',
      CustomerMasterKeySpec: 'SYMMETRIC_DEFAULT',
      KeySpec: 'SYMMETRIC_DEFAULT',
      EncryptionAlgorithms: ['SYMMETRIC_DEFAULT'],
      MultiRegion: false,
      CurrentKeyMaterialId: md.CurrentKeyMaterialId,
    });
    expect(md.KeyId).toMatch(UUID_V4);
    expect(md.CurrentKeyMaterialId).toMatch(/^[0-9a-f]{64}$/);
    const key = await storedKey(deps, md.KeyId);
    expect(key.materials).toHaveLength(1);
    expect(key.materials[0]).toMatchObject({ materialId: md.CurrentKeyMaterialId, materialState: 'CURRENT', importState: 'IMPORTED' });
    expect(key.currentMaterialId).toBe(md.CurrentKeyMaterialId);
  });

  test('omits ValidTo, ExpirationModel and DeletionDate', async () => {
    const md = await newKey(memoryDeps());
    expect(md).not.toHaveProperty('ValidTo');
    expect(md).not.toHaveProperty('ExpirationModel');
    expect(md).not.toHaveProperty('DeletionDate');
  });

  test('stores the material wrapped, bound to this key and material, with a KeyMaterialId keyed by the key secret', async () => {
    // GIVEN
    const deps = memoryDeps();
    // WHEN
    const md = await newKey(deps);
    // THEN
    const key = await storedKey(deps, md.KeyId);
    const material = key.materials[0]!;
    const plain = await deps.rootKey.unwrap(material.wrapped!, materialContext(key, material.materialId));
    expect(plain).toHaveLength(32);
    const secret = await deps.rootKey.unwrap(key.materialIdKeyWrapped, materialIdKeyContext(key));
    expect(secret).toHaveLength(32);
    expect(keyMaterialId(secret, key.keyId, plain)).toBe(material.materialId);
    await expect(deps.rootKey.unwrap(material.wrapped!, materialContext({ ...key, keyId: 'other' }, material.materialId))).rejects.toBeInstanceOf(UnwrapError);
  });

  test('builds the key id as a lower-case UUID v4 from the RandomBytes port', async () => {
    // GIVEN every random byte is 0xff
    const deps = { ...memoryDeps(), random: (n: number) => new Uint8Array(n).fill(0xff) };
    // WHEN
    const { KeyMetadata } = await createKey(deps, TEST_CTX, {});
    // THEN version and variant bits are forced
    expect(KeyMetadata.KeyId).toBe('ffffffff-ffff-4fff-bfff-ffffffffffff');
  });

  test('gives every key a different id, secret and material', async () => {
    const deps = memoryDeps();
    const a = await newKey(deps);
    const b = await newKey(deps);
    expect(a.KeyId).not.toBe(b.KeyId);
    expect(a.CurrentKeyMaterialId).not.toBe(b.CurrentKeyMaterialId);
  });

  test('keeps the description', async () => {
    const md = await newKey(memoryDeps(), { Description: 'payroll' });
    expect(md.Description).toBe('payroll');
  });

  test('accepts KeySpec or CustomerMasterKeySpec SYMMETRIC_DEFAULT and KeyUsage ENCRYPT_DECRYPT', async () => {
    const deps = memoryDeps();
    await expect(newKey(deps, { KeySpec: 'SYMMETRIC_DEFAULT', KeyUsage: 'ENCRYPT_DECRYPT' })).resolves.toMatchObject({ KeySpec: 'SYMMETRIC_DEFAULT' });
    await expect(newKey(deps, { CustomerMasterKeySpec: 'SYMMETRIC_DEFAULT' })).resolves.toMatchObject({ KeySpec: 'SYMMETRIC_DEFAULT' });
    await expect(newKey(deps, { MultiRegion: false })).resolves.toMatchObject({ MultiRegion: false });
  });

  test('stores the tags of the request', async () => {
    const deps = memoryDeps();
    const md = await newKey(deps, { Tags: [{ TagKey: 'team', TagValue: 'pay' }] });
    expect((await storedKey(deps, md.KeyId)).tags).toEqual([{ TagKey: 'team', TagValue: 'pay' }]);
  });

  test('retries with a fresh id when the id is taken', async () => {
    // GIVEN a random source that repeats its first 16 bytes once
    const base = memoryDeps();
    const first = await newKey(base);
    let calls = 0;
    const uuidBytes = Buffer.from(first.KeyId.replace(/-/g, ''), 'hex');
    const deps = { ...base, random: (n: number) => (n === 16 && calls++ === 0 ? new Uint8Array(uuidBytes) : base.random(n)) };
    // WHEN
    const second = (await createKey(deps, TEST_CTX, {})).KeyMetadata;
    // THEN
    expect(second.KeyId).not.toBe(first.KeyId);
    expect((await storedKey(base, first.KeyId)).keyId).toBe(first.KeyId);
  });
});

describe('CreateKey with Origin EXTERNAL', () => {
  test('creates a PendingImport key with no material and no CurrentKeyMaterialId', async () => {
    // GIVEN
    const deps = memoryDeps();
    // WHEN
    const md = await newKey(deps, { Origin: 'EXTERNAL' });
    // THEN
    expect(md).toMatchObject({ KeyState: 'PendingImport', Enabled: false, Origin: 'EXTERNAL', EncryptionAlgorithms: ['SYMMETRIC_DEFAULT'] });
    expect(md).not.toHaveProperty('CurrentKeyMaterialId');
    expect(md).not.toHaveProperty('ExpirationModel');
    expect(md).not.toHaveProperty('ValidTo');
    const key = await storedKey(deps, md.KeyId);
    expect(key.materials).toEqual([]);
    expect(key.currentMaterialId).toBeUndefined();
    const secret = await deps.rootKey.unwrap(key.materialIdKeyWrapped, materialIdKeyContext(key));
    expect(secret).toHaveLength(32);
  });
});

describe('CreateKey refusals', () => {
  test.each(['RSA_2048', 'HMAC_256', 'ECC_NIST_P256', 'ML_DSA_44', 'ECC_NIST_EDWARDS25519'])('fails with ValidationException when KeySpec %s comes without KeyUsage', async (spec) => {
    const err = await failure(newKey(memoryDeps(), { KeySpec: spec }));
    expect(err).toMatchObject({ name: 'ValidationException', message: 'You must specify a KeyUsage value for all KMS keys except for symmetric encryption keys.' });
  });

  test('fails with UnsupportedOperationException for SM2 outside China partitions, before the KeyUsage checks', async () => {
    for (const input of [{ KeySpec: 'SM2' }, { KeySpec: 'SM2', KeyUsage: 'SIGN_VERIFY' }, { CustomerMasterKeySpec: 'SM2', KeyUsage: 'GENERATE_VERIFY_MAC' }]) {
      expect(await failure(newKey(memoryDeps(), input))).toMatchObject({ name: 'UnsupportedOperationException', message: 'KeySpec SM2 is not supported in this Region' });
    }
  });

  test('fails with UnsupportedOperationException for SM2 in a China partition: this service cannot build SM2 keys (D41)', async () => {
    const china = { scope: { partition: 'aws-cn', account: '111122223333', region: 'cn-north-1' } };
    const err = await failure(createKey(memoryDeps(), china, { KeySpec: 'SM2', KeyUsage: 'SIGN_VERIFY' }));
    expect(err).toMatchObject({ name: 'UnsupportedOperationException', message: 'KeySpec SM2 is not supported by this service.' });
    // the usage rules of the table still come first
    expect(await failure(createKey(memoryDeps(), china, { KeySpec: 'SM2', KeyUsage: 'GENERATE_VERIFY_MAC' }))).toMatchObject({
      name: 'ValidationException',
      message: 'KeyUsage GENERATE_VERIFY_MAC is not compatible with KeySpec SM2',
    });
  });

  test.each([
    ['RSA_2048', 'KEY_AGREEMENT'],
    ['RSA_4096', 'GENERATE_VERIFY_MAC'],
    ['ECC_NIST_P256', 'ENCRYPT_DECRYPT'],
    ['ECC_SECG_P256K1', 'KEY_AGREEMENT'],
    ['ECC_NIST_EDWARDS25519', 'KEY_AGREEMENT'],
    ['HMAC_384', 'ENCRYPT_DECRYPT'],
    ['HMAC_224', 'SIGN_VERIFY'],
    ['ML_DSA_65', 'ENCRYPT_DECRYPT'],
    ['ML_DSA_87', 'KEY_AGREEMENT'],
  ])('fails with ValidationException for KeySpec %s with KeyUsage %s (no trailing period, as AWS writes it)', async (spec, usage) => {
    const err = await failure(newKey(memoryDeps(), { KeySpec: spec, KeyUsage: usage }));
    expect(err).toMatchObject({ name: 'ValidationException', message: `KeyUsage ${usage} is not compatible with KeySpec ${spec}` });
  });

  test.each(['ML_DSA_44', 'ML_DSA_65', 'ML_DSA_87'])('fails with UnsupportedOperationException for %s with Origin EXTERNAL (AWS imports no ML-DSA material)', async (spec) => {
    const err = await failure(newKey(memoryDeps(), { KeySpec: spec, KeyUsage: 'SIGN_VERIFY', Origin: 'EXTERNAL' }));
    expect(err).toMatchObject({ name: 'UnsupportedOperationException', message: `KeySpec ${spec} does not support imported key material: create it with Origin AWS_KMS.` });
  });

  test.each(['SIGN_VERIFY', 'GENERATE_VERIFY_MAC', 'KEY_AGREEMENT'])('fails with ValidationException for KeyUsage %s on a symmetric key', async (usage) => {
    const err = await failure(newKey(memoryDeps(), { KeyUsage: usage }));
    expect(err).toMatchObject({ name: 'ValidationException', message: `KeyUsage ${usage} is not compatible with KeySpec SYMMETRIC_DEFAULT` });
  });

  test.each(['AWS_CLOUDHSM', 'EXTERNAL_KEY_STORE'])('fails with UnsupportedOperationException for Origin %s', async (origin) => {
    const err = await failure(newKey(memoryDeps(), { Origin: origin }));
    expect(err.name).toBe('UnsupportedOperationException');
    expect(err.message).toContain(`Origin ${origin} is not supported by this service`);
  });

  test('fails with UnsupportedOperationException for a CustomKeyStoreId', async () => {
    const err = await failure(newKey(memoryDeps(), { CustomKeyStoreId: 'cks-1234567890abcdef0' }));
    expect(err).toMatchObject({ name: 'UnsupportedOperationException', message: 'Custom key stores are not supported by this service.' });
  });

  test('fails with UnsupportedOperationException for an XksKeyId', async () => {
    expect(await failure(newKey(memoryDeps(), { XksKeyId: 'xks-1' }))).toMatchObject({
      name: 'UnsupportedOperationException',
      message: 'External key stores (XksKeyId) are not supported by this service.',
    });
  });

  test('fails with UnsupportedOperationException for MultiRegion true', async () => {
    const err = await failure(newKey(memoryDeps(), { MultiRegion: true }));
    expect(err).toMatchObject({ name: 'UnsupportedOperationException', message: 'Multi-Region keys are not supported by this service.' });
  });

  test('fails with ValidationException when KeySpec and CustomerMasterKeySpec disagree; the same spec in both is accepted', async () => {
    expect(await failure(newKey(memoryDeps(), { KeySpec: 'SYMMETRIC_DEFAULT', CustomerMasterKeySpec: 'RSA_2048' }))).toMatchObject({
      name: 'ValidationException',
      message: 'KeySpec and CustomerMasterKeySpec name different key specs; specify only KeySpec.',
    });
    await expect(newKey(memoryDeps(), { KeySpec: 'HMAC_256', CustomerMasterKeySpec: 'HMAC_256', KeyUsage: 'GENERATE_VERIFY_MAC' })).resolves.toMatchObject({ KeySpec: 'HMAC_256' });
  });

  test('fails with ValidationException for an Origin or KeySpec outside the model, and a Description over 8192 characters', async () => {
    expect(await failure(newKey(memoryDeps(), { Origin: 'ELSEWHERE' } as never))).toMatchObject({
      name: 'ValidationException',
      message: "1 validation error detected: Value 'ELSEWHERE' at 'origin' failed to satisfy constraint: Member must satisfy enum value set: [AWS_KMS, EXTERNAL, AWS_CLOUDHSM, EXTERNAL_KEY_STORE]",
    });
    expect(await failure(newKey(memoryDeps(), { KeySpec: 'RSA_1024' } as never))).toMatchObject({ name: 'ValidationException', message: 'KeySpec RSA_1024 is not a valid key spec.' });
    const long = await failure(newKey(memoryDeps(), { Description: 'd'.repeat(8193) }));
    expect(long.name).toBe('ValidationException');
    expect(long.message).toContain("at 'description' failed to satisfy constraint: Member must have length less than or equal to 8192");
  });

  test('fails with TagException for reserved, duplicate or too many tags, and stores nothing', async () => {
    const deps = memoryDeps();
    expect(await failure(newKey(deps, { Tags: [{ TagKey: 'aws:x', TagValue: '' }] }))).toMatchObject({ name: 'TagException', message: 'Tags beginning with aws: are reserved' });
    expect(await failure(newKey(deps, { Tags: [{ TagKey: 'a', TagValue: '1' }, { TagKey: 'a', TagValue: '2' }] }))).toMatchObject({ name: 'TagException', message: 'Duplicate tag keys' });
    const many = Array.from({ length: 51 }, (_, i) => ({ TagKey: `k${i}`, TagValue: '' }));
    expect(await failure(newKey(deps, { Tags: many }))).toMatchObject({ name: 'TagException', message: 'Too many tags' });
    expect(deps.keys.keys.size).toBe(0);
  });

  test('fails with ValidationException for an over-long tag key', async () => {
    const err = await failure(newKey(memoryDeps(), { Tags: [{ TagKey: 'k'.repeat(129), TagValue: '' }] }));
    expect(err.name).toBe('ValidationException');
    expect(err.message).toContain("at 'tags.1.member.tagKey' failed to satisfy constraint: Member must have length less than or equal to 128");
  });
});
