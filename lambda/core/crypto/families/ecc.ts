/**
 * ECC_NIST_P256/P384/P521 and ECC_SECG_P256K1: ECDSA (DER signatures, randomized, S not normalised,
 * spec §5.2) and ECDH (the raw X coordinate, spec §9). Keys are read with node:crypto; ECDSA runs in
 * @noble/curves because node:crypto signs only messages it hashes itself, and DIGEST must sign the
 * digest it is given (RAW hashes first, then takes the same path). Stored keys are re-encoded from
 * their coordinates, so every import of one key stores the same named-curve, uncompressed PKCS#8.
 */
import { createHash, createPrivateKey, createPublicKey, diffieHellman, type JsonWebKey, type KeyObject } from 'node:crypto';
import type { p256 } from '@noble/curves/nist.js';
import { DER, privateKeyInfoParts } from '../der';
import { generateDerKeyPair } from './der-key-pair';
import { SIGNING_ALGORITHMS, type EccCurve, type KeySpecEntry } from '../key-specs';
import type { KeyFamily } from './family';
import { assertPairwiseConsistent, importedPrivateKey, incorrectMaterial, parsePublicKey, pkcs8Of, storedPrivateKey } from './key-pair-material';

type Ecdsa = typeof p256;

interface CurveInfo {
  /** OpenSSL's name, as node:crypto reports it. */
  readonly openssl: string;
}

const CURVES: Readonly<Record<EccCurve, CurveInfo>> = {
  'P-256': { openssl: 'prime256v1' },
  'P-384': { openssl: 'secp384r1' },
  'P-521': { openssl: 'secp521r1' },
  secp256k1: { openssl: 'secp256k1' },
};

function curveOf(entry: KeySpecEntry): CurveInfo {
  return CURVES[entry.curve!];
}

/** @noble/curves' ECDSA, imported on the first signature: its curves take tens of milliseconds to set up. */
let loading: Promise<void> | undefined;
let ecdsaByCurve: Readonly<Record<EccCurve, Ecdsa>> | undefined;

function ecdsaOf(entry: KeySpecEntry): Ecdsa {
  if (!ecdsaByCurve) throw new Error('eccFamily.load() was not awaited');
  return ecdsaByCurve[entry.curve!];
}

function jwkOf(key: KeyObject): Required<Pick<JsonWebKey, 'crv' | 'x' | 'y'>> & JsonWebKey {
  return key.export({ format: 'jwk' }) as Required<Pick<JsonWebKey, 'crv' | 'x' | 'y'>> & JsonWebKey;
}

/** SPKI with the uncompressed point, whatever form the key was imported in. */
function publicSpki(material: Uint8Array): Uint8Array {
  const { kty, crv, x, y } = jwkOf(storedPrivateKey(material));
  return new Uint8Array(createPublicKey({ key: { kty, crv, x, y }, format: 'jwk' }).export({ type: 'spki', format: 'der' }));
}

/** 0x04 ‖ X ‖ Y, as @noble/curves takes a public key. */
function uncompressedPoint(key: KeyObject): Uint8Array {
  const { x, y } = jwkOf(key);
  return new Uint8Array(Buffer.concat([Buffer.from([0x04]), Buffer.from(x, 'base64url'), Buffer.from(y, 'base64url')]));
}

function digestOf(algorithm: keyof typeof SIGNING_ALGORITHMS, message: Uint8Array, raw: boolean): Uint8Array {
  return raw ? createHash(SIGNING_ALGORITHMS[algorithm].hash!).update(message).digest() : message;
}

export const eccFamily: KeyFamily = {
  load() {
    loading ??= Promise.all([import('@noble/curves/nist.js'), import('@noble/curves/secp256k1.js')]).then(([nist, k1]) => {
      ecdsaByCurve = { 'P-256': nist.p256, 'P-384': nist.p384, 'P-521': nist.p521, secp256k1: k1.secp256k1 as unknown as Ecdsa };
    });
    return loading;
  },
  async generate(entry) {
    return (await generateDerKeyPair({ type: 'ec', namedCurve: curveOf(entry).openssl })).privateKey;
  },
  readImported(entry, plaintext) {
    const key = importedPrivateKey(entry.keySpec, plaintext, 'ec', `an EC private key on curve ${entry.curve}`);
    // OpenSSL matches explicit parameters to a named curve; AWS accepts named curves only.
    // Stryker disable next-line OptionalChaining: node:crypto's own PKCS#8 export always parses
    const algorithm = privateKeyInfoParts(pkcs8Of(key))?.algorithm;
    // Stryker disable next-line OptionalChaining: an EC PrivateKeyInfo's algorithm always has its parameters (second element)
    if (algorithm?.[1]?.tag !== DER.OID) throw incorrectMaterial(entry.keySpec, 'its curve must be given by name (explicit curve parameters are not supported).');
    // Stryker disable next-line OptionalChaining: an EC KeyObject always has its details
    const curve = key.asymmetricKeyDetails?.namedCurve;
    if (curve !== curveOf(entry).openssl) throw incorrectMaterial(entry.keySpec, `its curve must be ${entry.curve}, not ${curve ?? 'unknown'}.`);
    const canonical = createPrivateKey({ key: jwkOf(key), format: 'jwk' });
    assertPairwiseConsistent(entry.keySpec, canonical, 'sha256');
    return pkcs8Of(canonical);
  },
  identity(_entry, material) {
    return publicSpki(material);
  },
  publicKey(_entry, material) {
    return publicSpki(material);
  },
  sign(entry, material, algorithm, message, messageType, random) {
    const d = Buffer.from(jwkOf(storedPrivateKey(material)).d!, 'base64url');
    try {
      const digest = digestOf(algorithm, message, messageType === 'RAW');
      return ecdsaOf(entry).sign(digest, d, { prehash: false, lowS: false, format: 'der', extraEntropy: random(32) });
    } finally /* Stryker disable next-line BlockStatement: the wipe of d, which is made and dropped inside sign(): no port can see it */ {
      d.fill(0);
    }
  },
  verify(entry, material, algorithm, message, messageType, signature) {
    const ecdsa = ecdsaOf(entry);
    const publicKey = uncompressedPoint(storedPrivateKey(material));
    try {
      const digest = digestOf(algorithm, message, messageType === 'RAW');
      return ecdsa.verify(signature, digest, publicKey, { prehash: false, lowS: false, format: 'der' });
    } catch /* Stryker disable next-line BlockStatement: unreachable, noble answers false for any bytes that are not a valid DER signature and throws only for arguments that are not Uint8Arrays */ {
      // Stryker disable next-line BooleanLiteral: unreachable, see the catch above
      return false;
    }
  },
  deriveSharedSecret(entry, material, peerPublicKey) {
    const peer = parsePublicKey(peerPublicKey);
    // Stryker disable next-line ConditionalExpression,OptionalChaining: diffieHellman below refuses a peer of another type or curve too (caught: undefined), and an EC key always has its details
    if (peer?.asymmetricKeyType !== 'ec' || peer.asymmetricKeyDetails?.namedCurve !== curveOf(entry).openssl) return undefined;
    try {
      return new Uint8Array(diffieHellman({ privateKey: storedPrivateKey(material), publicKey: peer }));
    } catch /* Stryker disable next-line BlockStatement: unreachable, the checks above leave nothing for diffieHellman to refuse (kept as the last guard), and an emptied block returns undefined too */ {
      return undefined;
    }
  },
};
