/**
 * The ports through which the pure core reaches the world. Adapters implement them; every
 * operation takes `Deps` (or a `Pick` of it) so that tests can pass fakes or real engines.
 */
import type { GrantRecord } from './model/grant';
import type { AliasRecord, KeyRecord, Origin, Scope } from './model/key';
import type { Timer } from './timers/timer';

export interface SaveGuard {
  /** Revision the caller read; null when creating. The store writes revision + 1. */
  readonly expectedRevision: number | null;
  /**
   * The write removes secrets the stored record holds (key material, D32): the store returns only
   * once no copy of them is left in its storage (embedded: no file of the data directory).
   */
  readonly erasesSecrets?: boolean;
}

export interface Page<T> {
  readonly items: readonly T[];
  /** Opaque; present when more items may follow. */
  readonly nextMarker?: string;
}

export interface PageRequest {
  readonly limit: number;
  readonly marker?: string;
}

/** Key and alias records, per scope. Records come back exactly as stored: callers apply `asOf`. */
export interface KeyStore {
  getKey(scope: Scope, keyId: string): Promise<KeyRecord | undefined>;
  /**
   * What `getKey` would answer, at once, when this store holds the record in memory (the embedded
   * write-through cache, D136); undefined: ask `getKey`. Stores that read storage on every call
   * (DynamoDB when deployed) do not offer it.
   */
  heldKey?(scope: Scope, keyId: string): KeyRecord | undefined;
  /** Creates (expectedRevision null) or replaces a key. Throws StoreConflictError on a revision mismatch. */
  putKey(key: KeyRecord, guard: SaveGuard): Promise<void>;
  /**
   * Throws StoreConflictError on a revision mismatch; a key already gone is not an error. Erases the
   * record's secrets as `erasesSecrets` does.
   */
  deleteKey(scope: Scope, keyId: string, guard: SaveGuard): Promise<void>;
  /** Throws InvalidMarkerException for a marker it did not issue. */
  listKeys(scope: Scope, page: PageRequest): Promise<Page<KeyRecord>>;
  /** Every key in every scope (for re-arming timers at start-up). */
  scanKeys(): AsyncIterable<KeyRecord>;

  getAlias(scope: Scope, aliasName: string): Promise<AliasRecord | undefined>;
  /** What `getAlias` would answer, at once, when this store holds the alias in memory (as `heldKey`). */
  heldAlias?(scope: Scope, aliasName: string): AliasRecord | undefined;
  /** Throws StoreConflictError if an alias with that name exists. */
  createAlias(alias: AliasRecord): Promise<void>;
  /** Replaces the alias; throws StoreConflictError if it does not exist. */
  updateAlias(alias: AliasRecord): Promise<void>;
  /**
   * An alias already gone is not an error. With `onlyIfTarget`, the alias is deleted only while it
   * still names that key (it may have been re-pointed since it was read); otherwise nothing happens.
   */
  deleteAlias(scope: Scope, aliasName: string, onlyIfTarget?: string): Promise<void>;
  /** Aliases of the scope in name order, optionally only those targeting `keyId`. Throws InvalidMarkerException. */
  listAliases(scope: Scope, page: PageRequest & { readonly keyId?: string }): Promise<Page<AliasRecord>>;

  /** Grants are items of their own beside their key (in the key's scope). Throws StoreConflictError if the key has a grant with that id. */
  createGrant(grant: GrantRecord): Promise<void>;
  getGrant(scope: Scope, keyId: string, grantId: string): Promise<GrantRecord | undefined>;
  /** A grant already gone is not an error. */
  deleteGrant(scope: Scope, keyId: string, grantId: string): Promise<void>;
  /** The grants of one key in grant id order, optionally only those of one grantee. Throws InvalidMarkerException. */
  listGrants(scope: Scope, keyId: string, page: PageRequest & { readonly granteePrincipal?: string }): Promise<Page<GrantRecord>>;
  /** The grants on the scope's keys whose retiring principal is `retiringPrincipal`, in key id then grant id order. Throws InvalidMarkerException. */
  listRetirableGrants(scope: Scope, retiringPrincipal: string, page: PageRequest): Promise<Page<GrantRecord>>;
}

export interface Timers {
  /** Idempotent: arming the same timer twice is not an error. */
  arm(timer: Timer): Promise<void>;
  /** Idempotent: disarming a timer that already fired or never existed is not an error. */
  disarm(timerName: string): Promise<void>;
}

/** Binds a wrapped blob to its purpose and owner; unwrap fails unless the same context is given. */
export type WrapContext = Readonly<Record<string, string>>;

/** Wraps secrets at rest: a KMS key in AWS, a file-held AES key in embedded mode. */
export interface RootKey {
  wrap(plaintext: Uint8Array, context: WrapContext): Promise<Uint8Array>;
  /** Throws UnwrapError when the blob is foreign or tampered or the context differs. */
  unwrap(wrapped: Uint8Array, context: WrapContext): Promise<Uint8Array>;
}

/**
 * How one read-modify-write of a key runs (design decision 10). `attempt` reads the key, decides and
 * writes conditionally; it throws StoreConflictError when another writer changed the key in between,
 * and is then run again from its read. `lock` names the key (its ARN), or is null for a key being
 * created. Embedded mode runs the attempts of one key one at a time (no conflict can happen); the
 * deployed runtime retries a lost race after a jittered backoff and finally answers ThrottlingException.
 */
export interface KeyWrites {
  run<T>(lock: string | null, attempt: () => Promise<T>): Promise<T>;
}

export interface Clock {
  now(): Date;
}

/** Cryptographically strong random bytes. */
export type RandomBytes = (length: number) => Uint8Array;

/** Service events with no caller (AWS logs them to CloudTrail as AwsServiceEvent). */
export type ServiceEvent =
  | { readonly eventName: 'DeleteExpiredKeyMaterial'; readonly keyArn: string; readonly keyMaterialId: string; readonly eventTime: Date }
  | { readonly eventName: 'DeleteKey'; readonly keyArn: string; readonly eventTime: Date }
  | {
      readonly eventName: 'RotateKey';
      readonly keyArn: string;
      readonly rotationType: 'ON_DEMAND' | 'AUTOMATIC';
      readonly keyOrigin: Origin;
      readonly previousKeyMaterialId?: string;
      readonly currentKeyMaterialId: string;
      readonly eventTime: Date;
    };

export interface EventSink {
  /** Resolves once the event is recorded (the audit trail writes it durably); callers await it. */
  record(event: ServiceEvent): void | Promise<void>;
}

/** Where in an audit trail a read stopped; opaque outside the adapter that issued it. */
export type AuditPosition = string;

/**
 * The audit trail (design decision 12): CloudTrail records per account and Region, durable once
 * `append` resolves (as durable as the key store's writes), kept 90 days.
 */
export interface AuditTrail {
  /**
   * Keeps the event's facts; its CloudTrail event is the one `auditEntryOf` renders from them. A
   * trail that keeps them at once (in memory) may return nothing: kept when it returns (D130).
   */
  append(event: import('./audit/cloudtrail-event').AuditEvent): Promise<void> | void;
  /**
   * Entries of `scope` with `from <= eventTime <= to`, newest first (ties in a fixed order), each
   * with the position to resume after it. Rejects with InvalidNextTokenException (core/audit/errors)
   * for a position it did not issue.
   */
  read(
    scope: Scope,
    range: { readonly from: Date; readonly to: Date; readonly after?: AuditPosition },
  ): AsyncIterable<{ readonly entry: import('./audit/cloudtrail-event').AuditEntry; readonly position: AuditPosition }>;
}

export interface Deps {
  readonly keys: KeyStore;
  readonly timers: Timers;
  readonly rootKey: RootKey;
  readonly clock: Clock;
  readonly random: RandomBytes;
  readonly events: EventSink;
  readonly materialCache: import('./crypto/material-cache').MaterialCache;
  readonly keyWrites: KeyWrites;
}

/** Who is calling, as established by the protocol adapter (SigV4 scope, or open-mode defaults). */
export interface RequestContext {
  readonly scope: Scope;
  /**
   * The verified caller (SigV4 with an issued credential), its identity policy and the request, for
   * authorization. Present only where access is enforced: in open mode there is none and nothing is
   * checked (design decision 11).
   */
  readonly access?: import('./authorization/access').Access;
  /** Collects the keys (and aliases) the request used, for its audit record's `resources`. */
  readonly resources?: { add(resource: import('./audit/cloudtrail-event').AuditResource): void };
}
