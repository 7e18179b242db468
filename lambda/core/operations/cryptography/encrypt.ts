import type { EncryptionContext } from '../../crypto/encryption-context';
import { resolveUsableKey } from '../key-usage';
import {
  checkEncryptionAlgorithm,
  checkPlaintext,
  encryptsWithKeyPair,
  sealWithCurrentMaterial,
  stopIfDryRun,
  type EncryptionAlgorithmSpec,
} from './crypto-support';
import { checkKeyPairPlaintext, encryptWithKeyPair, rejectEncryptionContext } from './key-pair-encryption';
import type { Operation } from '../types';

export interface EncryptInput {
  readonly KeyId: string;
  readonly Plaintext: Uint8Array;
  readonly EncryptionContext?: EncryptionContext;
  readonly GrantTokens?: readonly string[];
  readonly EncryptionAlgorithm?: EncryptionAlgorithmSpec;
  readonly DryRun?: boolean;
}

export interface EncryptOutput {
  readonly CiphertextBlob: Uint8Array;
  /** The key ARN. */
  readonly KeyId: string;
  readonly EncryptionAlgorithm: EncryptionAlgorithmSpec;
  // No KeyMaterialId: AWS does not return it from Encrypt.
}

/**
 * Encrypts up to 4096 bytes. A symmetric key seals them under its CURRENT material, with the encryption
 * context bound as authenticated data; an RSA key encrypts them with RSAES-OAEP (up to its limit).
 * Any of the four key forms.
 * @see https://docs.aws.amazon.com/kms/latest/APIReference/API_Encrypt.html
 */
export const encrypt: Operation<EncryptInput, EncryptOutput> = async (deps, ctx, input) => {
  checkPlaintext(input.Plaintext);
  const key = await resolveUsableKey(deps, ctx, input.KeyId, 'Encrypt', 'ENCRYPT_DECRYPT');
  const algorithm = checkEncryptionAlgorithm(key, input.EncryptionAlgorithm);
  if (encryptsWithKeyPair(key)) {
    rejectEncryptionContext(input.EncryptionContext, algorithm);
    checkKeyPairPlaintext(key, algorithm, input.Plaintext);
    stopIfDryRun(input.DryRun);
    return { CiphertextBlob: await encryptWithKeyPair(deps, key, algorithm, input.Plaintext), KeyId: key.arn, EncryptionAlgorithm: algorithm };
  }
  stopIfDryRun(input.DryRun);
  const sealed = await sealWithCurrentMaterial(deps, key, input.Plaintext, input.EncryptionContext);
  return { CiphertextBlob: sealed.ciphertextBlob, KeyId: key.arn, EncryptionAlgorithm: algorithm };
};
