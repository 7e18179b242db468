import type { SigningAlgorithmSpec } from '../../crypto/key-specs';
import { KMSInvalidSignatureException } from '../../errors';
import { stopIfDryRun } from '../cryptography/crypto-support';
import { loadedKeyCrypto, singleMaterial } from '../key-usage';
import type { Operation } from '../types';
import type { SignInput } from './sign';
import { checkSigningRequest } from './signing-support';

export interface VerifyInput extends SignInput {
  readonly Signature: Uint8Array;
}

export interface VerifyOutput {
  /** The key ARN. */
  readonly KeyId: string;
  /** Always true: a signature that does not verify is KMSInvalidSignatureException. */
  readonly SignatureValid: true;
  readonly SigningAlgorithm: SigningAlgorithmSpec;
}

/**
 * Verifies a signature made by Sign or by anyone holding the same private key. The message type need not
 * be the one used for signing, as long as it says whether the message is hashed. A signature that does
 * not verify is KMSInvalidSignatureException with an empty message, never SignatureValid false; with
 * DryRun the signature is still checked first (D51).
 * @see https://docs.aws.amazon.com/kms/latest/APIReference/API_Verify.html
 */
export const verify: Operation<VerifyInput, VerifyOutput> = async (deps, ctx, input) => {
  const { key, algorithm, messageType } = await checkSigningRequest(deps, ctx, 'Verify', input);
  const { entry, family } = await loadedKeyCrypto(key);
  if (!family.verify!(entry, await singleMaterial(deps, key), algorithm, input.Message, messageType, input.Signature)) {
    throw new KMSInvalidSignatureException();
  }
  stopIfDryRun(input.DryRun);
  return { KeyId: key.arn, SignatureValid: true, SigningAlgorithm: algorithm };
};
