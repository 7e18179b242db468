import { describe, expect, test } from 'vitest';
import { listResourceTags } from '../../../../lambda/core/operations/tags/list-resource-tags';
import { scheduleKeyDeletion } from '../../../../lambda/core/operations/deletion/schedule-key-deletion';
import { tagResource } from '../../../../lambda/core/operations/tags/tag-resource';
import { untagResource } from '../../../../lambda/core/operations/tags/untag-resource';
import { memoryDeps, TEST_CTX } from '../../../support/memory-deps';
import { addMaterial, externalKeyWithMaterial, failure, newKey, storedKey } from './helpers';

const tag = (TagKey: string, TagValue = '') => ({ TagKey, TagValue });

describe('TagResource and ListResourceTags', () => {
  test('adds tags and replaces the value of an existing key in place', async () => {
    // GIVEN
    const deps = memoryDeps();
    const md = await newKey(deps, { Tags: [tag('team', 'pay'), tag('env', 'dev')] });
    // WHEN
    await tagResource(deps, TEST_CTX, { KeyId: md.Arn, Tags: [tag('env', 'prod'), tag('cost', '42')] });
    // THEN
    expect(await listResourceTags(deps, TEST_CTX, { KeyId: md.KeyId })).toEqual({
      Tags: [tag('team', 'pay'), tag('env', 'prod'), tag('cost', '42')],
      Truncated: false,
    });
  });

  test('fails with TagException for duplicate keys in one request', async () => {
    const deps = memoryDeps();
    const md = await newKey(deps);
    expect(await failure(tagResource(deps, TEST_CTX, { KeyId: md.KeyId, Tags: [tag('a', '1'), tag('a', '2')] }))).toMatchObject({ name: 'TagException', message: 'Duplicate tag keys' });
  });

  test.each(['aws:owner', 'AWS:owner', 'Aws:x'])('fails with TagException for the reserved key %s', async (key) => {
    const deps = memoryDeps();
    const md = await newKey(deps);
    expect(await failure(tagResource(deps, TEST_CTX, { KeyId: md.KeyId, Tags: [tag(key)] }))).toMatchObject({
      name: 'TagException',
      message: 'Tags beginning with aws: are reserved',
    });
  });

  test('allows 50 tags and fails with TagException beyond, counting the tags already there', async () => {
    const deps = memoryDeps();
    const md = await newKey(deps, { Tags: Array.from({ length: 30 }, (_, i) => tag(`old${i}`)) });
    await tagResource(deps, TEST_CTX, { KeyId: md.KeyId, Tags: Array.from({ length: 20 }, (_, i) => tag(`new${i}`)) });
    await tagResource(deps, TEST_CTX, { KeyId: md.KeyId, Tags: [tag('old0', 'replaced')] }); // replacing does not count
    expect(await failure(tagResource(deps, TEST_CTX, { KeyId: md.KeyId, Tags: [tag('one-more')] }))).toMatchObject({ name: 'TagException', message: 'Too many tags' });
    expect((await listResourceTags(deps, TEST_CTX, { KeyId: md.KeyId })).Tags).toHaveLength(50);
  });

  test('fails with ValidationException naming the member path for an over-long key or value', async () => {
    const deps = memoryDeps();
    const md = await newKey(deps);
    const longKey = await failure(tagResource(deps, TEST_CTX, { KeyId: md.KeyId, Tags: [tag('ok'), tag('k'.repeat(129))] }));
    expect(longKey.name).toBe('ValidationException');
    expect(longKey.message).toBe(
      `1 validation error detected: Value '${'k'.repeat(129)}' at 'tags.2.member.tagKey' failed to satisfy constraint: Member must have length less than or equal to 128`,
    );
    const longValue = await failure(tagResource(deps, TEST_CTX, { KeyId: md.KeyId, Tags: [tag('k', 'v'.repeat(257))] }));
    expect(longValue.message).toContain("at 'tags.1.member.tagValue' failed to satisfy constraint: Member must have length less than or equal to 256");
    await expect(tagResource(deps, TEST_CTX, { KeyId: md.KeyId, Tags: [tag('k'.repeat(128), 'v'.repeat(256))] })).resolves.toEqual({});
  });

  test('ListResourceTags pages with Limit and Marker, in every state', async () => {
    // GIVEN a key with 5 tags, pending deletion
    const deps = memoryDeps();
    const md = await newKey(deps, { Tags: ['a', 'b', 'c', 'd', 'e'].map((k) => tag(k)) });
    await scheduleKeyDeletion(deps, TEST_CTX, { KeyId: md.KeyId, PendingWindowInDays: 7 });
    // WHEN
    const first = await listResourceTags(deps, TEST_CTX, { KeyId: md.KeyId, Limit: 2 });
    const second = await listResourceTags(deps, TEST_CTX, { KeyId: md.KeyId, Limit: 2, Marker: first.NextMarker! });
    const third = await listResourceTags(deps, TEST_CTX, { KeyId: md.KeyId, Limit: 2, Marker: second.NextMarker! });
    // THEN
    expect([first, second, third].map((p) => p.Tags.map((t) => t.TagKey))).toEqual([['a', 'b'], ['c', 'd'], ['e']]);
    expect([first.Truncated, second.Truncated, third.Truncated]).toEqual([true, true, false]);
    expect(third).not.toHaveProperty('NextMarker');
  });

  test.each([0, 51])('ListResourceTags fails with ValidationException for Limit %d', async (limit) => {
    const deps = memoryDeps();
    const md = await newKey(deps);
    expect((await failure(listResourceTags(deps, TEST_CTX, { KeyId: md.KeyId, Limit: limit }))).name).toBe('ValidationException');
  });

  test('ListResourceTags fails with InvalidMarkerException for a marker it did not issue', async () => {
    const deps = memoryDeps();
    const md = await newKey(deps);
    for (const marker of ['garbage', Buffer.from('tags:-1').toString('base64url'), Buffer.from('tags:x').toString('base64url')]) {
      expect((await failure(listResourceTags(deps, TEST_CTX, { KeyId: md.KeyId, Marker: marker }))).name).toBe('InvalidMarkerException');
    }
  });
});

describe('UntagResource', () => {
  test('removes the named tags and ignores unknown keys', async () => {
    const deps = memoryDeps();
    const md = await newKey(deps, { Tags: [tag('a', '1'), tag('b', '2'), tag('c', '3')] });
    await untagResource(deps, TEST_CTX, { KeyId: md.Arn, TagKeys: ['b', 'nope'] });
    expect((await listResourceTags(deps, TEST_CTX, { KeyId: md.KeyId })).Tags).toEqual([tag('a', '1'), tag('c', '3')]);
    await expect(untagResource(deps, TEST_CTX, { KeyId: md.KeyId, TagKeys: ['nope'] })).resolves.toEqual({});
  });

  test('fails with TagException for a reserved key', async () => {
    const deps = memoryDeps();
    const md = await newKey(deps);
    expect((await failure(untagResource(deps, TEST_CTX, { KeyId: md.KeyId, TagKeys: ['aws:x'] }))).name).toBe('TagException');
  });
});

describe('ListResourceTags and UntagResource: boundaries and writes', () => {
  test('a page that ends exactly at the last tag is not truncated and has no NextMarker', async () => {
    const deps = memoryDeps();
    const md = await newKey(deps, { Tags: ['a', 'b', 'c', 'd'].map((k) => tag(k)) });
    const first = await listResourceTags(deps, TEST_CTX, { KeyId: md.KeyId, Limit: 2 });
    expect(await listResourceTags(deps, TEST_CTX, { KeyId: md.KeyId, Limit: 2, Marker: first.NextMarker! })).toStrictEqual({ Tags: [tag('c'), tag('d')], Truncated: false });
    expect(await listResourceTags(deps, TEST_CTX, { KeyId: md.KeyId, Limit: 4 })).toStrictEqual({ Tags: ['a', 'b', 'c', 'd'].map((k) => tag(k)), Truncated: false });
  });

  test("a marker it did not issue: InvalidMarkerException 'The marker is not valid.'", async () => {
    const deps = memoryDeps();
    const md = await newKey(deps);
    expect(await failure(listResourceTags(deps, TEST_CTX, { KeyId: md.KeyId, Marker: 'garbage' }))).toMatchObject({ name: 'InvalidMarkerException', message: 'The marker is not valid.' });
  });

  test('a reserved key among others: TagException, and no tag is removed', async () => {
    const deps = memoryDeps();
    const md = await newKey(deps, { Tags: [tag('ok', '1')] });
    expect(await failure(untagResource(deps, TEST_CTX, { KeyId: md.KeyId, TagKeys: ['ok', 'aws:x'] }))).toMatchObject({ name: 'TagException', message: 'Tags beginning with aws: are reserved' });
    expect((await listResourceTags(deps, TEST_CTX, { KeyId: md.KeyId })).Tags).toStrictEqual([tag('ok', '1')]);
  });

  test('removing only keys the key does not have writes nothing, unless a material expired meanwhile: that expiry is persisted', async () => {
    const deps = memoryDeps();
    const k = await externalKeyWithMaterial(deps);
    await tagResource(deps, TEST_CTX, { KeyId: k.keyId, Tags: [tag('a')] });
    const revision = (await storedKey(deps, k.keyId)).revision;
    await untagResource(deps, TEST_CTX, { KeyId: k.keyId, TagKeys: ['nope'] });
    expect((await storedKey(deps, k.keyId)).revision).toBe(revision);
    // a staged material expires; the next UntagResource, removing nothing, still erases it
    const validTo = new Date(deps.clock.now().getTime() + 60_000);
    const staged = await addMaterial(deps, k.keyId, { materialState: 'PENDING_ROTATION', validTo });
    deps.clock.set(validTo);
    await untagResource(deps, TEST_CTX, { KeyId: k.keyId, TagKeys: ['nope'] });
    expect((await storedKey(deps, k.keyId)).materials.map((m) => m.materialId)).toStrictEqual([k.materialId]);
    expect(deps.recorded).toStrictEqual([{ eventName: 'DeleteExpiredKeyMaterial', keyArn: k.arn, keyMaterialId: staged, eventTime: validTo }]);
    expect((await listResourceTags(deps, TEST_CTX, { KeyId: k.keyId })).Tags).toStrictEqual([tag('a')]);
  });
});
