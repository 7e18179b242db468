import { InvalidMarkerException } from '../../errors';
import { resolveKey } from '../../key-access';
import type { Tag } from '../../model/key';
import type { Operation } from '../types';
import { checkRange } from '../validation';

export interface ListResourceTagsInput {
  /** Key ID or key ARN. */
  readonly KeyId: string;
  readonly Limit?: number;
  readonly Marker?: string;
}

export interface ListResourceTagsOutput {
  readonly Tags: readonly Tag[];
  /** Only when Truncated. */
  readonly NextMarker?: string;
  readonly Truncated: boolean;
}

const MARKER_PREFIX = 'tags:';

/**
 * The key's tags in the order they were added, in every key state. Markers are positions
 * (opaque to callers); one not issued here is InvalidMarkerException.
 * @see https://docs.aws.amazon.com/kms/latest/APIReference/API_ListResourceTags.html
 */
export const listResourceTags: Operation<ListResourceTagsInput, ListResourceTagsOutput> = async (deps, ctx, input) => {
  const limit = input.Limit ?? 50;
  checkRange(limit, 'limit', 1, 50);
  const start = input.Marker === undefined ? 0 : decodeMarker(input.Marker);
  // Stryker disable next-line ObjectLiteral: `{}` (which TypeScript refuses) reads allowAlias as undefined, as falsy as false
  const { key } = await resolveKey(deps, ctx, input.KeyId, { allowAlias: false });
  const tags = key.tags.slice(start, start + limit).map((t) => ({ TagKey: t.TagKey, TagValue: t.TagValue }));
  const next = start + limit;
  return next < key.tags.length
    ? { Tags: tags, NextMarker: Buffer.from(`${MARKER_PREFIX}${next}`).toString('base64url'), Truncated: true }
    : { Tags: tags, Truncated: false };
};

function decodeMarker(marker: string): number {
  const text = Buffer.from(marker, 'base64url').toString();
  const position = text.startsWith(MARKER_PREFIX) ? Number(text.slice(MARKER_PREFIX.length)) : Number.NaN;
  // Stryker disable next-line EqualityOperator: `<= 0` is equivalent: no marker this issues names position 0, the next page starts at start + limit (`>= 0`, killed by the paging tests, shares the name)
  if (!Number.isSafeInteger(position) || position < 0) throw new InvalidMarkerException('The marker is not valid.');
  return position;
}
