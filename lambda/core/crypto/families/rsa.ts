/**
 * RSA_2048/3072/4096: signing (RSASSA-PKCS1-v1_5 and RSASSA-PSS with MGF1 of the same hash and a salt as
 * long as the hash, spec §5.2) and encryption (RSAES-OAEP, empty label, spec §8). Signing works on the
 * digest in both message types, so RAW and DIGEST give the same signatures: PKCS#1 v1.5 through
 * OpenSSL's type-1 padding of the DigestInfo, PSS as EMSA-PSS (RFC 8017 §9.1) over the raw RSA primitive,
 * because node:crypto signs only messages it hashes itself.
 */
import { constants, createHash, createPublicKey, privateDecrypt, privateEncrypt, publicDecrypt, publicEncrypt, timingSafeEqual } from 'node:crypto';
import { childrenOf, DER, privateKeyInfoParts, readTlv } from '../der';
import { generateDerKeyPair } from './der-key-pair';
import { ENCRYPTION_ALGORITHMS, SIGNING_ALGORITHMS, type HashName, type KeySpecEntry, type MessageType, type SigningAlgorithmSpec } from '../key-specs';
import type { KeyFamily } from './family';
import { assertPairwiseConsistent, importedPrivateKey, incorrectMaterial, pkcs8Of, spkiOf, storedPrivateKey } from './key-pair-material';

/** DER DigestInfo prefixes (RFC 8017 §9.2 note 1). */
const DIGEST_INFO: Readonly<Partial<Record<HashName, Buffer>>> = {
  sha256: Buffer.from('3031300d060960864801650304020105000420', 'hex'),
  sha384: Buffer.from('3041300d060960864801650304020205000430', 'hex'),
  sha512: Buffer.from('3051300d060960864801650304020305000440', 'hex'),
};

const HASH_LENGTH: Readonly<Record<HashName, number>> = { sha1: 20, sha224: 28, sha256: 32, sha384: 48, sha512: 64 };

function modulusBytes(entry: KeySpecEntry): number {
  return (entry.rsaModulusBits ?? 0) / 8;
}

function digestOf(algorithm: SigningAlgorithmSpec, message: Uint8Array, messageType: MessageType): { hash: HashName; digest: Uint8Array } {
  const hash = SIGNING_ALGORITHMS[algorithm].hash!;
  return { hash, digest: messageType === 'DIGEST' ? message : createHash(hash).update(message).digest() };
}

function mgf1(hash: HashName, seed: Uint8Array, length: number): Buffer {
  const blocks: Buffer[] = [];
  // Stryker disable next-line EqualityOperator: one block more is cut off by the subarray below
  for (let counter = 0; blocks.length * HASH_LENGTH[hash] < length; counter++) {
    const c = Buffer.alloc(4);
    c.writeUInt32BE(counter);
    blocks.push(createHash(hash).update(seed).update(c).digest());
  }
  return Buffer.concat(blocks).subarray(0, length);
}

/** H = Hash(0x00 × 8 ‖ mHash ‖ salt), the value EMSA-PSS binds. */
function pssHash(hash: HashName, mHash: Uint8Array, salt: Uint8Array): Buffer {
  return createHash(hash).update(Buffer.alloc(8)).update(mHash).update(salt).digest();
}

/** EMSA-PSS-ENCODE (RFC 8017 §9.1.1) with sLen = hLen, to emBits = modBits − 1, left-padded to `k` bytes. */
function emsaPssEncode(hash: HashName, mHash: Uint8Array, modBits: number, k: number, salt: Uint8Array): Buffer {
  const hLen = HASH_LENGTH[hash];
  const emBits = modBits - 1;
  const emLen = Math.ceil(emBits / 8);
  const h = pssHash(hash, mHash, salt);
  const db = Buffer.concat([Buffer.alloc(emLen - 2 * hLen - 2), Buffer.from([0x01]), salt]);
  // Stryker disable next-line ArithmeticOperator: a longer MGF1 output starts with the same bytes, and only db.length of them are used
  const mask = mgf1(hash, h, emLen - hLen - 1);
  // Stryker disable next-line EqualityOperator: writing db[db.length] is a no-op on a Buffer
  for (let i = 0; i < db.length; i++) db[i]! ^= mask[i]!;
  db[0]! &= 0xff >> (8 * emLen - emBits);
  return Buffer.concat([Buffer.alloc(k - emLen), db, h, Buffer.from([0xbc])]);
}

/** EMSA-PSS-VERIFY (RFC 8017 §9.1.2) with sLen = hLen; `em` is the k-byte output of RSAVP1. */
function emsaPssVerify(hash: HashName, mHash: Uint8Array, em: Buffer, modBits: number): boolean {
  const hLen = HASH_LENGTH[hash];
  const emBits = modBits - 1;
  const emLen = Math.ceil(emBits / 8);
  // Stryker disable next-line all: every modulus here (2048, 3072, 4096 bits) is a whole number of bytes, so emLen = k = em.length
  if (em.length < emLen || em.subarray(0, em.length - emLen).some((b) => b !== 0)) return false;
  const encoded = em.subarray(em.length - emLen);
  if (encoded[emLen - 1] !== 0xbc) return false;
  const topBits = 0xff >> (8 * emLen - emBits);
  const maskedDb = Buffer.from(encoded.subarray(0, emLen - hLen - 1));
  const h = encoded.subarray(emLen - hLen - 1, emLen - 1);
  if ((maskedDb[0]! & ~topBits) !== 0) return false;
  const mask = mgf1(hash, h, maskedDb.length);
  // Stryker disable next-line EqualityOperator: writing maskedDb[maskedDb.length] is a no-op on a Buffer
  for (let i = 0; i < maskedDb.length; i++) maskedDb[i]! ^= mask[i]!;
  maskedDb[0]! &= topBits;
  const separator = emLen - 2 * hLen - 2;
  if (maskedDb.subarray(0, separator).some((b) => b !== 0) || maskedDb[separator] !== 0x01) return false;
  return timingSafeEqual(pssHash(hash, mHash, maskedDb.subarray(separator + 1)), h);
}

/**
 * The version of the RSAPrivateKey inside a PKCS#8: 0 for two primes, 1 for more (RFC 8017 A.1.2). It only ever reads
 * node:crypto's own export of a key node:crypto parsed (a SEQUENCE starting with a one-byte INTEGER), and node:crypto
 * (OpenSSL 3 here) does not parse a three-prime key at all, so none of its checks can fail today: kept against an
 * OpenSSL that does (see signature-rules.test.ts).
 */
function rsaPrivateKeyVersion(pkcs8: Uint8Array): number | undefined {
  const parts = privateKeyInfoParts(pkcs8);
  const inner = parts && readTlv(pkcs8, parts.privateKey.start, parts.privateKey.end);
  // Stryker disable next-line all: see the function comment
  const version = inner && inner.tag === DER.SEQUENCE ? childrenOf(pkcs8, inner)?.[0] : undefined;
  // Stryker disable next-line all: see the function comment
  return version && version.tag === DER.INTEGER && version.end === version.start + 1 ? pkcs8[version.start] : undefined;
}

export const rsaFamily: KeyFamily = {
  async generate(entry) {
    return (await generateDerKeyPair({ type: 'rsa', modulusLength: entry.rsaModulusBits! })).privateKey;
  },
  readImported(entry, plaintext) {
    const key = importedPrivateKey(entry.keySpec, plaintext, 'rsa', 'an RSA private key');
    // Stryker disable next-line OptionalChaining: an RSA KeyObject always has its details
    const bits = key.asymmetricKeyDetails?.modulusLength;
    if (bits !== entry.rsaModulusBits) {
      throw incorrectMaterial(entry.keySpec, `its modulus must be ${entry.rsaModulusBits} bits, not ${bits ?? 'unknown'}.`);
    }
    const canonical = pkcs8Of(key);
    // Stryker disable next-line ConditionalExpression,StringLiteral: unreachable today, see rsaPrivateKeyVersion
    if (rsaPrivateKeyVersion(canonical) !== 0) throw incorrectMaterial(entry.keySpec, 'it must be a two-prime RSA key.');
    assertPairwiseConsistent(entry.keySpec, key, 'sha256');
    return canonical;
  },
  identity(_entry, material) {
    return spkiOf(storedPrivateKey(material));
  },
  publicKey(_entry, material) {
    return spkiOf(storedPrivateKey(material));
  },
  sign(entry, material, algorithm, message, messageType, random) {
    const key = storedPrivateKey(material);
    const { hash, digest } = digestOf(algorithm, message, messageType);
    if (algorithm.startsWith('RSASSA_PSS_')) {
      const em = emsaPssEncode(hash, digest, entry.rsaModulusBits!, modulusBytes(entry), random(HASH_LENGTH[hash]));
      return new Uint8Array(privateEncrypt({ key, padding: constants.RSA_NO_PADDING }, em));
    }
    return new Uint8Array(privateEncrypt({ key, padding: constants.RSA_PKCS1_PADDING }, Buffer.concat([DIGEST_INFO[hash]!, digest])));
  },
  verify(entry, material, algorithm, message, messageType, signature) {
    if (signature.length !== modulusBytes(entry)) return false;
    const key = createPublicKey(storedPrivateKey(material));
    const { hash, digest } = digestOf(algorithm, message, messageType);
    try {
      if (algorithm.startsWith('RSASSA_PSS_')) {
        return emsaPssVerify(hash, digest, publicDecrypt({ key, padding: constants.RSA_NO_PADDING }, signature), entry.rsaModulusBits!);
      }
      const expected = Buffer.concat([DIGEST_INFO[hash]!, digest]);
      const recovered = publicDecrypt({ key, padding: constants.RSA_PKCS1_PADDING }, signature);
      return recovered.length === expected.length && timingSafeEqual(recovered, expected);
    } catch {
      return false; // OpenSSL rejects a representative ≥ n or bad padding
    }
  },
  maxPlaintextLength(entry, algorithm) {
    return modulusBytes(entry) - 2 * (ENCRYPTION_ALGORITHMS[algorithm].hashLength ?? 0) - 2;
  },
  encrypt(_entry, material, algorithm, plaintext) {
    const key = createPublicKey(storedPrivateKey(material));
    return new Uint8Array(publicEncrypt({ key, padding: constants.RSA_PKCS1_OAEP_PADDING, oaepHash: ENCRYPTION_ALGORITHMS[algorithm].oaepHash! }, plaintext));
  },
  decrypt(_entry, material, algorithm, ciphertext) {
    try {
      const key = storedPrivateKey(material);
      return new Uint8Array(privateDecrypt({ key, padding: constants.RSA_PKCS1_OAEP_PADDING, oaepHash: ENCRYPTION_ALGORITHMS[algorithm].oaepHash! }, ciphertext));
    } catch {
      return undefined;
    }
  },
};
