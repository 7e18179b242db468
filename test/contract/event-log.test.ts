/** JsonLineEventSink: one JSON line per service event. */
import { describe, expect, test } from 'vitest';
import { JsonLineEventSink } from '../../lambda/adapters/embedded/event-log';

describe('JsonLineEventSink', () => {
  test('writes each event as one structured JSON line', () => {
    // GIVEN
    const lines: string[] = [];
    const sink = new JsonLineEventSink((line) => lines.push(line));
    const keyArn = 'arn:aws:kms:us-east-1:111122223333:key/1234abcd-12ab-34cd-56ef-1234567890ab';
    // WHEN
    sink.record({ eventName: 'DeleteExpiredKeyMaterial', keyArn, keyMaterialId: 'ab'.repeat(32), eventTime: new Date('2030-01-01T00:00:00Z') });
    sink.record({ eventName: 'DeleteKey', keyArn, eventTime: new Date('2030-01-02T00:00:00Z') });
    // THEN
    expect(lines.every((l) => l.endsWith('\n') && !l.slice(0, -1).includes('\n'))).toBe(true);
    expect(lines.map((l) => JSON.parse(l))).toEqual([
      { level: 'INFO', event: 'DeleteExpiredKeyMaterial', keyArn, keyMaterialId: 'ab'.repeat(32), time: '2030-01-01T00:00:00.000Z' },
      { level: 'INFO', event: 'DeleteKey', keyArn, time: '2030-01-02T00:00:00.000Z' },
    ]);
  });
});
