/**
 * GenerateMac / VerifyMac on HMAC keys (spec kms-key-specs.md §7), DeriveSharedSecret on KEY_AGREEMENT keys
 * (§9), and GenerateDataKeyPair* for every KeyPairSpec (§10).
 */
import { createHmac, createPrivateKey, createPublicKey, diffieHellman, generateKeyPairSync, sign as nodeSign, verify as nodeVerify } from 'node:crypto';
import { describe, expect, test } from 'vitest';
import { decrypt } from '../../../../lambda/core/operations/cryptography/decrypt';
import { createKey } from '../../../../lambda/core/operations/keys/create-key';
import { generateDataKeyPair } from '../../../../lambda/core/operations/cryptography/generate-data-key-pair';
import { generateDataKeyPairWithoutPlaintext } from '../../../../lambda/core/operations/cryptography/generate-data-key-pair-without-plaintext';
import { deriveSharedSecret } from '../../../../lambda/core/operations/key-agreement/derive-shared-secret';
import { generateMac } from '../../../../lambda/core/operations/mac/generate-mac';
import { verifyMac } from '../../../../lambda/core/operations/mac/verify-mac';
import { getPublicKey } from '../../../../lambda/core/operations/signing/get-public-key';
import { materialContext } from '../../../../lambda/core/key-access';
import { memoryDeps, TEST_CTX } from '../../../support/memory-deps';
import { bytes, failure, newKey, storedKey } from '../keys/helpers';

const MESSAGE = bytes('pay 100 to bob');

describe('GenerateMac and VerifyMac', () => {
  test.each([
    ['HMAC_224', 'HMAC_SHA_224', 'sha224', 28],
    ['HMAC_256', 'HMAC_SHA_256', 'sha256', 32],
    ['HMAC_384', 'HMAC_SHA_384', 'sha384', 48],
    ['HMAC_512', 'HMAC_SHA_512', 'sha512', 64],
  ] as const)('%s: the RFC 2104 HMAC (%s) of the key, %i bytes, that VerifyMac accepts', async (spec, algorithm, hash, length) => {
    const deps = memoryDeps();
    const md = await newKey(deps, { KeySpec: spec, KeyUsage: 'GENERATE_VERIFY_MAC' });
    const out = await generateMac(deps, TEST_CTX, { KeyId: md.KeyId, Message: MESSAGE, MacAlgorithm: algorithm });
    expect(out).toEqual({ Mac: out.Mac, MacAlgorithm: algorithm, KeyId: md.Arn });
    expect(out.Mac).toHaveLength(length);
    const key = await storedKey(deps, md.KeyId);
    const material = await deps.rootKey.unwrap(key.materials[0]!.wrapped!, materialContext(key, key.materials[0]!.materialId));
    expect(Buffer.from(out.Mac).equals(createHmac(hash, material).update(MESSAGE).digest())).toBe(true);
    await expect(verifyMac(deps, TEST_CTX, { KeyId: md.KeyId, Message: MESSAGE, MacAlgorithm: algorithm, Mac: out.Mac })).resolves.toEqual({ KeyId: md.Arn, MacValid: true, MacAlgorithm: algorithm });
    for (const [message, mac] of [[bytes('pay 900 to bob'), out.Mac], [MESSAGE, out.Mac.subarray(1)]] as const) {
      expect(await failure(verifyMac(deps, TEST_CTX, { KeyId: md.KeyId, Message: message, MacAlgorithm: algorithm, Mac: mac }))).toMatchObject({ name: 'KMSInvalidMacException', message: '' });
    }
  });

  test('fails with InvalidKeyUsageException for another spec\'s algorithm and for a key of another usage', async () => {
    const deps = memoryDeps();
    const md = await newKey(deps, { KeySpec: 'HMAC_224', KeyUsage: 'GENERATE_VERIFY_MAC' });
    expect(await failure(generateMac(deps, TEST_CTX, { KeyId: md.KeyId, Message: MESSAGE, MacAlgorithm: 'HMAC_SHA_256' }))).toMatchObject({
      name: 'InvalidKeyUsageException',
      message: 'Algorithm HMAC_SHA_256 is incompatible with key spec HMAC_224.',
    });
    const symmetric = await newKey(deps);
    expect(await failure(generateMac(deps, TEST_CTX, { KeyId: symmetric.KeyId, Message: MESSAGE, MacAlgorithm: 'HMAC_SHA_256' }))).toMatchObject({
      name: 'InvalidKeyUsageException',
      message: `${symmetric.Arn} key usage is ENCRYPT_DECRYPT which is not valid for GenerateMac.`,
    });
  });

  test('DryRun: GenerateMac stops before computing; VerifyMac checks the MAC first', async () => {
    const deps = memoryDeps();
    const md = await newKey(deps, { KeySpec: 'HMAC_512', KeyUsage: 'GENERATE_VERIFY_MAC' });
    const { Mac } = await generateMac(deps, TEST_CTX, { KeyId: md.KeyId, Message: MESSAGE, MacAlgorithm: 'HMAC_SHA_512' });
    expect((await failure(generateMac(deps, TEST_CTX, { KeyId: md.KeyId, Message: MESSAGE, MacAlgorithm: 'HMAC_SHA_512', DryRun: true }))).name).toBe('DryRunOperationException');
    expect((await failure(verifyMac(deps, TEST_CTX, { KeyId: md.KeyId, Message: MESSAGE, MacAlgorithm: 'HMAC_SHA_512', Mac, DryRun: true }))).name).toBe('DryRunOperationException');
    expect((await failure(verifyMac(deps, TEST_CTX, { KeyId: md.KeyId, Message: bytes('x'), MacAlgorithm: 'HMAC_SHA_512', Mac, DryRun: true }))).name).toBe('KMSInvalidMacException');
  });
});

describe('DeriveSharedSecret', () => {
  test.each([
    ['ECC_NIST_P256', 'prime256v1', 32],
    ['ECC_NIST_P384', 'secp384r1', 48],
    ['ECC_NIST_P521', 'secp521r1', 66],
  ])('%s: the raw ECDH secret the peer computes too (%s, %i bytes)', async (spec, curve, length) => {
    const deps = memoryDeps();
    const md = await newKey(deps, { KeySpec: spec, KeyUsage: 'KEY_AGREEMENT' });
    const peer = generateKeyPairSync('ec', { namedCurve: curve });
    const out = await deriveSharedSecret(deps, TEST_CTX, { KeyId: md.KeyId, KeyAgreementAlgorithm: 'ECDH', PublicKey: peer.publicKey.export({ type: 'spki', format: 'der' }) });
    expect(out).toEqual({ KeyId: md.Arn, SharedSecret: out.SharedSecret, KeyAgreementAlgorithm: 'ECDH', KeyOrigin: 'AWS_KMS' });
    expect(out.SharedSecret).toHaveLength(length);
    const ours = createPublicKey({ key: Buffer.from((await getPublicKey(deps, TEST_CTX, { KeyId: md.KeyId })).PublicKey), format: 'der', type: 'spki' });
    expect(Buffer.from(out.SharedSecret).equals(diffieHellman({ privateKey: peer.privateKey, publicKey: ours }))).toBe(true);
  });

  test('fails with ValidationException (empty message) for a public key on another curve or not a public key at all', async () => {
    const deps = memoryDeps();
    const md = await newKey(deps, { KeySpec: 'ECC_NIST_P256', KeyUsage: 'KEY_AGREEMENT' });
    const otherCurve = generateKeyPairSync('ec', { namedCurve: 'secp384r1' }).publicKey.export({ type: 'spki', format: 'der' });
    for (const publicKey of [otherCurve, bytes('not a key'), generateKeyPairSync('ed25519').publicKey.export({ type: 'spki', format: 'der' })]) {
      expect(await failure(deriveSharedSecret(deps, TEST_CTX, { KeyId: md.KeyId, KeyAgreementAlgorithm: 'ECDH', PublicKey: publicKey }))).toMatchObject({ name: 'ValidationException', message: '' });
    }
  });

  test('fails with InvalidKeyUsageException for a signing key and a symmetric key', async () => {
    const deps = memoryDeps();
    const peer = generateKeyPairSync('ec', { namedCurve: 'prime256v1' }).publicKey.export({ type: 'spki', format: 'der' });
    for (const [input, usage] of [[{ KeySpec: 'ECC_NIST_P256', KeyUsage: 'SIGN_VERIFY' }, 'SIGN_VERIFY'], [{}, 'ENCRYPT_DECRYPT']] as const) {
      const md = await newKey(deps, input);
      expect(await failure(deriveSharedSecret(deps, TEST_CTX, { KeyId: md.KeyId, KeyAgreementAlgorithm: 'ECDH', PublicKey: peer }))).toMatchObject({
        name: 'InvalidKeyUsageException',
        message: `${md.Arn} key usage is ${usage} which is not valid for DeriveSharedSecret.`,
      });
    }
  });
});

describe('GenerateDataKeyPair and GenerateDataKeyPairWithoutPlaintext', () => {
  test.each([
    ['RSA_2048', 'rsa', 2048],
    ['RSA_3072', 'rsa', 3072],
    ['RSA_4096', 'rsa', 4096],
    ['ECC_NIST_P256', 'ec', 'prime256v1'],
    ['ECC_NIST_P384', 'ec', 'secp384r1'],
    ['ECC_NIST_P521', 'ec', 'secp521r1'],
    ['ECC_SECG_P256K1', 'ec', 'secp256k1'],
    ['ECC_NIST_EDWARDS25519', 'ed25519', undefined],
  ] as const)('%s: a PKCS#8 private key, its SPKI public key, and the private key sealed under the symmetric key', async (spec, type, size) => {
    const deps = memoryDeps();
    const wrapping = await newKey(deps);
    const out = await generateDataKeyPair(deps, TEST_CTX, { KeyId: wrapping.KeyId, KeyPairSpec: spec, EncryptionContext: { purpose: 'test' } });
    expect(out).toEqual({
      PrivateKeyCiphertextBlob: out.PrivateKeyCiphertextBlob,
      PrivateKeyPlaintext: out.PrivateKeyPlaintext,
      PublicKey: out.PublicKey,
      KeyId: wrapping.Arn,
      KeyPairSpec: spec,
      KeyMaterialId: wrapping.CurrentKeyMaterialId,
    });
    const privateKey = createPrivateKey({ key: Buffer.from(out.PrivateKeyPlaintext), format: 'der', type: 'pkcs8' });
    expect(privateKey.asymmetricKeyType).toBe(type);
    const details = privateKey.asymmetricKeyDetails ?? {};
    expect(details.modulusLength ?? details.namedCurve).toBe(size);
    const publicKey = createPublicKey({ key: Buffer.from(out.PublicKey), format: 'der', type: 'spki' });
    const digest = type === 'ed25519' ? null : 'sha256';
    expect(nodeVerify(digest, MESSAGE, publicKey, nodeSign(digest, MESSAGE, privateKey))).toBe(true);
    const opened = await decrypt(deps, TEST_CTX, { CiphertextBlob: out.PrivateKeyCiphertextBlob, EncryptionContext: { purpose: 'test' } });
    expect(Buffer.from(opened.Plaintext).equals(Buffer.from(out.PrivateKeyPlaintext))).toBe(true);

    const without = await generateDataKeyPairWithoutPlaintext(deps, TEST_CTX, { KeyId: wrapping.KeyId, KeyPairSpec: spec });
    expect(Object.keys(without).sort()).toEqual(['KeyId', 'KeyMaterialId', 'KeyPairSpec', 'PrivateKeyCiphertextBlob', 'PublicKey']);
    expect(Buffer.from(without.PublicKey).equals(Buffer.from(out.PublicKey))).toBe(false);
  });

  test('fails with InvalidKeyUsageException for an asymmetric key, UnsupportedOperationException for SM2, DryRunOperationException for DryRun', async () => {
    const deps = memoryDeps();
    const rsa = await newKey(deps, { KeySpec: 'RSA_2048', KeyUsage: 'ENCRYPT_DECRYPT' });
    expect(await failure(generateDataKeyPair(deps, TEST_CTX, { KeyId: rsa.KeyId, KeyPairSpec: 'ECC_NIST_P256' }))).toMatchObject({
      name: 'InvalidKeyUsageException',
      message: `${rsa.Arn} key KeySpec is RSA_2048 which is not valid for GenerateDataKeyPair.`,
    });
    const symmetric = await newKey(deps);
    expect(await failure(generateDataKeyPairWithoutPlaintext(deps, TEST_CTX, { KeyId: symmetric.KeyId, KeyPairSpec: 'SM2' }))).toMatchObject({
      name: 'UnsupportedOperationException',
      message: 'KeyPairSpec SM2 is not supported in this Region',
    });
    expect((await failure(generateDataKeyPair(deps, TEST_CTX, { KeyId: symmetric.KeyId, KeyPairSpec: 'RSA_2048', DryRun: true }))).name).toBe('DryRunOperationException');
  });

  test('SM2 in a China Region: UnsupportedOperationException, this service cannot make SM2 pairs', async () => {
    const deps = memoryDeps();
    const china = { scope: { partition: 'aws-cn', account: '111122223333', region: 'cn-north-1' } };
    const { KeyMetadata } = await createKey(deps, china, {});
    for (const operation of [generateDataKeyPair, generateDataKeyPairWithoutPlaintext]) {
      expect(await failure(operation(deps, china, { KeyId: KeyMetadata.KeyId, KeyPairSpec: 'SM2' }))).toMatchObject({
        name: 'UnsupportedOperationException',
        message: 'KeyPairSpec SM2 is not supported by this service.',
      });
    }
  });
});

describe('DeriveSharedSecret with DryRun', () => {
  test('DryRunOperationException once the peer key is checked: a bad peer key is still ValidationException; DryRun false answers', async () => {
    const deps = memoryDeps();
    const md = await newKey(deps, { KeySpec: 'ECC_NIST_P256', KeyUsage: 'KEY_AGREEMENT' });
    const peer = generateKeyPairSync('ec', { namedCurve: 'prime256v1' }).publicKey.export({ type: 'spki', format: 'der' });
    const input = { KeyId: md.KeyId, KeyAgreementAlgorithm: 'ECDH', PublicKey: peer } as const;
    expect(await failure(deriveSharedSecret(deps, TEST_CTX, { ...input, DryRun: true }))).toMatchObject({ name: 'DryRunOperationException' });
    expect(await failure(deriveSharedSecret(deps, TEST_CTX, { ...input, PublicKey: bytes('not a key'), DryRun: true }))).toMatchObject({ name: 'ValidationException', message: '' });
    expect((await deriveSharedSecret(deps, TEST_CTX, { ...input, DryRun: false })).SharedSecret).toHaveLength(32);
  });
});
