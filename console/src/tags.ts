// What Manage tags sends: the tags to set (new keys and changed values) and the keys to remove.
import type { Tag } from '@aws-sdk/client-kms';

export interface EditedTag {
  key: string;
  value: string;
  markedForRemoval?: boolean;
}

export interface TagChanges {
  /** TagResource: new tags, and existing tags whose value changed. */
  set: Tag[];
  /** UntagResource: existing tag keys that are gone. */
  remove: string[];
}

/** The calls that turn `current` into the edited list; tag keys are compared exactly, as KMS does. */
export function tagChanges(current: readonly Tag[], edited: readonly EditedTag[]): TagChanges {
  const before = new Map(current.map((t) => [t.TagKey ?? '', t.TagValue ?? '']));
  const after = new Map(edited.filter((t) => !t.markedForRemoval).map((t) => [t.key, t.value]));
  return {
    set: [...after].filter(([key, value]) => before.get(key) !== value).map(([TagKey, TagValue]) => ({ TagKey, TagValue })),
    remove: [...before.keys()].filter((key) => !after.has(key)),
  };
}
