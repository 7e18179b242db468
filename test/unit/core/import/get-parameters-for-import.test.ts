import { createPublicKey } from 'node:crypto';
import { describe, expect, test } from 'vitest';
import { decodeImportToken } from '../../../../lambda/core/crypto/import-token';
import type { WrappingAlgorithmSpec, WrappingKeySpecName } from '../../../../lambda/core/crypto/wrapping';
import { getParametersForImport } from '../../../../lambda/core/operations/import/get-parameters-for-import';
import { memoryDeps, TEST_CTX } from '../../../support/memory-deps';
import { aMaterial, anAwsKmsKey, anExternalKey, failure, Importer, patchKey, stored } from './helpers';

describe('GetParametersForImport', () => {
  test('returns the key ARN, a DER SPKI public key, a token and a validity of 24 hours', async () => {
    // GIVEN
    const deps = memoryDeps();
    const key = await anExternalKey(deps);
    // WHEN
    const out = await getParametersForImport(deps, TEST_CTX, { KeyId: key.keyId, WrappingAlgorithm: 'RSAES_OAEP_SHA_256', WrappingKeySpec: 'RSA_2048' });
    // THEN
    expect(out.KeyId).toBe(key.arn);
    expect(out.ParametersValidTo).toEqual(new Date(deps.clock.now().getTime() + 24 * 3600_000));
    const publicKey = createPublicKey({ key: Buffer.from(out.PublicKey), format: 'der', type: 'spki' });
    expect(publicKey.asymmetricKeyType).toBe('rsa');
    expect(publicKey.asymmetricKeyDetails?.modulusLength).toBe(2048);
    expect(out.ImportToken.length).toBeGreaterThan(0);
    expect(out.ImportToken.length).toBeLessThanOrEqual(6144);
  });

  test('accepts the key ARN as KeyId', async () => {
    const deps = memoryDeps();
    const key = await anExternalKey(deps);
    const out = await getParametersForImport(deps, TEST_CTX, { KeyId: key.arn, WrappingAlgorithm: 'RSAES_OAEP_SHA_1', WrappingKeySpec: 'RSA_2048' });
    expect(out.KeyId).toBe(key.arn);
  });

  test('stores nothing: the key record is not written', async () => {
    // GIVEN
    const deps = memoryDeps();
    const key = await anExternalKey(deps);
    // WHEN
    await getParametersForImport(deps, TEST_CTX, { KeyId: key.keyId, WrappingAlgorithm: 'RSAES_OAEP_SHA_256', WrappingKeySpec: 'RSA_2048' });
    // THEN
    expect((await stored(deps, key)).revision).toBe(key.revision);
    expect(deps.keys.keys.size).toBe(1);
  });

  test('issues a different key pair every time', async () => {
    const deps = memoryDeps();
    const key = await anExternalKey(deps);
    const input = { KeyId: key.keyId, WrappingAlgorithm: 'RSAES_OAEP_SHA_256', WrappingKeySpec: 'RSA_2048' } as const;
    const a = await getParametersForImport(deps, TEST_CTX, input);
    const b = await getParametersForImport(deps, TEST_CTX, input);
    expect(Buffer.from(a.PublicKey).equals(Buffer.from(b.PublicKey))).toBe(false);
  });

  test('binds the token to the key, the algorithm, the spec and the validity', async () => {
    const deps = memoryDeps();
    const key = await anExternalKey(deps);
    const out = await getParametersForImport(deps, TEST_CTX, { KeyId: key.keyId, WrappingAlgorithm: 'RSA_AES_KEY_WRAP_SHA_1', WrappingKeySpec: 'RSA_3072' });
    expect(decodeImportToken(out.ImportToken)).toMatchObject({
      keyId: key.keyId,
      algorithm: 'RSA_AES_KEY_WRAP_SHA_1',
      spec: 'RSA_3072',
      validTo: out.ParametersValidTo,
    });
  });

  test('RSA_4096 key pair: a 4096-bit public key and a token within 6144 bytes, usable for an import', async () => {
    // GIVEN
    const deps = memoryDeps();
    const key = await anExternalKey(deps);
    const client = new Importer(deps, key.keyId, 'RSA_AES_KEY_WRAP_SHA_256', 'RSA_4096');
    // WHEN
    const out = await client.parameters();
    const imported = await client.import(aMaterial());
    // THEN
    expect(createPublicKey({ key: Buffer.from(out.PublicKey), format: 'der', type: 'spki' }).asymmetricKeyDetails?.modulusLength).toBe(4096);
    expect(out.ImportToken.length).toBeLessThanOrEqual(6144);
    expect(imported.KeyMaterialId).toMatch(/^[0-9a-f]{64}$/);
  });

  test('is accepted in Enabled, Disabled and PendingImport', async () => {
    const deps = memoryDeps();
    for (const state of ['Enabled', 'Disabled', 'PendingImport'] as const) {
      const key = await anExternalKey(deps, { state });
      await expect(getParametersForImport(deps, TEST_CTX, { KeyId: key.keyId, WrappingAlgorithm: 'RSAES_OAEP_SHA_256', WrappingKeySpec: 'RSA_2048' }))
        .resolves.toMatchObject({ KeyId: key.arn });
    }
  });

  test('fails with KMSInvalidStateException while the key is pending deletion', async () => {
    // GIVEN
    const deps = memoryDeps();
    const key = await anExternalKey(deps);
    await patchKey(deps, key, { state: 'PendingDeletion', deletionDate: new Date('2026-01-20T00:00:00Z') });
    // WHEN
    const err = await failure(() => getParametersForImport(deps, TEST_CTX, { KeyId: key.keyId, WrappingAlgorithm: 'RSAES_OAEP_SHA_256', WrappingKeySpec: 'RSA_2048' }));
    // THEN
    expect(err).toMatchObject({ name: 'KMSInvalidStateException', message: `${key.arn} is pending deletion.` });
  });

  test('fails with UnsupportedOperationException for an AWS_KMS key', async () => {
    const deps = memoryDeps();
    const key = await anAwsKmsKey(deps);
    const err = await failure(() => getParametersForImport(deps, TEST_CTX, { KeyId: key.keyId, WrappingAlgorithm: 'RSAES_OAEP_SHA_256', WrappingKeySpec: 'RSA_2048' }));
    expect(err).toMatchObject({ name: 'UnsupportedOperationException', message: `${key.arn} origin is AWS_KMS which is not valid for this operation.` });
  });

  test('fails with NotFoundException for an alias (D18)', async () => {
    const deps = memoryDeps();
    const key = await anExternalKey(deps);
    await deps.keys.createAlias({ scope: key.scope, aliasName: 'alias/imported', targetKeyId: key.keyId, creationDate: deps.clock.now(), lastUpdatedDate: deps.clock.now() });
    const err = await failure(() => getParametersForImport(deps, TEST_CTX, { KeyId: 'alias/imported', WrappingAlgorithm: 'RSAES_OAEP_SHA_256', WrappingKeySpec: 'RSA_2048' }));
    expect(err).toMatchObject({ name: 'NotFoundException', message: "Invalid keyId 'alias/imported'" });
  });

  test('fails with NotFoundException for an unknown key, naming its ARN', async () => {
    const deps = memoryDeps();
    const keyId = '0000aaaa-12ab-34cd-56ef-1234567890ab';
    const err = await failure(() => getParametersForImport(deps, TEST_CTX, { KeyId: keyId, WrappingAlgorithm: 'RSAES_OAEP_SHA_256', WrappingKeySpec: 'RSA_2048' }));
    expect(err).toMatchObject({ name: 'NotFoundException', message: `Key 'arn:aws:kms:us-east-1:111122223333:key/${keyId}' does not exist` });
  });

  test('fails with ValidationException for RSAES_PKCS1_V1_5 (D8)', async () => {
    const deps = memoryDeps();
    const key = await anExternalKey(deps);
    const err = await failure(() => getParametersForImport(deps, TEST_CTX, { KeyId: key.keyId, WrappingAlgorithm: 'RSAES_PKCS1_V1_5', WrappingKeySpec: 'RSA_2048' }));
    expect(err).toMatchObject({ name: 'ValidationException', message: 'The wrapping algorithm RSAES_PKCS1_V1_5 is not supported.' });
  });

  test.each([
    ['SM2PKE', 'SM2'],
    ['SM2PKE', 'RSA_2048'],
    ['RSAES_OAEP_SHA_256', 'SM2'],
  ] as const)('fails with UnsupportedOperationException for %s with %s (China Regions only)', async (algorithm, spec) => {
    const deps = memoryDeps();
    const key = await anExternalKey(deps);
    const err = await failure(() => getParametersForImport(deps, TEST_CTX, { KeyId: key.keyId, WrappingAlgorithm: algorithm as WrappingAlgorithmSpec, WrappingKeySpec: spec as WrappingKeySpecName }));
    expect(err.name).toBe('UnsupportedOperationException');
  });
});

describe('GetParametersForImport: the refusal texts of the wrapping parameters', () => {
  test.each([
    ['SM2PKE', 'SM2', 'The wrapping algorithm SM2PKE is supported only in China Regions.'],
    ['SM2PKE', 'RSA_2048', 'The wrapping algorithm SM2PKE is supported only in China Regions.'],
    ['RSAES_OAEP_SHA_256', 'SM2', 'The wrapping key spec SM2 is supported only in China Regions.'],
  ] as const)('%s with %s: UnsupportedOperationException "%s"', async (algorithm, spec, message) => {
    const deps = memoryDeps();
    const key = await anExternalKey(deps);
    const err = await failure(() => getParametersForImport(deps, TEST_CTX, { KeyId: key.keyId, WrappingAlgorithm: algorithm, WrappingKeySpec: spec }));
    expect(err).toMatchObject({ name: 'UnsupportedOperationException', message });
  });

  test.each([
    ['RSAES_OAEP_SHA_512', 'RSA_2048', 'The wrapping algorithm RSAES_OAEP_SHA_512 is not supported.'],
    ['RSAES_OAEP_SHA_256', 'RSA_1024', 'The wrapping key spec RSA_1024 is not supported.'],
  ])('a value outside the enum, %s with %s: ValidationException "%s", before the key is looked up', async (algorithm, spec, message) => {
    const deps = memoryDeps();
    const input = { WrappingAlgorithm: algorithm as WrappingAlgorithmSpec, WrappingKeySpec: spec as WrappingKeySpecName };
    const key = await anExternalKey(deps);
    expect(await failure(() => getParametersForImport(deps, TEST_CTX, { KeyId: key.keyId, ...input }))).toMatchObject({ name: 'ValidationException', message });
    // the parameters are checked first: a key that does not exist gets the same answer
    expect(await failure(() => getParametersForImport(deps, TEST_CTX, { KeyId: '0000aaaa-12ab-34cd-56ef-1234567890ab', ...input }))).toMatchObject({ name: 'ValidationException', message });
  });
});
