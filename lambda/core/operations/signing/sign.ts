import type { MessageType, SigningAlgorithmSpec } from '../../crypto/key-specs';
import { stopIfDryRun } from '../cryptography/crypto-support';
import { loadedKeyCrypto, singleMaterial } from '../key-usage';
import type { Operation } from '../types';
import { checkSigningRequest } from './signing-support';

export interface SignInput {
  readonly KeyId: string;
  readonly Message: Uint8Array;
  readonly MessageType?: MessageType;
  readonly GrantTokens?: readonly string[];
  readonly SigningAlgorithm: SigningAlgorithmSpec;
  readonly DryRun?: boolean;
}

export interface SignOutput {
  /** The key ARN. */
  readonly KeyId: string;
  readonly Signature: Uint8Array;
  readonly SigningAlgorithm: SigningAlgorithmSpec;
}

/**
 * Signs a message (RAW, up to 4096 bytes), a digest (DIGEST) or an ML-DSA μ (EXTERNAL_MU) with the private
 * key of a SIGN_VERIFY key: standard signatures that openssl and Python's cryptography verify with the key
 * GetPublicKey returns (spec kms-key-specs.md §5).
 * @see https://docs.aws.amazon.com/kms/latest/APIReference/API_Sign.html
 */
export const sign: Operation<SignInput, SignOutput> = async (deps, ctx, input) => {
  const { key, algorithm, messageType } = await checkSigningRequest(deps, ctx, 'Sign', input);
  stopIfDryRun(input.DryRun);
  const { entry, family } = await loadedKeyCrypto(key);
  const signature = family.sign!(entry, await singleMaterial(deps, key), algorithm, input.Message, messageType, deps.random);
  return { KeyId: key.arn, Signature: signature, SigningAlgorithm: algorithm };
};
