/**
 * The key state machine (spec §1): which actions each state accepts, the transitions, and
 * `asOf(now)` — the key as it must be seen at an instant, whether or not a timer has fired.
 * Pure: KeyRecord in, KeyRecord out.
 */
import { DisabledException, KMSInvalidStateException } from '../errors';
import { type CompletedRotation, dueRotation, nextRotationDate, rotateAutomatically } from './automatic-rotation';
import { allPermanentMaterialsImported, type KeyMaterial, type KeyRecord, type KeyState } from './key';

export type KeyAction =
  | 'UseForCrypto'
  | 'Enable'
  | 'Disable'
  | 'ScheduleDeletion'
  | 'CancelDeletion'
  | 'ImportMaterial'
  | 'DeleteMaterial'
  | 'RotateOnDemand'
  | 'ModifyMetadata'
  | 'CreateGrant'
  | 'ReadPublicKey'
  | 'ConfigureRotation'
  | 'Read';

const ALL: readonly KeyState[] = ['Enabled', 'Disabled', 'PendingDeletion', 'PendingImport'];

/** States in which each action is accepted (spec §1.3). Everything else is refused. */
const ACCEPTED_IN: Readonly<Record<KeyAction, readonly KeyState[]>> = {
  UseForCrypto: ['Enabled'],
  Enable: ['Enabled', 'Disabled'],
  Disable: ['Enabled', 'Disabled'],
  ScheduleDeletion: ['Enabled', 'Disabled', 'PendingImport'],
  CancelDeletion: ['PendingDeletion'],
  ImportMaterial: ['Enabled', 'Disabled', 'PendingImport'],
  DeleteMaterial: ALL,
  RotateOnDemand: ['Enabled'],
  ModifyMetadata: ['Enabled', 'Disabled', 'PendingImport'],
  CreateGrant: ['Enabled'],
  // GetPublicKey: a Disabled key still answers (D52); without its material there is no public key.
  ReadPublicKey: ['Enabled', 'Disabled'],
  ConfigureRotation: ['Enabled'],
  Read: ALL,
};

/** Actions that answer DisabledException (rather than KMSInvalidStateException) for a Disabled key. */
const DISABLED_EXCEPTION_FOR: ReadonlySet<KeyAction> = new Set(['UseForCrypto', 'RotateOnDemand', 'CreateGrant', 'ConfigureRotation']);

// One table of texts, so they can be aligned with recorded AWS responses.
const STATE_PHRASE: Readonly<Record<KeyState, string>> = {
  // Stryker disable next-line StringLiteral: never shown: every action but CancelDeletion (which has its own text) accepts an Enabled key
  Enabled: 'enabled',
  Disabled: 'disabled',
  PendingDeletion: 'pending deletion',
  PendingImport: 'pending import',
};

export function accepts(key: KeyRecord, action: KeyAction): boolean {
  return ACCEPTED_IN[action].includes(key.state);
}

/** Throws the error AWS answers when `key`'s state refuses `action`. */
export function assertAccepts(key: KeyRecord, action: KeyAction): void {
  if (accepts(key, action)) return;
  if (action === 'CancelDeletion') {
    throw new KMSInvalidStateException(`${key.arn} is not pending deletion (or pending replica deletion).`);
  }
  if (key.state === 'Disabled' && DISABLED_EXCEPTION_FOR.has(action)) throw new DisabledException(`${key.arn} is disabled.`);
  throw new KMSInvalidStateException(`${key.arn} is ${STATE_PHRASE[key.state]}.`);
}

export function enable(key: KeyRecord): KeyRecord {
  assertAccepts(key, 'Enable');
  return { ...key, state: 'Enabled' };
}

export function disable(key: KeyRecord): KeyRecord {
  assertAccepts(key, 'Disable');
  return { ...key, state: 'Disabled' };
}

export function scheduleDeletion(key: KeyRecord, deletionDate: Date): KeyRecord {
  assertAccepts(key, 'ScheduleDeletion');
  return { ...key, state: 'PendingDeletion', deletionDate };
}

/**
 * A cancelled key comes back Disabled (AWS), unless it lacks some of its permanently associated
 * materials: then it comes back PendingImport, so EnableKey cannot make a key that cannot encrypt (D1).
 */
export function cancelDeletion(key: KeyRecord): KeyRecord {
  assertAccepts(key, 'CancelDeletion');
  // Stryker disable next-line ConditionalExpression,StringLiteral: an AWS_KMS key's materials are always imported, so the origin test only says why
  const state: KeyState = key.origin === 'AWS_KMS' || allPermanentMaterialsImported(key) ? 'Disabled' : 'PendingImport';
  return { ...key, state, deletionDate: undefined };
}

/**
 * Deletes one material (DeleteImportedKeyMaterial or expiry). A staged PENDING_ROTATION material simply
 * goes away and the key state is kept; a permanently associated one is kept as PENDING_IMPORT and the
 * key becomes PendingImport (D3), except while PendingDeletion, which it keeps.
 */
export function removeMaterial(key: KeyRecord, materialId: string): KeyRecord {
  const target = key.materials.find((m) => m.materialId === materialId);
  // Stryker disable next-line ConditionalExpression: unreachable: both callers (DeleteImportedKeyMaterial, asOf) name a material the key has
  if (!target) return key;
  if (target.materialState === 'PENDING_ROTATION') {
    return { ...key, materials: key.materials.filter((m) => m !== target) };
  }
  const erased: KeyMaterial = {
    materialId: target.materialId,
    materialState: target.materialState,
    importState: 'PENDING_IMPORT',
    ...(target.description !== undefined && { description: target.description }),
    ...(target.rotationDate && { rotationDate: target.rotationDate }),
    ...(target.rotationType && { rotationType: target.rotationType }),
  };
  return {
    ...key,
    state: key.state === 'PendingDeletion' ? 'PendingDeletion' : 'PendingImport',
    materials: key.materials.map((m) => (m === target ? erased : m)),
  };
}

/** Materials still imported whose ValidTo has passed at `now`. */
export function expiredMaterials(key: KeyRecord, now: Date): readonly KeyMaterial[] {
  return key.materials.filter((m) => expiredAt(m, now));
}

function expiredAt(m: KeyMaterial, now: Date): boolean {
  // Stryker disable next-line ConditionalExpression: a material that is not imported has no validTo (removeMaterial drops it), so the first test only says why
  return m.importState === 'IMPORTED' && m.validTo !== undefined && m.validTo.getTime() <= now.getTime();
}

/** What a read that changes nothing reports (shared: nobody changes these lists). */
const NOTHING: readonly never[] = Object.freeze([]);

/** Past its deletion date: the key is gone (D17), and was deleted at that date (D137). */
export function isDeletionDue(key: KeyRecord, now: Date): key is KeyRecord & { readonly deletionDate: Date } {
  // Stryker disable next-line ConditionalExpression,LogicalOperator: deletionDate is set exactly while PendingDeletion (scheduleDeletion sets it, cancelDeletion clears it), so either test alone decides
  return key.state === 'PendingDeletion' && key.deletionDate !== undefined && key.deletionDate.getTime() <= now.getTime();
}

/** A material that expired since its key was stored, and when: its ValidTo, the instant KMS deletes it (D151). */
export interface ExpiredMaterial {
  readonly materialId: string;
  readonly validTo: Date;
}

export interface KeyAsOf {
  readonly key: KeyRecord;
  /** Materials that expired since the record was stored; persisting `key` erases them. */
  readonly expired: readonly ExpiredMaterial[];
  /** An automatic rotation that fell due since the record was stored; persisting `key` keeps it. */
  readonly rotated: readonly CompletedRotation[];
}

/**
 * The key as it must be seen at `now`, whether or not its timers have fired yet (D16, D17, D73):
 * undefined once the deletion date has passed; materials past ValidTo are erased; an automatic
 * rotation that is due has happened, at its due instant.
 */
export function asOf(key: KeyRecord, now: Date): KeyAsOf | undefined {
  if (isDeletionDue(key, now)) return undefined;
  const expired = key.materials.some((m) => expiredAt(m, now))
    ? expiredMaterials(key, now).map((m): ExpiredMaterial => ({ materialId: m.materialId, validTo: m.validTo! }))
    : NOTHING;
  const seen = expired.reduce((k, m) => removeMaterial(k, m.materialId), key);
  const due = dueRotation(seen, now);
  if (!due) return { key: seen, expired, rotated: NOTHING };
  const { key: rotated, rotation } = rotateAutomatically(seen, nextRotationDate(due));
  return { key: rotated, expired, rotated: [rotation] };
}

/** DescribeKey's ValidTo: the earliest expiry among permanently associated, imported materials. */
export function earliestValidTo(key: KeyRecord): Date | undefined {
  let earliest: Date | undefined;
  for (const m of key.materials) {
    if (m.materialState === 'PENDING_ROTATION') continue;
    // Stryker disable next-line ConditionalExpression: a material that is not imported has no validTo, and one without validTo never wins the comparison below
    if (m.importState !== 'IMPORTED' || !m.validTo) continue;
    // Stryker disable next-line EqualityOperator: of two equal expiries either is the same ValidTo
    if (!earliest || m.validTo < earliest) earliest = m.validTo;
  }
  return earliest;
}
