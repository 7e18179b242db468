import type { EncryptionContext } from '../../crypto/encryption-context';
import {
  dataKeyLength,
  rejectRecipient,
  resolveForDataKeys,
  sealWithCurrentMaterial,
  stopIfDryRun,
  type DataKeySpec,
  type RecipientInfo,
} from './crypto-support';
import type { Operation } from '../types';

export interface GenerateDataKeyInput {
  readonly KeyId: string;
  readonly EncryptionContext?: EncryptionContext;
  /** Exactly one of NumberOfBytes and KeySpec. */
  readonly NumberOfBytes?: number;
  readonly KeySpec?: DataKeySpec;
  readonly GrantTokens?: readonly string[];
  readonly Recipient?: RecipientInfo;
  readonly DryRun?: boolean;
}

export interface GenerateDataKeyOutput {
  readonly CiphertextBlob: Uint8Array;
  readonly Plaintext: Uint8Array;
  /** The key ARN. */
  readonly KeyId: string;
  /** The CURRENT material that encrypted the data key. */
  readonly KeyMaterialId: string;
}

/**
 * A fresh random data key, returned in plaintext and encrypted under the key's CURRENT material.
 * @see https://docs.aws.amazon.com/kms/latest/APIReference/API_GenerateDataKey.html
 */
export const generateDataKey: Operation<GenerateDataKeyInput, GenerateDataKeyOutput> = async (deps, ctx, input) => {
  rejectRecipient(input.Recipient);
  const length = dataKeyLength(input.NumberOfBytes, input.KeySpec);
  const key = await resolveForDataKeys(deps, ctx, input.KeyId, 'GenerateDataKey');
  stopIfDryRun(input.DryRun);
  const dataKey = deps.random(length);
  const sealed = await sealWithCurrentMaterial(deps, key, dataKey, input.EncryptionContext);
  return { CiphertextBlob: sealed.ciphertextBlob, Plaintext: dataKey, KeyId: key.arn, KeyMaterialId: sealed.materialId };
};
