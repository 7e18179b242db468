/** embeddedDeps: the embedded runtime's wiring, on real dynalite, real files and real timers. */
import { chmod, mkdtemp, rm, stat } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, test } from 'vitest';
import { ROOT_KEY_FILE } from '../../lambda/adapters/embedded/local-root-key';
import type { KeyRecord } from '../../lambda/core/model/key';
import type { ServiceEvent } from '../../lambda/core/ports';
import { deletionTimer } from '../../lambda/core/timers/timer';
import { embeddedDeps } from '../../lambda/runtime/embedded';
import { SCOPE_A, bareKey, fullKey } from './support/key-fixtures';

const DAY_S = 86_400;
let base: string;
let dirs = 0;
beforeAll(async () => {
  base = await mkdtemp(join(tmpdir(), 'kms-embedded-'));
});
afterAll(async () => rm(base, { recursive: true, force: true }));
const freshDir = () => join(base, `data-${dirs++}`, 'nested');

function pendingDeletion(deletionDate: Date): KeyRecord {
  return { ...bareKey(SCOPE_A), state: 'PendingDeletion', deletionDate };
}

describe('embeddedDeps', () => {
  test('in memory: a working store, root key and clock, and nothing on disk', async () => {
    // GIVEN
    const runtime = await embeddedDeps({ inMemory: true, dataDir: join(base, 'never-created') });
    try {
      const key = fullKey();
      // WHEN
      await runtime.deps.keys.putKey(key, { expectedRevision: null });
      const wrapped = await runtime.deps.rootKey.wrap(new Uint8Array([1, 2, 3]), { k: 'v' });
      // THEN
      expect(await runtime.deps.keys.getKey(key.scope, key.keyId)).toStrictEqual({ ...key, revision: 1 });
      expect(await runtime.deps.rootKey.unwrap(wrapped, { k: 'v' })).toEqual(new Uint8Array([1, 2, 3]));
      expect(runtime.deps.random(16)).toHaveLength(16);
      const from = Date.now();
      const now = runtime.deps.clock.now().getTime();
      expect(now).toBeGreaterThanOrEqual(from); // the wall clock, no offset
      expect(now).toBeLessThanOrEqual(Date.now());
      await expect(stat(join(base, 'never-created'))).rejects.toMatchObject({ code: 'ENOENT' });
    } finally {
      await runtime.close();
      await runtime.close(); // idempotent
    }
  });

  test('on disk: creates the data directory 0700 with a 0600 root key, and keeps keys and root key across restarts', async () => {
    // GIVEN
    const dataDir = freshDir();
    const first = await embeddedDeps({ dataDir });
    const key = fullKey();
    await first.deps.keys.putKey(key, { expectedRevision: null });
    const wrapped = await first.deps.rootKey.wrap(new Uint8Array([9]), { k: 'v' });
    await first.close();
    // WHEN
    const second = await embeddedDeps({ dataDir });
    try {
      // THEN
      expect((await stat(dataDir)).mode & 0o777).toBe(0o700);
      expect((await stat(join(dataDir, ROOT_KEY_FILE))).mode & 0o777).toBe(0o600);
      expect((await stat(join(dataDir, 'dynamodb'))).isDirectory()).toBe(true);
      expect(await second.deps.keys.getKey(key.scope, key.keyId)).toStrictEqual({ ...key, revision: 1 });
      expect(await second.deps.rootKey.unwrap(wrapped, { k: 'v' })).toEqual(new Uint8Array([9]));
    } finally {
      await second.close();
    }
  });

  test('at start, re-arms timers from the store and runs the overdue ones through onTimerDue', async () => {
    // GIVEN a stopped service that left one key overdue for deletion and one due later
    const dataDir = freshDir();
    const first = await embeddedDeps({ dataDir, events: { record: () => undefined } });
    const overdue = pendingDeletion(new Date(Date.now() - 1_000));
    const later = pendingDeletion(new Date(Date.now() + 7 * DAY_S * 1000));
    await first.deps.keys.putKey(overdue, { expectedRevision: null });
    await first.deps.keys.putKey(later, { expectedRevision: null });
    await first.deps.keys.createAlias({ scope: SCOPE_A, aliasName: 'alias/doomed', targetKeyId: overdue.keyId, creationDate: new Date(), lastUpdatedDate: new Date() });
    await first.close();
    // WHEN it starts again
    const events: ServiceEvent[] = [];
    const second = await embeddedDeps({ dataDir, events: { record: (e) => void events.push(e) } });
    try {
      // THEN the overdue key and its alias are gone already, and the later one has its timer
      expect(await second.deps.keys.getKey(SCOPE_A, overdue.keyId)).toBeUndefined();
      expect(await second.deps.keys.getAlias(SCOPE_A, 'alias/doomed')).toBeUndefined();
      expect(events).toEqual([expect.objectContaining({ eventName: 'DeleteKey', keyArn: overdue.arn })]);
      expect(second.timers.pending()).toEqual([deletionTimer(SCOPE_A, later.keyId, later.deletionDate!)]);
      expect(await second.deps.keys.getKey(SCOPE_A, later.keyId)).toBeDefined();
    } finally {
      await second.close();
    }
  });

  test('with clock control, advanceClock moves the service clock and runs the timers that became due', async () => {
    // GIVEN
    const events: ServiceEvent[] = [];
    const runtime = await embeddedDeps({ inMemory: true, clockControl: true, events: { record: (e) => void events.push(e) } });
    try {
      const key = pendingDeletion(new Date(runtime.clock.now().getTime() + 7 * DAY_S * 1000));
      await runtime.deps.keys.putKey(key, { expectedRevision: null });
      await runtime.deps.timers.arm(deletionTimer(key.scope, key.keyId, key.deletionDate!));
      // WHEN
      const before = runtime.clock.now().getTime();
      const now = await runtime.advanceClock(7 * DAY_S + 1);
      // THEN
      expect(now.getTime() - before).toBeGreaterThanOrEqual((7 * DAY_S + 1) * 1000);
      expect(await runtime.deps.keys.getKey(key.scope, key.keyId)).toBeUndefined();
      expect(events.map((e) => e.eventName)).toEqual(['DeleteKey']);
    } finally {
      await runtime.close();
    }
  });

  test('fails to advance the clock when clock control is off', async () => {
    const runtime = await embeddedDeps({ inMemory: true });
    try {
      await expect(runtime.advanceClock(60)).rejects.toThrow(/clock control is off/);
      expect(() => runtime.clock.advance(60)).toThrow(/clock control is off/);
    } finally {
      await runtime.close();
    }
  });

  test('fails to start when the root key file is readable by others', async () => {
    // GIVEN
    const dataDir = freshDir();
    await (await embeddedDeps({ dataDir })).close();
    await chmod(join(dataDir, ROOT_KEY_FILE), 0o644);
    // WHEN / THEN
    await expect(embeddedDeps({ dataDir })).rejects.toThrow(/accessible by group or others/);
  });

  test('fails to start while another instance uses the data directory', async () => {
    const dataDir = freshDir();
    const running = await embeddedDeps({ dataDir });
    try {
      await expect(embeddedDeps({ dataDir })).rejects.toThrow(/in use by another process/);
    } finally {
      await running.close();
    }
  });
});
