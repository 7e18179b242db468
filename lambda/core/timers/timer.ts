/**
 * One-shot timers: hints that let storage forget expired material and deleted keys, and that prepare the
 * material of the next automatic rotation. The key record stays the truth (asOf); a timer that fires
 * late, twice or after being superseded does nothing.
 */
import type { Scope } from '../model/key';

export type Timer =
  | { readonly kind: 'DeletionDue'; readonly scope: Scope; readonly keyId: string; readonly at: Date; readonly name: string }
  | { readonly kind: 'MaterialExpired'; readonly scope: Scope; readonly keyId: string; readonly at: Date; readonly name: string }
  | { readonly kind: 'RotationDue'; readonly scope: Scope; readonly keyId: string; readonly at: Date; readonly name: string };

const epochSeconds = (at: Date): number => Math.ceil(at.getTime() / 1000);

/**
 * The due time is part of the name, so a re-armed timer never collides with a stale one. Names fit
 * EventBridge Scheduler's limit (≤ 64 chars of [0-9a-zA-Z-_.]): `del-<uuid>-<epoch>` is 51 chars.
 */
export function deletionTimer(scope: Scope, keyId: string, at: Date): Timer {
  return { kind: 'DeletionDue', scope, keyId, at, name: `del-${keyId}-${epochSeconds(at)}` };
}

/** One timer per (key, due second): every material of the key due by then is erased when it fires. */
export function expiryTimer(scope: Scope, keyId: string, at: Date): Timer {
  return { kind: 'MaterialExpired', scope, keyId, at, name: `exp-${keyId}-${epochSeconds(at)}` };
}

/** An automatic rotation falls due (`rot-<uuid>-<epoch>`, 51 chars). */
export function rotationTimer(scope: Scope, keyId: string, at: Date): Timer {
  return { kind: 'RotationDue', scope, keyId, at, name: `rot-${keyId}-${epochSeconds(at)}` };
}

/** The JSON a timer carries through a scheduler and back (timestamps as ISO strings). */
export interface TimerWire {
  readonly kind: Timer['kind'];
  readonly partition: string;
  readonly account: string;
  readonly region: string;
  readonly keyId: string;
  readonly at: string;
}

export function timerToWire(timer: Timer): TimerWire {
  const { partition, account, region } = timer.scope;
  return { kind: timer.kind, partition, account, region, keyId: timer.keyId, at: timer.at.toISOString() };
}

/** Parses a timer payload; returns undefined for anything that is not one (a foreign or corrupt event). */
export function timerFromWire(value: unknown): Timer | undefined {
  if (typeof value !== 'object' || value === null) return undefined;
  const w = value as Partial<Record<keyof TimerWire, unknown>>;
  const strings = [w.partition, w.account, w.region, w.keyId, w.at];
  if (!strings.every((s) => typeof s === 'string')) return undefined;
  const at = new Date(w.at as string);
  if (Number.isNaN(at.getTime())) return undefined;
  const scope: Scope = { partition: w.partition as string, account: w.account as string, region: w.region as string };
  if (w.kind === 'DeletionDue') return deletionTimer(scope, w.keyId as string, at);
  if (w.kind === 'MaterialExpired') return expiryTimer(scope, w.keyId as string, at);
  if (w.kind === 'RotationDue') return rotationTimer(scope, w.keyId as string, at);
  return undefined;
}
