/**
 * The key-usage refusals (operations/key-usage.ts and its callers): a key of another usage or spec is
 * InvalidKeyUsageException naming the key, its usage and the operation the caller called (spec
 * kms-key-specs.md §4: `<key ARN> key usage is <KeyUsage> which is not valid for <Operation>.`), on every
 * path that checks it, DryRun's IGNORE_CIPHERTEXT included.
 */
import { describe, expect, test } from 'vitest';
import { decrypt } from '../../../../lambda/core/operations/cryptography/decrypt';
import { encrypt } from '../../../../lambda/core/operations/cryptography/encrypt';
import { generateDataKeyPairWithoutPlaintext } from '../../../../lambda/core/operations/cryptography/generate-data-key-pair-without-plaintext';
import { generateDataKeyWithoutPlaintext } from '../../../../lambda/core/operations/cryptography/generate-data-key-without-plaintext';
import { reEncrypt } from '../../../../lambda/core/operations/cryptography/re-encrypt';
import { verifyMac } from '../../../../lambda/core/operations/mac/verify-mac';
import { getPublicKey } from '../../../../lambda/core/operations/signing/get-public-key';
import { memoryDeps, TEST_CTX, type MemoryDeps } from '../../../support/memory-deps';
import { bytes, failure, newKey, patchKey } from './helpers';

type Kinds = Awaited<ReturnType<typeof keys>>;

/** One key of each kind for the whole file (RSA generation is slow on a busy machine). */
async function keys(deps: MemoryDeps) {
  const symmetric = await newKey(deps);
  const hmac = await newKey(deps, { KeySpec: 'HMAC_256', KeyUsage: 'GENERATE_VERIFY_MAC' });
  const rsaSigning = await newKey(deps, { KeySpec: 'RSA_2048', KeyUsage: 'SIGN_VERIFY' });
  const rsaEncryption = await newKey(deps, { KeySpec: 'RSA_2048', KeyUsage: 'ENCRYPT_DECRYPT' });
  const { CiphertextBlob: blob } = await encrypt(deps, TEST_CTX, { KeyId: symmetric.KeyId, Plaintext: bytes('secret') });
  return { symmetric, hmac, rsaSigning, rsaEncryption, blob };
}

// Made in the first test, not when the file loads: what runs outside a test counts as static for Stryker.
let deps: MemoryDeps;
let made: ReturnType<typeof keys> | undefined;
const ready = () => (made ??= keys((deps = memoryDeps())));
const ignoreCiphertext = { DryRun: true, DryRunModifiers: ['IGNORE_CIPHERTEXT'] } as const;

describe('InvalidKeyUsageException names the operation called', () => {
  test.each<[string, (ks: Kinds) => [Promise<unknown>, { Arn: string }, string, string]]>([
    ['Decrypt with DryRun and IGNORE_CIPHERTEXT, an HMAC KeyId', (ks) => [decrypt(deps, TEST_CTX, { CiphertextBlob: ks.blob, KeyId: ks.hmac.KeyId, ...ignoreCiphertext }), ks.hmac, 'GENERATE_VERIFY_MAC', 'Decrypt']],
    ['Decrypt, an RSA signing KeyId', (ks) => [decrypt(deps, TEST_CTX, { CiphertextBlob: ks.blob, KeyId: ks.rsaSigning.KeyId, EncryptionAlgorithm: 'RSAES_OAEP_SHA_256' }), ks.rsaSigning, 'SIGN_VERIFY', 'Decrypt']],
    ['ReEncrypt with DryRun and IGNORE_CIPHERTEXT, an HMAC source', (ks) => [reEncrypt(deps, TEST_CTX, { SourceKeyId: ks.hmac.KeyId, DestinationKeyId: ks.symmetric.KeyId, ...ignoreCiphertext }), ks.hmac, 'GENERATE_VERIFY_MAC', 'ReEncrypt']],
    ['ReEncrypt with DryRun and IGNORE_CIPHERTEXT, an HMAC destination', (ks) => [reEncrypt(deps, TEST_CTX, { SourceKeyId: ks.symmetric.KeyId, DestinationKeyId: ks.hmac.KeyId, ...ignoreCiphertext }), ks.hmac, 'GENERATE_VERIFY_MAC', 'ReEncrypt']],
    ['ReEncrypt, an RSA signing source', (ks) => [reEncrypt(deps, TEST_CTX, { CiphertextBlob: ks.blob, SourceKeyId: ks.rsaSigning.KeyId, SourceEncryptionAlgorithm: 'RSAES_OAEP_SHA_256', DestinationKeyId: ks.symmetric.KeyId }), ks.rsaSigning, 'SIGN_VERIFY', 'ReEncrypt']],
    ['ReEncrypt, an HMAC destination', (ks) => [reEncrypt(deps, TEST_CTX, { CiphertextBlob: ks.blob, DestinationKeyId: ks.hmac.KeyId }), ks.hmac, 'GENERATE_VERIFY_MAC', 'ReEncrypt']],
    ['VerifyMac, a symmetric key', (ks) => [verifyMac(deps, TEST_CTX, { KeyId: ks.symmetric.KeyId, Message: bytes('m'), MacAlgorithm: 'HMAC_SHA_256', Mac: new Uint8Array(32) }), ks.symmetric, 'ENCRYPT_DECRYPT', 'VerifyMac']],
    ['GenerateDataKeyWithoutPlaintext, an HMAC key', (ks) => [generateDataKeyWithoutPlaintext(deps, TEST_CTX, { KeyId: ks.hmac.KeyId, KeySpec: 'AES_256' }), ks.hmac, 'GENERATE_VERIFY_MAC', 'GenerateDataKeyWithoutPlaintext']],
    ['GenerateDataKeyPairWithoutPlaintext, an RSA signing key', (ks) => [generateDataKeyPairWithoutPlaintext(deps, TEST_CTX, { KeyId: ks.rsaSigning.KeyId, KeyPairSpec: 'ECC_NIST_P256' }), ks.rsaSigning, 'SIGN_VERIFY', 'GenerateDataKeyPairWithoutPlaintext']],
  ])('%s', async (_, call) => {
    const [promise, key, usage, operation] = call(await ready());
    expect(await failure(promise)).toMatchObject({ name: 'InvalidKeyUsageException', message: `${key.Arn} key usage is ${usage} which is not valid for ${operation}.` });
  });

  test.each([
    ['GenerateDataKeyWithoutPlaintext', (ks: Kinds) => generateDataKeyWithoutPlaintext(deps, TEST_CTX, { KeyId: ks.rsaEncryption.KeyId, KeySpec: 'AES_256' })],
    ['GenerateDataKeyPairWithoutPlaintext', (ks: Kinds) => generateDataKeyPairWithoutPlaintext(deps, TEST_CTX, { KeyId: ks.rsaEncryption.KeyId, KeyPairSpec: 'ECC_NIST_P256' })],
  ])('%s with an RSA encryption key: its KeySpec is named', async (operation, call) => {
    const ks = await ready();
    expect(await failure(call(ks))).toMatchObject({ name: 'InvalidKeyUsageException', message: `${ks.rsaEncryption.Arn} key KeySpec is RSA_2048 which is not valid for ${operation}.` });
  });
});

describe('a damaged record: an Enabled key whose current material is not there', () => {
  test('Encrypt and GetPublicKey answer KMSInternalException (a server fault), not a crash', async () => {
    const own = memoryDeps();
    const symmetric = await newKey(own);
    const ecc = await newKey(own, { KeySpec: 'ECC_NIST_P256', KeyUsage: 'SIGN_VERIFY' });
    for (const { KeyId } of [symmetric, ecc]) await patchKey(own, KeyId, (key) => ({ ...key, currentMaterialId: 'f'.repeat(64) }));
    expect(await failure(encrypt(own, TEST_CTX, { KeyId: symmetric.KeyId, Plaintext: bytes('x') }))).toMatchObject({ name: 'KMSInternalException', message: 'An internal error occurred.' });
    expect(await failure(getPublicKey(own, TEST_CTX, { KeyId: ecc.KeyId }))).toMatchObject({ name: 'KMSInternalException', message: 'An internal error occurred.' });
  });
});
