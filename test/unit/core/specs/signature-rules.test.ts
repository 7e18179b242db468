/**
 * What RSA Verify must refuse although the RSA arithmetic works out (spec kms-key-specs.md §5.2): RSASSA-PSS
 * signatures whose EMSA-PSS encoding binds the right hash but breaks another rule of RFC 8017 §9.1.2, and a
 * PKCS#1 v1.5 signature one byte shorter than the modulus. The key is imported, so the test holds its private
 * key and can make such signatures with the raw RSA primitive. Also: a three-prime RSA key is not imported; ECDSA
 * signatures are not normalised to low S (spec §5: AWS's are not either); bytes that are no signature at all are
 * KMSInvalidSignatureException for every family.
 */
import { execFileSync } from 'node:child_process';
import { constants, createHash, generateKeyPairSync, privateEncrypt, randomBytes, sign as nodeSign, type KeyObject } from 'node:crypto';
import { describe, expect, test } from 'vitest';
import { describeKey } from '../../../../lambda/core/operations/keys/describe-key';
import { sign } from '../../../../lambda/core/operations/signing/sign';
import { verify } from '../../../../lambda/core/operations/signing/verify';
import { memoryDeps, TEST_CTX, type MemoryDeps } from '../../../support/memory-deps';
import { failure, Importer } from '../import/helpers';
import { bytes, newKey } from '../keys/helpers';

const MESSAGE = bytes('a message signed outside KMS');
const H_LEN = 32; // SHA-256
const EM_LEN = 256; // RSA_2048: emBits 2047 fits 256 bytes

const der = (k: KeyObject) => new Uint8Array(k.export({ type: 'pkcs8', format: 'der' }));

/** An RSA_2048 SIGN_VERIFY key holding `privateKey`, imported. */
async function importedRsaKey(deps: MemoryDeps, privateKey: Uint8Array): Promise<string> {
  const { KeyId } = await newKey(deps, { KeySpec: 'RSA_2048', KeyUsage: 'SIGN_VERIFY', Origin: 'EXTERNAL' });
  await new Importer(deps, KeyId, 'RSA_AES_KEY_WRAP_SHA_256', 'RSA_2048').importOther(privateKey);
  return KeyId;
}

function mgf1(seed: Buffer, length: number): Buffer {
  const blocks: Buffer[] = [];
  for (let counter = 0; blocks.length * H_LEN < length; counter++) {
    const c = Buffer.alloc(4);
    c.writeUInt32BE(counter);
    blocks.push(createHash('sha256').update(seed).update(c).digest());
  }
  return Buffer.concat(blocks).subarray(0, length);
}

type Edit = { trailer?: number; separator?: number; psByte?: boolean; topBit?: boolean };

/** EMSA-PSS-ENCODE (RFC 8017 §9.1.1, SHA-256, sLen 32) of MESSAGE, with one rule broken as `edit` says. */
function pssEncoding(salt: Buffer, edit: Edit): Buffer {
  const mHash = createHash('sha256').update(MESSAGE).digest();
  const h = createHash('sha256').update(Buffer.alloc(8)).update(mHash).update(salt).digest();
  const db = Buffer.concat([Buffer.alloc(EM_LEN - 2 * H_LEN - 2), Buffer.from([edit.separator ?? 0x01]), salt]);
  if (edit.psByte) db[100] = 0x01;
  const mask = mgf1(h, db.length);
  for (let i = 0; i < db.length; i++) db[i]! ^= mask[i]!;
  db[0]! &= 0x7f;
  if (edit.topBit) db[0]! |= 0x80;
  return Buffer.concat([db, h, Buffer.from([edit.trailer ?? 0xbc])]);
}

/** A key pair whose modulus starts with a byte of at least 0xc0, so an encoding with its top bit set stays below it. */
function rsaPairWithHighModulus(): { privateKey: KeyObject; modulusTop: number } {
  for (;;) {
    const { privateKey } = generateKeyPairSync('rsa', { modulusLength: 2048 });
    const modulusTop = Buffer.from(privateKey.export({ format: 'jwk' }).n!, 'base64url')[0]!;
    if (modulusTop >= 0xc0) return { privateKey, modulusTop };
  }
}

const verifyPss = (deps: MemoryDeps, KeyId: string, Signature: Uint8Array) => verify(deps, TEST_CTX, { KeyId, Message: MESSAGE, Signature, SigningAlgorithm: 'RSASSA_PSS_SHA_256' });
const INVALID = { name: 'KMSInvalidSignatureException', message: '' };

describe('RSA Verify refuses what RFC 8017 refuses', () => {
  test('RSASSA-PSS: a well-formed encoding verifies; one with another trailer byte, a set top bit, a non-zero padding byte or another separator does not', async () => {
    // GIVEN
    const deps = memoryDeps();
    const { privateKey, modulusTop } = rsaPairWithHighModulus();
    const keyId = await importedRsaKey(deps, der(privateKey));
    const signed = (em: Buffer) => new Uint8Array(privateEncrypt({ key: privateKey, padding: constants.RSA_NO_PADDING }, em));
    let salt = randomBytes(H_LEN);
    while (pssEncoding(salt, { topBit: true })[0]! >= modulusTop) salt = randomBytes(H_LEN); // below the modulus
    // WHEN / THEN
    await expect(verifyPss(deps, keyId, signed(pssEncoding(salt, {})))).resolves.toMatchObject({ SignatureValid: true });
    for (const edit of [{ trailer: 0xbd }, { topBit: true }, { psByte: true }, { separator: 0x02 }]) {
      expect(await failure(() => verifyPss(deps, keyId, signed(pssEncoding(salt, edit)))), JSON.stringify(edit)).toMatchObject(INVALID);
    }
  });

  test('RSASSA-PKCS1-v1_5: a valid signature that starts with a zero byte does not verify without that byte', async () => {
    // GIVEN: a signature (deterministic for PKCS#1 v1.5) of some message that begins with 0x00, about one in 256
    const deps = memoryDeps();
    const { privateKey } = generateKeyPairSync('rsa', { modulusLength: 2048 });
    const keyId = await importedRsaKey(deps, der(privateKey));
    let message = MESSAGE;
    for (let n = 0; nodeSign('sha256', message, privateKey)[0] !== 0; n++) message = bytes(`message ${n}`);
    const signature = new Uint8Array(nodeSign('sha256', message, privateKey));
    const input = { KeyId: keyId, Message: message, SigningAlgorithm: 'RSASSA_PKCS1_V1_5_SHA_256' } as const;
    // WHEN / THEN
    await expect(verify(deps, TEST_CTX, { ...input, Signature: signature })).resolves.toMatchObject({ SignatureValid: true });
    expect(await failure(() => verify(deps, TEST_CTX, { ...input, Signature: signature.subarray(1) }))).toMatchObject(INVALID);
  });
});

describe('RSA ImportKeyMaterial', () => {
  test('fails with IncorrectKeyMaterialException for a three-prime RSA key (made by openssl), which node:crypto does not read', async () => {
    // GIVEN
    const deps = memoryDeps();
    const threePrimes = new Uint8Array(execFileSync('openssl', ['genpkey', '-algorithm', 'RSA', '-pkeyopt', 'rsa_keygen_bits:2048', '-pkeyopt', 'rsa_keygen_primes:3', '-outform', 'DER']));
    const { KeyId } = await newKey(deps, { KeySpec: 'RSA_2048', KeyUsage: 'SIGN_VERIFY', Origin: 'EXTERNAL' });
    // WHEN
    const err = await failure(() => new Importer(deps, KeyId, 'RSA_AES_KEY_WRAP_SHA_256', 'RSA_2048').importOther(threePrimes));
    // THEN
    expect(err).toMatchObject({ name: 'IncorrectKeyMaterialException', message: 'The key material is not valid for a RSA_2048 KMS key: it must be a DER-encoded PKCS#8 PrivateKeyInfo holding an RSA private key.' });
    expect((await describeKey(deps, TEST_CTX, { KeyId })).KeyMetadata.KeyState).toBe('PendingImport');
  });
});

describe('ECDSA and malformed signatures', () => {
  test('ECDSA signatures are not normalised to low S: among 64 signatures some have S above n/2', async () => {
    // GIVEN
    const deps = memoryDeps();
    const { KeyId } = await newKey(deps, { KeySpec: 'ECC_SECG_P256K1', KeyUsage: 'SIGN_VERIFY' });
    const halfOrder = BigInt('0xFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFEBAAEDCE6AF48A03BBFD25E8CD0364141') / 2n;
    // WHEN
    const signatures = await Promise.all(Array.from({ length: 64 }, () => sign(deps, TEST_CTX, { KeyId, Message: MESSAGE, SigningAlgorithm: 'ECDSA_SHA_256' })));
    // THEN: (the chance that 64 unnormalised signatures all have a low S is 2^-64)
    const sOf = (der: Uint8Array) => {
      const rLength = der[3]!;
      return BigInt(`0x${Buffer.from(der.subarray(6 + rLength)).toString('hex')}`);
    };
    expect(signatures.some(({ Signature }) => sOf(Signature) > halfOrder)).toBe(true);
  });

  test.each([
    ['ECC_NIST_P256', 'ECDSA_SHA_256', 'RAW'],
    ['ECC_NIST_EDWARDS25519', 'ED25519_SHA_512', 'RAW'],
    ['ECC_NIST_EDWARDS25519', 'ED25519_PH_SHA_512', 'DIGEST'],
    ['ML_DSA_44', 'ML_DSA_SHAKE_256', 'RAW'],
  ] as const)('%s %s: bytes that are no signature are KMSInvalidSignatureException', async (KeySpec, SigningAlgorithm, MessageType) => {
    const deps = memoryDeps();
    const { KeyId } = await newKey(deps, { KeySpec, KeyUsage: 'SIGN_VERIFY' });
    const Message = MessageType === 'DIGEST' ? new Uint8Array(createHash('sha512').update(MESSAGE).digest()) : MESSAGE;
    for (const Signature of [bytes('not a signature'), new Uint8Array(0)]) {
      expect(await failure(() => verify(deps, TEST_CTX, { KeyId, Message, MessageType, Signature, SigningAlgorithm }))).toMatchObject(INVALID);
    }
  });
});
