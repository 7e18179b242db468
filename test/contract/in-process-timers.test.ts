/**
 * InProcessTimers (with the embedded clocks): real setTimeout, real clocks, no fake timers.
 *
 * No check here rests on a fixed sleep. "Fired exactly once" is checked after a barrier that rules out a later
 * call: nothing is pending any more (only an armed entry can fire) and `close()` has awaited the running
 * callbacks. "Not fired yet" is checked after a setTimeout that Node runs after the one it is about (see
 * `afterTimeoutsOf`).
 */
import { spawnSync } from 'node:child_process';
import { describe, expect, test } from 'vitest';
import { ControlledClock, SystemClock } from '../../lambda/adapters/embedded/clock';
import { InProcessTimers, type TimerLog } from '../../lambda/adapters/embedded/in-process-timers';
import type { KeyRecord } from '../../lambda/core/model/key';
import { nextRotationDate } from '../../lambda/core/model/automatic-rotation';
import { deletionTimer, expiryTimer, rotationTimer, type Timer } from '../../lambda/core/timers/timer';
import { MemoryKeyStore } from '../support/memory-deps';
import { SCOPE_A, bareKey, fullKey } from './support/key-fixtures';

const DAY = 86_400_000;
const sleep = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));

/**
 * Resolves after every setTimeout of `ms` or less that was set before this call has run: Node runs timers of one
 * duration in the order they were set, and a shorter one never after a longer one set later. A delay above
 * 2^31−1 ms is run as 1 ms, so `afterTimeoutsOf(1)` also covers a wait that was not cut into chunks.
 */
const afterTimeoutsOf = (ms: number) => sleep(ms);

/** Polls until `condition` holds; the bound (a hang detector, D120) only names what never happened. */
async function eventually(condition: () => boolean, timeoutMs = 240_000): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  while (!condition()) {
    if (Date.now() > deadline) throw new Error('condition not met in time');
    await sleep(5);
  }
}

/** Waits until nothing can call back any more: no timer armed (only an armed one can fire), none running. */
async function settled(timers: InProcessTimers): Promise<void> {
  expect(timers.pending()).toEqual([]);
  await timers.close();
}
const at = (clock: { now(): Date }, ms: number) => new Date(clock.now().getTime() + ms);

/** Records each call with the clock time it happened at. */
function recorder(clock: { now(): Date }, work: (t: Timer) => Promise<unknown> = async () => undefined) {
  const calls: { name: string; at: number }[] = [];
  const callback = async (t: Timer) => {
    calls.push({ name: t.name, at: clock.now().getTime() });
    return work(t);
  };
  return { calls, callback };
}

describe('InProcessTimers', () => {
  test('fires a timer when the clock reaches its time, not before', async () => {
    // GIVEN
    const clock = new SystemClock();
    const { calls, callback } = recorder(clock);
    const timers = new InProcessTimers(clock, callback);
    const timer = deletionTimer(SCOPE_A, 'k1', at(clock, 120));
    // WHEN
    await timers.arm(timer);
    await eventually(() => calls.length > 0);
    // THEN
    await settled(timers);
    expect(calls).toHaveLength(1);
    expect(calls[0]!.at).toBeGreaterThanOrEqual(timer.at.getTime());
  });

  test('runDue after advancing a ControlledClock runs exactly the timers that became due, in order, and awaits them', async () => {
    // GIVEN
    const clock = new ControlledClock();
    let finished = 0;
    const { calls, callback } = recorder(clock, async () => {
      await sleep(30);
      finished++;
    });
    const timers = new InProcessTimers(clock, callback);
    const soon = expiryTimer(SCOPE_A, 'k1', at(clock, 1 * DAY));
    const later = deletionTimer(SCOPE_A, 'k2', at(clock, 7 * DAY));
    const beyondNodeLimit = deletionTimer(SCOPE_A, 'k3', at(clock, 30 * DAY)); // > 2^31−1 ms away
    for (const t of [beyondNodeLimit, later, soon]) await timers.arm(t);
    await afterTimeoutsOf(1);
    expect(calls).toEqual([]); // a 30-day timer must not fire at once (Node would run it after 1 ms)
    // WHEN
    clock.advance(8 * 86_400);
    await timers.runDue();
    // THEN
    expect(calls.map((c) => c.name)).toEqual([soon.name, later.name]);
    expect(finished).toBe(2);
    expect(timers.pending()).toEqual([beyondNodeLimit]);
    // WHEN the clock passes the 30-day timer
    clock.advance(23 * 86_400);
    await timers.runDue();
    // THEN
    expect(calls.map((c) => c.name)).toEqual([soon.name, later.name, beyondNodeLimit.name]);
    await timers.close();
  });

  test('splits a wait longer than the longest setTimeout into chunks and fires only at the due time', async () => {
    // GIVEN: a 25 ms ceiling stands in for Node's 2^31−1 ms
    const clock = new SystemClock();
    const { calls, callback } = recorder(clock);
    const timers = new InProcessTimers(clock, callback, { maxDelayMs: 25 });
    const timer = deletionTimer(SCOPE_A, 'k1', at(clock, 200));
    // WHEN
    await timers.arm(timer);
    await eventually(() => calls.length > 0); // after several 25 ms chunks
    // THEN
    await settled(timers);
    expect(calls).toHaveLength(1);
    expect(calls[0]!.at).toBeGreaterThanOrEqual(timer.at.getTime());
  });

  test('re-checks the clock at each chunk wake-up, so a jump of the clock is noticed without runDue', async () => {
    // GIVEN
    const clock = new ControlledClock();
    const { calls, callback } = recorder(clock);
    const timers = new InProcessTimers(clock, callback, { maxDelayMs: 20 });
    const timer = expiryTimer(SCOPE_A, 'k1', at(clock, 40 * DAY));
    await timers.arm(timer);
    await afterTimeoutsOf(20); // the first chunk has woken up, and did not fire 40 days early
    expect(calls).toEqual([]);
    // WHEN
    clock.advance(40 * 86_400 + 1);
    await eventually(() => calls.length > 0);
    // THEN
    await settled(timers);
    expect(calls).toHaveLength(1);
    expect(calls[0]!.at).toBeGreaterThanOrEqual(timer.at.getTime());
  });

  test('a disarmed timer does not fire; disarming an unknown name is not an error; arming twice fires once', async () => {
    // GIVEN
    const clock = new ControlledClock();
    const { calls, callback } = recorder(clock);
    const timers = new InProcessTimers(clock, callback);
    const dropped = deletionTimer(SCOPE_A, 'k1', at(clock, 1_000));
    const kept = expiryTimer(SCOPE_A, 'k2', at(clock, 1_000));
    await timers.arm(dropped);
    await timers.arm(kept);
    await timers.arm({ ...kept });
    // WHEN
    await timers.disarm(dropped.name);
    await timers.disarm(dropped.name);
    await timers.disarm('never-armed');
    clock.advance(2);
    await timers.runDue();
    // THEN
    expect(calls.map((c) => c.name)).toEqual([kept.name]);
    await timers.close();
  });

  test('rearm arms a deletion timer per key pending deletion, an expiry timer per imported material with ValidTo, a rotation timer per key rotating automatically', async () => {
    // GIVEN
    const store = new MemoryKeyStore();
    const deleting: KeyRecord = { ...bareKey(), state: 'PendingDeletion', deletionDate: new Date('2030-02-01T00:00:00Z') };
    const full = fullKey(); // PendingDeletion, one imported material with ValidTo, one pending import, one staged without ValidTo; automatic rotation
    const pendingImportWithDate: KeyRecord = {
      ...bareKey(),
      materials: [{ materialId: 'm', materialState: 'CURRENT', importState: 'PENDING_IMPORT', validTo: new Date('2030-03-01T00:00:00Z') }],
    };
    for (const k of [deleting, full, pendingImportWithDate, bareKey()]) await store.putKey(k, { expectedRevision: null });
    const timers = new InProcessTimers(new ControlledClock(), async () => undefined);
    // WHEN
    const armed = await timers.rearm(store);
    // THEN
    const expected = [
      deletionTimer(deleting.scope, deleting.keyId, deleting.deletionDate!),
      deletionTimer(full.scope, full.keyId, full.deletionDate!),
      expiryTimer(full.scope, full.keyId, full.materials[0]!.validTo!),
      rotationTimer(full.scope, full.keyId, nextRotationDate(full.automaticRotation!)),
    ];
    expect(armed).toBe(4);
    expect(timers.pending().map((t) => t.name).sort()).toEqual(expected.map((t) => t.name).sort());
    expect(timers.pending()).toEqual(expect.arrayContaining(expected));
    // and re-arming again adds nothing
    expect(await timers.rearm(store)).toBe(0);
    await timers.close();
  });

  test('a failing callback is logged without crashing, retried, then given up', async () => {
    // GIVEN
    const clock = new ControlledClock();
    const logged: Record<string, unknown>[] = [];
    const log: TimerLog = (entry) => logged.push({ ...entry });
    let attempts = 0;
    const timers = new InProcessTimers(
      clock,
      async () => {
        attempts++;
        throw new Error('store unavailable');
      },
      { retryDelayMs: 10, maxAttempts: 3, log },
    );
    const timer = expiryTimer(SCOPE_A, 'k1', at(clock, 5));
    // WHEN
    await timers.arm(timer);
    await eventually(() => logged.length === 3);
    // THEN: given up, so nothing is armed for a fourth attempt
    await settled(timers);
    expect(attempts).toBe(3);
    expect(logged).toEqual([1, 2, 3].map((attempt) => expect.objectContaining({ level: 'ERROR', timer: timer.name, keyId: 'k1', attempt, error: { name: 'Error', message: 'store unavailable' } })));
    expect(logged[2]!.message).toMatch(/giving up/);
    expect(logged[0]!.message).toMatch(/will retry/);
  });

  test('a callback that throws a non-Error is logged too, and runDue still resolves', async () => {
    const clock = new ControlledClock();
    const logged: Record<string, unknown>[] = [];
    const timers = new InProcessTimers(clock, () => Promise.reject('nope'), { maxAttempts: 1, log: (e) => logged.push({ ...e }) });
    await timers.arm(deletionTimer(SCOPE_A, 'k1', at(clock, 1_000)));
    clock.advance(2);
    await timers.runDue();
    expect(logged).toEqual([expect.objectContaining({ error: { name: 'string', message: 'non-Error value thrown' } })]);
  });

  test('close disarms every timer and waits for a running callback', async () => {
    // GIVEN
    const clock = new ControlledClock();
    let started = false;
    let done = false;
    let release!: () => void;
    const gate = new Promise<void>((resolve) => (release = resolve));
    const timers = new InProcessTimers(clock, async () => {
      started = true;
      await gate;
      done = true;
    });
    await timers.arm(deletionTimer(SCOPE_A, 'k1', at(clock, 1)));
    await timers.arm(deletionTimer(SCOPE_A, 'k2', at(clock, DAY)));
    await eventually(() => started); // k1 is running, held at the gate
    // WHEN
    let closed = false;
    const closing = timers.close().then(() => (closed = true));
    await afterTimeoutsOf(1);
    expect(closed).toBe(false); // still waiting for k1
    release();
    await closing;
    // THEN
    expect(done).toBe(true);
    expect(timers.pending()).toEqual([]);
    await timers.arm(deletionTimer(SCOPE_A, 'k3', at(clock, 1)));
    expect(timers.pending()).toEqual([]);
  });

  test('an armed timer does not keep the process alive', () => {
    // GIVEN / WHEN
    const child = spawnSync(process.execPath, ['--import', 'tsx', 'test/contract/support/unref-child.ts'], { encoding: 'utf8', timeout: 240_000 });
    // THEN
    expect(child.error).toBeUndefined();
    expect(child.stdout).toContain('armed 1');
    expect(child.status).toBe(0);
  });
});

describe('ControlledClock', () => {
  test('runs at real time plus the accumulated offset', () => {
    const clock = new ControlledClock();
    const before = Date.now();
    clock.advance(3600);
    clock.advance(0.5);
    const now = clock.now().getTime();
    expect(now - before).toBeGreaterThanOrEqual(3_600_500);
    expect(now - Date.now()).toBeLessThanOrEqual(3_600_500);
    expect(clock.offset).toBe(3_600_500);
  });

  test.each([-1, Number.NaN, Number.POSITIVE_INFINITY])('fails to move by %s seconds', (seconds) => {
    expect(() => new ControlledClock().advance(seconds)).toThrow(RangeError);
  });
});
