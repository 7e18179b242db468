import { changeKey, resolveKey, saveKey } from '../../key-access';
import { disable } from '../../model/key-state';
import type { Operation } from '../types';

export interface DisableKeyInput {
  readonly KeyId: string;
}

export type DisableKeyOutput = Record<string, never>;

/**
 * Enabled → Disabled; idempotent on a Disabled key. PendingImport and PendingDeletion keys are
 * refused (`<ARN> is pending import.` / `<ARN> is pending deletion.`). Key ID or ARN only.
 * @see https://docs.aws.amazon.com/kms/latest/APIReference/API_DisableKey.html
 */
export const disableKey: Operation<DisableKeyInput, DisableKeyOutput> = async (deps, ctx, input) => {
  await changeKey(deps, ctx, input.KeyId, async () => {
    // Stryker disable next-line ObjectLiteral: `{}` (which TypeScript refuses) reads allowAlias as undefined, as falsy as false
    const loaded = await resolveKey(deps, ctx, input.KeyId, { allowAlias: false });
    const next = disable(loaded.key);
    if (next.state !== loaded.key.state || loaded.expired.length > 0) await saveKey(deps, loaded, next);
  });
  return {};
};
