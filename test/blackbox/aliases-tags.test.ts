/**
 * Aliases and tags through the real SDK (spec §2.12, §2.14): CreateAlias, UpdateAlias, DeleteAlias,
 * ListAliases (KeyId filter, paging); TagResource, UntagResource, ListResourceTags and TagException.
 */
import {
  CreateAliasCommand,
  CreateKeyCommand,
  DeleteAliasCommand,
  DescribeKeyCommand,
  ListAliasesCommand,
  ListResourceTagsCommand,
  ScheduleKeyDeletionCommand,
  TagResourceCommand,
  UntagResourceCommand,
  UpdateAliasCommand,
  type AliasListEntry,
  type Tag,
} from '@aws-sdk/client-kms';
import { describe, expect, test } from 'vitest';
import { aliasArnOf, allPages, createExternalKey, createImportedKey, createKey, describeKey, expectDuring, expectKmsError, timed, uniqueAlias, useLocalServer, wallClockPast } from './helpers';

const local = useLocalServer();

async function listAliases(keyId?: string, limit?: number): Promise<AliasListEntry[]> {
  return allPages(
    'ListAliases',
    async (marker) => {
      const out = await local.kms.send(new ListAliasesCommand({ ...(keyId && { KeyId: keyId }), ...(limit && { Limit: limit }), ...(marker && { Marker: marker }) }));
      return { ...out, entries: out.Aliases! };
    },
    { fullPages: limit },
  );
}

async function listTags(keyId: string, limit?: number): Promise<Tag[]> {
  return allPages('ListResourceTags', async (marker) => {
    const out = await local.kms.send(new ListResourceTagsCommand({ KeyId: keyId, ...(limit && { Limit: limit }), ...(marker && { Marker: marker }) }));
    return { ...out, entries: out.Tags! };
  });
}

const targetOf = async (alias: string) => (await describeKey(local.kms, alias)).KeyId;

describe('CreateAlias', () => {
  test('creates an alias listed with its ARN, target key ID and dates', async () => {
    // GIVEN
    const meta = await createExternalKey(local.kms);
    const alias = uniqueAlias('create');
    // WHEN
    const [, creating] = await timed(() => local.kms.send(new CreateAliasCommand({ AliasName: alias, TargetKeyId: meta.Arn })));
    // THEN
    const [entry] = await listAliases(meta.KeyId);
    expect(entry).toMatchObject({ AliasName: alias, AliasArn: aliasArnOf(meta.Arn!, alias), TargetKeyId: meta.KeyId });
    expectDuring(entry!.CreationDate, creating);
    expect(entry!.LastUpdatedDate!.getTime()).toBe(entry!.CreationDate!.getTime());
    expect(await targetOf(alias)).toBe(meta.KeyId);
  });

  test('fails with ValidationException when the name lacks the alias/ prefix', async () => {
    const meta = await createKey(local.kms);
    await expectKmsError(
      local.kms.send(new CreateAliasCommand({ AliasName: 'no-prefix', TargetKeyId: meta.KeyId })),
      'ValidationException',
      'Alias must start with the prefix "alias/". Please see https://docs.aws.amazon.com/kms/latest/developerguide/kms-alias.html',
    );
  });

  test('fails with ValidationException for a colon in the name, which AWS refuses though its model admits it (D26)', async () => {
    // GIVEN
    const meta = await createKey(local.kms);
    const before = await listAliases(meta.KeyId);
    // WHEN / THEN
    await expectKmsError(
      local.kms.send(new CreateAliasCommand({ AliasName: 'alias/my:alias', TargetKeyId: meta.KeyId })),
      'ValidationException',
      'alias/my:alias contains invalid characters for an alias',
    );
    expect(await listAliases(meta.KeyId)).toEqual(before);
    // and the characters AWS documents are accepted, '/' included
    const accepted = `${uniqueAlias('ok')}/Sub_name-9`;
    await local.kms.send(new CreateAliasCommand({ AliasName: accepted, TargetKeyId: meta.KeyId }));
    expect(await targetOf(accepted)).toBe(meta.KeyId);
  });

  test('fails with AlreadyExistsException naming the alias ARN for a duplicate name', async () => {
    const a = await createKey(local.kms);
    const b = await createKey(local.kms);
    const alias = uniqueAlias('dup');
    await local.kms.send(new CreateAliasCommand({ AliasName: alias, TargetKeyId: a.KeyId }));
    await expectKmsError(
      local.kms.send(new CreateAliasCommand({ AliasName: alias, TargetKeyId: b.KeyId })),
      'AlreadyExistsException',
      `An alias with the name ${aliasArnOf(a.Arn!, alias)} already exists`,
    );
    expect(await targetOf(alias)).toBe(a.KeyId);
  });

  test('fails with KMSInvalidStateException when the target is pending deletion', async () => {
    const meta = await createExternalKey(local.kms);
    await local.kms.send(new ScheduleKeyDeletionCommand({ KeyId: meta.KeyId, PendingWindowInDays: 7 }));
    const alias = uniqueAlias('doomed');
    await expectKmsError(local.kms.send(new CreateAliasCommand({ AliasName: alias, TargetKeyId: meta.KeyId })), 'KMSInvalidStateException', `${meta.Arn} is pending deletion.`);
    expect(await listAliases(meta.KeyId)).toEqual([]);
  });

  test('fails with NotFoundException for an unknown target', async () => {
    const meta = await createKey(local.kms);
    const unknown = '12345678-1234-1234-1234-123456789012';
    await expectKmsError(
      local.kms.send(new CreateAliasCommand({ AliasName: uniqueAlias('ghost'), TargetKeyId: unknown })),
      'NotFoundException',
      `Key '${meta.Arn!.replace(meta.KeyId!, unknown)}' does not exist`,
    );
  });

  test('a key may have several aliases', async () => {
    const meta = await createKey(local.kms);
    const names = [uniqueAlias('one'), uniqueAlias('two'), uniqueAlias('three')];
    for (const AliasName of names) await local.kms.send(new CreateAliasCommand({ AliasName, TargetKeyId: meta.KeyId }));
    expect((await listAliases(meta.KeyId)).map((a) => a.AliasName).sort()).toEqual([...names].sort());
  });
});

describe('UpdateAlias', () => {
  test('points the alias at another key and moves LastUpdatedDate', async () => {
    // GIVEN
    const a = await createImportedKey(local.kms);
    const b = await createImportedKey(local.kms);
    const alias = uniqueAlias('move');
    await local.kms.send(new CreateAliasCommand({ AliasName: alias, TargetKeyId: a.keyId }));
    const [created] = await listAliases(a.keyId);
    // WHEN (at least a millisecond later: the dates have millisecond precision)
    await wallClockPast(created!.LastUpdatedDate!);
    const [, updating] = await timed(() => local.kms.send(new UpdateAliasCommand({ AliasName: alias, TargetKeyId: b.arn })));
    // THEN
    expect(await targetOf(alias)).toBe(b.keyId);
    expect(await listAliases(a.keyId)).toEqual([]);
    const [updated] = await listAliases(b.keyId);
    expect(updated).toMatchObject({ AliasName: alias, TargetKeyId: b.keyId });
    expect(updated!.CreationDate!.getTime()).toBe(created!.CreationDate!.getTime());
    expect(updated!.LastUpdatedDate!.getTime()).toBeGreaterThan(created!.LastUpdatedDate!.getTime());
    expectDuring(updated!.LastUpdatedDate, updating);
  });

  test('fails with KMSInvalidStateException when the new target is pending deletion; works when the old one is', async () => {
    const live = await createImportedKey(local.kms);
    const doomed = await createImportedKey(local.kms);
    const alias = uniqueAlias('retarget');
    await local.kms.send(new CreateAliasCommand({ AliasName: alias, TargetKeyId: live.keyId }));
    await local.kms.send(new ScheduleKeyDeletionCommand({ KeyId: doomed.keyId, PendingWindowInDays: 7 }));
    // new target pending deletion
    await expectKmsError(local.kms.send(new UpdateAliasCommand({ AliasName: alias, TargetKeyId: doomed.keyId })), 'KMSInvalidStateException', `${doomed.arn} is pending deletion.`);
    expect(await targetOf(alias)).toBe(live.keyId);
    // old target pending deletion
    const rescue = uniqueAlias('rescue');
    const other = await createImportedKey(local.kms);
    const source = await createImportedKey(local.kms);
    await local.kms.send(new CreateAliasCommand({ AliasName: rescue, TargetKeyId: source.keyId }));
    await local.kms.send(new ScheduleKeyDeletionCommand({ KeyId: source.keyId, PendingWindowInDays: 7 }));
    await local.kms.send(new UpdateAliasCommand({ AliasName: rescue, TargetKeyId: other.keyId }));
    expect(await targetOf(rescue)).toBe(other.keyId);
  });

  test('fails with ValidationException for a colon in the name (D26)', async () => {
    const meta = await createKey(local.kms);
    await expectKmsError(
      local.kms.send(new UpdateAliasCommand({ AliasName: 'alias/my:alias', TargetKeyId: meta.KeyId })),
      'ValidationException',
      'alias/my:alias contains invalid characters for an alias',
    );
  });

  test('fails with NotFoundException for an unknown alias or target', async () => {
    const meta = await createKey(local.kms);
    const e = await expectKmsError(local.kms.send(new UpdateAliasCommand({ AliasName: uniqueAlias('none'), TargetKeyId: meta.KeyId })), 'NotFoundException');
    expect(e.message).toContain('alias/none-');
    const alias = uniqueAlias('target');
    await local.kms.send(new CreateAliasCommand({ AliasName: alias, TargetKeyId: meta.KeyId }));
    const unknown = '12345678-aaaa-bbbb-cccc-123456789012';
    await expectKmsError(
      local.kms.send(new UpdateAliasCommand({ AliasName: alias, TargetKeyId: unknown })),
      'NotFoundException',
      `Key '${meta.Arn!.replace(meta.KeyId!, unknown)}' does not exist`,
    );
  });
});

describe('DeleteAlias', () => {
  test('removes the alias, also when its key is pending deletion', async () => {
    // GIVEN
    const meta = await createExternalKey(local.kms);
    const alias = uniqueAlias('gone');
    await local.kms.send(new CreateAliasCommand({ AliasName: alias, TargetKeyId: meta.KeyId }));
    await local.kms.send(new ScheduleKeyDeletionCommand({ KeyId: meta.KeyId, PendingWindowInDays: 7 }));
    // WHEN
    await local.kms.send(new DeleteAliasCommand({ AliasName: alias }));
    // THEN
    expect(await listAliases(meta.KeyId)).toEqual([]);
    await expectKmsError(local.kms.send(new DescribeKeyCommand({ KeyId: alias })), 'NotFoundException', `Alias ${aliasArnOf(meta.Arn!, alias)} is not found.`);
    // and the name can be used again
    const next = await createKey(local.kms);
    await local.kms.send(new CreateAliasCommand({ AliasName: alias, TargetKeyId: next.KeyId }));
    expect(await targetOf(alias)).toBe(next.KeyId);
  });

  test('fails with NotFoundException for an unknown alias', async () => {
    const alias = uniqueAlias('never');
    const e = await expectKmsError(local.kms.send(new DeleteAliasCommand({ AliasName: alias })), 'NotFoundException');
    expect(e.message).toContain(alias);
  });
});

describe('ListAliases', () => {
  test('filters by key ID or ARN and pages with Limit/Marker/Truncated', async () => {
    // GIVEN two keys with aliases
    const a = await createKey(local.kms);
    const b = await createKey(local.kms);
    const ofA = [uniqueAlias('la'), uniqueAlias('la'), uniqueAlias('la')];
    for (const AliasName of ofA) await local.kms.send(new CreateAliasCommand({ AliasName, TargetKeyId: a.KeyId }));
    await local.kms.send(new CreateAliasCommand({ AliasName: uniqueAlias('lb'), TargetKeyId: b.KeyId }));
    // WHEN / THEN filtered
    expect((await listAliases(a.KeyId)).map((x) => x.AliasName).sort()).toEqual([...ofA].sort());
    expect((await listAliases(a.Arn)).map((x) => x.AliasName).sort()).toEqual([...ofA].sort());
    expect(await listAliases(a.KeyId, 1)).toHaveLength(3);
    // unfiltered, in pages of 2: every alias once
    const paged = await listAliases(undefined, 2);
    const whole = await listAliases();
    const names = paged.map((x) => x.AliasName);
    expect(new Set(names).size).toBe(names.length);
    expect(new Set(names)).toEqual(new Set(whole.map((x) => x.AliasName)));
    for (const name of ofA) expect(names).toContain(name);
    // a key without aliases
    expect(await listAliases((await createKey(local.kms)).KeyId)).toEqual([]);
  });

  test('fails with NotFoundException for an unknown key and InvalidMarkerException for a forged marker', async () => {
    const meta = await createKey(local.kms);
    await expectKmsError(local.kms.send(new ListAliasesCommand({ KeyId: meta.KeyId!.replace(/^.{8}/, '00000000') })), 'NotFoundException');
    await expectKmsError(local.kms.send(new ListAliasesCommand({ Marker: 'Zm9yZ2VkLW1hcmtlcg' })), 'InvalidMarkerException');
  });
});

describe('TagResource / UntagResource / ListResourceTags', () => {
  test('adds, replaces and removes tags; unknown tag keys are ignored on untag', async () => {
    // GIVEN a key created with a tag
    const { KeyMetadata } = await local.kms.send(new CreateKeyCommand({ Origin: 'EXTERNAL', Tags: [{ TagKey: 'team', TagValue: 'crypto' }] }));
    const keyId = KeyMetadata!.KeyId!;
    expect(await listTags(keyId)).toEqual([{ TagKey: 'team', TagValue: 'crypto' }]);
    // WHEN tags are added and one replaced
    await local.kms.send(new TagResourceCommand({ KeyId: KeyMetadata!.Arn, Tags: [{ TagKey: 'env', TagValue: 'dev' }, { TagKey: 'team', TagValue: 'platform' }, { TagKey: 'empty', TagValue: '' }] }));
    // THEN
    const tags = await listTags(keyId);
    expect(tags).toHaveLength(3);
    expect(tags).toEqual(expect.arrayContaining([{ TagKey: 'team', TagValue: 'platform' }, { TagKey: 'env', TagValue: 'dev' }, { TagKey: 'empty', TagValue: '' }]));
    // WHEN removed (with an unknown key among them)
    await local.kms.send(new UntagResourceCommand({ KeyId: keyId, TagKeys: ['env', 'no-such-tag'] }));
    // THEN
    expect((await listTags(keyId)).map((t) => t.TagKey).sort()).toEqual(['empty', 'team']);
  });

  test('ListResourceTags pages with Limit/Marker/Truncated', async () => {
    const meta = await createKey(local.kms);
    const tags = Array.from({ length: 5 }, (_, i) => ({ TagKey: `k${i}`, TagValue: `v${i}` }));
    await local.kms.send(new TagResourceCommand({ KeyId: meta.KeyId, Tags: tags }));
    const first = await local.kms.send(new ListResourceTagsCommand({ KeyId: meta.KeyId, Limit: 2 }));
    expect(first.Tags).toHaveLength(2);
    expect(first.Truncated).toBe(true);
    const paged = await listTags(meta.KeyId!, 2);
    expect(paged).toHaveLength(5);
    expect(paged).toEqual(expect.arrayContaining(tags));
  });

  test('fails with TagException "Duplicate tag keys"', async () => {
    const meta = await createKey(local.kms);
    await expectKmsError(
      local.kms.send(new TagResourceCommand({ KeyId: meta.KeyId, Tags: [{ TagKey: 'a', TagValue: '1' }, { TagKey: 'a', TagValue: '2' }] })),
      'TagException',
      'Duplicate tag keys',
    );
    expect(await listTags(meta.KeyId!)).toEqual([]);
  });

  test('fails with TagException "Too many tags" beyond 50 per key', async () => {
    const meta = await createKey(local.kms);
    const fifty = Array.from({ length: 50 }, (_, i) => ({ TagKey: `t${i}`, TagValue: 'x' }));
    await local.kms.send(new TagResourceCommand({ KeyId: meta.KeyId, Tags: fifty }));
    await expectKmsError(local.kms.send(new TagResourceCommand({ KeyId: meta.KeyId, Tags: [{ TagKey: 'one-more', TagValue: 'x' }] })), 'TagException', 'Too many tags');
    // replacing an existing tag's value is still fine
    await local.kms.send(new TagResourceCommand({ KeyId: meta.KeyId, Tags: [{ TagKey: 't0', TagValue: 'y' }] }));
    expect(await listTags(meta.KeyId!)).toHaveLength(50);
  });

  test.each(['aws:owner', 'AWS:owner', 'Aws:x'])('fails with TagException for the reserved tag key %s', async (TagKey) => {
    const meta = await createKey(local.kms);
    await expectKmsError(local.kms.send(new TagResourceCommand({ KeyId: meta.KeyId, Tags: [{ TagKey, TagValue: 'v' }] })), 'TagException', 'Tags beginning with aws: are reserved');
    expect(await listTags(meta.KeyId!)).toEqual([]);
  });

  test('fails with TagException when CreateKey carries a reserved tag', async () => {
    await expectKmsError(local.kms.send(new CreateKeyCommand({ Tags: [{ TagKey: 'aws:x', TagValue: 'v' }] })), 'TagException', 'Tags beginning with aws: are reserved');
  });

  test('fails with KMSInvalidStateException on a key pending deletion, but tags can still be listed', async () => {
    const { KeyMetadata } = await local.kms.send(new CreateKeyCommand({ Tags: [{ TagKey: 'keep', TagValue: 'me' }] }));
    await local.kms.send(new ScheduleKeyDeletionCommand({ KeyId: KeyMetadata!.KeyId, PendingWindowInDays: 7 }));
    const message = `${KeyMetadata!.Arn} is pending deletion.`;
    await expectKmsError(local.kms.send(new TagResourceCommand({ KeyId: KeyMetadata!.KeyId, Tags: [{ TagKey: 'a', TagValue: 'b' }] })), 'KMSInvalidStateException', message);
    await expectKmsError(local.kms.send(new UntagResourceCommand({ KeyId: KeyMetadata!.KeyId, TagKeys: ['keep'] })), 'KMSInvalidStateException', message);
    expect(await listTags(KeyMetadata!.KeyId!)).toEqual([{ TagKey: 'keep', TagValue: 'me' }]);
  });
});
