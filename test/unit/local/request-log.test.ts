import { describe, expect, test } from 'vitest';
import { createRequestLog, formatRequestLine } from '../../../lambda/local/request-log';
import type { RequestRecord } from '../../../lambda/local/server';

const AT = new Date('2026-05-01T12:00:00.123Z');
const ID = '8f0c1a2b-3c4d-4e5f-8a9b-0c1d2e3f4a5b';

describe('formatRequestLine', () => {
  test('writes time, action, status, duration, key and request id', () => {
    const record: RequestRecord = { requestId: ID, what: 'CreateKey', keyRef: '1234abcd-12ab-34cd-56ef-1234567890ab', status: 200, durationMs: 3.14159 };
    expect(formatRequestLine(record, AT)).toBe(`2026-05-01T12:00:00.123Z CreateKey 200 3.1ms key=1234abcd-12ab-34cd-56ef-1234567890ab req=${ID}`);
  });

  test('puts the error type after the status, and leaves out a missing key', () => {
    const record: RequestRecord = { requestId: ID, what: 'POST /elsewhere', status: 404, error: 'UnknownOperationException', durationMs: 0.25 };
    expect(formatRequestLine(record, AT)).toBe(`2026-05-01T12:00:00.123Z POST /elsewhere 404 UnknownOperationException 0.3ms req=${ID}`);
  });

  test('lets no request text add a field, a line or a quote', () => {
    const record: RequestRecord = { requestId: ID, what: 'GET /a"b\\c\nd', keyRef: 'alias/x y\r\n"z"', status: 403, durationMs: 1 };
    const line = formatRequestLine(record, AT);
    expect(line).toBe(`2026-05-01T12:00:00.123Z GET /a?b?c?d 403 1.0ms key=alias/x?y???z? req=${ID}`);
    expect(line).not.toMatch(/["\\\n\r]/);
  });

  test('shortens a very long key reference', () => {
    const line = formatRequestLine({ requestId: ID, what: 'DescribeKey', keyRef: 'k'.repeat(5000), status: 400, error: 'ValidationException', durationMs: 1 }, AT);
    expect(line.length).toBeLessThan(400);
  });
});

describe('createRequestLog', () => {
  test('writes the lines of one event-loop turn at once, in order', async () => {
    const writes: string[] = [];
    const log = createRequestLog((text) => writes.push(text), () => AT);
    log.record({ requestId: ID, what: 'ListKeys', status: 200, durationMs: 1 });
    log.record({ requestId: ID, what: 'DescribeKey', status: 200, durationMs: 2 });
    expect(writes).toEqual([]);
    await new Promise((r) => setImmediate(r));
    expect(writes).toHaveLength(1);
    expect(writes[0]!.split('\n')).toEqual([expect.stringContaining(' ListKeys 200 '), expect.stringContaining(' DescribeKey 200 '), '']);
  });

  test('flush() writes what is pending at once, and nothing twice', async () => {
    const writes: string[] = [];
    const log = createRequestLog((text) => writes.push(text), () => AT);
    log.record({ requestId: ID, what: 'ListKeys', status: 200, durationMs: 1 });
    log.flush();
    expect(writes).toHaveLength(1);
    await new Promise((r) => setImmediate(r));
    expect(writes).toHaveLength(1);
  });
});
