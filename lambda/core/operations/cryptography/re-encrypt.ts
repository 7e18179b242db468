import { ValidationException } from '../../errors';
import type { EncryptionContext } from '../../crypto/encryption-context';
import { resolveUsableKey } from '../key-usage';
import {
  checkEncryptionAlgorithm,
  encryptsWithKeyPair,
  sealWithCurrentMaterial,
  stopIfDryRun,
  type DryRunModifier,
  type EncryptionAlgorithmSpec,
} from './crypto-support';
import { openCiphertext } from './decrypt';
import { checkKeyPairPlaintext, encryptWithKeyPair, rejectEncryptionContext } from './key-pair-encryption';
import type { Operation } from '../types';

export interface ReEncryptInput {
  /** Required unless DryRun with IGNORE_CIPHERTEXT. */
  readonly CiphertextBlob?: Uint8Array;
  readonly SourceEncryptionContext?: EncryptionContext;
  /** Optional for symmetric blobs (if given, it must name the blob's key); required for RSA ciphertexts. */
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
  readonly SourceEncryptionAlgorithm: EncryptionAlgorithmSpec;
  readonly DestinationEncryptionAlgorithm: EncryptionAlgorithmSpec;
  /** Symmetric source and destination keys only. */
  readonly SourceKeyMaterialId?: string;
  readonly DestinationKeyMaterialId?: string;
}

/**
 * Decrypt (as Decrypt does, with the source context) then encrypt under the destination key: its CURRENT
 * material with the destination context (symmetric), or RSAES-OAEP (RSA). The plaintext never leaves
 * the operation.
 * @see https://docs.aws.amazon.com/kms/latest/APIReference/API_ReEncrypt.html
 */
export const reEncrypt: Operation<ReEncryptInput, ReEncryptOutput> = async (deps, ctx, input) => {
  if (input.DryRun === true && input.DryRunModifiers?.includes('IGNORE_CIPHERTEXT')) {
    if (input.SourceKeyId === undefined) {
      throw new ValidationException('SourceKeyId is required when DryRunModifiers includes IGNORE_CIPHERTEXT.');
    }
    checkEncryptionAlgorithm(await resolveUsableKey(deps, ctx, input.SourceKeyId, 'ReEncrypt', 'ENCRYPT_DECRYPT', 'ReEncryptFrom'), input.SourceEncryptionAlgorithm);
    checkEncryptionAlgorithm(await resolveUsableKey(deps, ctx, input.DestinationKeyId, 'ReEncrypt', 'ENCRYPT_DECRYPT', 'ReEncryptTo'), input.DestinationEncryptionAlgorithm);
    stopIfDryRun(true);
  }
  const opened = await openCiphertext(deps, ctx, 'ReEncrypt', {
    blob: input.CiphertextBlob,
    keyRef: input.SourceKeyId,
    algorithm: input.SourceEncryptionAlgorithm,
    context: input.SourceEncryptionContext,
    permission: 'ReEncryptFrom',
  });
  try {
    const destination = await resolveUsableKey(deps, ctx, input.DestinationKeyId, 'ReEncrypt', 'ENCRYPT_DECRYPT', 'ReEncryptTo');
    const algorithm = checkEncryptionAlgorithm(destination, input.DestinationEncryptionAlgorithm);
    const source = {
      SourceKeyId: opened.key.arn,
      KeyId: destination.arn,
      SourceEncryptionAlgorithm: opened.algorithm,
      DestinationEncryptionAlgorithm: algorithm,
      ...(opened.materialId !== undefined && { SourceKeyMaterialId: opened.materialId }),
    };
    if (encryptsWithKeyPair(destination)) {
      rejectEncryptionContext(input.DestinationEncryptionContext, algorithm);
      checkKeyPairPlaintext(destination, algorithm, opened.plaintext);
      stopIfDryRun(input.DryRun);
      return { CiphertextBlob: await encryptWithKeyPair(deps, destination, algorithm, opened.plaintext), ...source };
    }
    stopIfDryRun(input.DryRun);
    const sealed = await sealWithCurrentMaterial(deps, destination, opened.plaintext, input.DestinationEncryptionContext);
    return { CiphertextBlob: sealed.ciphertextBlob, ...source, DestinationKeyMaterialId: sealed.materialId };
  } finally {
    opened.plaintext.fill(0);
  }
};
