/**
 * Tag rules shared by CreateKey and TagResource (spec §2.14). Shape errors (lengths) come first,
 * as AWS's front end reports them, then the TagException rules.
 */
import { TagException } from '../../errors';
import type { Tag } from '../../model/key';
import { checkLength } from '../validation';

export const MAX_TAGS_PER_KEY = 50;
const RESERVED_PREFIX = 'aws:';

/** Checks a request's tag list on its own: lengths, reserved prefix, duplicates. */
export function validateTags(tags: readonly Tag[]): void {
  tags.forEach((tag, i) => {
    checkLength(tag.TagKey.length, `tags.${i + 1}.member.tagKey`, 1, 128, tag.TagKey);
    checkLength(tag.TagValue.length, `tags.${i + 1}.member.tagValue`, 0, 256, tag.TagValue);
  });
  if (tags.some((t) => isReservedTagKey(t.TagKey))) throw new TagException('Tags beginning with aws: are reserved');
  if (new Set(tags.map((t) => t.TagKey)).size !== tags.length) throw new TagException('Duplicate tag keys');
}

/** The prefix check is case-insensitive (`AWS:x` is reserved too). */
export function isReservedTagKey(tagKey: string): boolean {
  return tagKey.toLowerCase().startsWith(RESERVED_PREFIX);
}

/** `existing` with `added` applied: values of existing keys replaced in place, new keys appended. */
export function mergeTags(existing: readonly Tag[], added: readonly Tag[]): Tag[] {
  const merged = existing.map((t) => ({ ...t }));
  for (const tag of added) {
    const at = merged.findIndex((t) => t.TagKey === tag.TagKey);
    if (at >= 0) merged[at] = { TagKey: tag.TagKey, TagValue: tag.TagValue };
    else merged.push({ TagKey: tag.TagKey, TagValue: tag.TagValue });
  }
  if (merged.length > MAX_TAGS_PER_KEY) throw new TagException('Too many tags');
  return merged;
}
