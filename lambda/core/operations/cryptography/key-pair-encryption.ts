/**
 * Encryption with an RSA key pair (spec kms-key-specs.md §8): the ciphertext is the raw RSAES-OAEP
 * output, exactly the modulus size, with no header; so Decrypt and ReEncrypt need the KeyId and the
 * algorithm, and a ciphertext made offline with GetPublicKey's key decrypts here.
 */
import type { EncryptionContext } from '../../crypto/encryption-context';
import type { EncryptionAlgorithmSpec } from '../../crypto/key-specs';
import { InvalidCiphertextException, ValidationException } from '../../errors';
import type { KeyRecord } from '../../model/key';
import type { Deps } from '../../ports';
import { keyCrypto, singleMaterial } from '../key-usage';

/** D49: an encryption context is for symmetric keys only (the model: RSA algorithms "do not support" one). */
export function rejectEncryptionContext(context: EncryptionContext | undefined, algorithm: EncryptionAlgorithmSpec): void {
  if (context !== undefined && Object.keys(context).length > 0) {
    throw new ValidationException(`The ${algorithm} encryption algorithm does not support an encryption context; omit EncryptionContext for asymmetric KMS keys.`);
  }
}

/** Checks the plaintext against the OAEP limit (k − 2·hLen − 2, spec §8.1), then encrypts. */
export function checkKeyPairPlaintext(key: KeyRecord, algorithm: EncryptionAlgorithmSpec, plaintext: Uint8Array): void {
  const { entry, family } = keyCrypto(key);
  const max = family.maxPlaintextLength!(entry, algorithm);
  if (plaintext.length > max) {
    throw new ValidationException(`Algorithm ${algorithm} and key spec ${key.keySpec} cannot encrypt data larger than ${max} bytes.`);
  }
}

export async function encryptWithKeyPair(
  deps: Pick<Deps, 'rootKey' | 'clock' | 'materialCache'>,
  key: KeyRecord,
  algorithm: EncryptionAlgorithmSpec,
  plaintext: Uint8Array,
): Promise<Uint8Array> {
  const { entry, family } = keyCrypto(key);
  return family.encrypt!(entry, await singleMaterial(deps, key), algorithm, plaintext);
}

/** Wrong key, wrong algorithm and tampering read alike: InvalidCiphertextException with an empty message. */
export async function decryptWithKeyPair(
  deps: Pick<Deps, 'rootKey' | 'clock' | 'materialCache'>,
  key: KeyRecord,
  algorithm: EncryptionAlgorithmSpec,
  ciphertext: Uint8Array | undefined,
): Promise<Uint8Array> {
  if (ciphertext === undefined) {
    throw new ValidationException("1 validation error detected: Value null at 'ciphertextBlob' failed to satisfy constraint: Member must not be null");
  }
  const { entry, family } = keyCrypto(key);
  const plaintext = family.decrypt!(entry, await singleMaterial(deps, key), algorithm, ciphertext);
  if (!plaintext) throw new InvalidCiphertextException();
  return plaintext;
}
