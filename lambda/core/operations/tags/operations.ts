import type { AnyOperation } from '../types';
import { listResourceTags } from './list-resource-tags';
import { tagResource } from './tag-resource';
import { untagResource } from './untag-resource';

/** Tags on keys. */
export const tagOperations: ReadonlyMap<string, AnyOperation> = new Map<string, AnyOperation>([
  ['TagResource', tagResource],
  ['UntagResource', untagResource],
  ['ListResourceTags', listResourceTags],
]);
