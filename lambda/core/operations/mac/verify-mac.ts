import { timingSafeEqual } from 'node:crypto';
import type { MacAlgorithmSpec } from '../../crypto/key-specs';
import { KMSInvalidMacException } from '../../errors';
import { stopIfDryRun } from '../cryptography/crypto-support';
import type { Operation } from '../types';
import { computeMac } from './mac-support';

export interface VerifyMacInput {
  readonly Message: Uint8Array;
  readonly KeyId: string;
  readonly MacAlgorithm: MacAlgorithmSpec;
  readonly Mac: Uint8Array;
  readonly GrantTokens?: readonly string[];
  readonly DryRun?: boolean;
}

export interface VerifyMacOutput {
  /** The key ARN. */
  readonly KeyId: string;
  /** Always true: a MAC that does not match is KMSInvalidMacException. */
  readonly MacValid: true;
  readonly MacAlgorithm: MacAlgorithmSpec;
}

/**
 * Recomputes the HMAC and compares it in constant time. A mismatch is KMSInvalidMacException with an empty
 * message, never MacValid false; with DryRun the MAC is still checked first (D51).
 * @see https://docs.aws.amazon.com/kms/latest/APIReference/API_VerifyMac.html
 */
export const verifyMac: Operation<VerifyMacInput, VerifyMacOutput> = async (deps, ctx, input) => {
  const { key, mac } = await computeMac(deps, ctx, 'VerifyMac', input, () => undefined);
  const matches = mac.length === input.Mac.length && timingSafeEqual(mac, input.Mac);
  if (!matches) throw new KMSInvalidMacException();
  stopIfDryRun(input.DryRun);
  return { KeyId: key.arn, MacValid: true, MacAlgorithm: input.MacAlgorithm };
};
