/**
 * What the key-pair families share: reading PKCS#8 with node:crypto, the checks of an imported private
 * key, and the pairwise test that the private key really belongs to the public key it carries.
 */
import { createPrivateKey, createPublicKey, type KeyObject, sign, verify } from 'node:crypto';
import { IncorrectKeyMaterialException } from '../../errors';

/** A PKCS#8 DER private key; undefined for anything else. */
export function parsePrivateKey(pkcs8: Uint8Array): KeyObject | undefined {
  try {
    return createPrivateKey({ key: Buffer.from(pkcs8), format: 'der', type: 'pkcs8' });
  } catch /* Stryker disable next-line BlockStatement: an empty catch returns undefined too */ {
    return undefined;
  }
}

/** A stored private key: it was checked at generation or import, so failing to read it is a broken invariant. */
export function storedPrivateKey(pkcs8: Uint8Array): KeyObject {
  const key = parsePrivateKey(pkcs8);
  // Stryker disable next-line ConditionalExpression,StringLiteral: unreachable, stored material was parsed at generation or import
  if (!key) throw new Error('stored key material is not a PKCS#8 private key');
  return key;
}

export function spkiOf(key: KeyObject): Uint8Array {
  return new Uint8Array(createPublicKey(key).export({ type: 'spki', format: 'der' }));
}

export function pkcs8Of(key: KeyObject): Uint8Array {
  return new Uint8Array(key.export({ type: 'pkcs8', format: 'der' }));
}

/** A DER SubjectPublicKeyInfo; undefined for anything else. */
export function parsePublicKey(spki: Uint8Array): KeyObject | undefined {
  try {
    return createPublicKey({ key: Buffer.from(spki), format: 'der', type: 'spki' });
  } catch /* Stryker disable next-line BlockStatement: an empty catch returns undefined too */ {
    return undefined;
  }
}

export function incorrectMaterial(keySpec: string, rule: string): IncorrectKeyMaterialException {
  return new IncorrectKeyMaterialException(`The key material is not valid for a ${keySpec} KMS key: ${rule}`);
}

/** The imported bytes as a private key of the expected node:crypto type, or IncorrectKeyMaterialException. */
export function importedPrivateKey(keySpec: string, plaintext: Uint8Array, type: string, what: string): KeyObject {
  const key = parsePrivateKey(plaintext);
  if (!key) throw incorrectMaterial(keySpec, `it must be a DER-encoded PKCS#8 PrivateKeyInfo holding ${what}.`);
  if (key.asymmetricKeyType !== type) throw incorrectMaterial(keySpec, `it must hold ${what}, not a ${key.asymmetricKeyType ?? 'different'} key.`);
  return key;
}

const PAIRWISE_MESSAGE = Buffer.from('byok-kms pairwise consistency test');

/**
 * Signs with the private key and verifies with the public key derived from it: an imported key whose
 * parts do not belong together (a public point or modulus that is not its own) fails here.
 */
export function assertPairwiseConsistent(keySpec: string, key: KeyObject, digest: string | null): void {
  // Stryker disable next-line BooleanLiteral: never read: the try assigns ok or throws into the catch, which assigns it
  let ok = false;
  try {
    const signature = sign(digest, PAIRWISE_MESSAGE, key);
    ok = verify(digest, PAIRWISE_MESSAGE, createPublicKey(key), signature);
  } catch /* Stryker disable next-line BlockStatement: an empty catch leaves ok false too */ {
    // Stryker disable next-line BooleanLiteral: not equivalent, but no key that passes the families' earlier checks is known to make sign or verify throw (RSA: the modulus is checked first; EC: re-read from its JWK, even d = 0 signs; Ed25519 never throws)
    ok = false;
  }
  if (!ok) throw incorrectMaterial(keySpec, 'its private and public parts do not belong to the same key pair.');
}
