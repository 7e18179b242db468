/**
 * CreateKey and DescribeKey for every key spec AWS offers outside China, with every usage it allows and
 * both origins (spec kms-key-specs.md §2.1, §3): the algorithm lists AWS reports, in its order, only for
 * the key's usage; no CurrentKeyMaterialId except for symmetric keys; generated material stored wrapped.
 */
import { createPrivateKey } from 'node:crypto';
import { describe, expect, test } from 'vitest';
import { materialContext } from '../../../../lambda/core/key-access';
import { describeKey } from '../../../../lambda/core/operations/keys/describe-key';
import { memoryDeps, TEST_CTX } from '../../../support/memory-deps';
import { newKey, storedKey } from '../keys/helpers';

const RSA_SIGNING = ['RSASSA_PKCS1_V1_5_SHA_256', 'RSASSA_PKCS1_V1_5_SHA_384', 'RSASSA_PKCS1_V1_5_SHA_512', 'RSASSA_PSS_SHA_256', 'RSASSA_PSS_SHA_384', 'RSASSA_PSS_SHA_512'];
const RSA_ENCRYPTION = ['RSAES_OAEP_SHA_1', 'RSAES_OAEP_SHA_256'];

/** [KeySpec, KeyUsage, the one algorithm list AWS reports, what the stored material is]. */
const CASES: readonly [string, string, Record<string, string[]>, string][] = [
  ['RSA_2048', 'ENCRYPT_DECRYPT', { EncryptionAlgorithms: RSA_ENCRYPTION }, 'rsa:2048'],
  ['RSA_2048', 'SIGN_VERIFY', { SigningAlgorithms: RSA_SIGNING }, 'rsa:2048'],
  ['RSA_3072', 'ENCRYPT_DECRYPT', { EncryptionAlgorithms: RSA_ENCRYPTION }, 'rsa:3072'],
  ['RSA_3072', 'SIGN_VERIFY', { SigningAlgorithms: RSA_SIGNING }, 'rsa:3072'],
  ['RSA_4096', 'ENCRYPT_DECRYPT', { EncryptionAlgorithms: RSA_ENCRYPTION }, 'rsa:4096'],
  ['RSA_4096', 'SIGN_VERIFY', { SigningAlgorithms: RSA_SIGNING }, 'rsa:4096'],
  ['ECC_NIST_P256', 'SIGN_VERIFY', { SigningAlgorithms: ['ECDSA_SHA_256'] }, 'ec:prime256v1'],
  ['ECC_NIST_P256', 'KEY_AGREEMENT', { KeyAgreementAlgorithms: ['ECDH'] }, 'ec:prime256v1'],
  ['ECC_NIST_P384', 'SIGN_VERIFY', { SigningAlgorithms: ['ECDSA_SHA_384'] }, 'ec:secp384r1'],
  ['ECC_NIST_P384', 'KEY_AGREEMENT', { KeyAgreementAlgorithms: ['ECDH'] }, 'ec:secp384r1'],
  ['ECC_NIST_P521', 'SIGN_VERIFY', { SigningAlgorithms: ['ECDSA_SHA_512'] }, 'ec:secp521r1'],
  ['ECC_NIST_P521', 'KEY_AGREEMENT', { KeyAgreementAlgorithms: ['ECDH'] }, 'ec:secp521r1'],
  ['ECC_SECG_P256K1', 'SIGN_VERIFY', { SigningAlgorithms: ['ECDSA_SHA_256'] }, 'ec:secp256k1'],
  ['ECC_NIST_EDWARDS25519', 'SIGN_VERIFY', { SigningAlgorithms: ['ED25519_SHA_512', 'ED25519_PH_SHA_512'] }, 'ed25519'],
  ['ML_DSA_44', 'SIGN_VERIFY', { SigningAlgorithms: ['ML_DSA_SHAKE_256'] }, 'ml-dsa:54'],
  ['ML_DSA_65', 'SIGN_VERIFY', { SigningAlgorithms: ['ML_DSA_SHAKE_256'] }, 'ml-dsa:54'],
  ['ML_DSA_87', 'SIGN_VERIFY', { SigningAlgorithms: ['ML_DSA_SHAKE_256'] }, 'ml-dsa:54'],
  ['HMAC_224', 'GENERATE_VERIFY_MAC', { MacAlgorithms: ['HMAC_SHA_224'] }, 'bytes:28'],
  ['HMAC_256', 'GENERATE_VERIFY_MAC', { MacAlgorithms: ['HMAC_SHA_256'] }, 'bytes:32'],
  ['HMAC_384', 'GENERATE_VERIFY_MAC', { MacAlgorithms: ['HMAC_SHA_384'] }, 'bytes:48'],
  ['HMAC_512', 'GENERATE_VERIFY_MAC', { MacAlgorithms: ['HMAC_SHA_512'] }, 'bytes:64'],
  ['SYMMETRIC_DEFAULT', 'ENCRYPT_DECRYPT', { EncryptionAlgorithms: ['SYMMETRIC_DEFAULT'] }, 'bytes:32'],
];

const LISTS = ['EncryptionAlgorithms', 'SigningAlgorithms', 'MacAlgorithms', 'KeyAgreementAlgorithms'];

function describeMaterial(plain: Uint8Array): string {
  if (plain.length === 54 && plain[0] === 0x30) return 'ml-dsa:54'; // seed-only PKCS#8
  try {
    const key = createPrivateKey({ key: Buffer.from(plain), format: 'der', type: 'pkcs8' });
    const d = key.asymmetricKeyDetails ?? {};
    return [key.asymmetricKeyType, d.modulusLength ?? d.namedCurve].filter(Boolean).join(':');
  } catch {
    return `bytes:${plain.length}`;
  }
}

describe('CreateKey and DescribeKey for every key spec and usage', () => {
  test.each(CASES)('%s with %s, Origin AWS_KMS: Enabled, the algorithm list AWS reports, generated material stored wrapped', async (spec, usage, lists, material) => {
    // GIVEN
    const deps = memoryDeps();
    // WHEN
    const created = await newKey(deps, { KeySpec: spec, KeyUsage: usage });
    const { KeyMetadata: md } = await describeKey(deps, TEST_CTX, { KeyId: created.KeyId });
    // THEN
    expect(md).toEqual(created);
    expect(md).toMatchObject({ KeySpec: spec, CustomerMasterKeySpec: spec, KeyUsage: usage, KeyState: 'Enabled', Enabled: true, Origin: 'AWS_KMS', ...lists });
    for (const list of LISTS.filter((l) => !(l in lists))) expect(md).not.toHaveProperty(list);
    if (spec === 'SYMMETRIC_DEFAULT') expect(md.CurrentKeyMaterialId).toMatch(/^[0-9a-f]{64}$/);
    else expect(md).not.toHaveProperty('CurrentKeyMaterialId');
    const key = await storedKey(deps, md.KeyId);
    expect(key.materials).toHaveLength(1);
    const stored = key.materials[0]!;
    expect(stored).toMatchObject({ materialState: 'CURRENT', importState: 'IMPORTED' });
    const plain = await deps.rootKey.unwrap(stored.wrapped!, materialContext(key, stored.materialId));
    expect(describeMaterial(plain)).toBe(material);
  });

  test.each(CASES.filter(([spec]) => !spec.startsWith('ML_DSA')))('%s with %s, Origin EXTERNAL: PendingImport, the algorithm list already present, no material', async (spec, usage, lists) => {
    const deps = memoryDeps();
    const md = await newKey(deps, { KeySpec: spec, KeyUsage: usage, Origin: 'EXTERNAL' });
    expect(md).toMatchObject({ KeySpec: spec, KeyUsage: usage, KeyState: 'PendingImport', Enabled: false, Origin: 'EXTERNAL', ...lists });
    expect(md).not.toHaveProperty('ExpirationModel');
    expect(md).not.toHaveProperty('CurrentKeyMaterialId');
    expect((await storedKey(deps, md.KeyId)).materials).toEqual([]);
  });

  test('CustomerMasterKeySpec names the spec as KeySpec does (and echoes specs the deprecated enum lacks)', async () => {
    const deps = memoryDeps();
    await expect(newKey(deps, { CustomerMasterKeySpec: 'RSA_4096', KeyUsage: 'SIGN_VERIFY' })).resolves.toMatchObject({ KeySpec: 'RSA_4096', CustomerMasterKeySpec: 'RSA_4096' });
    await expect(newKey(deps, { KeySpec: 'ML_DSA_44', KeyUsage: 'SIGN_VERIFY' })).resolves.toMatchObject({ CustomerMasterKeySpec: 'ML_DSA_44' });
  });

  test('two generated keys of one spec get different key pairs', async () => {
    const deps = memoryDeps();
    const a = await storedKey(deps, (await newKey(deps, { KeySpec: 'ECC_NIST_P256', KeyUsage: 'SIGN_VERIFY' })).KeyId);
    const b = await storedKey(deps, (await newKey(deps, { KeySpec: 'ECC_NIST_P256', KeyUsage: 'SIGN_VERIFY' })).KeyId);
    expect(a.materials[0]!.materialId).not.toBe(b.materials[0]!.materialId);
  });
});
