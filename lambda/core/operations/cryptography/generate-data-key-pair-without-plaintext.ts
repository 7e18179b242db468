import type { EncryptionContext } from '../../crypto/encryption-context';
import { generateDataKeyPairWith, type DataKeyPairSpec } from './generate-data-key-pair-support';
import type { Operation } from '../types';

export interface GenerateDataKeyPairWithoutPlaintextInput {
  readonly KeyId: string;
  readonly KeyPairSpec: DataKeyPairSpec;
  readonly EncryptionContext?: EncryptionContext;
  readonly GrantTokens?: readonly string[];
  readonly DryRun?: boolean;
}

export interface GenerateDataKeyPairWithoutPlaintextOutput {
  readonly PrivateKeyCiphertextBlob: Uint8Array;
  readonly PublicKey: Uint8Array;
  /** The ARN of the key that encrypted the private key. */
  readonly KeyId: string;
  readonly KeyPairSpec: DataKeyPairSpec;
  readonly KeyMaterialId: string;
}

/**
 * Like GenerateDataKeyPair, but the plaintext private key is zeroed at once and only its ciphertext returned.
 * @see https://docs.aws.amazon.com/kms/latest/APIReference/API_GenerateDataKeyPairWithoutPlaintext.html
 */
export const generateDataKeyPairWithoutPlaintext: Operation<GenerateDataKeyPairWithoutPlaintextInput, GenerateDataKeyPairWithoutPlaintextOutput> = async (
  deps,
  ctx,
  input,
) => {
  const pair = await generateDataKeyPairWith(deps, ctx, 'GenerateDataKeyPairWithoutPlaintext', input);
  pair.privateKey.fill(0);
  return {
    PrivateKeyCiphertextBlob: pair.privateKeyCiphertextBlob,
    PublicKey: pair.publicKey,
    KeyId: pair.keyArn,
    KeyPairSpec: input.KeyPairSpec,
    KeyMaterialId: pair.materialId,
  };
};
