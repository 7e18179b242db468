import { ValidationException } from '../../errors';
import type { EncryptionContext } from '../../crypto/encryption-context';
import { assertAccepts } from '../../model/key-state';
import {
  checkEncryptionAlgorithm,
  ciphertextKey,
  openWithNamedMaterial,
  parseCiphertext,
  resolveForCrypto,
  sealWithCurrentMaterial,
  stopIfDryRun,
  SYMMETRIC_DEFAULT,
  type DryRunModifier,
  type EncryptionAlgorithmSpec,
} from './crypto-support';
import type { Operation } from '../types';

export interface ReEncryptInput {
  /** Required unless DryRun with IGNORE_CIPHERTEXT. */
  readonly CiphertextBlob?: Uint8Array;
  readonly SourceEncryptionContext?: EncryptionContext;
  /** Optional for symmetric keys; if given, it must name the blob's key. */
  readonly SourceKeyId?: string;
  readonly DestinationKeyId: string;
  readonly DestinationEncryptionContext?: EncryptionContext;
  readonly SourceEncryptionAlgorithm?: EncryptionAlgorithmSpec;
  readonly DestinationEncryptionAlgorithm?: EncryptionAlgorithmSpec;
  readonly GrantTokens?: readonly string[];
  readonly DryRun?: boolean;
  readonly DryRunModifiers?: readonly DryRunModifier[];
}

export interface ReEncryptOutput {
  readonly CiphertextBlob: Uint8Array;
  /** Source key ARN. */
  readonly SourceKeyId: string;
  /** Destination key ARN. */
  readonly KeyId: string;
  readonly SourceEncryptionAlgorithm: 'SYMMETRIC_DEFAULT';
  readonly DestinationEncryptionAlgorithm: 'SYMMETRIC_DEFAULT';
  readonly SourceKeyMaterialId: string;
  readonly DestinationKeyMaterialId: string;
}

/**
 * Decrypt (as Decrypt does, with the source context) then encrypt under the destination key's
 * CURRENT material (destination context). The plaintext never leaves the operation.
 * @see https://docs.aws.amazon.com/kms/latest/APIReference/API_ReEncrypt.html
 */
export const reEncrypt: Operation<ReEncryptInput, ReEncryptOutput> = async (deps, ctx, input) => {
  if (input.DryRun === true && input.DryRunModifiers?.includes('IGNORE_CIPHERTEXT')) {
    if (input.SourceKeyId === undefined) {
      throw new ValidationException('SourceKeyId is required when DryRunModifiers includes IGNORE_CIPHERTEXT.');
    }
    await resolveForCrypto(deps, ctx, input.SourceKeyId, input.SourceEncryptionAlgorithm);
    await resolveForCrypto(deps, ctx, input.DestinationKeyId, input.DestinationEncryptionAlgorithm);
    stopIfDryRun(true);
  }
  const parsed = parseCiphertext(input.CiphertextBlob);
  const source = await ciphertextKey(deps, ctx, parsed, input.SourceKeyId);
  assertAccepts(source, 'UseForCrypto');
  checkEncryptionAlgorithm(source, input.SourceEncryptionAlgorithm);
  const opened = await openWithNamedMaterial(deps, source, parsed, input.SourceEncryptionContext);
  try {
    const destination = await resolveForCrypto(deps, ctx, input.DestinationKeyId, input.DestinationEncryptionAlgorithm);
    stopIfDryRun(input.DryRun);
    const sealed = await sealWithCurrentMaterial(deps, destination, opened.plaintext, input.DestinationEncryptionContext);
    return {
      CiphertextBlob: sealed.ciphertextBlob,
      SourceKeyId: source.arn,
      KeyId: destination.arn,
      SourceEncryptionAlgorithm: SYMMETRIC_DEFAULT,
      DestinationEncryptionAlgorithm: SYMMETRIC_DEFAULT,
      SourceKeyMaterialId: opened.materialId,
      DestinationKeyMaterialId: sealed.materialId,
    };
  } finally {
    opened.plaintext.fill(0);
  }
};
