/** What EnableKeyRotation and DisableKeyRotation share: which keys may rotate automatically, and the writes. */
import { UnsupportedOperationException } from '../../errors';
import { type LoadedKey, saveKey } from '../../key-access';
import { advanceAutomaticRotation } from '../../key-rotation';
import { automaticRotationSupported, nextRotationDate, resumeOverdueRotation } from '../../model/automatic-rotation';
import type { KeyRecord } from '../../model/key';
import { assertAccepts } from '../../model/key-state';
import type { Deps } from '../../ports';
import { rotationTimer } from '../../timers/timer';

/**
 * AWS's refusals, in its order: imported material never rotates automatically (in every key state, as
 * AWS answers a PendingImport key); other key specs cannot; then the key must be Enabled
 * (`DisabledException` / `KMSInvalidStateException`).
 */
export function assertAutomaticRotationConfigurable(key: KeyRecord): void {
  if (key.origin === 'EXTERNAL') throw new UnsupportedOperationException(`${key.arn} origin is EXTERNAL which is not valid for this operation.`);
  // Recorded with an empty message for RotateKeyOnDemand on an RSA key (spec §4.2).
  if (!automaticRotationSupported(key)) throw new UnsupportedOperationException('');
  assertAccepts(key, 'ConfigureRotation');
}

/**
 * Saves `next` (a key whose automatic rotation was set, changed or removed) after bringing its schedule
 * up to date, arming the rotation timer of the new date before the write and disarming the old one after.
 */
export async function saveRotationSettings(
  deps: Pick<Deps, 'keys' | 'timers' | 'clock' | 'events' | 'materialCache' | 'rootKey' | 'random'>,
  loaded: LoadedKey,
  next: KeyRecord,
): Promise<void> {
  const now = deps.clock.now();
  const progress = next.automaticRotation ? await advanceAutomaticRotation(deps, resumeOverdueRotation(next, now), now) : { key: next, rotations: [] };
  const after = progress.key.automaticRotation && nextRotationDate(progress.key.automaticRotation);
  const before = loaded.key.automaticRotation && nextRotationDate(loaded.key.automaticRotation);
  if (after) await deps.timers.arm(rotationTimer(next.scope, next.keyId, after));
  await saveKey(deps, { ...loaded, rotated: [...loaded.rotated, ...progress.rotations] }, progress.key);
  if (before && before.getTime() !== after?.getTime()) await deps.timers.disarm(rotationTimer(next.scope, next.keyId, before).name);
}
