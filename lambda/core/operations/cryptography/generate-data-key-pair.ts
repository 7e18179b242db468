import type { EncryptionContext } from '../../crypto/encryption-context';
import { rejectRecipient, type RecipientInfo } from './crypto-support';
import { generateDataKeyPairWith, type DataKeyPairSpec } from './generate-data-key-pair-support';
import type { Operation } from '../types';

export interface GenerateDataKeyPairInput {
  readonly KeyId: string;
  readonly KeyPairSpec: DataKeyPairSpec;
  readonly EncryptionContext?: EncryptionContext;
  readonly GrantTokens?: readonly string[];
  readonly Recipient?: RecipientInfo;
  readonly DryRun?: boolean;
}

export interface GenerateDataKeyPairOutput {
  /** The private key (DER PKCS#8) encrypted under the symmetric key: Decrypt it with the same context. */
  readonly PrivateKeyCiphertextBlob: Uint8Array;
  /** DER PKCS#8 PrivateKeyInfo. */
  readonly PrivateKeyPlaintext: Uint8Array;
  /** DER X.509 SubjectPublicKeyInfo. */
  readonly PublicKey: Uint8Array;
  /** The ARN of the key that encrypted the private key. */
  readonly KeyId: string;
  readonly KeyPairSpec: DataKeyPairSpec;
  readonly KeyMaterialId: string;
}

/**
 * A fresh asymmetric key pair for use outside the service, unrelated to the key that encrypts its private half.
 * @see https://docs.aws.amazon.com/kms/latest/APIReference/API_GenerateDataKeyPair.html
 */
export const generateDataKeyPair: Operation<GenerateDataKeyPairInput, GenerateDataKeyPairOutput> = async (deps, ctx, input) => {
  rejectRecipient(input.Recipient);
  const pair = await generateDataKeyPairWith(deps, ctx, 'GenerateDataKeyPair', input);
  return {
    PrivateKeyCiphertextBlob: pair.privateKeyCiphertextBlob,
    PrivateKeyPlaintext: pair.privateKey,
    PublicKey: pair.publicKey,
    KeyId: pair.keyArn,
    KeyPairSpec: input.KeyPairSpec,
    KeyMaterialId: pair.materialId,
  };
};
