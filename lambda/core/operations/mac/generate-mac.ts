import type { MacAlgorithmSpec } from '../../crypto/key-specs';
import { stopIfDryRun } from '../cryptography/crypto-support';
import type { Operation } from '../types';
import { computeMac } from './mac-support';

export interface GenerateMacInput {
  readonly Message: Uint8Array;
  readonly KeyId: string;
  readonly MacAlgorithm: MacAlgorithmSpec;
  readonly GrantTokens?: readonly string[];
  readonly DryRun?: boolean;
}

export interface GenerateMacOutput {
  readonly Mac: Uint8Array;
  readonly MacAlgorithm: MacAlgorithmSpec;
  /** The key ARN. */
  readonly KeyId: string;
}

/**
 * The RFC 2104 HMAC of a message (up to 4096 bytes) under an HMAC key, with the one algorithm of its spec.
 * @see https://docs.aws.amazon.com/kms/latest/APIReference/API_GenerateMac.html
 */
export const generateMac: Operation<GenerateMacInput, GenerateMacOutput> = async (deps, ctx, input) => {
  const { key, mac } = await computeMac(deps, ctx, 'GenerateMac', input, () => stopIfDryRun(input.DryRun));
  return { Mac: mac, MacAlgorithm: input.MacAlgorithm, KeyId: key.arn };
};
