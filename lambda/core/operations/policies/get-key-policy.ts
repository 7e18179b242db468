import { NotFoundException } from '../../errors';
import { resolveKey } from '../../key-access';
import { assertAccepts } from '../../model/key-state';
import { DEFAULT_POLICY_NAME, keyPolicyOf } from '../../policy/key-policy';
import type { Operation } from '../types';

export interface GetKeyPolicyInput {
  readonly KeyId: string;
  readonly PolicyName?: string;
}

export interface GetKeyPolicyOutput {
  readonly Policy: string;
  readonly PolicyName: string;
}

/** A key has one policy, `default`; any other name is NotFoundException (D65). */
export function checkPolicyName(policyName: string | undefined): void {
  if (policyName !== undefined && policyName !== DEFAULT_POLICY_NAME) throw new NotFoundException('No such policy exists');
}

/**
 * The key policy exactly as it was stored (the default policy for a key created without one). Key ID or
 * ARN only; every key state.
 * @see https://docs.aws.amazon.com/kms/latest/APIReference/API_GetKeyPolicy.html
 */
export const getKeyPolicy: Operation<GetKeyPolicyInput, GetKeyPolicyOutput> = async (deps, ctx, input) => {
  // Stryker disable next-line ObjectLiteral: `{}` (which TypeScript refuses) reads allowAlias as undefined, as falsy as false
  const { key } = await resolveKey(deps, ctx, input.KeyId, { allowAlias: false });
  assertAccepts(key, 'Read');
  checkPolicyName(input.PolicyName);
  return { Policy: keyPolicyOf(key), PolicyName: DEFAULT_POLICY_NAME };
};
