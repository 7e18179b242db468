/**
 * Imported material for every spec AWS imports (spec kms-key-specs.md §13): PKCS#8 private keys made by
 * node:crypto, HMAC bytes of the allowed lengths; the wrapping rules per spec; the same-material rule
 * (the same key or the same bytes, nothing else); one material, no KeyMaterialId, for these keys.
 */
import { execSync } from 'node:child_process';
import { generateKeyPairSync, randomBytes, type KeyObject } from 'node:crypto';
import { describe, expect, test } from 'vitest';
import type { WrappingAlgorithm, WrappingKeySpec } from '../../../../lambda/core/crypto/wrapping';
import { materialContext } from '../../../../lambda/core/key-access';
import { deleteImportedKeyMaterial } from '../../../../lambda/core/operations/import/delete-imported-key-material';
import { getParametersForImport } from '../../../../lambda/core/operations/import/get-parameters-for-import';
import { describeKey } from '../../../../lambda/core/operations/keys/describe-key';
import { getKeyRotationStatus } from '../../../../lambda/core/operations/rotation/get-key-rotation-status';
import { listKeyRotations } from '../../../../lambda/core/operations/rotation/list-key-rotations';
import { rotateKeyOnDemand } from '../../../../lambda/core/operations/rotation/rotate-key-on-demand';
import { memoryDeps, TEST_CTX, type MemoryDeps } from '../../../support/memory-deps';
import { failure, Importer } from '../import/helpers';
import { newKey, storedKey } from '../keys/helpers';

const der = (k: KeyObject) => new Uint8Array(k.export({ type: 'pkcs8', format: 'der' }));
const rsaKey = (bits: number) => der(generateKeyPairSync('rsa', { modulusLength: bits }).privateKey);
const ecKey = (curve: string) => der(generateKeyPairSync('ec', { namedCurve: curve }).privateKey);
const edKey = () => der(generateKeyPairSync('ed25519').privateKey);

interface Case {
  readonly spec: string;
  readonly usage: string;
  readonly material: () => Uint8Array;
  readonly algorithm: WrappingAlgorithm;
  readonly wrappingSpec: WrappingKeySpec;
}

const CASES: readonly Case[] = [
  { spec: 'RSA_2048', usage: 'SIGN_VERIFY', material: () => rsaKey(2048), algorithm: 'RSA_AES_KEY_WRAP_SHA_256', wrappingSpec: 'RSA_2048' },
  { spec: 'RSA_3072', usage: 'ENCRYPT_DECRYPT', material: () => rsaKey(3072), algorithm: 'RSA_AES_KEY_WRAP_SHA_1', wrappingSpec: 'RSA_3072' },
  { spec: 'RSA_4096', usage: 'SIGN_VERIFY', material: () => rsaKey(4096), algorithm: 'RSA_AES_KEY_WRAP_SHA_256', wrappingSpec: 'RSA_4096' },
  { spec: 'ECC_NIST_P256', usage: 'SIGN_VERIFY', material: () => ecKey('prime256v1'), algorithm: 'RSAES_OAEP_SHA_256', wrappingSpec: 'RSA_2048' },
  { spec: 'ECC_NIST_P384', usage: 'KEY_AGREEMENT', material: () => ecKey('secp384r1'), algorithm: 'RSAES_OAEP_SHA_1', wrappingSpec: 'RSA_2048' },
  { spec: 'ECC_NIST_P521', usage: 'SIGN_VERIFY', material: () => ecKey('secp521r1'), algorithm: 'RSAES_OAEP_SHA_256', wrappingSpec: 'RSA_4096' },
  { spec: 'ECC_NIST_P521', usage: 'KEY_AGREEMENT', material: () => ecKey('secp521r1'), algorithm: 'RSA_AES_KEY_WRAP_SHA_256', wrappingSpec: 'RSA_2048' },
  { spec: 'ECC_SECG_P256K1', usage: 'SIGN_VERIFY', material: () => ecKey('secp256k1'), algorithm: 'RSAES_OAEP_SHA_1', wrappingSpec: 'RSA_2048' },
  { spec: 'ECC_NIST_EDWARDS25519', usage: 'SIGN_VERIFY', material: edKey, algorithm: 'RSAES_OAEP_SHA_256', wrappingSpec: 'RSA_2048' },
  { spec: 'HMAC_224', usage: 'GENERATE_VERIFY_MAC', material: () => new Uint8Array(randomBytes(28)), algorithm: 'RSAES_OAEP_SHA_256', wrappingSpec: 'RSA_2048' },
  { spec: 'HMAC_256', usage: 'GENERATE_VERIFY_MAC', material: () => new Uint8Array(randomBytes(128)), algorithm: 'RSAES_OAEP_SHA_256', wrappingSpec: 'RSA_2048' },
  { spec: 'HMAC_384', usage: 'GENERATE_VERIFY_MAC', material: () => new Uint8Array(randomBytes(48)), algorithm: 'RSAES_OAEP_SHA_1', wrappingSpec: 'RSA_3072' },
  { spec: 'HMAC_512', usage: 'GENERATE_VERIFY_MAC', material: () => new Uint8Array(randomBytes(64)), algorithm: 'RSA_AES_KEY_WRAP_SHA_256', wrappingSpec: 'RSA_2048' },
];

async function externalKey(deps: MemoryDeps, c: Pick<Case, 'spec' | 'usage'>): Promise<string> {
  return (await newKey(deps, { KeySpec: c.spec, KeyUsage: c.usage, Origin: 'EXTERNAL' })).KeyId;
}

describe('ImportKeyMaterial for every importable key spec', () => {
  test.each(CASES)('$spec ($usage) wrapped with $algorithm / $wrappingSpec: Enabled, one material, no KeyMaterialId, re-import of the same material only', async (c) => {
    // GIVEN
    const deps = memoryDeps();
    const keyId = await externalKey(deps, c);
    const importer = new Importer(deps, keyId, c.algorithm, c.wrappingSpec);
    const material = c.material();
    // WHEN
    const out = await importer.importOther(material);
    // THEN
    expect(out).toEqual({ KeyId: (await describeKey(deps, TEST_CTX, { KeyId: keyId })).KeyMetadata.Arn });
    const { KeyMetadata: md } = await describeKey(deps, TEST_CTX, { KeyId: keyId });
    expect(md).toMatchObject({ KeyState: 'Enabled', Enabled: true, ExpirationModel: 'KEY_MATERIAL_DOES_NOT_EXPIRE' });
    expect(md).not.toHaveProperty('CurrentKeyMaterialId');
    const key = await storedKey(deps, keyId);
    expect(key.materials).toHaveLength(1);
    const plain = await deps.rootKey.unwrap(key.materials[0]!.wrapped!, materialContext(key, key.materials[0]!.materialId));
    if (c.spec.startsWith('HMAC')) expect(Buffer.from(plain).equals(Buffer.from(material))).toBe(true);

    // the same material again restores a deleted key
    await deleteImportedKeyMaterial(deps, TEST_CTX, { KeyId: keyId });
    expect((await describeKey(deps, TEST_CTX, { KeyId: keyId })).KeyMetadata).not.toHaveProperty('ExpirationModel');
    await importer.importOther(material);
    expect((await storedKey(deps, keyId)).materials.map((m) => m.materialId)).toEqual(key.materials.map((m) => m.materialId));
    expect((await describeKey(deps, TEST_CTX, { KeyId: keyId })).KeyMetadata.KeyState).toBe('Enabled');

    // different material of the same spec is refused, and changes nothing
    const err = await failure(() => importer.importOther(c.material()));
    expect(err).toMatchObject({
      name: 'IncorrectKeyMaterialException',
      message: `The key material is not the key material previously imported into ${md.Arn}: a ${c.spec} KMS key accepts only the key material first imported into it.`,
    });
    expect((await storedKey(deps, keyId)).materials.map((m) => m.materialId)).toEqual(key.materials.map((m) => m.materialId));
  });
});

describe('ImportKeyMaterial refusals for non-symmetric specs', () => {
  const refuse = async (spec: string, usage: string, material: Uint8Array, algorithm: WrappingAlgorithm = 'RSA_AES_KEY_WRAP_SHA_256') => {
    const deps = memoryDeps();
    const keyId = await externalKey(deps, { spec, usage });
    const err = await failure(() => new Importer(deps, keyId, algorithm, 'RSA_2048').importOther(material));
    expect((await describeKey(deps, TEST_CTX, { KeyId: keyId })).KeyMetadata.KeyState).toBe('PendingImport');
    return err;
  };

  test('fails with IncorrectKeyMaterialException for an RSA key of another size', async () => {
    expect(await refuse('RSA_3072', 'SIGN_VERIFY', rsaKey(2048))).toMatchObject({
      name: 'IncorrectKeyMaterialException',
      message: 'The key material is not valid for a RSA_3072 KMS key: its modulus must be 3072 bits, not 2048.',
    });
  });

  test('fails with IncorrectKeyMaterialException for an EC key on another curve, and for a key of another type', async () => {
    expect(await refuse('ECC_NIST_P256', 'SIGN_VERIFY', ecKey('secp384r1'))).toMatchObject({
      name: 'IncorrectKeyMaterialException',
      message: 'The key material is not valid for a ECC_NIST_P256 KMS key: its curve must be P-256, not secp384r1.',
    });
    expect(await refuse('ECC_NIST_P256', 'SIGN_VERIFY', rsaKey(2048))).toMatchObject({
      name: 'IncorrectKeyMaterialException',
      message: 'The key material is not valid for a ECC_NIST_P256 KMS key: it must hold an EC private key on curve P-256, not a rsa key.',
    });
    expect(await refuse('ECC_NIST_EDWARDS25519', 'SIGN_VERIFY', ecKey('prime256v1'))).toMatchObject({
      name: 'IncorrectKeyMaterialException',
      message: 'The key material is not valid for a ECC_NIST_EDWARDS25519 KMS key: it must hold an Ed25519 private key, not a ec key.',
    });
  });

  test('fails with IncorrectKeyMaterialException for an EC key with explicit curve parameters (made by openssl), although OpenSSL names its curve', async () => {
    const explicit = execSync('openssl ecparam -name prime256v1 -param_enc explicit -genkey -noout | openssl pkcs8 -topk8 -nocrypt -outform DER');
    expect(await refuse('ECC_NIST_P256', 'SIGN_VERIFY', new Uint8Array(explicit))).toMatchObject({
      name: 'IncorrectKeyMaterialException',
      message: 'The key material is not valid for a ECC_NIST_P256 KMS key: its curve must be given by name (explicit curve parameters are not supported).',
    });
  });

  test('fails with IncorrectKeyMaterialException for an EC private key that carries another key\'s public point', async () => {
    // GIVEN: a PKCS#8 of key a whose ECPrivateKey.publicKey is b's point
    const [a, b] = [generateKeyPairSync('ec', { namedCurve: 'prime256v1' }), generateKeyPairSync('ec', { namedCurve: 'prime256v1' })];
    const point = (k: KeyObject) => Buffer.from(k.export({ type: 'spki', format: 'der' })).subarray(-65);
    const pkcs8 = Buffer.from(der(a.privateKey));
    const at = pkcs8.indexOf(point(a.publicKey));
    expect(at).toBeGreaterThan(0);
    point(b.publicKey).copy(pkcs8, at);
    // WHEN / THEN
    expect(await refuse('ECC_NIST_P256', 'SIGN_VERIFY', new Uint8Array(pkcs8))).toMatchObject({
      name: 'IncorrectKeyMaterialException',
      message: 'The key material is not valid for a ECC_NIST_P256 KMS key: its private and public parts do not belong to the same key pair.',
    });
  });

  test('fails with IncorrectKeyMaterialException for bytes that are not a PKCS#8 private key', async () => {
    expect(await refuse('RSA_2048', 'SIGN_VERIFY', new Uint8Array(randomBytes(64)))).toMatchObject({
      name: 'IncorrectKeyMaterialException',
      message: 'The key material is not valid for a RSA_2048 KMS key: it must be a DER-encoded PKCS#8 PrivateKeyInfo holding an RSA private key.',
    });
  });

  test.each([
    ['HMAC_224', 27],
    ['HMAC_256', 129],
    ['HMAC_512', 63],
  ])('fails with IncorrectKeyMaterialException for %s material of %i bytes', async (spec, length) => {
    const err = await refuse(spec, 'GENERATE_VERIFY_MAC', new Uint8Array(randomBytes(length)), 'RSAES_OAEP_SHA_256');
    const min = Number(spec.slice(5)) / 8;
    expect(err).toMatchObject({
      name: 'IncorrectKeyMaterialException',
      message: `The key material for a ${spec} KMS key must be from ${min} to 128 bytes (${min * 8} to 1024 bits); hash a longer key first.`,
    });
  });

  test('fails with ValidationException for ImportType, KeyMaterialId or KeyMaterialDescription on a non-symmetric key (D9)', async () => {
    const deps = memoryDeps();
    const { KeyId: keyId, Arn: arn } = await newKey(deps, { KeySpec: 'HMAC_256', KeyUsage: 'GENERATE_VERIFY_MAC', Origin: 'EXTERNAL' });
    const importer = new Importer(deps, keyId);
    for (const extra of [{ ImportType: 'NEW_KEY_MATERIAL' as const }, { KeyMaterialDescription: 'x' }, { KeyMaterialId: 'a'.repeat(64) }]) {
      const err = await failure(() => importer.importOther(new Uint8Array(randomBytes(32)), { ExpirationModel: 'KEY_MATERIAL_DOES_NOT_EXPIRE', ...extra }));
      expect(err).toMatchObject({
        name: 'ValidationException',
        message: `ImportType, KeyMaterialId and KeyMaterialDescription are only usable with symmetric encryption keys; ${arn} has key spec HMAC_256.`,
      });
    }
    expect(await failure(() => deleteImportedKeyMaterial(deps, TEST_CTX, { KeyId: keyId, KeyMaterialId: 'a'.repeat(64) }))).toMatchObject({
      name: 'ValidationException',
      message: `KeyMaterialId is only usable with symmetric encryption keys; ${arn} has key spec HMAC_256.`,
    });
  });
});

describe('GetParametersForImport wrapping rules per key spec (spec §13.2)', () => {
  test.each(['RSAES_OAEP_SHA_1', 'RSAES_OAEP_SHA_256'] as const)('fails with ValidationException for %s on an RSA key (RSA private keys need RSA_AES_KEY_WRAP)', async (algorithm) => {
    const deps = memoryDeps();
    const keyId = await externalKey(deps, { spec: 'RSA_2048', usage: 'ENCRYPT_DECRYPT' });
    const err = await failure(() => getParametersForImport(deps, TEST_CTX, { KeyId: keyId, WrappingAlgorithm: algorithm, WrappingKeySpec: 'RSA_4096' }));
    expect(err).toMatchObject({
      name: 'ValidationException',
      message: `The wrapping algorithm ${algorithm} cannot wrap RSA_2048 key material; use RSA_AES_KEY_WRAP_SHA_1 or RSA_AES_KEY_WRAP_SHA_256.`,
    });
  });

  test('fails with ValidationException for OAEP with an RSA_2048 wrapping key on ECC_NIST_P521, and accepts the longer keys', async () => {
    const deps = memoryDeps();
    const keyId = await externalKey(deps, { spec: 'ECC_NIST_P521', usage: 'SIGN_VERIFY' });
    const err = await failure(() => getParametersForImport(deps, TEST_CTX, { KeyId: keyId, WrappingAlgorithm: 'RSAES_OAEP_SHA_1', WrappingKeySpec: 'RSA_2048' }));
    expect(err).toMatchObject({
      name: 'ValidationException',
      message: 'The wrapping algorithm RSAES_OAEP_SHA_1 with wrapping key spec RSA_2048 cannot wrap ECC_NIST_P521 key material; use a longer wrapping key or an RSA_AES_KEY_WRAP algorithm.',
    });
    await expect(getParametersForImport(deps, TEST_CTX, { KeyId: keyId, WrappingAlgorithm: 'RSAES_OAEP_SHA_1', WrappingKeySpec: 'RSA_3072' })).resolves.toBeDefined();
  });
});

describe('rotation of single-material keys (D48)', () => {
  test.each([
    ['RSA_4096', 'ENCRYPT_DECRYPT', 'AWS_KMS'],
    ['HMAC_256', 'GENERATE_VERIFY_MAC', 'EXTERNAL'],
    ['ECC_NIST_P256', 'KEY_AGREEMENT', 'EXTERNAL'],
  ] as const)('%s (%s, %s): RotateKeyOnDemand and ListKeyRotations are UnsupportedOperationException; GetKeyRotationStatus is false', async (spec, usage, origin) => {
    const deps = memoryDeps();
    const md = await newKey(deps, { KeySpec: spec, KeyUsage: usage, Origin: origin });
    expect(await failure(() => rotateKeyOnDemand(deps, TEST_CTX, { KeyId: md.KeyId }))).toMatchObject({ name: 'UnsupportedOperationException', message: '' });
    expect(await failure(() => listKeyRotations(deps, TEST_CTX, { KeyId: md.KeyId }))).toMatchObject({
      name: 'UnsupportedOperationException',
      message: `${md.Arn} key spec is ${spec}: ListKeyRotations is valid only for symmetric encryption KMS keys.`,
    });
    await expect(getKeyRotationStatus(deps, TEST_CTX, { KeyId: md.KeyId })).resolves.toMatchObject({ KeyRotationEnabled: false });
  });
});
