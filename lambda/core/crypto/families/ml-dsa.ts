/**
 * ML_DSA_44/65/87 (FIPS 204) through @noble/post-quantum: node:crypto on Node 20/22 has no ML-DSA.
 * The material is the 32-byte key generation seed ξ in the seed-only PKCS#8 form (OIDs
 * 2.16.840.1.101.3.4.3.17/18/19, privateKey = [0] seed), as OpenSSL 3.5 and Python's cryptography write
 * it. Signing is ML-DSA.Sign with an empty context (RAW) or from a caller's 64-byte μ (EXTERNAL_MU,
 * FIPS 204 §6.2 external mu); both verify alike (spec §5.2). Material cannot be imported (AWS).
 */
import type { ml_dsa44 } from '@noble/post-quantum/ml-dsa.js';
import { DER, encodeTlv, privateKeyInfoParts, readTlv } from '../der';
import type { KeySpecEntry } from '../key-specs';
import type { KeyFamily } from './family';
import { incorrectMaterial } from './key-pair-material';

const SEED_LENGTH = 32;
const SEED_TAG = 0x80; // [0] IMPLICIT OCTET STRING

const LEVELS = {
  44: { oid: '0609608648016503040311' },
  65: { oid: '0609608648016503040312' },
  87: { oid: '0609608648016503040313' },
} as const;

function levelOf(entry: KeySpecEntry): (typeof LEVELS)[keyof typeof LEVELS] {
  return LEVELS[entry.mlDsaLevel!];
}

type MlDsa = typeof ml_dsa44;

/** @noble/post-quantum, imported when an ML-DSA key is first used rather than at every start. */
let loading: Promise<void> | undefined;
let dsaByLevel: Readonly<Record<keyof typeof LEVELS, MlDsa>> | undefined;

function dsaOf(entry: KeySpecEntry): MlDsa {
  if (!dsaByLevel) throw new Error('mlDsaFamily.load() was not awaited');
  return dsaByLevel[entry.mlDsaLevel!];
}

export function mlDsaPkcs8(entry: KeySpecEntry, seed: Uint8Array): Uint8Array {
  const algorithm = encodeTlv(DER.SEQUENCE, Buffer.from(levelOf(entry).oid, 'hex'));
  const privateKey = encodeTlv(DER.OCTET_STRING, encodeTlv(SEED_TAG, seed));
  return encodeTlv(DER.SEQUENCE, Buffer.from([DER.INTEGER, 1, 0]), algorithm, privateKey);
}

/** The seed of a seed-only ML-DSA PKCS#8 of this level; undefined for anything else. */
function seedOf(entry: KeySpecEntry, pkcs8: Uint8Array): Uint8Array | undefined {
  const parts = privateKeyInfoParts(pkcs8);
  // Stryker disable next-line all: stored ML-DSA material is only ever what generate() wrote (ML-DSA cannot be imported), a seed-only PKCS#8 of its level; no client can reach a malformed one
  const oid = parts?.algorithm[0];
  // Stryker disable next-line all: stored ML-DSA material is only ever what generate() wrote (ML-DSA cannot be imported), a seed-only PKCS#8 of its level; no client can reach a malformed one
  if (!parts || !oid || Buffer.from(pkcs8.subarray(oid.start - 2, oid.end)).toString('hex') !== levelOf(entry).oid) return undefined;
  const seed = readTlv(pkcs8, parts.privateKey.start, parts.privateKey.end);
  // Stryker disable next-line all: stored ML-DSA material is only ever what generate() wrote (ML-DSA cannot be imported), a seed-only PKCS#8 of its level; no client can reach a malformed one
  if (!seed || seed.tag !== SEED_TAG || seed.end !== parts.privateKey.end || seed.end - seed.start !== SEED_LENGTH) return undefined;
  return pkcs8.subarray(seed.start, seed.end);
}

function keysOf(entry: KeySpecEntry, material: Uint8Array): { secretKey: Uint8Array; publicKey: Uint8Array } {
  const seed = seedOf(entry, material);
  // Stryker disable next-line all: stored ML-DSA material is only ever what generate() wrote (ML-DSA cannot be imported), a seed-only PKCS#8 of its level; no client can reach a malformed one
  if (!seed) throw new Error('stored ML-DSA material is not a seed-only PKCS#8');
  return dsaOf(entry).keygen(seed);
}

function spki(entry: KeySpecEntry, publicKey: Uint8Array): Uint8Array {
  const algorithm = encodeTlv(DER.SEQUENCE, Buffer.from(levelOf(entry).oid, 'hex'));
  return encodeTlv(DER.SEQUENCE, algorithm, encodeTlv(DER.BIT_STRING, Buffer.from([0]), publicKey));
}

export const mlDsaFamily: KeyFamily = {
  load() {
    loading ??= import('@noble/post-quantum/ml-dsa.js').then(({ ml_dsa44, ml_dsa65, ml_dsa87 }) => {
      dsaByLevel = { 44: ml_dsa44, 65: ml_dsa65, 87: ml_dsa87 };
    });
    return loading;
  },
  async generate(entry, random) {
    const seed = random(SEED_LENGTH);
    try {
      return mlDsaPkcs8(entry, seed);
    } finally {
      seed.fill(0);
    }
  },
  // Stryker disable next-line all: unreachable, CreateKey refuses Origin EXTERNAL for ML-DSA specs (no import rule) before any import
  readImported(entry) {
    // Stryker disable next-line all: see readImported
    throw incorrectMaterial(entry.keySpec, 'ML-DSA key material cannot be imported.');
  },
  identity(entry, material) {
    return spki(entry, keysOf(entry, material).publicKey);
  },
  publicKey(entry, material) {
    return spki(entry, keysOf(entry, material).publicKey);
  },
  sign(entry, material, _algorithm, message, messageType, random) {
    const { secretKey } = keysOf(entry, material);
    try {
      const dsa = dsaOf(entry);
      const extraEntropy = random(32);
      // Stryker disable next-line ObjectLiteral: without extraEntropy noble draws 32 random bytes itself: hedged signing either way
      return messageType === 'EXTERNAL_MU' ? dsa.internal.sign(message, secretKey, { externalMu: true, extraEntropy }) : dsa.sign(message, secretKey, { extraEntropy });
    } finally /* Stryker disable next-line BlockStatement: the wipe of the secret key, which is made and dropped inside sign(): no port can see it */ {
      secretKey.fill(0);
    }
  },
  verify(entry, material, _algorithm, message, messageType, signature) {
    const { secretKey, publicKey } = keysOf(entry, material);
    secretKey.fill(0);
    const dsa = dsaOf(entry);
    try {
      return messageType === 'EXTERNAL_MU' ? dsa.internal.verify(signature, message, publicKey, { externalMu: true }) : dsa.verify(signature, message, publicKey);
    } catch /* Stryker disable next-line BlockStatement: unreachable, noble answers false for a signature of any length and throws only for a μ that is not 64 bytes, which signing-support refuses first (family.ts: lengths are already checked) */ {
      // Stryker disable next-line BooleanLiteral: unreachable, see the catch above
      return false;
    }
  },
};

