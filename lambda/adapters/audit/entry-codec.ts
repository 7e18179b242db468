/**
 * How audit entries are stored by every AuditTrail adapter: a compact JSON form (the file lines of
 * the embedded trail, the attributes of the DynamoDB one) and the position that orders them.
 *
 * Position = `<eventTime in epoch ms, 15 digits>#<eventId>`: lexicographic order is time order, and
 * the event id breaks ties, so "newest first, resume after P" is one comparison.
 */
import { createHash } from 'node:crypto';
import { ALIAS_RESOURCE_TYPE, type AuditEntry, type AuditEvent, type AuditResource, auditEntryOf, KEY_RESOURCE_TYPE } from '../../core/audit/cloudtrail-event';
import { InvalidNextTokenException } from '../../core/audit/errors';
import type { Scope } from '../../core/model/key';

const POSITION = /^\d{15}#[0-9a-f-]{36}$/;
const BASE32 = 'ABCDEFGHIJKLMNOPQRSTUVWXYZ234567';

/**
 * Principal ids are stable stand-ins (AWS's are opaque unique ids, D101): `AIDA`/`AROA` and 17 base32
 * characters of a hash of the user's or role's ARN.
 */
export function stablePrincipalId(arn: string, prefix: string): string {
  const digest = createHash('sha256').update(arn).digest();
  let id = prefix;
  for (let i = 0; i < 17; i++) id += BASE32[digest[i]! & 31];
  return id;
}

/** The entry an event is read back as, its CloudTrail event rendered from its facts: the same in every adapter. */
export function entryOf(event: AuditEvent): AuditEntry {
  return auditEntryOf(event, stablePrincipalId);
}

export function positionOf(eventTime: Date, eventId: string): string {
  return `${String(eventTime.getTime()).padStart(15, '0')}#${eventId}`;
}

/** The smallest and largest positions of a time range (inclusive). */
export function positionRange(from: Date, to: Date): { readonly low: string; readonly high: string } {
  return { low: `${String(from.getTime()).padStart(15, '0')}#`, high: `${String(to.getTime()).padStart(15, '0')}#~` };
}

/** Throws InvalidNextTokenException for a position no adapter issued. */
export function checkPosition(position: string): string {
  if (!POSITION.test(position)) throw new InvalidNextTokenException();
  return position;
}

export function scopeKey(scope: Scope): string {
  return `${scope.partition}/${scope.account}/${scope.region}`;
}

/** The stored form of an entry, without its scope and event (each adapter keeps those its own way). */
export interface StoredFields {
  readonly id: string;
  readonly t: number;
  readonly n: string;
  readonly s: string;
  readonly ro: boolean;
  readonly u?: string;
  readonly k?: string;
  /** Resources as [type, arn] pairs; type `a` is an alias, anything else a key. */
  readonly res: readonly (readonly [string, string])[];
}

export function toStoredFields(entry: AuditEntry): StoredFields {
  return {
    id: entry.eventId,
    t: entry.eventTime.getTime(),
    n: entry.eventName,
    s: entry.eventSource,
    ro: entry.readOnly,
    ...(entry.username !== undefined && { u: entry.username }),
    ...(entry.accessKeyId !== undefined && { k: entry.accessKeyId }),
    res: entry.resources.map((r) => [r.type === ALIAS_RESOURCE_TYPE ? 'a' : 'k', r.arn] as const),
  };
}

export function fromStoredFields(scope: Scope, fields: StoredFields, cloudTrailEvent: string): AuditEntry {
  return {
    scope,
    eventId: fields.id,
    eventTime: new Date(fields.t),
    eventName: fields.n,
    eventSource: fields.s,
    readOnly: fields.ro,
    ...(fields.u !== undefined && { username: fields.u }),
    ...(fields.k !== undefined && { accessKeyId: fields.k }),
    resources: fields.res.map(([type, arn]): AuditResource => ({ type: type === 'a' ? ALIAS_RESOURCE_TYPE : KEY_RESOURCE_TYPE, arn })),
    cloudTrailEvent,
  };
}
