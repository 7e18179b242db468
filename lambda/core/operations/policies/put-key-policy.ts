import { allowsPolicyUpdates } from '../../authorization/access';
import { changeKey, resolveKey, saveKey } from '../../key-access';
import { assertAccepts } from '../../model/key-state';
import { checkPolicyWrite } from '../../policy/key-policy';
import type { Operation } from '../types';
import { checkPolicyName } from './get-key-policy';

export interface PutKeyPolicyInput {
  readonly KeyId: string;
  readonly PolicyName?: string;
  readonly Policy: string;
  readonly BypassPolicyLockoutSafetyCheck?: boolean;
}

export type PutKeyPolicyOutput = Record<string, never>;

/**
 * Replaces the key policy after the checks CreateKey makes (size, grammar, principals, lockout). The
 * document is stored as sent, to be returned byte for byte (D60), and decides access in enforce mode
 * (design decision 11). Key ID or ARN only; every key state.
 * @see https://docs.aws.amazon.com/kms/latest/APIReference/API_PutKeyPolicy.html
 */
export const putKeyPolicy: Operation<PutKeyPolicyInput, PutKeyPolicyOutput> = async (deps, ctx, input) => {
  await changeKey(deps, ctx, input.KeyId, async () => {
    // Stryker disable next-line ObjectLiteral: `{}` (which TypeScript refuses) reads allowAlias as undefined, as falsy as false
    const loaded = await resolveKey(deps, ctx, input.KeyId, { allowAlias: false });
    assertAccepts(loaded.key, 'Read');
    checkPolicyName(input.PolicyName);
    checkPolicyWrite(input.Policy, {
      scope: loaded.key.scope,
      bypassPolicyLockoutSafetyCheck: input.BypassPolicyLockoutSafetyCheck ?? false,
      allowsUpdates: (document) => allowsPolicyUpdates(deps, ctx, loaded.key.scope, document, loaded.key.keyId),
    });
    await saveKey(deps, loaded, { ...loaded.key, policy: input.Policy });
  });
  return {};
};
