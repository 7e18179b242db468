/**
 * What a timer does when it fires (design decision 2). Timers are hints: the key record is re-read
 * and the timer applies only what the record says is due now. A timer that fires late, twice, or
 * after being superseded (deletion cancelled, material re-imported with another ValidTo, rotation
 * disabled or re-scheduled) is 'stale'.
 */
import { saveKey } from '../key-access';
import { advanceAutomaticRotation } from '../key-rotation';
import { keyArn } from '../model/arn';
import { nextRotationDate } from '../model/automatic-rotation';
import { asOf, isDeletionDue, type KeyAsOf } from '../model/key-state';
import type { KeyRecord } from '../model/key';
import type { Deps, Page, PageRequest } from '../ports';
import { rotationTimer, type Timer } from './timer';

const LIST_PAGE = 100;

export async function onTimerDue(
  deps: Pick<Deps, 'keys' | 'timers' | 'clock' | 'events' | 'materialCache' | 'keyWrites' | 'rootKey' | 'random'>,
  timer: Timer,
): Promise<'applied' | 'stale'> {
  return deps.keyWrites.run(keyArn(timer.scope, timer.keyId), async () => {
    const stored = await deps.keys.getKey(timer.scope, timer.keyId);
    if (!stored) return 'stale'; // already deleted
    const now = deps.clock.now();
    if (timer.kind === 'DeletionDue') {
      // Cancelled, re-scheduled later, or fired early: nothing to do.
      if (!isDeletionDue(stored, now)) return 'stale';
      // Dated at the deletion date, however late the timer runs (D137), as an expiry is dated at ValidTo (D151).
      await deleteKeyGrantsAndAliases(deps, stored, stored.deletionDate);
      return 'applied';
    }
    const seen = asOf(stored, now);
    // Past its deletion date the key is the deletion timer's business.
    if (!seen) return 'stale';
    if (timer.kind === 'RotationDue') return rotate(deps, stored, seen, now);
    if (seen.expired.length === 0) return 'stale';
    await saveKey(deps, { key: stored, expired: seen.expired, rotated: seen.rotated }, seen.key);
    return 'applied';
  });
}

/**
 * Keeps what asOf already showed (a rotation due now, made with the material prepared for it), applies
 * any further rotation due, prepares the next material and arms the timer for the next date (D73).
 */
async function rotate(deps: Parameters<typeof onTimerDue>[0], stored: KeyRecord, seen: KeyAsOf, now: Date): Promise<'applied' | 'stale'> {
  // Stryker disable next-line ConditionalExpression: without a schedule nothing advances and nothing expires (AWS_KMS), so the next test answers 'stale' too
  if (!seen.key.automaticRotation) return 'stale'; // disabled since
  const progress = await advanceAutomaticRotation(deps, seen.key, now);
  // Stryker disable next-line ConditionalExpression: a rotation asOf showed used the prepared material, so preparing the next one changes the key; only AWS_KMS keys rotate automatically and they never expire
  if (!progress.changed && seen.rotated.length === 0 && seen.expired.length === 0) return 'stale';
  const next = progress.key;
  // Stryker disable next-line ConditionalExpression: always set here (checked above; advancing keeps the schedule); the test is for the type
  if (next.automaticRotation) await deps.timers.arm(rotationTimer(next.scope, next.keyId, nextRotationDate(next.automaticRotation)));
  await saveKey(deps, { key: stored, expired: seen.expired, rotated: [...seen.rotated, ...progress.rotations] }, next);
  return 'applied';
}

/** Grants and aliases first: if the key write loses a race, a retry finds the key and finishes the job. */
async function deleteKeyGrantsAndAliases(deps: Pick<Deps, 'keys' | 'events' | 'materialCache'>, key: KeyRecord, deletionDate: Date): Promise<void> {
  // Collect every page before deleting, so that deleting does not invalidate the markers.
  const grantIds = await everyPage((marker) => deps.keys.listGrants(key.scope, key.keyId, pageOf(marker)), (g) => g.grantId);
  for (const grantId of grantIds) await deps.keys.deleteGrant(key.scope, key.keyId, grantId);
  const names = await everyPage((marker) => deps.keys.listAliases(key.scope, { ...pageOf(marker), keyId: key.keyId }), (a) => a.aliasName);
  // Conditional: an alias re-pointed to another key since the listing is that key's now.
  for (const name of names) await deps.keys.deleteAlias(key.scope, name, key.keyId);
  await deps.keys.deleteKey(key.scope, key.keyId, { expectedRevision: key.revision });
  deps.materialCache.evictKey(key.arn);
  await deps.events.record({ eventName: 'DeleteKey', keyArn: key.arn, eventTime: deletionDate });
}

/**
 * A store listing's page options. Its one surviving mutant (`true && { marker }`) is equivalent: a marker member
 * holding undefined asks for the first page, as no marker does.
 */
function pageOf(marker: string | undefined): PageRequest {
  return { limit: LIST_PAGE, ...(marker !== undefined && { marker }) };
}

async function everyPage<T>(list: (marker: string | undefined) => Promise<Page<T>>, id: (item: T) => string): Promise<string[]> {
  // Stryker disable next-line ArrayDeclaration: a stray id names no grant or alias of this key, and deleting one that is not there changes nothing (key-store contract)
  const ids: string[] = [];
  let marker: string | undefined;
  do {
    const page = await list(marker);
    ids.push(...page.items.map(id));
    marker = page.nextMarker;
  } while (marker !== undefined);
  return ids;
}
