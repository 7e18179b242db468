import { changeKey, resolveKey, saveKey } from '../../key-access';
import { enable } from '../../model/key-state';
import { saveRotationSettings } from '../rotation/automatic-rotation-settings';
import type { Operation } from '../types';

export interface EnableKeyInput {
  readonly KeyId: string;
}

export type EnableKeyOutput = Record<string, never>;

/**
 * Disabled → Enabled; idempotent on an Enabled key. PendingImport and PendingDeletion keys are
 * refused (`<ARN> is pending import.` / `<ARN> is pending deletion.`). Key ID or ARN only. A key with
 * automatic rotation whose rotation fell due while it was disabled rotates now (D75).
 * @see https://docs.aws.amazon.com/kms/latest/APIReference/API_EnableKey.html
 */
export const enableKey: Operation<EnableKeyInput, EnableKeyOutput> = async (deps, ctx, input) => {
  await changeKey(deps, ctx, input.KeyId, async () => {
    // Stryker disable next-line ObjectLiteral: `{}` (which TypeScript refuses) reads allowAlias as undefined, as falsy as false
    const loaded = await resolveKey(deps, ctx, input.KeyId, { allowAlias: false });
    const next = enable(loaded.key);
    if (next.automaticRotation && next.state !== loaded.key.state) await saveRotationSettings(deps, loaded, next);
    else if (next.state !== loaded.key.state || loaded.expired.length > 0 || loaded.rotated.length > 0) await saveKey(deps, loaded, next);
  });
  return {};
};
