/**
 * Ed25519ph verification (lambda/core/crypto/families/ed25519.ts) is RFC 8032's: a signature whose R is not the
 * canonical encoding of its point does not decode, so it does not verify, though ZIP 215's rules (noble's default)
 * would accept it.
 */
import { createHash, createPrivateKey, createPublicKey } from 'node:crypto';
import { ed25519ph } from '@noble/curves/ed25519.js';
import { describe, expect, test } from 'vitest';
import { verify } from '../../../../../lambda/core/operations/signing/verify';
import { memoryDeps, TEST_CTX } from '../../../../support/memory-deps';
import { Importer } from '../../import/helpers';
import { failure, newKey } from '../../keys/helpers';

// RFC 8032 §7.3's Ed25519ph key.
const SEED = Buffer.from('833fe62409237b9d62ec77587520911e9a759cec1d19755b7da901b96dca3d42', 'hex');
const PKCS8 = new Uint8Array(Buffer.concat([Buffer.from('302e020100300506032b657004220420', 'hex'), SEED]));
const P = 2n ** 255n - 19n;
const L = 2n ** 252n + 27742317777372353535851937790883648493n;

const sha512 = (...parts: Uint8Array[]) => parts.reduce((h, p) => h.update(p), createHash('sha512')).digest();
const fromLittleEndian = (b: Uint8Array) => BigInt(`0x${Buffer.from(b).reverse().toString('hex') || '0'}`);
const toLittleEndian = (n: bigint) => Buffer.from(n.toString(16).padStart(64, '0'), 'hex').reverse();

/**
 * A signature of this key over `digest` (what KMS's DIGEST message type takes; Ed25519ph hashes it once more) whose R is
 * the neutral point (0, 1) written as y = 1 + p, a non-canonical encoding: [S]B = R + [k]A holds with S = k·a.
 */
function nonCanonicalSignature(publicKey: Uint8Array, digest: Uint8Array): Uint8Array {
  const h = sha512(SEED);
  h[0]! &= 248;
  h[31]! &= 127;
  h[31]! |= 64;
  const a = fromLittleEndian(h.subarray(0, 32));
  const r = toLittleEndian(1n + P);
  const dom2 = Buffer.concat([Buffer.from('SigEd25519 no Ed25519 collisions'), Buffer.from([1, 0])]);
  const k = fromLittleEndian(sha512(dom2, r, publicKey, sha512(digest))) % L;
  return new Uint8Array(Buffer.concat([r, toLittleEndian((k * a) % L)]));
}

describe('Ed25519ph Verify', () => {
  test('refuses a signature whose R is encoded non-canonically (KMSInvalidSignatureException), which ZIP 215 would accept', async () => {
    // GIVEN the RFC 8032 key imported, and a signature of it with a non-canonical R
    const deps = memoryDeps();
    const { KeyId } = await newKey(deps, { KeySpec: 'ECC_NIST_EDWARDS25519', KeyUsage: 'SIGN_VERIFY', Origin: 'EXTERNAL' });
    await new Importer(deps, KeyId).importOther(PKCS8);
    const publicKey = Buffer.from(createPublicKey(createPrivateKey({ key: Buffer.from(PKCS8), format: 'der', type: 'pkcs8' })).export({ format: 'jwk' }).x!, 'base64url');
    const digest = sha512(Buffer.from('the quick brown fox'));
    const signature = nonCanonicalSignature(publicKey, digest);
    expect(ed25519ph.verify(signature, digest, publicKey, { zip215: true })).toBe(true);
    expect(ed25519ph.verify(signature, digest, publicKey, { zip215: false })).toBe(false);
    // WHEN / THEN
    expect(await failure(verify(deps, TEST_CTX, { KeyId, Message: digest, MessageType: 'DIGEST', Signature: signature, SigningAlgorithm: 'ED25519_PH_SHA_512' }))).toMatchObject({
      name: 'KMSInvalidSignatureException',
      message: '',
    });
  });
});
