/**
 * Encrypt, Decrypt and ReEncrypt with RSA ENCRYPT_DECRYPT keys (spec kms-key-specs.md §8): raw
 * RSAES-OAEP ciphertexts of the modulus size, the plaintext limit per key size and hash, the algorithm
 * required, no encryption context, and ciphertexts made offline with the public key.
 */
import { constants, createPrivateKey, createPublicKey, publicEncrypt } from 'node:crypto';
import { describe, expect, test } from 'vitest';
import { materialContext } from '../../../../lambda/core/key-access';
import { decrypt } from '../../../../lambda/core/operations/cryptography/decrypt';
import { encrypt } from '../../../../lambda/core/operations/cryptography/encrypt';
import { generateDataKey } from '../../../../lambda/core/operations/cryptography/generate-data-key';
import { reEncrypt } from '../../../../lambda/core/operations/cryptography/re-encrypt';
import { memoryDeps, TEST_CTX, type MemoryDeps } from '../../../support/memory-deps';
import { bytes, failure, newKey, storedKey } from '../keys/helpers';

async function rsaKey(deps: MemoryDeps, spec = 'RSA_2048') {
  return newKey(deps, { KeySpec: spec, KeyUsage: 'ENCRYPT_DECRYPT' });
}

async function publicKeyOf(deps: MemoryDeps, keyId: string) {
  const key = await storedKey(deps, keyId);
  const m = key.materials[0]!;
  return createPublicKey(createPrivateKey({ key: Buffer.from(await deps.rootKey.unwrap(m.wrapped!, materialContext(key, m.materialId))), format: 'der', type: 'pkcs8' }));
}

describe('RSA encryption', () => {
  test.each(['RSAES_OAEP_SHA_1', 'RSAES_OAEP_SHA_256'] as const)('%s: a raw OAEP ciphertext of the modulus size that Decrypt opens with KeyId and algorithm', async (algorithm) => {
    const deps = memoryDeps();
    const md = await rsaKey(deps);
    const out = await encrypt(deps, TEST_CTX, { KeyId: md.KeyId, Plaintext: bytes('attack at dawn'), EncryptionAlgorithm: algorithm });
    expect(out).toEqual({ CiphertextBlob: out.CiphertextBlob, KeyId: md.Arn, EncryptionAlgorithm: algorithm });
    expect(out.CiphertextBlob).toHaveLength(256);
    const opened = await decrypt(deps, TEST_CTX, { CiphertextBlob: out.CiphertextBlob, KeyId: md.KeyId, EncryptionAlgorithm: algorithm });
    expect(opened).toEqual({ KeyId: md.Arn, Plaintext: bytes('attack at dawn'), EncryptionAlgorithm: algorithm });
    expect(opened).not.toHaveProperty('KeyMaterialId');
  });

  test('decrypts what a client encrypted offline with the public key', async () => {
    const deps = memoryDeps();
    const md = await rsaKey(deps);
    const offline = publicEncrypt({ key: await publicKeyOf(deps, md.KeyId), padding: constants.RSA_PKCS1_OAEP_PADDING, oaepHash: 'sha256' }, bytes('offline'));
    const opened = await decrypt(deps, TEST_CTX, { CiphertextBlob: offline, KeyId: md.Arn, EncryptionAlgorithm: 'RSAES_OAEP_SHA_256' });
    expect(Buffer.from(opened.Plaintext).toString()).toBe('offline');
  });

  test.each([
    ['RSA_2048', 'RSAES_OAEP_SHA_1', 214],
    ['RSA_2048', 'RSAES_OAEP_SHA_256', 190],
    ['RSA_3072', 'RSAES_OAEP_SHA_1', 342],
    ['RSA_3072', 'RSAES_OAEP_SHA_256', 318],
    ['RSA_4096', 'RSAES_OAEP_SHA_1', 470],
    ['RSA_4096', 'RSAES_OAEP_SHA_256', 446],
  ] as const)('%s with %s encrypts %i bytes and refuses one more with ValidationException', async (spec, algorithm, max) => {
    const deps = memoryDeps();
    const md = await rsaKey(deps, spec);
    await expect(encrypt(deps, TEST_CTX, { KeyId: md.KeyId, Plaintext: new Uint8Array(max), EncryptionAlgorithm: algorithm })).resolves.toBeDefined();
    expect(await failure(encrypt(deps, TEST_CTX, { KeyId: md.KeyId, Plaintext: new Uint8Array(max + 1), EncryptionAlgorithm: algorithm }))).toMatchObject({
      name: 'ValidationException',
      message: `Algorithm ${algorithm} and key spec ${spec} cannot encrypt data larger than ${max} bytes.`,
    });
  });

  test('fails with InvalidKeyUsageException without an EncryptionAlgorithm (it defaults to SYMMETRIC_DEFAULT)', async () => {
    const deps = memoryDeps();
    const md = await rsaKey(deps, 'RSA_3072');
    const expected = { name: 'InvalidKeyUsageException', message: 'Algorithm SYMMETRIC_DEFAULT is incompatible with key spec RSA_3072.' };
    expect(await failure(encrypt(deps, TEST_CTX, { KeyId: md.KeyId, Plaintext: bytes('x') }))).toMatchObject(expected);
    const { CiphertextBlob } = await encrypt(deps, TEST_CTX, { KeyId: md.KeyId, Plaintext: bytes('x'), EncryptionAlgorithm: 'RSAES_OAEP_SHA_1' });
    expect(await failure(decrypt(deps, TEST_CTX, { CiphertextBlob, KeyId: md.KeyId }))).toMatchObject(expected);
  });

  test('fails with InvalidCiphertextException (empty message) for the other OAEP hash, a tampered ciphertext, or no KeyId', async () => {
    const deps = memoryDeps();
    const md = await rsaKey(deps);
    const { CiphertextBlob } = await encrypt(deps, TEST_CTX, { KeyId: md.KeyId, Plaintext: bytes('x'), EncryptionAlgorithm: 'RSAES_OAEP_SHA_256' });
    const tampered = Uint8Array.from(CiphertextBlob);
    tampered[10]! ^= 1;
    for (const input of [
      { CiphertextBlob, KeyId: md.KeyId, EncryptionAlgorithm: 'RSAES_OAEP_SHA_1' as const },
      { CiphertextBlob: tampered, KeyId: md.KeyId, EncryptionAlgorithm: 'RSAES_OAEP_SHA_256' as const },
      { CiphertextBlob, EncryptionAlgorithm: 'RSAES_OAEP_SHA_256' as const },
    ]) {
      expect(await failure(decrypt(deps, TEST_CTX, input))).toMatchObject({ name: 'InvalidCiphertextException', message: '' });
    }
  });

  test('fails with ValidationException for an encryption context (D49)', async () => {
    const deps = memoryDeps();
    const md = await rsaKey(deps);
    const err = await failure(encrypt(deps, TEST_CTX, { KeyId: md.KeyId, Plaintext: bytes('x'), EncryptionAlgorithm: 'RSAES_OAEP_SHA_256', EncryptionContext: { a: 'b' } }));
    expect(err).toMatchObject({ name: 'ValidationException', message: 'The RSAES_OAEP_SHA_256 encryption algorithm does not support an encryption context; omit EncryptionContext for asymmetric KMS keys.' });
  });

  test('ReEncrypt moves a ciphertext from a symmetric key to an RSA key and back, with material ids only on the symmetric side', async () => {
    const deps = memoryDeps();
    const rsa = await rsaKey(deps);
    const symmetric = await newKey(deps);
    const sealed = await encrypt(deps, TEST_CTX, { KeyId: symmetric.KeyId, Plaintext: bytes('moving') });
    const toRsa = await reEncrypt(deps, TEST_CTX, { CiphertextBlob: sealed.CiphertextBlob, DestinationKeyId: rsa.KeyId, DestinationEncryptionAlgorithm: 'RSAES_OAEP_SHA_1' });
    expect(toRsa).toEqual({
      CiphertextBlob: toRsa.CiphertextBlob,
      SourceKeyId: symmetric.Arn,
      KeyId: rsa.Arn,
      SourceEncryptionAlgorithm: 'SYMMETRIC_DEFAULT',
      DestinationEncryptionAlgorithm: 'RSAES_OAEP_SHA_1',
      SourceKeyMaterialId: symmetric.CurrentKeyMaterialId,
    });
    const back = await reEncrypt(deps, TEST_CTX, {
      CiphertextBlob: toRsa.CiphertextBlob,
      SourceKeyId: rsa.KeyId,
      SourceEncryptionAlgorithm: 'RSAES_OAEP_SHA_1',
      DestinationKeyId: symmetric.KeyId,
    });
    expect(back).toMatchObject({ SourceKeyId: rsa.Arn, KeyId: symmetric.Arn, DestinationKeyMaterialId: symmetric.CurrentKeyMaterialId });
    expect(back).not.toHaveProperty('SourceKeyMaterialId');
    expect(Buffer.from((await decrypt(deps, TEST_CTX, { CiphertextBlob: back.CiphertextBlob })).Plaintext).toString()).toBe('moving');
  });

  test('fails with InvalidKeyUsageException for GenerateDataKey with an RSA key and for Encrypt with a signing key', async () => {
    const deps = memoryDeps();
    const rsa = await rsaKey(deps);
    expect(await failure(generateDataKey(deps, TEST_CTX, { KeyId: rsa.KeyId, KeySpec: 'AES_256' }))).toMatchObject({
      name: 'InvalidKeyUsageException',
      message: `${rsa.Arn} key KeySpec is RSA_2048 which is not valid for GenerateDataKey.`,
    });
    const signing = await newKey(deps, { KeySpec: 'ECC_NIST_P256', KeyUsage: 'SIGN_VERIFY' });
    expect(await failure(encrypt(deps, TEST_CTX, { KeyId: signing.KeyId, Plaintext: bytes('x') }))).toMatchObject({
      name: 'InvalidKeyUsageException',
      message: `${signing.Arn} key usage is SIGN_VERIFY which is not valid for Encrypt.`,
    });
  });
});

describe('RSA encryption: the context and a missing ciphertext', () => {
  test('an empty EncryptionContext is no context: Encrypt and Decrypt accept it (D49 refuses only a non-empty one)', async () => {
    const deps = memoryDeps();
    const md = await rsaKey(deps);
    const out = await encrypt(deps, TEST_CTX, { KeyId: md.KeyId, Plaintext: bytes('x'), EncryptionAlgorithm: 'RSAES_OAEP_SHA_256', EncryptionContext: {} });
    const opened = await decrypt(deps, TEST_CTX, { CiphertextBlob: out.CiphertextBlob, KeyId: md.KeyId, EncryptionAlgorithm: 'RSAES_OAEP_SHA_256', EncryptionContext: {} });
    expect(new TextDecoder().decode(opened.Plaintext)).toBe('x');
  });

  test('Decrypt without CiphertextBlob (outside a DryRun with IGNORE_CIPHERTEXT) is ValidationException naming ciphertextBlob, for an RSA KeyId and for none', async () => {
    const deps = memoryDeps();
    const md = await rsaKey(deps);
    const missing = { name: 'ValidationException', message: "1 validation error detected: Value null at 'ciphertextBlob' failed to satisfy constraint: Member must not be null" };
    expect(await failure(decrypt(deps, TEST_CTX, { KeyId: md.KeyId, EncryptionAlgorithm: 'RSAES_OAEP_SHA_256' }))).toMatchObject(missing);
    expect(await failure(decrypt(deps, TEST_CTX, {}))).toMatchObject(missing);
  });
});
