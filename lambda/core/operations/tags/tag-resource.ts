import { changeKey, resolveKey, saveKey } from '../../key-access';
import type { Tag } from '../../model/key';
import { assertAccepts } from '../../model/key-state';
import { mergeTags, validateTags } from './tags';
import type { Operation } from '../types';

export interface TagResourceInput {
  /** Key ID or key ARN. */
  readonly KeyId: string;
  readonly Tags: readonly Tag[];
}

export type TagResourceOutput = Record<string, never>;

/**
 * Adds tags, replacing the value of keys already present. At most 50 tags per key; `aws:` keys are
 * reserved. Refused while PendingDeletion.
 * @see https://docs.aws.amazon.com/kms/latest/APIReference/API_TagResource.html
 */
export const tagResource: Operation<TagResourceInput, TagResourceOutput> = async (deps, ctx, input) => {
  validateTags(input.Tags);
  await changeKey(deps, ctx, input.KeyId, async () => {
    // Stryker disable next-line ObjectLiteral: `{}` (which TypeScript refuses) reads allowAlias as undefined, as falsy as false
    const loaded = await resolveKey(deps, ctx, input.KeyId, { allowAlias: false });
    assertAccepts(loaded.key, 'ModifyMetadata');
    await saveKey(deps, loaded, { ...loaded.key, tags: mergeTags(loaded.key.tags, input.Tags) });
  });
  return {};
};
