/**
 * The checks every key-pair family makes of imported material (lambda/core/crypto/families/key-pair-material.ts), seen
 * through ImportKeyMaterial: a PKCS#8 that OpenSSL reads but node:crypto cannot name (an SM2 key: China-only, D8) is
 * refused as "a different key".
 */
import { describe, expect, test } from 'vitest';
import { describeKey } from '../../../../../lambda/core/operations/keys/describe-key';
import { memoryDeps, TEST_CTX } from '../../../../support/memory-deps';
import { failure, Importer } from '../../import/helpers';
import { newKey } from '../../keys/helpers';

// A throwaway SM2 private key (openssl genpkey -algorithm SM2, then openssl pkcs8 -topk8 -nocrypt): id-ecPublicKey on
// the SM2 curve. node:crypto parses it and reports no asymmetricKeyType.
const SM2_PKCS8 = new Uint8Array(
  Buffer.from(
    '308187020100301306072a8648ce3d020106082a811ccf5501822d046d306b0201010420a31f38fa63328215f4777234c1fb6dd19e4e75df23af786faa61ba3e965c4ec2a14403420004a097767d9326d4e0eb989803f06762c97a8aed4356570348b09bb6ff80680d7383f09f0da8f2f54c14337153e40f91a693e5f6badac32de8b1b83c2fd04a76cf',
    'hex',
  ),
);

describe('imported key-pair material', () => {
  test.each([
    ['ECC_NIST_P256', 'an EC private key on curve P-256', 'RSAES_OAEP_SHA_256'],
    ['ECC_NIST_EDWARDS25519', 'an Ed25519 private key', 'RSAES_OAEP_SHA_256'],
    ['RSA_2048', 'an RSA private key', 'RSA_AES_KEY_WRAP_SHA_256'],
  ] as const)('%s: an SM2 private key is IncorrectKeyMaterialException "not a different key", and the key stays PendingImport', async (spec, what, wrapping) => {
    // GIVEN
    const deps = memoryDeps();
    const { KeyId } = await newKey(deps, { KeySpec: spec, KeyUsage: 'SIGN_VERIFY', Origin: 'EXTERNAL' });
    // WHEN
    const error = await failure(() => new Importer(deps, KeyId, wrapping).importOther(SM2_PKCS8));
    // THEN
    expect(error).toMatchObject({ name: 'IncorrectKeyMaterialException', message: `The key material is not valid for a ${spec} KMS key: it must hold ${what}, not a different key.` });
    expect((await describeKey(deps, TEST_CTX, { KeyId })).KeyMetadata.KeyState).toBe('PendingImport');
  });
});
