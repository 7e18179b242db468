import { TagException } from '../../errors';
import { changeKey, resolveKey, saveKey } from '../../key-access';
import { assertAccepts } from '../../model/key-state';
import { isReservedTagKey } from './tags';
import type { Operation } from '../types';

export interface UntagResourceInput {
  /** Key ID or key ARN. */
  readonly KeyId: string;
  readonly TagKeys: readonly string[];
}

export type UntagResourceOutput = Record<string, never>;

/**
 * Removes tags by key; keys the resource does not have are ignored. Refused while PendingDeletion.
 * @see https://docs.aws.amazon.com/kms/latest/APIReference/API_UntagResource.html
 */
export const untagResource: Operation<UntagResourceInput, UntagResourceOutput> = async (deps, ctx, input) => {
  if (input.TagKeys.some(isReservedTagKey)) throw new TagException('Tags beginning with aws: are reserved');
  await changeKey(deps, ctx, input.KeyId, async () => {
    // Stryker disable next-line ObjectLiteral: `{}` (which TypeScript refuses) reads allowAlias as undefined, as falsy as false
    const loaded = await resolveKey(deps, ctx, input.KeyId, { allowAlias: false });
    assertAccepts(loaded.key, 'ModifyMetadata');
    const tags = loaded.key.tags.filter((t) => !input.TagKeys.includes(t.TagKey));
    if (tags.length !== loaded.key.tags.length || loaded.expired.length > 0) await saveKey(deps, loaded, { ...loaded.key, tags });
  });
  return {};
};
