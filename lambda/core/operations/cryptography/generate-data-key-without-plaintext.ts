import type { EncryptionContext } from '../../crypto/encryption-context';
import { dataKeyLength, resolveForDataKeys, sealWithCurrentMaterial, stopIfDryRun, type DataKeySpec } from './crypto-support';
import type { Operation } from '../types';

export interface GenerateDataKeyWithoutPlaintextInput {
  readonly KeyId: string;
  readonly EncryptionContext?: EncryptionContext;
  /** Exactly one of NumberOfBytes and KeySpec. */
  readonly NumberOfBytes?: number;
  readonly KeySpec?: DataKeySpec;
  readonly GrantTokens?: readonly string[];
  readonly DryRun?: boolean;
}

export interface GenerateDataKeyWithoutPlaintextOutput {
  readonly CiphertextBlob: Uint8Array;
  /** The key ARN. */
  readonly KeyId: string;
  readonly KeyMaterialId: string;
}

/**
 * Like GenerateDataKey, but only the encrypted data key is returned; its plaintext is zeroed at once.
 * @see https://docs.aws.amazon.com/kms/latest/APIReference/API_GenerateDataKeyWithoutPlaintext.html
 */
export const generateDataKeyWithoutPlaintext: Operation<GenerateDataKeyWithoutPlaintextInput, GenerateDataKeyWithoutPlaintextOutput> = async (
  deps,
  ctx,
  input,
) => {
  const length = dataKeyLength(input.NumberOfBytes, input.KeySpec);
  const key = await resolveForDataKeys(deps, ctx, input.KeyId, 'GenerateDataKeyWithoutPlaintext');
  stopIfDryRun(input.DryRun);
  const dataKey = deps.random(length);
  try {
    const sealed = await sealWithCurrentMaterial(deps, key, dataKey, input.EncryptionContext);
    return { CiphertextBlob: sealed.ciphertextBlob, KeyId: key.arn, KeyMaterialId: sealed.materialId };
  } finally {
    dataKey.fill(0);
  }
};
