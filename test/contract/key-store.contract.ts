/**
 * The KeyStore contract: every KeyStore adapter must pass it, on every engine it runs on.
 * `makeStore` must return an empty store (e.g. on a fresh table) each time it is called.
 */
import { describe, expect, test } from 'vitest';
import { InvalidMarkerException, StoreConflictError } from '../../lambda/core/errors';
import type { GrantRecord } from '../../lambda/core/model/grant';
import type { AliasRecord, KeyRecord, Scope } from '../../lambda/core/model/key';
import type { KeyStore, Page } from '../../lambda/core/ports';
import {
  SCOPE_A,
  SCOPE_OTHER_ACCOUNT,
  SCOPE_OTHER_PARTITION,
  SCOPE_OTHER_REGION,
  aGrant,
  anAlias,
  bareKey,
  fullKey,
} from './support/key-fixtures';

/** Follows nextMarker to the end; returns every page. */
async function allPages<T>(list: (marker?: string) => Promise<Page<T>>): Promise<Page<T>[]> {
  const pages: Page<T>[] = [];
  let marker: string | undefined;
  do {
    const page = await list(marker);
    pages.push(page);
    marker = page.nextMarker;
  } while (marker !== undefined && pages.length < 1_000);
  return pages;
}

async function putKeys(store: KeyStore, scope: Scope, count: number): Promise<string[]> {
  const ids: string[] = [];
  for (let i = 0; i < count; i++) {
    const key = bareKey(scope);
    await store.putKey(key, { expectedRevision: null });
    ids.push(key.keyId);
  }
  return ids.sort();
}

const aliasNames = (page: Page<AliasRecord>) => page.items.map((a) => a.aliasName);
const grantIds = (page: Page<GrantRecord>) => page.items.map((g) => g.grantId);
const sortedIds = (n: number) => Array.from({ length: n }, (_, i) => `${String(i).padStart(2, '0')}`.padEnd(64, 'a')).sort();

export function keyStoreContract(name: string, makeStore: () => Promise<KeyStore>): void {
  describe(`KeyStore contract: ${name}`, () => {
    describe('keys', () => {
      test('a key with every optional field comes back exactly as saved, at revision 1', async () => {
        // GIVEN
        const store = await makeStore();
        const key = fullKey();
        // WHEN
        await store.putKey(key, { expectedRevision: null });
        // THEN
        expect(await store.getKey(key.scope, key.keyId)).toStrictEqual({ ...key, revision: 1 });
      });

      test('a key with no optional field comes back without any', async () => {
        // GIVEN
        const store = await makeStore();
        const key = bareKey();
        // WHEN
        await store.putKey(key, { expectedRevision: null });
        // THEN
        const read = await store.getKey(key.scope, key.keyId);
        expect(read).toStrictEqual({ ...key, revision: 1 });
        expect(Object.keys(read!)).not.toContain('deletionDate');
        expect(Object.keys(read!)).not.toContain('currentMaterialId');
        expect(Object.keys(read!)).not.toContain('policy');
        expect(Object.keys(read!)).not.toContain('automaticRotation');
      });

      test('a missing key reads as undefined', async () => {
        const store = await makeStore();
        expect(await store.getKey(SCOPE_A, '00000000-0000-0000-0000-000000000000')).toBeUndefined();
      });

      test('each save at the read revision bumps the revision by one; optional fields can be removed', async () => {
        // GIVEN
        const store = await makeStore();
        const key = fullKey();
        await store.putKey(key, { expectedRevision: null });
        // WHEN
        const { deletionDate: _, automaticRotation: __, ...rest } = key;
        await store.putKey({ ...rest, state: 'Disabled', revision: 1 }, { expectedRevision: 1 });
        await store.putKey({ ...rest, state: 'Enabled', description: 'third', revision: 2 }, { expectedRevision: 2 });
        // THEN
        const read = await store.getKey(key.scope, key.keyId);
        expect(read).toStrictEqual({ ...rest, state: 'Enabled', description: 'third', revision: 3 });
      });

      test('fails with StoreConflictError when saving from a stale revision', async () => {
        // GIVEN
        const store = await makeStore();
        const key = bareKey();
        await store.putKey(key, { expectedRevision: null });
        await store.putKey({ ...key, description: 'first' }, { expectedRevision: 1 });
        // WHEN / THEN
        await expect(store.putKey({ ...key, description: 'second' }, { expectedRevision: 1 })).rejects.toBeInstanceOf(StoreConflictError);
        expect((await store.getKey(key.scope, key.keyId))?.description).toBe('first');
      });

      test('fails with StoreConflictError when creating a key that exists', async () => {
        // GIVEN
        const store = await makeStore();
        const key = bareKey();
        await store.putKey({ ...key, description: 'original' }, { expectedRevision: null });
        // WHEN / THEN
        await expect(store.putKey(key, { expectedRevision: null })).rejects.toBeInstanceOf(StoreConflictError);
        expect(await store.getKey(key.scope, key.keyId)).toMatchObject({ description: 'original', revision: 1 });
      });

      test('fails with StoreConflictError when updating a key that does not exist', async () => {
        const store = await makeStore();
        await expect(store.putKey(bareKey(), { expectedRevision: 1 })).rejects.toBeInstanceOf(StoreConflictError);
      });

      test('of two writers that read the same revision, exactly one wins', async () => {
        // GIVEN
        const store = await makeStore();
        const key = bareKey();
        await store.putKey(key, { expectedRevision: null });
        // WHEN
        const results = await Promise.allSettled(
          ['a', 'b', 'c', 'd'].map((d) => store.putKey({ ...key, description: d }, { expectedRevision: 1 })),
        );
        // THEN
        expect(results.filter((r) => r.status === 'fulfilled')).toHaveLength(1);
        for (const r of results) if (r.status === 'rejected') expect(r.reason).toBeInstanceOf(StoreConflictError);
        expect((await store.getKey(key.scope, key.keyId))?.revision).toBe(2);
      });

      test('deletes a key at the revision read; deleting it again is not an error', async () => {
        // GIVEN
        const store = await makeStore();
        const key = bareKey();
        await store.putKey(key, { expectedRevision: null });
        // WHEN
        await store.deleteKey(key.scope, key.keyId, { expectedRevision: 1 });
        await store.deleteKey(key.scope, key.keyId, { expectedRevision: 1 });
        // THEN
        expect(await store.getKey(key.scope, key.keyId)).toBeUndefined();
      });

      test('fails with StoreConflictError when deleting from a stale revision, and keeps the key', async () => {
        // GIVEN
        const store = await makeStore();
        const key = bareKey();
        await store.putKey(key, { expectedRevision: null });
        await store.putKey({ ...key, description: 'changed' }, { expectedRevision: 1 });
        // WHEN / THEN
        await expect(store.deleteKey(key.scope, key.keyId, { expectedRevision: 1 })).rejects.toBeInstanceOf(StoreConflictError);
        expect(await store.getKey(key.scope, key.keyId)).toMatchObject({ description: 'changed', revision: 2 });
      });
    });

    describe('scopes', () => {
      const scopes = [SCOPE_A, SCOPE_OTHER_ACCOUNT, SCOPE_OTHER_REGION, SCOPE_OTHER_PARTITION];

      test('the same key id in other accounts, regions and partitions is a different key', async () => {
        // GIVEN
        const store = await makeStore();
        const keyId = '11111111-2222-3333-4444-555555555555';
        for (const scope of scopes) await store.putKey({ ...bareKey(scope, keyId), description: scope.account + scope.region + scope.partition }, { expectedRevision: null });
        // WHEN
        await store.deleteKey(SCOPE_OTHER_REGION, keyId, { expectedRevision: 1 });
        // THEN
        for (const scope of scopes) {
          const read = await store.getKey(scope, keyId);
          if (scope === SCOPE_OTHER_REGION) expect(read).toBeUndefined();
          else expect(read).toMatchObject({ scope, description: scope.account + scope.region + scope.partition });
        }
      });

      test('listings show only the caller scope', async () => {
        // GIVEN
        const store = await makeStore();
        const mine = await putKeys(store, SCOPE_A, 2);
        await putKeys(store, SCOPE_OTHER_ACCOUNT, 2);
        await putKeys(store, SCOPE_OTHER_REGION, 1);
        await store.createAlias(anAlias(SCOPE_A, 'alias/shared', mine[0]!));
        await store.createAlias(anAlias(SCOPE_OTHER_ACCOUNT, 'alias/shared', 'other'));
        await store.createAlias(anAlias(SCOPE_OTHER_ACCOUNT, 'alias/theirs', 'other'));
        // WHEN
        const keys = await store.listKeys(SCOPE_A, { limit: 100 });
        const aliases = await store.listAliases(SCOPE_A, { limit: 100 });
        // THEN
        expect(keys.items.map((k) => k.keyId).sort()).toEqual(mine);
        expect(aliases.items).toEqual([anAlias(SCOPE_A, 'alias/shared', mine[0]!)]);
        expect(await store.getAlias(SCOPE_OTHER_REGION, 'alias/shared')).toBeUndefined();
      });

      test('fails with InvalidMarkerException for a marker issued in another scope', async () => {
        // GIVEN
        const store = await makeStore();
        await putKeys(store, SCOPE_OTHER_ACCOUNT, 3);
        const theirs = await store.listKeys(SCOPE_OTHER_ACCOUNT, { limit: 1 });
        expect(theirs.nextMarker).toBeDefined();
        // WHEN / THEN
        await expect(store.listKeys(SCOPE_A, { limit: 1, marker: theirs.nextMarker! })).rejects.toBeInstanceOf(InvalidMarkerException);
      });
    });

    describe('listKeys', () => {
      test('pages through every key once, in key id order, with a marker only while more follow', async () => {
        // GIVEN
        const store = await makeStore();
        const ids = await putKeys(store, SCOPE_A, 5);
        // WHEN
        const pages = await allPages((marker) => store.listKeys(SCOPE_A, { limit: 2, ...(marker && { marker }) }));
        // THEN
        expect(pages.map((p) => p.items.length)).toEqual([2, 2, 1]);
        expect(pages.flatMap((p) => p.items.map((k) => k.keyId))).toEqual(ids);
        expect(pages.map((p) => p.nextMarker === undefined)).toEqual([false, false, true]);
      });

      test('a page that ends exactly at the last key carries no marker', async () => {
        const store = await makeStore();
        await putKeys(store, SCOPE_A, 3);
        const page = await store.listKeys(SCOPE_A, { limit: 3 });
        expect(page.items).toHaveLength(3);
        expect(page.nextMarker).toBeUndefined();
      });

      test('returns full records, and nothing from the alias items', async () => {
        // GIVEN
        const store = await makeStore();
        const key = fullKey();
        await store.putKey(key, { expectedRevision: null });
        await store.createAlias(anAlias(SCOPE_A, 'alias/a', key.keyId));
        // WHEN
        const page = await store.listKeys(SCOPE_A, { limit: 10 });
        // THEN
        expect(page).toStrictEqual({ items: [{ ...key, revision: 1 }] });
      });

      test('an empty scope lists nothing', async () => {
        const store = await makeStore();
        expect(await store.listKeys(SCOPE_A, { limit: 10 })).toStrictEqual({ items: [] });
      });

      test.each([
        ['garbage', 'not a marker!'],
        ['base64url of garbage', Buffer.from('{"p":').toString('base64url')],
        ['a JSON value of the wrong shape', Buffer.from('[1,2]').toString('base64url')],
      ])('fails with InvalidMarkerException for %s', async (_, marker) => {
        const store = await makeStore();
        await putKeys(store, SCOPE_A, 1);
        await expect(store.listKeys(SCOPE_A, { limit: 1, marker })).rejects.toBeInstanceOf(InvalidMarkerException);
      });

      test('fails with InvalidMarkerException for a ListAliases marker', async () => {
        // GIVEN
        const store = await makeStore();
        await putKeys(store, SCOPE_A, 2);
        await store.createAlias(anAlias(SCOPE_A, 'alias/a', 'k'));
        await store.createAlias(anAlias(SCOPE_A, 'alias/b', 'k'));
        const aliasPage = await store.listAliases(SCOPE_A, { limit: 1 });
        // WHEN / THEN
        await expect(store.listKeys(SCOPE_A, { limit: 1, marker: aliasPage.nextMarker! })).rejects.toBeInstanceOf(InvalidMarkerException);
      });
    });

    describe('scanKeys', () => {
      test('yields every key of every scope, and no alias', async () => {
        // GIVEN
        const store = await makeStore();
        const expected = [
          ...(await putKeys(store, SCOPE_A, 3)).map((id) => `${SCOPE_A.account}/${SCOPE_A.region}/${id}`),
          ...(await putKeys(store, SCOPE_OTHER_REGION, 2)).map((id) => `${SCOPE_OTHER_REGION.account}/${SCOPE_OTHER_REGION.region}/${id}`),
        ];
        await store.createAlias(anAlias(SCOPE_A, 'alias/x', 'k'));
        // WHEN
        const seen: KeyRecord[] = [];
        for await (const key of store.scanKeys()) seen.push(key);
        // THEN
        expect(seen.map((k) => `${k.scope.account}/${k.scope.region}/${k.keyId}`).sort()).toEqual(expected.sort());
      });
    });

    describe('aliases', () => {
      test('an alias comes back as created; a missing one reads as undefined', async () => {
        // GIVEN
        const store = await makeStore();
        const alias = anAlias(SCOPE_A, 'alias/my-key_1', 'k1');
        // WHEN
        await store.createAlias(alias);
        // THEN
        expect(await store.getAlias(SCOPE_A, 'alias/my-key_1')).toStrictEqual(alias);
        expect(await store.getAlias(SCOPE_A, 'alias/other')).toBeUndefined();
      });

      test('fails with StoreConflictError when creating an alias name that exists', async () => {
        // GIVEN
        const store = await makeStore();
        await store.createAlias(anAlias(SCOPE_A, 'alias/taken', 'k1'));
        // WHEN / THEN
        await expect(store.createAlias(anAlias(SCOPE_A, 'alias/taken', 'k2'))).rejects.toBeInstanceOf(StoreConflictError);
        expect((await store.getAlias(SCOPE_A, 'alias/taken'))?.targetKeyId).toBe('k1');
      });

      test('updates an existing alias', async () => {
        // GIVEN
        const store = await makeStore();
        await store.createAlias(anAlias(SCOPE_A, 'alias/moving', 'k1'));
        const moved = { ...anAlias(SCOPE_A, 'alias/moving', 'k2'), lastUpdatedDate: new Date('2030-05-05T05:05:05.555Z') };
        // WHEN
        await store.updateAlias(moved);
        // THEN
        expect(await store.getAlias(SCOPE_A, 'alias/moving')).toStrictEqual(moved);
      });

      test('fails with StoreConflictError when updating an alias that does not exist', async () => {
        const store = await makeStore();
        await expect(store.updateAlias(anAlias(SCOPE_A, 'alias/ghost', 'k1'))).rejects.toBeInstanceOf(StoreConflictError);
        expect(await store.getAlias(SCOPE_A, 'alias/ghost')).toBeUndefined();
      });

      test('deletes an alias; deleting a missing one is not an error', async () => {
        const store = await makeStore();
        await store.createAlias(anAlias(SCOPE_A, 'alias/gone', 'k1'));
        await store.deleteAlias(SCOPE_A, 'alias/gone');
        await store.deleteAlias(SCOPE_A, 'alias/gone');
        expect(await store.getAlias(SCOPE_A, 'alias/gone')).toBeUndefined();
      });

      test('deletes an alias only while it names the given key, when asked to', async () => {
        // GIVEN an alias that was re-pointed from k1 to k2
        const store = await makeStore();
        await store.createAlias(anAlias(SCOPE_A, 'alias/repointed', 'k1'));
        await store.updateAlias(anAlias(SCOPE_A, 'alias/repointed', 'k2'));
        // WHEN k1's deletion removes "its" aliases
        await store.deleteAlias(SCOPE_A, 'alias/repointed', 'k1');
        // THEN k2 keeps it; naming k2 deletes it; a missing alias is still not an error
        expect((await store.getAlias(SCOPE_A, 'alias/repointed'))?.targetKeyId).toBe('k2');
        await store.deleteAlias(SCOPE_A, 'alias/repointed', 'k2');
        expect(await store.getAlias(SCOPE_A, 'alias/repointed')).toBeUndefined();
        await store.deleteAlias(SCOPE_A, 'alias/repointed', 'k2');
      });

      test('lists aliases in name order, page by page', async () => {
        // GIVEN
        const store = await makeStore();
        const names = ['alias/b', 'alias/a', 'alias/c-1', 'alias/c/2', 'alias/C', 'alias/_z'];
        for (const n of names) await store.createAlias(anAlias(SCOPE_A, n, 'k'));
        await store.putKey(bareKey(), { expectedRevision: null });
        // WHEN
        const pages = await allPages((marker) => store.listAliases(SCOPE_A, { limit: 4, ...(marker && { marker }) }));
        // THEN
        expect(pages.map(aliasNames)).toEqual([
          ['alias/C', 'alias/_z', 'alias/a', 'alias/b'],
          ['alias/c-1', 'alias/c/2'],
        ]);
        expect(pages[1]!.nextMarker).toBeUndefined();
      });

      test('filtered by key id, returns full pages of matches across many non-matching aliases', async () => {
        // GIVEN: 250 aliases, every tenth targets k1
        const store = await makeStore();
        const matching: string[] = [];
        for (let i = 0; i < 250; i++) {
          const name = `alias/a${String(i).padStart(3, '0')}`;
          const target = i % 10 === 7 ? 'k1' : `k${2 + (i % 3)}`;
          if (target === 'k1') matching.push(name);
          await store.createAlias(anAlias(SCOPE_A, name, target));
        }
        // WHEN
        const pages = await allPages((marker) => store.listAliases(SCOPE_A, { limit: 10, keyId: 'k1', ...(marker && { marker }) }));
        // THEN
        expect(pages.map((p) => p.items.length)).toEqual([10, 10, 5]);
        expect(pages.flatMap(aliasNames)).toEqual(matching);
        expect(pages.flatMap((p) => p.items).every((a) => a.targetKeyId === 'k1')).toBe(true);
        expect(pages[2]!.nextMarker).toBeUndefined();
      });

      test('filtered by a key id no alias targets, lists nothing', async () => {
        const store = await makeStore();
        for (const n of ['alias/a', 'alias/b', 'alias/c']) await store.createAlias(anAlias(SCOPE_A, n, 'k1'));
        expect(await store.listAliases(SCOPE_A, { limit: 2, keyId: 'k9' })).toStrictEqual({ items: [] });
      });

      test('fails with InvalidMarkerException for a marker it did not issue', async () => {
        const store = await makeStore();
        await store.createAlias(anAlias(SCOPE_A, 'alias/a', 'k1'));
        await expect(store.listAliases(SCOPE_A, { limit: 1, marker: 'bm90LWEtbWFya2Vy' })).rejects.toBeInstanceOf(InvalidMarkerException);
      });
    });

    describe('grants', () => {
      const KEY = '11111111-2222-4333-8444-555555555555';
      const OTHER_KEY = '99999999-2222-4333-8444-555555555555';

      test('a grant with every optional field comes back exactly as created; one with none comes back without any', async () => {
        // GIVEN
        const store = await makeStore();
        const full = aGrant(SCOPE_A, KEY);
        const bare = aGrant(SCOPE_A, KEY, { bare: true });
        // WHEN
        await store.createGrant(full);
        await store.createGrant(bare);
        // THEN
        expect(await store.getGrant(SCOPE_A, KEY, full.grantId)).toStrictEqual(full);
        const read = await store.getGrant(SCOPE_A, KEY, bare.grantId);
        expect(read).toStrictEqual(bare);
        for (const optional of ['name', 'retiringPrincipal', 'constraints']) expect(Object.keys(read!)).not.toContain(optional);
      });

      test('fails with StoreConflictError when creating a grant id the key already has, and keeps the first', async () => {
        // GIVEN
        const store = await makeStore();
        const first = aGrant(SCOPE_A, KEY);
        await store.createGrant(first);
        // WHEN / THEN
        await expect(store.createGrant({ ...aGrant(SCOPE_A, KEY, { bare: true }), grantId: first.grantId })).rejects.toBeInstanceOf(StoreConflictError);
        expect(await store.getGrant(SCOPE_A, KEY, first.grantId)).toStrictEqual(first);
        // the same id on another key is another grant
        await store.createGrant({ ...first, keyId: OTHER_KEY });
        expect(await store.getGrant(SCOPE_A, OTHER_KEY, first.grantId)).toMatchObject({ keyId: OTHER_KEY });
      });

      test('of concurrent creations of one grant id, exactly one wins', async () => {
        const store = await makeStore();
        const grant = aGrant(SCOPE_A, KEY);
        const results = await Promise.allSettled([1, 2, 3, 4].map(() => store.createGrant(grant)));
        expect(results.filter((r) => r.status === 'fulfilled')).toHaveLength(1);
        for (const r of results) if (r.status === 'rejected') expect(r.reason).toBeInstanceOf(StoreConflictError);
      });

      test('deletes a grant; deleting a missing one is not an error; a missing grant reads as undefined', async () => {
        const store = await makeStore();
        const grant = aGrant(SCOPE_A, KEY);
        await store.createGrant(grant);
        await store.deleteGrant(SCOPE_A, KEY, grant.grantId);
        await store.deleteGrant(SCOPE_A, KEY, grant.grantId);
        expect(await store.getGrant(SCOPE_A, KEY, grant.grantId)).toBeUndefined();
      });

      test("lists one key's grants in grant id order, page by page, and no other key's", async () => {
        // GIVEN five grants of KEY and two of another key, created out of order
        const store = await makeStore();
        const ids = sortedIds(5);
        for (const grantId of [...ids].reverse()) await store.createGrant(aGrant(SCOPE_A, KEY, { grantId }));
        for (const grantId of sortedIds(2)) await store.createGrant(aGrant(SCOPE_A, OTHER_KEY, { grantId }));
        // WHEN
        const pages = await allPages((marker) => store.listGrants(SCOPE_A, KEY, { limit: 2, ...(marker && { marker }) }));
        // THEN
        expect(pages.map(grantIds)).toEqual([ids.slice(0, 2), ids.slice(2, 4), ids.slice(4)]);
        expect(pages.flatMap((p) => p.items).every((g) => g.keyId === KEY)).toBe(true);
        expect(pages.map((p) => p.nextMarker === undefined)).toEqual([false, false, true]);
      });

      test('filtered by grantee, returns full pages of matches across many non-matching grants', async () => {
        // GIVEN 120 grants; every tenth for the app role
        const store = await makeStore();
        const matching: string[] = [];
        for (let i = 0; i < 120; i++) {
          const grantId = String(i).padStart(3, '0').padEnd(64, 'b');
          const grantee = i % 10 === 3 ? 'arn:aws:iam::111122223333:role/App' : 'arn:aws:iam::111122223333:role/Other';
          if (i % 10 === 3) matching.push(grantId);
          await store.createGrant(aGrant(SCOPE_A, KEY, { grantId, grantee, bare: true }));
        }
        // WHEN
        const pages = await allPages((marker) => store.listGrants(SCOPE_A, KEY, { limit: 5, granteePrincipal: 'arn:aws:iam::111122223333:role/App', ...(marker && { marker }) }));
        // THEN
        expect(pages.map((p) => p.items.length)).toEqual([5, 5, 2]);
        expect(pages.flatMap(grantIds)).toEqual(matching);
      });

      test('lists retirable grants of the scope across its keys, only for that retiring principal', async () => {
        // GIVEN grants on two keys of SCOPE_A and one in another account, some retirable by the retirer
        const store = await makeStore();
        const retirer = 'arn:aws:iam::111122223333:role/Retirer';
        const [a, b, c] = sortedIds(3);
        await store.createGrant(aGrant(SCOPE_A, OTHER_KEY, { grantId: a!, retiring: retirer }));
        await store.createGrant(aGrant(SCOPE_A, KEY, { grantId: b!, retiring: retirer }));
        await store.createGrant(aGrant(SCOPE_A, KEY, { grantId: c!, retiring: 'arn:aws:iam::111122223333:role/Someone', bare: true }));
        await store.createGrant(aGrant(SCOPE_A, KEY, { grantId: a!, bare: true }));
        await store.createGrant(aGrant(SCOPE_OTHER_ACCOUNT, KEY, { grantId: a!, retiring: retirer }));
        // WHEN
        const pages = await allPages((marker) => store.listRetirableGrants(SCOPE_A, retirer, { limit: 1, ...(marker && { marker }) }));
        // THEN in key id, then grant id order
        expect(pages.flatMap((p) => p.items.map((g) => [g.keyId, g.grantId]))).toEqual([[KEY, b], [OTHER_KEY, a]]);
        expect(await store.listRetirableGrants(SCOPE_A, 'arn:aws:iam::111122223333:role/Nobody', { limit: 10 })).toStrictEqual({ items: [] });
      });

      test('grant items are not keys: listKeys and scanKeys see only the keys', async () => {
        const store = await makeStore();
        const key = bareKey(SCOPE_A, KEY);
        await store.putKey(key, { expectedRevision: null });
        await store.createGrant(aGrant(SCOPE_A, KEY));
        expect((await store.listKeys(SCOPE_A, { limit: 10 })).items.map((k) => k.keyId)).toEqual([KEY]);
        const scanned: string[] = [];
        for await (const k of store.scanKeys()) scanned.push(k.keyId);
        expect(scanned).toEqual([KEY]);
        expect(await store.getKey(SCOPE_A, KEY)).toStrictEqual({ ...key, revision: 1 });
      });

      test('the same grant id in other scopes is another grant', async () => {
        const store = await makeStore();
        const grant = aGrant(SCOPE_A, KEY);
        for (const scope of [SCOPE_A, SCOPE_OTHER_ACCOUNT, SCOPE_OTHER_REGION, SCOPE_OTHER_PARTITION]) await store.createGrant({ ...grant, scope });
        await store.deleteGrant(SCOPE_OTHER_REGION, KEY, grant.grantId);
        expect(await store.getGrant(SCOPE_OTHER_REGION, KEY, grant.grantId)).toBeUndefined();
        expect(await store.getGrant(SCOPE_OTHER_PARTITION, KEY, grant.grantId)).toStrictEqual({ ...grant, scope: SCOPE_OTHER_PARTITION });
        expect((await store.listGrants(SCOPE_A, KEY, { limit: 10 })).items).toStrictEqual([grant]);
      });

      test("fails with InvalidMarkerException for a marker it did not issue, or one of another key's listing", async () => {
        const store = await makeStore();
        for (const grantId of sortedIds(3)) await store.createGrant(aGrant(SCOPE_A, OTHER_KEY, { grantId }));
        const theirs = await store.listGrants(SCOPE_A, OTHER_KEY, { limit: 1 });
        expect(theirs.nextMarker).toBeDefined();
        await expect(store.listGrants(SCOPE_A, KEY, { limit: 1, marker: theirs.nextMarker! })).rejects.toBeInstanceOf(InvalidMarkerException);
        await expect(store.listGrants(SCOPE_A, KEY, { limit: 1, marker: 'bm90LWEtbWFya2Vy' })).rejects.toBeInstanceOf(InvalidMarkerException);
      });
    });
  });
}
