import type { KeyAgreementAlgorithmSpec } from '../../crypto/key-specs';
import { ValidationException } from '../../errors';
import type { Origin } from '../../model/key';
import { rejectRecipient, stopIfDryRun, type RecipientInfo } from '../cryptography/crypto-support';
import { assertAlgorithm, keyCrypto, resolveUsableKey, singleMaterial } from '../key-usage';
import type { Operation } from '../types';

export interface DeriveSharedSecretInput {
  readonly KeyId: string;
  readonly KeyAgreementAlgorithm: KeyAgreementAlgorithmSpec;
  /** The peer's DER SubjectPublicKeyInfo, on the key's curve. */
  readonly PublicKey: Uint8Array;
  readonly GrantTokens?: readonly string[];
  readonly DryRun?: boolean;
  readonly Recipient?: RecipientInfo;
}

export interface DeriveSharedSecretOutput {
  /** The key ARN. */
  readonly KeyId: string;
  readonly SharedSecret: Uint8Array;
  readonly KeyAgreementAlgorithm: KeyAgreementAlgorithmSpec;
  readonly KeyOrigin: Origin;
}

/**
 * ECDH between the private key of a KEY_AGREEMENT key and a peer's public key: the raw shared secret (the
 * X coordinate, no KDF), as OpenSSL and Python's cryptography compute it (spec kms-key-specs.md §9). A
 * public key that is not an SPKI on the key's curve is ValidationException with an empty message (D53).
 * @see https://docs.aws.amazon.com/kms/latest/APIReference/API_DeriveSharedSecret.html
 */
export const deriveSharedSecret: Operation<DeriveSharedSecretInput, DeriveSharedSecretOutput> = async (deps, ctx, input) => {
  rejectRecipient(input.Recipient);
  const key = await resolveUsableKey(deps, ctx, input.KeyId, 'DeriveSharedSecret', 'KEY_AGREEMENT');
  const algorithm = assertAlgorithm(key, 'KeyAgreementAlgorithms', input.KeyAgreementAlgorithm);
  const { entry, family } = keyCrypto(key);
  const secret = family.deriveSharedSecret!(entry, await singleMaterial(deps, key), input.PublicKey);
  if (!secret) throw new ValidationException('');
  if (input.DryRun === true) {
    secret.fill(0);
    stopIfDryRun(true);
  }
  return { KeyId: key.arn, SharedSecret: secret, KeyAgreementAlgorithm: algorithm, KeyOrigin: key.origin };
};
