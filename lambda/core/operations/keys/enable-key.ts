import { changeKey, resolveKey, saveKey } from '../../key-access';
import { enable } from '../../model/key-state';
import type { Operation } from '../types';

export interface EnableKeyInput {
  readonly KeyId: string;
}

export type EnableKeyOutput = Record<string, never>;

/**
 * Disabled → Enabled; idempotent on an Enabled key. PendingImport and PendingDeletion keys are
 * refused (`<ARN> is pending import.` / `<ARN> is pending deletion.`). Key ID or ARN only.
 * @see https://docs.aws.amazon.com/kms/latest/APIReference/API_EnableKey.html
 */
export const enableKey: Operation<EnableKeyInput, EnableKeyOutput> = async (deps, ctx, input) => {
  await changeKey(deps, ctx, input.KeyId, async () => {
    const loaded = await resolveKey(deps, ctx, input.KeyId, { allowAlias: false });
    const next = enable(loaded.key);
    if (next.state !== loaded.key.state || loaded.expired.length > 0) await saveKey(deps, loaded, next);
  });
  return {};
};
