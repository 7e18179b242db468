/**
 * ECC_NIST_EDWARDS25519: ED25519_SHA_512 is pure Ed25519 over the message (RFC 8032, node:crypto);
 * ED25519_PH_SHA_512 is Ed25519ph (HashEdDSA, @noble/curves: node:crypto has none), applied to the
 * 64-byte digest the caller sends, which it hashes once more as the model says KMS does.
 */
import { sign as nodeSign, verify as nodeVerify, createPublicKey, type KeyObject } from 'node:crypto';
import { ed25519ph } from '@noble/curves/ed25519.js';
import { generateDerKeyPair } from './der-key-pair';
import type { KeyFamily } from './family';
import { assertPairwiseConsistent, importedPrivateKey, pkcs8Of, spkiOf, storedPrivateKey } from './key-pair-material';

function jwkPart(key: KeyObject, part: 'd' | 'x'): Buffer {
  return Buffer.from(key.export({ format: 'jwk' })[part]!, 'base64url');
}

export const ed25519Family: KeyFamily = {
  async generate() {
    // Stryker disable next-line ObjectLiteral,StringLiteral: generateDerKeyPair makes an Ed25519 pair for any request that is neither rsa nor ec
    return (await generateDerKeyPair({ type: 'ed25519' })).privateKey;
  },
  readImported(entry, plaintext) {
    const key = importedPrivateKey(entry.keySpec, plaintext, 'ed25519', 'an Ed25519 private key');
    assertPairwiseConsistent(entry.keySpec, key, null);
    return pkcs8Of(key);
  },
  identity(_entry, material) {
    return spkiOf(storedPrivateKey(material));
  },
  publicKey(_entry, material) {
    return spkiOf(storedPrivateKey(material));
  },
  sign(_entry, material, algorithm, message) {
    const key = storedPrivateKey(material);
    if (algorithm === 'ED25519_SHA_512') return new Uint8Array(nodeSign(null, message, key));
    const seed = jwkPart(key, 'd');
    try {
      return ed25519ph.sign(message, seed);
    } finally /* Stryker disable next-line BlockStatement: not equivalent, but no port sees the seed, made and dropped inside sign() */ {
      seed.fill(0);
    }
  },
  verify(_entry, material, algorithm, message, _messageType, signature) {
    const key = storedPrivateKey(material);
    try {
      if (algorithm === 'ED25519_SHA_512') return nodeVerify(null, message, createPublicKey(key), signature);
      return ed25519ph.verify(signature, message, jwkPart(key, 'x'), { zip215: false });
    } catch /* Stryker disable next-line BlockStatement: an empty catch returns undefined, as false as false to Verify */ {
      return false;
    }
  },
};
