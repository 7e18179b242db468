import { changeKey, resolveKey, saveKey } from '../../key-access';
import { assertAccepts } from '../../model/key-state';
import type { Operation } from '../types';
import { checkLength } from '../validation';

export interface UpdateKeyDescriptionInput {
  readonly KeyId: string;
  readonly Description: string;
}

export type UpdateKeyDescriptionOutput = Record<string, never>;

/**
 * Replaces the description. Key ID or ARN only; refused while PendingDeletion.
 * @see https://docs.aws.amazon.com/kms/latest/APIReference/API_UpdateKeyDescription.html
 */
export const updateKeyDescription: Operation<UpdateKeyDescriptionInput, UpdateKeyDescriptionOutput> = async (deps, ctx, input) => {
  checkLength(input.Description.length, 'description', 0, 8192);
  await changeKey(deps, ctx, input.KeyId, async () => {
    // Stryker disable next-line ObjectLiteral: `{}` (which TypeScript refuses) reads allowAlias as undefined, as falsy as false
    const loaded = await resolveKey(deps, ctx, input.KeyId, { allowAlias: false });
    assertAccepts(loaded.key, 'ModifyMetadata');
    await saveKey(deps, loaded, { ...loaded.key, description: input.Description });
  });
  return {};
};
