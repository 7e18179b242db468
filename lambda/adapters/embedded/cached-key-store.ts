/**
 * The embedded mode's key and alias records in memory, write-through (design decision 10): this
 * process is the only writer of its data directory (the LevelDB lock admits one), so a record it
 * read or wrote stays true until it writes it again. Crypto calls then need no storage round trip.
 *
 * - Every write goes to the store first; the cached record changes only once the store has
 *   acknowledged it (durable, as before). A failed write (a conflict included) drops the record,
 *   so the next read asks the store.
 * - Reads never see a state the store does not hold: a record read from the store is kept only if no
 *   write of it started meanwhile, and overlapping writes of one record drop it instead of guessing
 *   which landed last. Deleted records are not remembered (a miss always asks the store).
 * - Records come back exactly as a store read would give them (`normalise` round-trips them through
 *   the store's own encoding), and callers still apply asOf(now) to every one.
 * - Listings and scans go to the store: they are not on the hot path.
 * - `heldKey` / `heldAlias` answer a cached record at once, exactly what `getKey` / `getAlias` would
 *   answer from the cache, so the crypto path needs no promise for it (D136).
 */
import type { GrantRecord } from '../../core/model/grant';
import type { AliasRecord, KeyRecord, Scope } from '../../core/model/key';
import type { KeyStore, Page, PageRequest, SaveGuard } from '../../core/ports';

export interface RecordCodec {
  /** The key as the store returns it after writing `key` at `revision`. */
  key(key: KeyRecord, revision: number): KeyRecord;
  /** The alias as the store returns it after writing it. */
  alias(alias: AliasRecord): AliasRecord;
}

export interface CachedKeyStoreOptions {
  /** Records kept at most (keys and aliases each); the oldest cached goes first. @default 100000 */
  readonly maxEntries?: number;
}

export class CachedKeyStore implements KeyStore {
  private readonly keys: WriteThroughCache<KeyRecord>;
  private readonly aliases: WriteThroughCache<AliasRecord>;

  constructor(
    private readonly store: KeyStore,
    private readonly codec: RecordCodec,
    options: CachedKeyStoreOptions = {},
  ) {
    const maxEntries = options.maxEntries ?? 100_000;
    this.keys = new WriteThroughCache(maxEntries);
    this.aliases = new WriteThroughCache(maxEntries);
  }

  getKey(scope: Scope, keyId: string): Promise<KeyRecord | undefined> {
    return this.keys.read(recordId(scope, keyId), () => this.store.getKey(scope, keyId));
  }

  heldKey(scope: Scope, keyId: string): KeyRecord | undefined {
    return this.keys.held(recordId(scope, keyId));
  }

  putKey(key: KeyRecord, guard: SaveGuard): Promise<void> {
    const written = this.codec.key(key, (guard.expectedRevision ?? 0) + 1);
    return this.keys.write(recordId(key.scope, key.keyId), () => this.store.putKey(key, guard), written);
  }

  deleteKey(scope: Scope, keyId: string, guard: SaveGuard): Promise<void> {
    return this.keys.write(recordId(scope, keyId), () => this.store.deleteKey(scope, keyId, guard), undefined);
  }

  listKeys(scope: Scope, page: PageRequest): Promise<Page<KeyRecord>> {
    return this.store.listKeys(scope, page);
  }

  scanKeys(): AsyncIterable<KeyRecord> {
    return this.store.scanKeys();
  }

  getAlias(scope: Scope, aliasName: string): Promise<AliasRecord | undefined> {
    return this.aliases.read(recordId(scope, aliasName), () => this.store.getAlias(scope, aliasName));
  }

  heldAlias(scope: Scope, aliasName: string): AliasRecord | undefined {
    return this.aliases.held(recordId(scope, aliasName));
  }

  createAlias(alias: AliasRecord): Promise<void> {
    return this.aliases.write(recordId(alias.scope, alias.aliasName), () => this.store.createAlias(alias), this.codec.alias(alias));
  }

  updateAlias(alias: AliasRecord): Promise<void> {
    return this.aliases.write(recordId(alias.scope, alias.aliasName), () => this.store.updateAlias(alias), this.codec.alias(alias));
  }

  deleteAlias(scope: Scope, aliasName: string, onlyIfTarget?: string): Promise<void> {
    // Deleted, or left alone because it names another key by now: either way the store decides.
    return this.aliases.write(recordId(scope, aliasName), () => this.store.deleteAlias(scope, aliasName, onlyIfTarget), undefined);
  }

  listAliases(scope: Scope, page: PageRequest & { readonly keyId?: string }): Promise<Page<AliasRecord>> {
    return this.store.listAliases(scope, page);
  }

  // Grants are read only where authorization is enforced; they go to the store.

  createGrant(grant: GrantRecord): Promise<void> {
    return this.store.createGrant(grant);
  }

  getGrant(scope: Scope, keyId: string, grantId: string): Promise<GrantRecord | undefined> {
    return this.store.getGrant(scope, keyId, grantId);
  }

  deleteGrant(scope: Scope, keyId: string, grantId: string): Promise<void> {
    return this.store.deleteGrant(scope, keyId, grantId);
  }

  listGrants(scope: Scope, keyId: string, page: PageRequest & { readonly granteePrincipal?: string }): Promise<Page<GrantRecord>> {
    return this.store.listGrants(scope, keyId, page);
  }

  listRetirableGrants(scope: Scope, retiringPrincipal: string, page: PageRequest): Promise<Page<GrantRecord>> {
    return this.store.listRetirableGrants(scope, retiringPrincipal, page);
  }
}

function recordId(scope: Scope, name: string): string {
  return `${scope.partition}/${scope.account}/${scope.region}/${name}`;
}

/** Records by id, changed only after the store acknowledged a write (see the module comment). */
class WriteThroughCache<V> {
  private readonly entries = new Map<string, V>();
  /** Writes started so far; a store read may be kept only if none of its record started since. */
  private epoch = 0;
  /** Per record: the epoch of its latest write. Cleared whenever no store read is running. */
  private readonly lastWrite = new Map<string, number>();
  /** Per record: writes not yet acknowledged (or failed), and whether several overlapped. */
  private readonly inFlight = new Map<string, { count: number; overlapped: boolean }>();
  private loading = 0;

  constructor(private readonly maxEntries: number) {}

  /** The cached record, which `read` would answer without asking the store; undefined when it would ask. */
  held(id: string): V | undefined {
    return this.entries.get(id);
  }

  async read(id: string, load: () => Promise<V | undefined>): Promise<V | undefined> {
    const cached = this.entries.get(id);
    if (cached !== undefined) return cached;
    const since = this.epoch;
    this.loading++;
    let value: V | undefined;
    try {
      value = await load();
    } finally {
      this.loading--;
    }
    const writtenSince = (this.lastWrite.get(id) ?? 0) > since || this.inFlight.has(id);
    if (value !== undefined && !writtenSince && !this.entries.has(id)) this.put(id, value);
    if (this.loading === 0) this.lastWrite.clear();
    return value;
  }

  /** Runs `commit` (the store write); then caches `next`, or forgets the record when `next` is undefined. */
  async write(id: string, commit: () => Promise<void>, next: V | undefined): Promise<void> {
    this.lastWrite.set(id, ++this.epoch);
    const flight = this.inFlight.get(id);
    if (flight) {
      flight.count++;
      flight.overlapped = true;
    } else {
      this.inFlight.set(id, { count: 1, overlapped: false });
    }
    let acknowledged = false;
    try {
      await commit();
      acknowledged = true;
    } finally {
      const current = this.inFlight.get(id)!;
      current.count--;
      if (current.count === 0) this.inFlight.delete(id);
      if (acknowledged && next !== undefined && !current.overlapped) this.put(id, next);
      else this.entries.delete(id);
    }
  }

  private put(id: string, value: V): void {
    this.entries.delete(id); // re-inserted last: the oldest cached record is evicted first
    if (this.entries.size >= this.maxEntries) {
      const oldest = this.entries.keys().next().value;
      if (oldest !== undefined) this.entries.delete(oldest);
    }
    this.entries.set(id, value);
  }
}
