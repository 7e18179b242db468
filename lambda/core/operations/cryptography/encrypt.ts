import type { EncryptionContext } from '../../crypto/encryption-context';
import {
  checkPlaintext,
  resolveForCrypto,
  sealWithCurrentMaterial,
  stopIfDryRun,
  SYMMETRIC_DEFAULT,
  type EncryptionAlgorithmSpec,
} from './crypto-support';
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
  readonly EncryptionAlgorithm: 'SYMMETRIC_DEFAULT';
  // No KeyMaterialId: AWS does not return it from Encrypt.
}

/**
 * Encrypts up to 4096 bytes under the key's CURRENT material; the encryption context is bound as
 * authenticated data. Any of the four key forms.
 * @see https://docs.aws.amazon.com/kms/latest/APIReference/API_Encrypt.html
 */
export const encrypt: Operation<EncryptInput, EncryptOutput> = async (deps, ctx, input) => {
  checkPlaintext(input.Plaintext);
  const key = await resolveForCrypto(deps, ctx, input.KeyId, input.EncryptionAlgorithm);
  stopIfDryRun(input.DryRun);
  const sealed = await sealWithCurrentMaterial(deps, key, input.Plaintext, input.EncryptionContext);
  return { CiphertextBlob: sealed.ciphertextBlob, KeyId: key.arn, EncryptionAlgorithm: SYMMETRIC_DEFAULT };
};
