/** The key item codec stores and reads back keys of every spec and usage of the key spec table. */
import { describe, expect, test } from 'vitest';
import { itemToKey, keyToItem } from '../../../../lambda/adapters/dynamodb/item-codec';
import { KEY_SPEC_TABLE } from '../../../../lambda/core/crypto/key-specs';
import type { KeyRecord, KeyUsage } from '../../../../lambda/core/model/key';

const pairs = KEY_SPEC_TABLE.flatMap((entry) => (Object.keys(entry.usages) as KeyUsage[]).map((usage) => [entry.keySpec, usage] as const));

describe('item codec for every key spec', () => {
  test.each(pairs)('%s with %s round-trips', (keySpec, keyUsage) => {
    const key: KeyRecord = {
      scope: { partition: 'aws', account: '111122223333', region: 'eu-west-1' },
      keyId: '1234abcd-12ab-34cd-56ef-1234567890ab',
      arn: 'arn:aws:kms:eu-west-1:111122223333:key/1234abcd-12ab-34cd-56ef-1234567890ab',
      creationDate: new Date('2026-01-01T00:00:00Z'),
      description: '',
      origin: 'EXTERNAL',
      keyUsage,
      keySpec,
      state: 'PendingImport',
      materials: [],
      materialIdKeyWrapped: new Uint8Array([1, 2, 3]),
      tags: [],
      onDemandRotations: 0,
      revision: 3,
    };
    expect(itemToKey(keyToItem(key, 3))).toEqual(key);
  });
});
