import { ValidationException } from '../../errors';
import type { EncryptionContext } from '../../crypto/encryption-context';
import { assertAccepts } from '../../model/key-state';
import {
  checkEncryptionAlgorithm,
  ciphertextKey,
  openWithNamedMaterial,
  parseCiphertext,
  rejectRecipient,
  resolveForCrypto,
  stopIfDryRun,
  SYMMETRIC_DEFAULT,
  type DryRunModifier,
  type EncryptionAlgorithmSpec,
  type RecipientInfo,
} from './crypto-support';
import type { Operation } from '../types';

export interface DecryptInput {
  /** Required unless DryRun with IGNORE_CIPHERTEXT. */
  readonly CiphertextBlob?: Uint8Array;
  readonly EncryptionContext?: EncryptionContext;
  readonly GrantTokens?: readonly string[];
  /** Optional for symmetric keys: the blob names its key. If given, it must name that key. */
  readonly KeyId?: string;
  readonly EncryptionAlgorithm?: EncryptionAlgorithmSpec;
  readonly Recipient?: RecipientInfo;
  readonly DryRun?: boolean;
  readonly DryRunModifiers?: readonly DryRunModifier[];
}

export interface DecryptOutput {
  /** The key ARN. */
  readonly KeyId: string;
  readonly Plaintext: Uint8Array;
  readonly EncryptionAlgorithm: 'SYMMETRIC_DEFAULT';
  /** The material that decrypted the blob. */
  readonly KeyMaterialId: string;
}

/**
 * Decrypts with the key and material named in the blob. The key state is checked before any
 * decryption, so a key in PendingImport says so even for a ciphertext it could not open anyway.
 * A blob that is not ours, names an unknown material, or fails authentication (wrong encryption
 * context, tampering) is InvalidCiphertextException with an empty message.
 * @see https://docs.aws.amazon.com/kms/latest/APIReference/API_Decrypt.html
 */
export const decrypt: Operation<DecryptInput, DecryptOutput> = async (deps, ctx, input) => {
  rejectRecipient(input.Recipient);
  if (input.DryRun === true && input.DryRunModifiers?.includes('IGNORE_CIPHERTEXT')) {
    // Only the key and the request are checked; the ciphertext is not looked at.
    if (input.KeyId === undefined) {
      throw new ValidationException('KeyId is required when DryRunModifiers includes IGNORE_CIPHERTEXT.');
    }
    await resolveForCrypto(deps, ctx, input.KeyId, input.EncryptionAlgorithm);
    stopIfDryRun(true);
  }
  const parsed = parseCiphertext(input.CiphertextBlob);
  const key = await ciphertextKey(deps, ctx, parsed, input.KeyId);
  assertAccepts(key, 'UseForCrypto');
  checkEncryptionAlgorithm(key, input.EncryptionAlgorithm);
  const opened = await openWithNamedMaterial(deps, key, parsed, input.EncryptionContext);
  if (input.DryRun === true) {
    opened.plaintext.fill(0);
    stopIfDryRun(true);
  }
  return { KeyId: key.arn, Plaintext: opened.plaintext, EncryptionAlgorithm: SYMMETRIC_DEFAULT, KeyMaterialId: opened.materialId };
};
