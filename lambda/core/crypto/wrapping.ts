/**
 * The wrapping key pairs of GetParametersForImport and the unwrapping of ImportKeyMaterial's
 * EncryptedKeyMaterial (spec §5.2):
 *
 *   RSAES_OAEP_SHA_x        material encrypted directly with RSA-OAEP (SHA-x digest and MGF1, empty label)
 *   RSA_AES_KEY_WRAP_SHA_x  RSA-OAEP-SHA-x(256-bit AES key) ‖ RFC 5649 AES key wrap with padding(material)
 *
 * Every failure to unwrap (wrong key pair, other algorithm, corrupt bytes) reads the same to the caller.
 */
import { constants, createDecipheriv, createPrivateKey, type KeyObject, privateDecrypt } from 'node:crypto';
import { generateKeyPair } from './key-pair-generation';

/** The model's enum: two members are refused by this service (D8, China-only SM2PKE). */
export type WrappingAlgorithmSpec =
  | 'RSAES_PKCS1_V1_5'
  | 'RSAES_OAEP_SHA_1'
  | 'RSAES_OAEP_SHA_256'
  | 'RSA_AES_KEY_WRAP_SHA_1'
  | 'RSA_AES_KEY_WRAP_SHA_256'
  | 'SM2PKE';
export type WrappingAlgorithm = 'RSAES_OAEP_SHA_1' | 'RSAES_OAEP_SHA_256' | 'RSA_AES_KEY_WRAP_SHA_1' | 'RSA_AES_KEY_WRAP_SHA_256';

export type WrappingKeySpecName = 'RSA_2048' | 'RSA_3072' | 'RSA_4096' | 'SM2';
export type WrappingKeySpec = 'RSA_2048' | 'RSA_3072' | 'RSA_4096';

export const WRAPPING_ALGORITHMS: readonly WrappingAlgorithm[] = ['RSAES_OAEP_SHA_1', 'RSAES_OAEP_SHA_256', 'RSA_AES_KEY_WRAP_SHA_1', 'RSA_AES_KEY_WRAP_SHA_256'];
export const WRAPPING_KEY_SPECS: readonly WrappingKeySpec[] = ['RSA_2048', 'RSA_3072', 'RSA_4096'];

const MODULUS_BITS: Readonly<Record<WrappingKeySpec, number>> = { RSA_2048: 2048, RSA_3072: 3072, RSA_4096: 4096 };

/** RFC 5649 alternative initial value; OpenSSL's id-aes256-wrap-pad appends the length itself. */
const KWP_IV = Buffer.from('A65959A6', 'hex');
const KWP_KEY_LENGTH = 32;

export function isWrappingAlgorithm(value: string): value is WrappingAlgorithm {
  return (WRAPPING_ALGORITHMS as readonly string[]).includes(value);
}

export function isWrappingKeySpec(value: string): value is WrappingKeySpec {
  return (WRAPPING_KEY_SPECS as readonly string[]).includes(value);
}

export interface WrappingKeyPair {
  /** DER X.509 SubjectPublicKeyInfo, as GetParametersForImport returns it. */
  readonly publicKey: Uint8Array;
  /** DER PKCS#8. Secret: the caller wraps it with the root key and zeroes it. */
  readonly privateKey: Uint8Array;
}

/** A fresh RSA key pair (e = 65537), generated off the event loop, within the process-wide bound. */
export async function generateWrappingKeyPair(spec: WrappingKeySpec): Promise<WrappingKeyPair> {
  const { publicKey, privateKey } = await generateKeyPair('rsa', {
    modulusLength: MODULUS_BITS[spec],
    publicExponent: 0x10001,
    publicKeyEncoding: { type: 'spki', format: 'der' },
    privateKeyEncoding: { type: 'pkcs8', format: 'der' },
  });
  return { publicKey, privateKey }; // no copies: the caller's fill(0) wipes the one private buffer
}

/** Reads a PKCS#8 DER private key; undefined if the bytes are not one. */
export function loadPrivateKey(pkcs8: Uint8Array): KeyObject | undefined {
  try {
    const key = createPrivateKey({ key: Buffer.from(pkcs8), format: 'der', type: 'pkcs8' });
    return key.asymmetricKeyType === 'rsa' ? key : undefined;
  } catch /* Stryker disable next-line BlockStatement: an empty catch returns undefined too */ {
    return undefined;
  }
}

function oaepDecrypt(privateKey: KeyObject, algorithm: WrappingAlgorithm, data: Uint8Array): Uint8Array | undefined {
  try {
    const oaepHash = algorithm.endsWith('SHA_256') ? 'sha256' : 'sha1';
    return new Uint8Array(privateDecrypt({ key: privateKey, padding: constants.RSA_PKCS1_OAEP_PADDING, oaepHash }, data));
  } catch /* Stryker disable next-line BlockStatement: an empty catch returns undefined too */ {
    return undefined;
  }
}

function kwpUnwrap(aesKey: Uint8Array, wrapped: Uint8Array): Uint8Array | undefined {
  try {
    const decipher = createDecipheriv('id-aes256-wrap-pad', aesKey, KWP_IV);
    return new Uint8Array(Buffer.concat([decipher.update(wrapped), decipher.final()]));
  } catch /* Stryker disable next-line BlockStatement: an empty catch returns undefined too */ {
    return undefined; // OpenSSL reports a failed integrity check as an error
  }
}

/**
 * The plaintext key material, or undefined when `encrypted` was not wrapped for this private key and
 * algorithm. The caller zeroes the result when done with it.
 */
export function unwrapKeyMaterial(privateKey: KeyObject, algorithm: WrappingAlgorithm, encrypted: Uint8Array): Uint8Array | undefined {
  if (algorithm === 'RSAES_OAEP_SHA_1' || algorithm === 'RSAES_OAEP_SHA_256') {
    return oaepDecrypt(privateKey, algorithm, encrypted);
  }
  // Stryker disable next-line OptionalChaining: an RSA KeyObject (loadPrivateKey loads no other) always has its details
  const modulusBytes = (privateKey.asymmetricKeyDetails?.modulusLength ?? 0) / 8;
  const wrapped = encrypted.subarray(modulusBytes);
  /* Precondition: an RSA block followed by at least one KWP block pair (RFC 5649: ≥ 16 bytes, multiple of 8). */
  // An empty KWP part must be refused here: OpenSSL unwraps no bytes to no bytes.
  if (
    wrapped.length < 16 ||
    // Stryker disable next-line ConditionalExpression: OpenSSL's id-aes256-wrap-pad refuses such input itself (caught: undefined); this only spares the RSA decryption
    wrapped.length % 8 !== 0 ||
    // Stryker disable next-line ConditionalExpression: an RSA key always has its modulus length (the ?? 0 is for the type checker)
    modulusBytes === 0
  ) {
    return undefined;
  }
  const aesKey = oaepDecrypt(privateKey, algorithm, encrypted.subarray(0, modulusBytes));
  if (!aesKey) return undefined;
  try {
    /* Precondition: the ephemeral key is an AES-256 key. */
    // Stryker disable next-line ConditionalExpression: createDecipheriv refuses a key of another length for id-aes256-wrap-pad itself (caught: undefined)
    if (aesKey.length !== KWP_KEY_LENGTH) return undefined;
    return kwpUnwrap(aesKey, wrapped);
  } finally /* Stryker disable next-line BlockStatement: not equivalent, but no port sees the ephemeral AES key, made and dropped here */ {
    aesKey.fill(0);
  }
}
