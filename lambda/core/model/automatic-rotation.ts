/**
 * Automatic rotation of a symmetric AWS_KMS key (spec kms-policies-grants-rotation.md §4), as pure
 * functions of the key record. The material of the next rotation is generated ahead and stored
 * (wrapped) with the schedule, so that `asOf` can show a rotation that is due at its instant without
 * I/O, whether or not the rotation timer has run (D73); the timer then generates the following one.
 */
import { supportsAutomaticRotation } from '../crypto/key-specs';
import type { AutomaticRotation, KeyMaterial, KeyRecord } from './key';

const DAY_MS = 86_400_000;
export const DEFAULT_ROTATION_PERIOD_DAYS = 365;
export const MIN_ROTATION_PERIOD_DAYS = 90;
export const MAX_ROTATION_PERIOD_DAYS = 2560;

/** Automatic rotation is offered for the key specs the key spec table says (symmetric encryption); origin is checked separately. */
export function automaticRotationSupported(key: Pick<KeyRecord, 'keySpec'>): boolean {
  return supportsAutomaticRotation(key.keySpec);
}

export function nextRotationDate(rotation: Pick<AutomaticRotation, 'periodStart' | 'periodInDays'>): Date {
  return new Date(rotation.periodStart.getTime() + rotation.periodInDays * DAY_MS);
}

/** One automatic rotation, for the RotateKey service event. */
export interface CompletedRotation {
  readonly previousKeyMaterialId?: string;
  readonly currentKeyMaterialId: string;
  readonly at: Date;
}

/** The automatic rotation due at `now` that the record already holds the material for, if any. */
export function dueRotation(key: KeyRecord, now: Date): AutomaticRotation | undefined {
  const rotation = key.automaticRotation;
  if (key.state !== 'Enabled' || !rotation?.nextMaterial) return undefined;
  return nextRotationDate(rotation).getTime() <= now.getTime() ? rotation : undefined;
}

/**
 * Makes the prepared material current as of `at`: the old current material stays for decryption
 * (NON_CURRENT), ListKeyRotations lists the new one as AUTOMATIC, and the next period starts at `at`.
 */
export function rotateAutomatically(key: KeyRecord, at: Date): { readonly key: KeyRecord; readonly rotation: CompletedRotation } {
  const schedule = key.automaticRotation;
  const prepared = schedule?.nextMaterial;
  if (!schedule || !prepared) throw new Error('no material prepared for the automatic rotation'); // callers check first
  const current: KeyMaterial = {
    materialId: prepared.materialId,
    materialState: 'CURRENT',
    importState: 'IMPORTED',
    wrapped: prepared.wrapped,
    rotationDate: at,
    rotationType: 'AUTOMATIC',
  };
  const materials = key.materials.map((m): KeyMaterial => (m.materialState === 'CURRENT' ? { ...m, materialState: 'NON_CURRENT' } : m));
  return {
    key: {
      ...key,
      materials: [...materials, current],
      currentMaterialId: current.materialId,
      automaticRotation: { periodInDays: schedule.periodInDays, periodStart: at },
    },
    rotation: {
      ...(key.currentMaterialId !== undefined && { previousKeyMaterialId: key.currentMaterialId }),
      currentKeyMaterialId: current.materialId,
      at,
    },
  };
}

/**
 * A key that could not rotate when its rotation fell due (it was Disabled) rotates as soon as it is
 * enabled again, as AWS does for material older than the period: its schedule is moved to `now`.
 */
export function resumeOverdueRotation(key: KeyRecord, now: Date): KeyRecord {
  const rotation = key.automaticRotation;
  // Stryker disable next-line EqualityOperator: a rotation due exactly now is moved to now, which is where it already is
  if (!rotation || nextRotationDate(rotation).getTime() > now.getTime()) return key;
  return { ...key, automaticRotation: { ...rotation, periodStart: new Date(now.getTime() - rotation.periodInDays * DAY_MS) } };
}
