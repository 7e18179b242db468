/** LookupEvents' refusals (D105): CloudTrail's exception names, this service's messages, HTTP 400 (client faults). */
import { describe, expect, test } from 'vitest';
import { MemoryAuditTrail } from '../../../../lambda/adapters/audit/memory-audit-trail';
import { lookupEvents } from '../../../../lambda/core/operations/cloudtrail/lookup-events';
import { memoryDeps, TEST_CTX } from '../../../support/memory-deps';

const lookup = lookupEvents(new MemoryAuditTrail());
const refusal = async (input: Parameters<typeof lookup>[2]) => {
  try {
    await lookup(memoryDeps(), TEST_CTX, input);
  } catch (err) {
    return { name: (err as Error).name, type: (err as { type?: string }).type, fault: (err as { fault?: string }).fault, message: (err as Error).message };
  }
  throw new Error('accepted');
};

describe('LookupEvents refusals', () => {
  test('two lookup attributes: InvalidLookupAttributesException', async () => {
    const both = [{ AttributeKey: 'EventName', AttributeValue: 'Encrypt' }, { AttributeKey: 'ReadOnly', AttributeValue: 'true' }] as const;
    expect(await refusal({ LookupAttributes: both })).toEqual({ name: 'InvalidLookupAttributesException', type: 'InvalidLookupAttributesException', fault: 'client', message: 'You can specify only one lookup attribute.' });
  });

  test('StartTime after EndTime: InvalidTimeRangeException', async () => {
    expect(await refusal({ StartTime: new Date('2026-01-02T00:00:00Z'), EndTime: new Date('2026-01-01T00:00:00Z') })).toEqual({
      name: 'InvalidTimeRangeException',
      type: 'InvalidTimeRangeException',
      fault: 'client',
      message: 'The start time must be before the end time.',
    });
  });

  test('a NextToken that is not one of ours, or one of another query: InvalidNextTokenException', async () => {
    const invalid = { name: 'InvalidNextTokenException', type: 'InvalidNextTokenException', fault: 'client', message: 'Invalid NextToken.' };
    expect(await refusal({ NextToken: 'not a token' })).toEqual(invalid);
    const otherQuery = Buffer.from(JSON.stringify({ q: 'another query', p: 'x' })).toString('base64url');
    expect(await refusal({ NextToken: otherQuery })).toEqual(invalid);
  });
});
