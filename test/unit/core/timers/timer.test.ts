/**
 * The timers' due times, names and payloads (lambda/core/timers/timer.ts): a timer goes through EventBridge Scheduler
 * as its wire form (the schedule's Input) and comes back to the timer function, which drops anything that is not one.
 */
import { describe, expect, test } from 'vitest';
import { deletionTimer, expiryTimer, rotationTimer, timerFromWire, timerToWire, type Timer } from '../../../../lambda/core/timers/timer';
import { TEST_SCOPE } from '../../../support/memory-deps';

const KEY_ID = '1234abcd-12ab-34cd-56ef-1234567890ab';
const AT = new Date('2026-03-01T12:00:00.000Z');
const AT_SECONDS = AT.getTime() / 1000;
const WIRE = { kind: 'DeletionDue', partition: 'aws', account: '111122223333', region: 'us-east-1', keyId: KEY_ID, at: '2026-03-01T12:00:00.000Z' };

describe('timers', () => {
  test.each([
    ['DeletionDue', deletionTimer, 'del'],
    ['MaterialExpired', expiryTimer, 'exp'],
    ['RotationDue', rotationTimer, 'rot'],
  ] as const)('%s: due at the given time, named <prefix>-<key id>-<due epoch second>, 51 characters', (kind, make, prefix) => {
    // WHEN
    const timer = make(TEST_SCOPE, KEY_ID, AT);
    // THEN
    expect(timer).toEqual({ kind, scope: TEST_SCOPE, keyId: KEY_ID, at: AT, name: `${prefix}-${KEY_ID}-${AT_SECONDS}` });
    expect(timer.name).toHaveLength(51);
    // a due time inside a second is named after the next second (the name rounds the due time up to a whole second)
    expect(make(TEST_SCOPE, KEY_ID, new Date(AT.getTime() + 1)).name).toBe(`${prefix}-${KEY_ID}-${AT_SECONDS + 1}`);
  });

  test('the wire form carries kind, scope, key id and due time as JSON, and reads back as the same timer of every kind', () => {
    expect(timerToWire(deletionTimer(TEST_SCOPE, KEY_ID, AT))).toEqual(WIRE);
    const timers: Timer[] = [deletionTimer(TEST_SCOPE, KEY_ID, AT), expiryTimer(TEST_SCOPE, KEY_ID, AT), rotationTimer({ partition: 'aws-cn', account: '444455556666', region: 'cn-north-1' }, KEY_ID, AT)];
    for (const timer of timers) {
      expect(timerFromWire(JSON.parse(JSON.stringify(timerToWire(timer))))).toEqual(timer);
    }
  });

  test.each([
    ['undefined', undefined],
    ['null', null],
    ['a string', JSON.stringify(WIRE)],
    ['a number', 42],
    ['an array', [WIRE]],
    ['an object of another kind', { ...WIRE, kind: 'KeyRotated' }],
    ['an object without a kind', { ...WIRE, kind: undefined }],
    ['an object without a partition', { ...WIRE, partition: undefined }],
    ['an object without an account', { ...WIRE, account: undefined }],
    ['an object without a region', { ...WIRE, region: undefined }],
    ['an object without a key id', { ...WIRE, keyId: undefined }],
    ['an object without a due time', { ...WIRE, at: undefined }],
    ['an object with a numeric account', { ...WIRE, account: 111122223333 }],
    ['an object with a due time that is not a date', { ...WIRE, at: 'soon' }],
  ])('reads %s as no timer (undefined)', (_what, payload) => {
    expect(timerFromWire(payload)).toBeUndefined();
  });
});
