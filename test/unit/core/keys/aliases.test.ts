import { describe, expect, test } from 'vitest';
import { createAlias } from '../../../../lambda/core/operations/aliases/create-alias';
import { deleteAlias } from '../../../../lambda/core/operations/aliases/delete-alias';
import { describeKey } from '../../../../lambda/core/operations/keys/describe-key';
import { listAliases } from '../../../../lambda/core/operations/aliases/list-aliases';
import { scheduleKeyDeletion } from '../../../../lambda/core/operations/deletion/schedule-key-deletion';
import { updateAlias } from '../../../../lambda/core/operations/aliases/update-alias';
import { memoryDeps, TEST_CTX, TEST_SCOPE } from '../../../support/memory-deps';
import { DAY, failure, newKey } from './helpers';

const ALIAS_ARN = (name: string) => `arn:aws:kms:us-east-1:111122223333:${name}`;
const PREFIX_MESSAGE = 'Alias must start with the prefix "alias/". Please see https://docs.aws.amazon.com/kms/latest/developerguide/kms-alias.html';

describe('CreateAlias', () => {
  test('creates an alias that names the key in DescribeKey and ListAliases', async () => {
    // GIVEN
    const deps = memoryDeps();
    const md = await newKey(deps);
    // WHEN
    const out = await createAlias(deps, TEST_CTX, { AliasName: 'alias/my-app/prod/v_1', TargetKeyId: md.Arn });
    // THEN
    expect(out).toEqual({});
    expect((await describeKey(deps, TEST_CTX, { KeyId: 'alias/my-app/prod/v_1' })).KeyMetadata.KeyId).toBe(md.KeyId);
    expect((await listAliases(deps, TEST_CTX, {})).Aliases).toEqual([
      {
        AliasName: 'alias/my-app/prod/v_1',
        AliasArn: ALIAS_ARN('alias/my-app/prod/v_1'),
        TargetKeyId: md.KeyId,
        CreationDate: new Date('2026-01-01T00:00:00Z'),
        LastUpdatedDate: new Date('2026-01-01T00:00:00Z'),
      },
    ]);
  });

  test('fails with ValidationException for a colon, which the model admits and AWS refuses (D26)', async () => {
    const deps = memoryDeps();
    const md = await newKey(deps);
    for (const op of [createAlias, updateAlias]) {
      expect(await failure(op(deps, TEST_CTX, { AliasName: 'alias/my:alias', TargetKeyId: md.KeyId }))).toMatchObject({
        name: 'ValidationException',
        message: 'alias/my:alias contains invalid characters for an alias',
      });
    }
    expect((await listAliases(deps, TEST_CTX, {})).Aliases).toEqual([]);
  });

  test('creates an alias for a PendingImport key', async () => {
    const deps = memoryDeps();
    const md = await newKey(deps, { Origin: 'EXTERNAL' });
    await expect(createAlias(deps, TEST_CTX, { AliasName: 'alias/ext', TargetKeyId: md.KeyId })).resolves.toEqual({});
  });

  test('fails with ValidationException without the alias/ prefix', async () => {
    const deps = memoryDeps();
    const md = await newKey(deps);
    expect(await failure(createAlias(deps, TEST_CTX, { AliasName: 'my-app', TargetKeyId: md.KeyId }))).toMatchObject({ name: 'ValidationException', message: PREFIX_MESSAGE });
  });

  test.each(['alias/has space', 'alias/bad*char', ''])('fails with ValidationException for the name %j', async (name) => {
    const deps = memoryDeps();
    const md = await newKey(deps);
    expect((await failure(createAlias(deps, TEST_CTX, { AliasName: name, TargetKeyId: md.KeyId }))).name).toBe('ValidationException');
  });

  test('fails with ValidationException for a name over 256 characters, and accepts 256', async () => {
    const deps = memoryDeps();
    const md = await newKey(deps);
    await expect(createAlias(deps, TEST_CTX, { AliasName: `alias/${'a'.repeat(250)}`, TargetKeyId: md.KeyId })).resolves.toEqual({});
    const err = await failure(createAlias(deps, TEST_CTX, { AliasName: `alias/${'a'.repeat(251)}`, TargetKeyId: md.KeyId }));
    expect(err.name).toBe('ValidationException');
    expect(err.message).toContain("at 'aliasName' failed to satisfy constraint: Member must have length less than or equal to 256");
  });

  test.each(['alias/aws/ebs', 'alias/aws/mine', 'alias/'])('fails with InvalidAliasNameException for %s', async (name) => {
    const deps = memoryDeps();
    const md = await newKey(deps);
    const err = await failure(createAlias(deps, TEST_CTX, { AliasName: name, TargetKeyId: md.KeyId }));
    expect(err.name).toBe('InvalidAliasNameException');
    expect(err.message).toContain(name);
  });

  test('fails with AlreadyExistsException naming the alias ARN for a duplicate', async () => {
    const deps = memoryDeps();
    const a = await newKey(deps);
    const b = await newKey(deps);
    await createAlias(deps, TEST_CTX, { AliasName: 'alias/dup', TargetKeyId: a.KeyId });
    expect(await failure(createAlias(deps, TEST_CTX, { AliasName: 'alias/dup', TargetKeyId: b.KeyId }))).toMatchObject({
      name: 'AlreadyExistsException',
      message: `An alias with the name ${ALIAS_ARN('alias/dup')} already exists`,
    });
    expect((await deps.keys.getAlias(TEST_SCOPE, 'alias/dup'))?.targetKeyId).toBe(a.KeyId);
  });

  test('fails with AlreadyExistsException when a concurrent request creates the name first', async () => {
    // GIVEN a store in which the alias appears between our check and our write
    const deps = memoryDeps();
    const a = await newKey(deps);
    const realGet = deps.keys.getAlias.bind(deps.keys);
    deps.keys.getAlias = async () => undefined;
    await deps.keys.createAlias({ scope: TEST_SCOPE, aliasName: 'alias/race', targetKeyId: a.KeyId, creationDate: new Date(), lastUpdatedDate: new Date() });
    // WHEN / THEN
    expect((await failure(createAlias(deps, TEST_CTX, { AliasName: 'alias/race', TargetKeyId: a.KeyId }))).name).toBe('AlreadyExistsException');
    deps.keys.getAlias = realGet;
  });

  test('reuses the name of an alias whose key is past its deletion date (D17)', async () => {
    // GIVEN
    const deps = memoryDeps();
    const old = await newKey(deps);
    await createAlias(deps, TEST_CTX, { AliasName: 'alias/reused', TargetKeyId: old.KeyId });
    await scheduleKeyDeletion(deps, TEST_CTX, { KeyId: old.KeyId, PendingWindowInDays: 7 });
    deps.clock.advance(7 * DAY);
    const fresh = await newKey(deps);
    // WHEN
    await createAlias(deps, TEST_CTX, { AliasName: 'alias/reused', TargetKeyId: fresh.KeyId });
    // THEN
    expect((await describeKey(deps, TEST_CTX, { KeyId: 'alias/reused' })).KeyMetadata.KeyId).toBe(fresh.KeyId);
  });

  test('fails with NotFoundException when the target is an alias (D18) or unknown', async () => {
    const deps = memoryDeps();
    const md = await newKey(deps);
    await createAlias(deps, TEST_CTX, { AliasName: 'alias/first', TargetKeyId: md.KeyId });
    expect(await failure(createAlias(deps, TEST_CTX, { AliasName: 'alias/second', TargetKeyId: 'alias/first' }))).toMatchObject({
      name: 'NotFoundException',
      message: "Invalid keyId 'alias/first'",
    });
    const id = '33333333-3333-4333-8333-333333333333';
    expect(await failure(createAlias(deps, TEST_CTX, { AliasName: 'alias/second', TargetKeyId: id }))).toMatchObject({
      name: 'NotFoundException',
      message: `Key 'arn:aws:kms:us-east-1:111122223333:key/${id}' does not exist`,
    });
  });

  test('fails with KMSInvalidStateException when the target is pending deletion', async () => {
    const deps = memoryDeps();
    const md = await newKey(deps);
    await scheduleKeyDeletion(deps, TEST_CTX, { KeyId: md.KeyId, PendingWindowInDays: 7 });
    expect(await failure(createAlias(deps, TEST_CTX, { AliasName: 'alias/late', TargetKeyId: md.KeyId }))).toMatchObject({
      name: 'KMSInvalidStateException',
      message: `${md.Arn} is pending deletion.`,
    });
  });
});

describe('UpdateAlias', () => {
  test('points the alias at another key and updates LastUpdatedDate only', async () => {
    // GIVEN
    const deps = memoryDeps();
    const a = await newKey(deps);
    const b = await newKey(deps);
    await createAlias(deps, TEST_CTX, { AliasName: 'alias/moving', TargetKeyId: a.KeyId });
    deps.clock.advance(60);
    // WHEN
    await updateAlias(deps, TEST_CTX, { AliasName: 'alias/moving', TargetKeyId: b.Arn });
    // THEN
    expect((await listAliases(deps, TEST_CTX, {})).Aliases[0]).toMatchObject({
      TargetKeyId: b.KeyId,
      CreationDate: new Date('2026-01-01T00:00:00Z'),
      LastUpdatedDate: new Date('2026-01-01T00:01:00Z'),
    });
  });

  test('moves an alias away from a key pending deletion', async () => {
    const deps = memoryDeps();
    const a = await newKey(deps);
    const b = await newKey(deps);
    await createAlias(deps, TEST_CTX, { AliasName: 'alias/moving', TargetKeyId: a.KeyId });
    await scheduleKeyDeletion(deps, TEST_CTX, { KeyId: a.KeyId, PendingWindowInDays: 7 });
    await updateAlias(deps, TEST_CTX, { AliasName: 'alias/moving', TargetKeyId: b.KeyId });
    expect((await describeKey(deps, TEST_CTX, { KeyId: 'alias/moving' })).KeyMetadata.KeyId).toBe(b.KeyId);
  });

  test('fails with KMSInvalidStateException when the new target is pending deletion', async () => {
    const deps = memoryDeps();
    const a = await newKey(deps);
    const b = await newKey(deps);
    await createAlias(deps, TEST_CTX, { AliasName: 'alias/moving', TargetKeyId: a.KeyId });
    await scheduleKeyDeletion(deps, TEST_CTX, { KeyId: b.KeyId, PendingWindowInDays: 7 });
    expect(await failure(updateAlias(deps, TEST_CTX, { AliasName: 'alias/moving', TargetKeyId: b.KeyId }))).toMatchObject({
      name: 'KMSInvalidStateException',
      message: `${b.Arn} is pending deletion.`,
    });
  });

  test('fails with NotFoundException naming the alias ARN for an unknown alias', async () => {
    const deps = memoryDeps();
    const a = await newKey(deps);
    expect(await failure(updateAlias(deps, TEST_CTX, { AliasName: 'alias/none', TargetKeyId: a.KeyId }))).toMatchObject({
      name: 'NotFoundException',
      message: `Alias ${ALIAS_ARN('alias/none')} is not found.`,
    });
  });

  test('fails with ValidationException without the prefix', async () => {
    const deps = memoryDeps();
    const a = await newKey(deps);
    expect(await failure(updateAlias(deps, TEST_CTX, { AliasName: 'none', TargetKeyId: a.KeyId }))).toMatchObject({ name: 'ValidationException', message: PREFIX_MESSAGE });
  });
});

describe('DeleteAlias', () => {
  test('deletes the alias, whatever the key state', async () => {
    const deps = memoryDeps();
    const a = await newKey(deps);
    await createAlias(deps, TEST_CTX, { AliasName: 'alias/gone', TargetKeyId: a.KeyId });
    await scheduleKeyDeletion(deps, TEST_CTX, { KeyId: a.KeyId, PendingWindowInDays: 7 });
    await expect(deleteAlias(deps, TEST_CTX, { AliasName: 'alias/gone' })).resolves.toEqual({});
    expect((await listAliases(deps, TEST_CTX, {})).Aliases).toEqual([]);
  });

  test('fails with NotFoundException naming the alias ARN for an unknown alias, or a second delete', async () => {
    const deps = memoryDeps();
    const a = await newKey(deps);
    await createAlias(deps, TEST_CTX, { AliasName: 'alias/once', TargetKeyId: a.KeyId });
    await deleteAlias(deps, TEST_CTX, { AliasName: 'alias/once' });
    expect(await failure(deleteAlias(deps, TEST_CTX, { AliasName: 'alias/once' }))).toMatchObject({
      name: 'NotFoundException',
      message: `Alias ${ALIAS_ARN('alias/once')} is not found.`,
    });
  });

  test('fails with ValidationException without the prefix', async () => {
    expect(await failure(deleteAlias(memoryDeps(), TEST_CTX, { AliasName: 'x' }))).toMatchObject({ name: 'ValidationException', message: PREFIX_MESSAGE });
  });
});

describe('ListAliases', () => {
  test('filters by key id or key ARN', async () => {
    // GIVEN
    const deps = memoryDeps();
    const a = await newKey(deps);
    const b = await newKey(deps);
    await createAlias(deps, TEST_CTX, { AliasName: 'alias/a1', TargetKeyId: a.KeyId });
    await createAlias(deps, TEST_CTX, { AliasName: 'alias/b1', TargetKeyId: b.KeyId });
    await createAlias(deps, TEST_CTX, { AliasName: 'alias/a2', TargetKeyId: a.KeyId });
    // WHEN / THEN
    const names = async (KeyId?: string) => (await listAliases(deps, TEST_CTX, { ...(KeyId && { KeyId }) })).Aliases.map((x) => x.AliasName);
    expect(await names()).toEqual(['alias/a1', 'alias/a2', 'alias/b1']);
    expect(await names(a.KeyId)).toEqual(['alias/a1', 'alias/a2']);
    expect(await names(b.Arn)).toEqual(['alias/b1']);
  });

  test('pages with Limit (default 50) and Marker', async () => {
    const deps = memoryDeps();
    const a = await newKey(deps);
    for (let i = 0; i < 55; i++) await createAlias(deps, TEST_CTX, { AliasName: `alias/n${String(i).padStart(2, '0')}`, TargetKeyId: a.KeyId });
    const first = await listAliases(deps, TEST_CTX, {});
    expect(first.Aliases).toHaveLength(50);
    expect(first.Truncated).toBe(true);
    const second = await listAliases(deps, TEST_CTX, { Marker: first.NextMarker! });
    expect(second.Aliases.map((x) => x.AliasName)).toEqual(['alias/n50', 'alias/n51', 'alias/n52', 'alias/n53', 'alias/n54']);
    expect(second.Truncated).toBe(false);
    expect(second).not.toHaveProperty('NextMarker');
    const small = await listAliases(deps, TEST_CTX, { Limit: 2, KeyId: a.KeyId });
    expect(small.Aliases.map((x) => x.AliasName)).toEqual(['alias/n00', 'alias/n01']);
  });

  test('leaves out aliases whose key is past its deletion date, and still fills the page', async () => {
    // GIVEN aliases alternating between a live key and a key deleted at day 7
    const deps = memoryDeps();
    const live = await newKey(deps);
    const doomed = await newKey(deps);
    for (const n of ['a', 'b', 'c', 'd', 'e']) {
      await createAlias(deps, TEST_CTX, { AliasName: `alias/${n}`, TargetKeyId: ['b', 'd'].includes(n) ? doomed.KeyId : live.KeyId });
    }
    await scheduleKeyDeletion(deps, TEST_CTX, { KeyId: doomed.KeyId, PendingWindowInDays: 7 });
    deps.clock.advance(7 * DAY);
    // WHEN
    const page = await listAliases(deps, TEST_CTX, { Limit: 2 });
    const rest = await listAliases(deps, TEST_CTX, { Limit: 2, Marker: page.NextMarker! });
    // THEN
    expect(page.Aliases.map((x) => x.AliasName)).toEqual(['alias/a', 'alias/c']);
    expect(rest.Aliases.map((x) => x.AliasName)).toEqual(['alias/e']);
    expect(rest.Truncated).toBe(false);
  });

  test.each([0, 101])('fails with ValidationException for Limit %d', async (limit) => {
    expect((await failure(listAliases(memoryDeps(), TEST_CTX, { Limit: limit }))).name).toBe('ValidationException');
  });

  test('fails with NotFoundException for an unknown key or an alias as the filter', async () => {
    const deps = memoryDeps();
    expect((await failure(listAliases(deps, TEST_CTX, { KeyId: '44444444-4444-4444-8444-444444444444' }))).name).toBe('NotFoundException');
    expect(await failure(listAliases(deps, TEST_CTX, { KeyId: 'alias/x' }))).toMatchObject({ name: 'NotFoundException', message: "Invalid keyId 'alias/x'" });
  });

  test('fails with InvalidMarkerException for a marker it did not issue', async () => {
    const deps = memoryDeps();
    const a = await newKey(deps);
    await createAlias(deps, TEST_CTX, { AliasName: 'alias/x', TargetKeyId: a.KeyId });
    expect((await failure(listAliases(deps, TEST_CTX, { Marker: 'nonsense' }))).name).toBe('InvalidMarkerException');
  });
});

describe('CreateAlias and UpdateAlias when the store refuses the write', () => {
  test('CreateAlias: an alias created meanwhile is AlreadyExistsException; any other store failure surfaces as it is', async () => {
    const deps = memoryDeps();
    const md = await newKey(deps);
    const store = deps.keys.createAlias.bind(deps.keys);
    // another caller creates the name between our check and our write
    deps.keys.createAlias = async (alias) => {
      await store({ ...alias, targetKeyId: md.KeyId });
      return store(alias);
    };
    expect(await failure(createAlias(deps, TEST_CTX, { AliasName: 'alias/race', TargetKeyId: md.KeyId }))).toMatchObject({
      name: 'AlreadyExistsException',
      message: `An alias with the name ${ALIAS_ARN('alias/race')} already exists`,
    });
    deps.keys.createAlias = async () => {
      throw new Error('store unavailable');
    };
    await expect(createAlias(deps, TEST_CTX, { AliasName: 'alias/other', TargetKeyId: md.KeyId })).rejects.toThrow(new Error('store unavailable'));
  });

  test('UpdateAlias: an alias deleted between the read and the write is NotFoundException; any other store failure surfaces as it is', async () => {
    const deps = memoryDeps();
    const first = await newKey(deps);
    const second = await newKey(deps);
    await createAlias(deps, TEST_CTX, { AliasName: 'alias/moving', TargetKeyId: first.KeyId });
    const store = deps.keys.updateAlias.bind(deps.keys);
    deps.keys.updateAlias = async (alias) => {
      await deps.keys.deleteAlias(TEST_SCOPE, alias.aliasName);
      return store(alias);
    };
    expect(await failure(updateAlias(deps, TEST_CTX, { AliasName: 'alias/moving', TargetKeyId: second.KeyId }))).toMatchObject({
      name: 'NotFoundException',
      message: `Alias ${ALIAS_ARN('alias/moving')} is not found.`,
    });
    await createAlias(deps, TEST_CTX, { AliasName: 'alias/moving', TargetKeyId: first.KeyId });
    deps.keys.updateAlias = async () => {
      throw new Error('store unavailable');
    };
    await expect(updateAlias(deps, TEST_CTX, { AliasName: 'alias/moving', TargetKeyId: second.KeyId })).rejects.toThrow(new Error('store unavailable'));
  });

  test('UpdateAlias refuses an alias as TargetKeyId (D18), and the alias keeps its key', async () => {
    const deps = memoryDeps();
    const first = await newKey(deps);
    const second = await newKey(deps);
    await createAlias(deps, TEST_CTX, { AliasName: 'alias/moving', TargetKeyId: first.KeyId });
    await createAlias(deps, TEST_CTX, { AliasName: 'alias/second', TargetKeyId: second.KeyId });
    expect(await failure(updateAlias(deps, TEST_CTX, { AliasName: 'alias/moving', TargetKeyId: 'alias/second' }))).toMatchObject({ name: 'NotFoundException', message: "Invalid keyId 'alias/second'" });
    expect((await listAliases(deps, TEST_CTX, { KeyId: first.KeyId })).Aliases.map((a) => a.AliasName)).toStrictEqual(['alias/moving']);
  });
});
