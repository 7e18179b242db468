/**
 * In-memory fakes of the core's ports, for unit tests of operations (no I/O). The real adapters
 * are tested against the same contract suites in test/contract.
 */
import { createCipheriv, createDecipheriv, randomBytes } from 'node:crypto';
import { InvalidMarkerException, StoreConflictError, UnwrapError } from '../../lambda/core/errors';
import { MaterialCache } from '../../lambda/core/crypto/material-cache';
import { retryingKeyWrites } from '../../lambda/core/key-writes';
import { canonicalContext } from '../../lambda/core/crypto/encryption-context';
import type { GrantRecord } from '../../lambda/core/model/grant';
import type { AliasRecord, KeyRecord, Scope } from '../../lambda/core/model/key';
import type { Deps, KeyStore, Page, PageRequest, RequestContext, RootKey, SaveGuard, ServiceEvent, Timers, WrapContext } from '../../lambda/core/ports';
import type { Timer } from '../../lambda/core/timers/timer';

const scopeId = (s: Scope) => `${s.partition}/${s.account}/${s.region}`;

export class MemoryKeyStore implements KeyStore {
  readonly keys = new Map<string, KeyRecord>();
  readonly aliases = new Map<string, AliasRecord>();
  readonly grants = new Map<string, GrantRecord>();

  async getKey(scope: Scope, keyId: string) {
    return this.keys.get(`${scopeId(scope)}/${keyId}`);
  }
  async putKey(key: KeyRecord, guard: SaveGuard) {
    const id = `${scopeId(key.scope)}/${key.keyId}`;
    const current = this.keys.get(id);
    if ((current?.revision ?? null) !== guard.expectedRevision) throw new StoreConflictError(key.keyId);
    this.keys.set(id, { ...key, revision: (guard.expectedRevision ?? 0) + 1 });
  }
  async deleteKey(scope: Scope, keyId: string, guard: SaveGuard) {
    const id = `${scopeId(scope)}/${keyId}`;
    const current = this.keys.get(id);
    if (!current) return;
    if (current.revision !== guard.expectedRevision) throw new StoreConflictError(keyId);
    this.keys.delete(id);
  }
  async listKeys(scope: Scope, page: PageRequest): Promise<Page<KeyRecord>> {
    const all = [...this.keys.entries()].filter(([id]) => id.startsWith(`${scopeId(scope)}/`)).sort(([a], [b]) => (a < b ? -1 : 1)).map(([, k]) => k);
    return paginate(all, page, (k) => k.keyId);
  }
  async *scanKeys() {
    yield* this.keys.values();
  }
  async getAlias(scope: Scope, aliasName: string) {
    return this.aliases.get(`${scopeId(scope)}/${aliasName}`);
  }
  async createAlias(alias: AliasRecord) {
    const id = `${scopeId(alias.scope)}/${alias.aliasName}`;
    if (this.aliases.has(id)) throw new StoreConflictError(alias.aliasName);
    this.aliases.set(id, alias);
  }
  async updateAlias(alias: AliasRecord) {
    const id = `${scopeId(alias.scope)}/${alias.aliasName}`;
    if (!this.aliases.has(id)) throw new StoreConflictError(alias.aliasName);
    this.aliases.set(id, alias);
  }
  async deleteAlias(scope: Scope, aliasName: string, onlyIfTarget?: string) {
    const id = `${scopeId(scope)}/${aliasName}`;
    if (onlyIfTarget === undefined || this.aliases.get(id)?.targetKeyId === onlyIfTarget) this.aliases.delete(id);
  }
  async listAliases(scope: Scope, page: PageRequest & { keyId?: string }): Promise<Page<AliasRecord>> {
    const all = [...this.aliases.values()]
      .filter((a) => scopeId(a.scope) === scopeId(scope) && (!page.keyId || a.targetKeyId === page.keyId))
      .sort((a, b) => (a.aliasName < b.aliasName ? -1 : 1));
    return paginate(all, page, (a) => a.aliasName);
  }
  async createGrant(grant: GrantRecord) {
    const id = grantKey(grant.scope, grant.keyId, grant.grantId);
    if (this.grants.has(id)) throw new StoreConflictError(grant.grantId);
    this.grants.set(id, grant);
  }
  async getGrant(scope: Scope, keyId: string, grantId: string) {
    return this.grants.get(grantKey(scope, keyId, grantId));
  }
  async deleteGrant(scope: Scope, keyId: string, grantId: string) {
    this.grants.delete(grantKey(scope, keyId, grantId));
  }
  async listGrants(scope: Scope, keyId: string, page: PageRequest & { granteePrincipal?: string }): Promise<Page<GrantRecord>> {
    const all = this.sortedGrants(scope).filter((g) => g.keyId === keyId && (page.granteePrincipal === undefined || g.granteePrincipal === page.granteePrincipal));
    return paginate(all, page, (g) => `${g.keyId}#${g.grantId}`);
  }
  async listRetirableGrants(scope: Scope, retiringPrincipal: string, page: PageRequest): Promise<Page<GrantRecord>> {
    const all = this.sortedGrants(scope).filter((g) => g.retiringPrincipal === retiringPrincipal);
    return paginate(all, page, (g) => `${g.keyId}#${g.grantId}`);
  }
  private sortedGrants(scope: Scope): GrantRecord[] {
    const order = (g: GrantRecord) => `${g.keyId}#${g.grantId}`;
    return [...this.grants.values()].filter((g) => scopeId(g.scope) === scopeId(scope)).sort((a, b) => (order(a) < order(b) ? -1 : 1));
  }
}

const grantKey = (scope: Scope, keyId: string, grantId: string) => `${scopeId(scope)}/${keyId}/${grantId}`;

function paginate<T>(all: readonly T[], page: PageRequest, id: (t: T) => string): Page<T> {
  let start = 0;
  if (page.marker !== undefined) {
    const after = Buffer.from(page.marker, 'base64url').toString();
    const index = all.findIndex((t) => id(t) === after);
    if (index < 0) throw new InvalidMarkerException('The marker is not valid.');
    start = index + 1;
  }
  const items = all.slice(start, start + page.limit);
  const last = items[items.length - 1];
  const more = start + page.limit < all.length;
  return more && last !== undefined ? { items, nextMarker: Buffer.from(id(last)).toString('base64url') } : { items };
}

/** AES-256-GCM with the canonical context as AAD: behaves like the real root keys. */
export class MemoryRootKey implements RootKey {
  private readonly key = randomBytes(32);
  unwrapCalls = 0;
  async wrap(plaintext: Uint8Array, context: WrapContext) {
    const iv = randomBytes(12);
    const c = createCipheriv('aes-256-gcm', this.key, iv);
    c.setAAD(canonicalContext(context));
    const body = Buffer.concat([c.update(plaintext), c.final()]);
    return new Uint8Array(Buffer.concat([iv, body, c.getAuthTag()]));
  }
  async unwrap(wrapped: Uint8Array, context: WrapContext) {
    this.unwrapCalls++;
    try {
      const b = Buffer.from(wrapped);
      const d = createDecipheriv('aes-256-gcm', this.key, b.subarray(0, 12));
      d.setAAD(canonicalContext(context));
      d.setAuthTag(b.subarray(b.length - 16));
      return new Uint8Array(Buffer.concat([d.update(b.subarray(12, b.length - 16)), d.final()]));
    } catch (cause) {
      throw new UnwrapError({ cause });
    }
  }
}

export class RecordingTimers implements Timers {
  readonly armed = new Map<string, Timer>();
  readonly disarmed: string[] = [];
  async arm(timer: Timer) {
    this.armed.set(timer.name, timer);
  }
  async disarm(name: string) {
    this.disarmed.push(name);
    this.armed.delete(name);
  }
}

export class SettableClock {
  constructor(private current = new Date('2026-01-01T00:00:00Z')) {}
  now() {
    return new Date(this.current);
  }
  set(at: Date) {
    this.current = at;
  }
  advance(seconds: number) {
    this.current = new Date(this.current.getTime() + seconds * 1000);
  }
}

export interface MemoryDeps extends Deps {
  readonly keys: MemoryKeyStore;
  readonly timers: RecordingTimers;
  readonly rootKey: MemoryRootKey;
  readonly clock: SettableClock;
  readonly recorded: ServiceEvent[];
}

export function memoryDeps(): MemoryDeps {
  const recorded: ServiceEvent[] = [];
  return {
    keys: new MemoryKeyStore(),
    timers: new RecordingTimers(),
    rootKey: new MemoryRootKey(),
    clock: new SettableClock(),
    random: (n) => new Uint8Array(randomBytes(n)),
    events: { record: (e) => void recorded.push(e) },
    materialCache: new MaterialCache(),
    keyWrites: retryingKeyWrites({ sleep: async () => undefined, random: (n) => new Uint8Array(randomBytes(n)) }),
    recorded,
  };
}

export const TEST_SCOPE: Scope = { partition: 'aws', account: '111122223333', region: 'us-east-1' };
export const TEST_CTX: RequestContext = { scope: TEST_SCOPE };
