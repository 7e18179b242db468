/**
 * DynamoKeyStore: the KeyStore port on one DynamoDB table (see table-schema.ts for the layout).
 * Used by both runtimes: on DynamoDB in AWS, on an in-process dynalite in embedded mode.
 *
 * Every write is one conditional request (design decision 1: no transactions, no TTL): a key is
 * created with attribute_not_exists and replaced or deleted only at the revision the caller read,
 * so a lost update surfaces as StoreConflictError. Reads are strongly consistent, one request each.
 */
import {
  type AttributeValue,
  type DynamoDBClient,
  DeleteItemCommand,
  GetItemCommand,
  PutItemCommand,
  QueryCommand,
  ScanCommand,
} from '@aws-sdk/client-dynamodb';
import { InvalidMarkerException, StoreConflictError } from '../../core/errors';
import type { GrantRecord } from '../../core/model/grant';
import type { AliasRecord, KeyRecord, Scope } from '../../core/model/key';
import type { KeyStore, Page, PageRequest, SaveGuard } from '../../core/ports';
import {
  ALIAS_PREFIX,
  ATTR,
  type Item,
  KEY_PREFIX,
  GRANT_PREFIX,
  aliasItemKey,
  aliasToItem,
  grantItemKey,
  grantSortKey,
  grantToItem,
  isKeyItem,
  itemToAlias,
  itemToGrant,
  itemToKey,
  keyItemKey,
  keyToItem,
  scopeKey,
} from './item-codec';

/** How many items a filtered listing (aliases of a key, grants of a grantee) reads per request while looking for matches. */
const FILTERED_READ_BATCH = 100;

export interface DynamoKeyStoreOptions {
  /**
   * Called after a write that erases secrets (`erasesSecrets`, every deleteKey) and awaited before
   * the write returns: makes the engine drop every old copy (embedded dynalite: rewrite LevelDB, D32).
   * @default nothing: DynamoDB itself keeps no old item versions readable (backups aside, README)
   */
  readonly purge?: () => Promise<void>;
}

export class DynamoKeyStore implements KeyStore {
  constructor(
    private readonly client: DynamoDBClient,
    private readonly tableName: string,
    private readonly options: DynamoKeyStoreOptions = {},
  ) {}

  async getKey(scope: Scope, keyId: string): Promise<KeyRecord | undefined> {
    const { Item: item } = await this.client.send(
      new GetItemCommand({ TableName: this.tableName, Key: keyItemKey(scope, keyId), ConsistentRead: true }),
    );
    return item && itemToKey(item);
  }

  async putKey(key: KeyRecord, { expectedRevision, erasesSecrets }: SaveGuard): Promise<void> {
    await this.conditionally(key.keyId, () =>
      this.client.send(
        new PutItemCommand({
          TableName: this.tableName,
          Item: keyToItem(key, (expectedRevision ?? 0) + 1),
          ...(expectedRevision === null ? absent() : atRevision(expectedRevision)),
        }),
      ),
    );
    if (erasesSecrets) await this.options.purge?.();
  }

  async deleteKey(scope: Scope, keyId: string, { expectedRevision }: SaveGuard): Promise<void> {
    // Already gone ⇒ nothing to do; still there ⇒ only at the revision the caller read.
    const guard =
      expectedRevision === null
        ? absent()
        : {
            ConditionExpression: 'attribute_not_exists(#pk) OR #rev = :rev',
            ExpressionAttributeNames: { '#pk': ATTR.pk, '#rev': ATTR.revision },
            ExpressionAttributeValues: { ':rev': { N: String(expectedRevision) } },
          };
    await this.conditionally(keyId, () =>
      this.client.send(new DeleteItemCommand({ TableName: this.tableName, Key: keyItemKey(scope, keyId), ...guard })),
    );
    await this.options.purge?.();
  }

  async listKeys(scope: Scope, page: PageRequest): Promise<Page<KeyRecord>> {
    const { items, nextMarker } = await this.queryPage(scope, KEY_PREFIX, page);
    return { items: items.map(itemToKey), ...(nextMarker !== undefined && { nextMarker }) };
  }

  async *scanKeys(): AsyncIterable<KeyRecord> {
    let start: Item | undefined;
    do {
      const out = await this.client.send(
        new ScanCommand({
          TableName: this.tableName,
          ConsistentRead: true,
          FilterExpression: 'begins_with(#sk, :prefix)',
          ExpressionAttributeNames: { '#sk': ATTR.sk },
          ExpressionAttributeValues: { ':prefix': { S: KEY_PREFIX } },
          ...(start && { ExclusiveStartKey: start }),
        }),
      );
      for (const item of out.Items ?? []) if (isKeyItem(item)) yield itemToKey(item);
      start = out.LastEvaluatedKey;
    } while (start);
  }

  async getAlias(scope: Scope, aliasName: string): Promise<AliasRecord | undefined> {
    const { Item: item } = await this.client.send(
      new GetItemCommand({ TableName: this.tableName, Key: aliasItemKey(scope, aliasName), ConsistentRead: true }),
    );
    return item && itemToAlias(item);
  }

  async createAlias(alias: AliasRecord): Promise<void> {
    await this.conditionally(alias.aliasName, () =>
      this.client.send(new PutItemCommand({ TableName: this.tableName, Item: aliasToItem(alias), ...absent() })),
    );
  }

  async updateAlias(alias: AliasRecord): Promise<void> {
    await this.conditionally(alias.aliasName, () =>
      this.client.send(
        new PutItemCommand({
          TableName: this.tableName,
          Item: aliasToItem(alias),
          ConditionExpression: 'attribute_exists(#pk)',
          ExpressionAttributeNames: { '#pk': ATTR.pk },
        }),
      ),
    );
  }

  async deleteAlias(scope: Scope, aliasName: string, onlyIfTarget?: string): Promise<void> {
    const condition = onlyIfTarget === undefined ? {} : {
      ConditionExpression: '#target = :target',
      ExpressionAttributeNames: { '#target': ATTR.aliasTarget },
      ExpressionAttributeValues: { ':target': { S: onlyIfTarget } },
    };
    try {
      await this.client.send(new DeleteItemCommand({ TableName: this.tableName, Key: aliasItemKey(scope, aliasName), ...condition }));
    } catch (err) {
      // Gone already, or re-pointed to another key meanwhile: either way not ours to delete.
      if ((err as { name?: unknown }).name !== 'ConditionalCheckFailedException') throw err;
    }
  }

  async listAliases(scope: Scope, page: PageRequest & { readonly keyId?: string }): Promise<Page<AliasRecord>> {
    const filter = page.keyId === undefined ? undefined : { attribute: ATTR.aliasTarget, value: page.keyId };
    const { items, nextMarker } = await this.queryPage(scope, ALIAS_PREFIX, page, filter);
    return { items: items.map(itemToAlias), ...(nextMarker !== undefined && { nextMarker }) };
  }

  async createGrant(grant: GrantRecord): Promise<void> {
    await this.conditionally(grant.grantId, () =>
      this.client.send(new PutItemCommand({ TableName: this.tableName, Item: grantToItem(grant), ...absent() })),
    );
  }

  async getGrant(scope: Scope, keyId: string, grantId: string): Promise<GrantRecord | undefined> {
    const { Item: item } = await this.client.send(
      new GetItemCommand({ TableName: this.tableName, Key: grantItemKey(scope, keyId, grantId), ConsistentRead: true }),
    );
    return item && itemToGrant(item);
  }

  async deleteGrant(scope: Scope, keyId: string, grantId: string): Promise<void> {
    await this.client.send(new DeleteItemCommand({ TableName: this.tableName, Key: grantItemKey(scope, keyId, grantId) }));
  }

  async listGrants(scope: Scope, keyId: string, page: PageRequest & { readonly granteePrincipal?: string }): Promise<Page<GrantRecord>> {
    const filter = page.granteePrincipal === undefined ? undefined : { attribute: ATTR.grantee, value: page.granteePrincipal };
    const { items, nextMarker } = await this.queryPage(scope, grantSortKey(keyId), page, filter);
    return { items: items.map(itemToGrant), ...(nextMarker !== undefined && { nextMarker }) };
  }

  async listRetirableGrants(scope: Scope, retiringPrincipal: string, page: PageRequest): Promise<Page<GrantRecord>> {
    const filter = { attribute: ATTR.retiringPrincipal, value: retiringPrincipal };
    const { items, nextMarker } = await this.queryPage(scope, GRANT_PREFIX, page, filter);
    return { items: items.map(itemToGrant), ...(nextMarker !== undefined && { nextMarker }) };
  }

  /**
   * One page of the scope's items whose sort key starts with `prefix`, in sort-key order. Reads one
   * item beyond the limit, so `nextMarker` is present only when more items really follow; the
   * marker is the position of the last returned item, which lets a filtered read over-fetch.
   */
  private async queryPage(
    scope: Scope,
    prefix: string,
    page: PageRequest,
    filter?: { readonly attribute: string; readonly value: string },
  ): Promise<{ items: Item[]; nextMarker?: string }> {
    if (!Number.isInteger(page.limit) || page.limit < 1) throw new RangeError('page limit must be a positive integer');
    const pk = scopeKey(scope);
    let start: Record<string, AttributeValue> | undefined =
      page.marker === undefined ? undefined : { [ATTR.pk]: { S: pk }, [ATTR.sk]: { S: decodeMarker(page.marker, pk, prefix) } };
    const wanted = page.limit + 1;
    const found: Item[] = [];
    do {
      const need = wanted - found.length;
      const out = await this.client.send(
        new QueryCommand({
          TableName: this.tableName,
          ConsistentRead: true,
          KeyConditionExpression: '#pk = :pk AND begins_with(#sk, :prefix)',
          ExpressionAttributeNames: { '#pk': ATTR.pk, '#sk': ATTR.sk, ...(filter && { '#filter': filter.attribute }) },
          ExpressionAttributeValues: {
            ':pk': { S: pk },
            ':prefix': { S: prefix },
            ...(filter && { ':filter': { S: filter.value } }),
          },
          ...(filter && { FilterExpression: '#filter = :filter' }),
          Limit: filter === undefined ? need : Math.max(need, FILTERED_READ_BATCH),
          ...(start && { ExclusiveStartKey: start }),
        }),
      );
      found.push(...(out.Items ?? []));
      start = out.LastEvaluatedKey;
    } while (start && found.length < wanted);

    if (found.length <= page.limit) return { items: found };
    const items = found.slice(0, page.limit);
    const lastSk = items[items.length - 1]![ATTR.sk]!.S!;
    return { items, nextMarker: encodeMarker(pk, lastSk) };
  }

  /** Runs a conditional write; a failed condition means someone else changed the item. */
  private async conditionally(itemId: string, write: () => Promise<unknown>): Promise<void> {
    try {
      await write();
    } catch (err) {
      if ((err as { name?: unknown }).name === 'ConditionalCheckFailedException') throw new StoreConflictError(itemId, { cause: err });
      throw err;
    }
  }
}

function absent() {
  return { ConditionExpression: 'attribute_not_exists(#pk)', ExpressionAttributeNames: { '#pk': ATTR.pk } };
}

function atRevision(revision: number) {
  return {
    ConditionExpression: '#rev = :rev',
    ExpressionAttributeNames: { '#rev': ATTR.revision },
    ExpressionAttributeValues: { ':rev': { N: String(revision) } },
  };
}

// ---- markers -------------------------------------------------------------------------------
// Opaque to callers: base64url JSON of the scope and the sort key of the last item returned.

interface MarkerBody {
  readonly p: string;
  readonly s: string;
}

function encodeMarker(pk: string, sk: string): string {
  return Buffer.from(JSON.stringify({ p: pk, s: sk } satisfies MarkerBody)).toString('base64url');
}

/** The sort key to continue after; InvalidMarkerException unless this store issued it for this scope and listing. */
function decodeMarker(marker: string, pk: string, prefix: string): string {
  let body: unknown;
  try {
    body = JSON.parse(Buffer.from(marker, 'base64url').toString('utf8'));
  } catch {
    body = undefined;
  }
  const m = body as Partial<MarkerBody> | undefined;
  if (typeof m !== 'object' || m === null || m.p !== pk || typeof m.s !== 'string' || !m.s.startsWith(prefix)) {
    throw new InvalidMarkerException('The marker is not valid.');
  }
  return m.s;
}
