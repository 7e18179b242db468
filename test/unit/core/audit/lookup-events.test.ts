/** LookupEvents' refusals (D105): CloudTrail's exception names, this service's messages, HTTP 400 (client faults). */
import { describe, expect, test } from 'vitest';
import { MemoryAuditTrail } from '../../../../lambda/adapters/audit/memory-audit-trail';
import { entryOf } from '../../../../lambda/adapters/audit/entry-codec';
import type { AuditEvent, AuditResource } from '../../../../lambda/core/audit/cloudtrail-event';
import type { Scope } from '../../../../lambda/core/model/key';
import { principalOf, rootPrincipal } from '../../../../lambda/core/model/principal';
import type { AuditTrail } from '../../../../lambda/core/ports';
import { type LookupAttributeKey, lookupEvents } from '../../../../lambda/core/operations/cloudtrail/lookup-events';
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

const NOW = new Date('2026-06-01T12:00:00Z');
const DAY_MS = 86_400_000;
const KEY = `arn:aws:kms:us-east-1:${TEST_CTX.scope.account}:key/1234abcd-12ab-34cd-56ef-1234567890ab`;
const ago = (days: number) => new Date(NOW.getTime() - days * DAY_MS);
let sequence = 0;

/**
 * An event of the test account's trail and the entry it is read back as: a DeleteKey is a service
 * event (no caller); any other a call by the IAM user `username`, else by the account's root.
 */
function entry(fields: { scope?: Scope; eventTime?: Date; eventName?: string; readOnly?: boolean; username?: string; accessKeyId?: string; resources?: AuditResource[] } = {}) {
  sequence += 1;
  const eventId = `00000000-0000-4000-8000-${String(sequence).padStart(12, '0')}`;
  const eventTime = fields.eventTime ?? ago(1);
  const scope = fields.scope ?? TEST_CTX.scope;
  const event: AuditEvent =
    fields.eventName === 'DeleteKey'
      ? { eventType: 'AwsServiceEvent', eventId, event: { eventName: 'DeleteKey', keyArn: KEY, eventTime } }
      : {
          eventType: 'AwsApiCall',
          call: {
            scope,
            caller: {
              principal: fields.username ? principalOf(`arn:aws:iam::${scope.account}:user/${fields.username}`, '') : rootPrincipal(scope.partition, scope.account),
              ...(fields.accessKeyId !== undefined && { accessKeyId: fields.accessKeyId }),
            },
            eventName: fields.eventName ?? 'Encrypt',
            eventTime,
            eventId,
            requestId: eventId,
            sourceIp: '127.0.0.1',
            userAgent: 'aws-cli/1.44.0',
            readOnly: fields.readOnly ?? true,
            requestParameters: null,
            responseElements: null,
            resources: fields.resources ?? [],
          },
        };
  return { ...entryOf(event), event };
}

async function trailOf(...entries: { event: AuditEvent }[]) {
  const trail = new MemoryAuditTrail();
  for (const e of entries) await trail.append(e.event);
  const deps = memoryDeps();
  deps.clock.set(NOW);
  const lookup = lookupEvents(trail);
  return (input: Parameters<typeof lookup>[2] = {}) => lookup(deps, TEST_CTX, input);
}

const ids = (out: { Events: readonly { EventId: string }[] }) => out.Events.map((e) => e.EventId);

describe('LookupEvents answers', () => {
  test("the account's events in its Region, newest first, each with the members CloudTrail gives it", async () => {
    const call = entry({ eventTime: ago(2), username: 'Alice', accessKeyId: 'AKIAEXAMPLE000ALICE1', resources: [{ type: 'AWS::KMS::Key', arn: KEY }] });
    const service = entry({ eventTime: ago(1), eventName: 'DeleteKey', readOnly: false });
    const elsewhere = entry({ scope: { ...TEST_CTX.scope, account: '444455556666' } });
    const lookup = await trailOf(call, service, elsewhere);
    expect(await lookup()).toStrictEqual({
      Events: [
        {
          EventId: service.eventId,
          EventName: 'DeleteKey',
          ReadOnly: 'false',
          EventTime: service.eventTime,
          EventSource: 'kms.amazonaws.com',
          Resources: [{ ResourceType: 'AWS::KMS::Key', ResourceName: KEY }],
          CloudTrailEvent: service.cloudTrailEvent,
        },
        {
          EventId: call.eventId,
          EventName: 'Encrypt',
          ReadOnly: 'true',
          AccessKeyId: 'AKIAEXAMPLE000ALICE1',
          EventTime: call.eventTime,
          EventSource: 'kms.amazonaws.com',
          Username: 'Alice',
          Resources: [{ ResourceType: 'AWS::KMS::Key', ResourceName: KEY }],
          CloudTrailEvent: call.cloudTrailEvent,
        },
      ],
    });
  });

  test('each lookup attribute keeps the events whose member has that value', async () => {
    const a = entry({ eventName: 'Encrypt', readOnly: true, username: 'Alice', accessKeyId: 'AKIAEXAMPLE000ALICE1', resources: [{ type: 'AWS::KMS::Key', arn: KEY }] });
    const b = entry({ eventName: 'CreateAlias', readOnly: false, username: 'Bob', accessKeyId: 'AKIAEXAMPLE00000BOB1', resources: [{ type: 'AWS::KMS::Alias', arn: 'arn:aws:kms:us-east-1:111122223333:alias/x' }] });
    const lookup = await trailOf(a, b);
    const only = async (AttributeKey: LookupAttributeKey, AttributeValue: string) =>
      ids(await lookup({ LookupAttributes: [{ AttributeKey, AttributeValue }] }));
    expect(await only('EventId', a.eventId)).toStrictEqual([a.eventId]);
    expect(await only('EventName', 'CreateAlias')).toStrictEqual([b.eventId]);
    expect(await only('ReadOnly', 'true')).toStrictEqual([a.eventId]);
    expect(await only('ReadOnly', 'false')).toStrictEqual([b.eventId]);
    expect(await only('Username', 'Bob')).toStrictEqual([b.eventId]);
    expect(await only('ResourceType', 'AWS::KMS::Key')).toStrictEqual([a.eventId]);
    expect(await only('ResourceName', KEY)).toStrictEqual([a.eventId]);
    expect(await only('EventSource', 'kms.amazonaws.com')).toStrictEqual([b.eventId, a.eventId]);
    expect(await only('EventSource', 'other.amazonaws.com')).toStrictEqual([]);
    expect(await only('AccessKeyId', 'AKIAEXAMPLE000ALICE1')).toStrictEqual([a.eventId]);
    expect(await only('EventName', 'Decrypt')).toStrictEqual([]);
  });

  test('a resource filter matches any of the resources of an event', async () => {
    const two = entry({ resources: [{ type: 'AWS::KMS::Alias', arn: 'arn:aws:kms:us-east-1:111122223333:alias/x' }, { type: 'AWS::KMS::Key', arn: KEY }] });
    const lookup = await trailOf(two, entry());
    expect(ids(await lookup({ LookupAttributes: [{ AttributeKey: 'ResourceType', AttributeValue: 'AWS::KMS::Key' }] }))).toStrictEqual([two.eventId]);
    expect(ids(await lookup({ LookupAttributes: [{ AttributeKey: 'ResourceName', AttributeValue: KEY }] }))).toStrictEqual([two.eventId]);
  });

  test('pages of MaxResults (50 by default): the NextToken resumes after the last event returned, for the same query only', async () => {
    const entries = Array.from({ length: 51 }, (_, i) => entry({ eventTime: new Date(ago(1).getTime() + i * 1000) }));
    const lookup = await trailOf(...entries);
    const newestFirst = entries.map((e) => e.eventId).reverse();
    const first = await lookup();
    expect(ids(first)).toStrictEqual(newestFirst.slice(0, 50));
    expect(await lookup({ NextToken: first.NextToken })).toStrictEqual({ Events: [expect.objectContaining({ EventId: newestFirst[50] })] });
    const small = await lookup({ MaxResults: 20 });
    expect(ids(small)).toStrictEqual(newestFirst.slice(0, 20));
    expect(ids(await lookup({ MaxResults: 20, NextToken: small.NextToken }))).toStrictEqual(newestFirst.slice(20, 40));
    // the token of a query with a filter is refused for the query without it
    const filtered = await lookup({ MaxResults: 1, LookupAttributes: [{ AttributeKey: 'EventName', AttributeValue: 'Encrypt' }] });
    await expect(lookup({ MaxResults: 1, NextToken: filtered.NextToken })).rejects.toMatchObject({ name: 'InvalidNextTokenException' });
    await expect(lookup({ MaxResults: 1, NextToken: filtered.NextToken, LookupAttributes: [{ AttributeKey: 'EventName', AttributeValue: 'Decrypt' }] })).rejects.toMatchObject({ name: 'InvalidNextTokenException' });
    expect(ids(await lookup({ MaxResults: 1, NextToken: filtered.NextToken, LookupAttributes: [{ AttributeKey: 'EventName', AttributeValue: 'Encrypt' }] }))).toStrictEqual([newestFirst[1]]);
  });

  test('a token of the same query whose position is not a string is InvalidNextTokenException', async () => {
    const lookup = await trailOf(entry(), entry());
    const query = JSON.stringify([[], null, null, null]);
    for (const p of [7, null]) {
      await expect(lookup({ NextToken: Buffer.from(JSON.stringify({ q: query, p })).toString('base64url') })).rejects.toMatchObject({ name: 'InvalidNextTokenException' });
    }
    await expect(lookup({ NextToken: Buffer.from('null').toString('base64url') })).rejects.toMatchObject({ name: 'InvalidNextTokenException' });
  });

  test('the time range: the last 90 days at most, StartTime and EndTime inclusive, one instant allowed', async () => {
    const old = entry({ eventTime: ago(91) });
    const within = entry({ eventTime: ago(89) });
    const recent = entry({ eventTime: ago(1) });
    const lookup = await trailOf(old, within, recent);
    expect(ids(await lookup())).toStrictEqual([recent.eventId, within.eventId]);
    expect(ids(await lookup({ StartTime: ago(200) }))).toStrictEqual([recent.eventId, within.eventId]);
    expect(ids(await lookup({ StartTime: ago(2) }))).toStrictEqual([recent.eventId]);
    expect(ids(await lookup({ EndTime: ago(50) }))).toStrictEqual([within.eventId]);
    expect(ids(await lookup({ StartTime: ago(89), EndTime: ago(89) }))).toStrictEqual([within.eventId]);
    expect(ids(await lookup({ StartTime: ago(91), EndTime: ago(91) }))).toStrictEqual([]);
    expect(ids(await lookup({ EndTime: ago(95) }))).toStrictEqual([]);
  });

  test('EventCategory insight finds nothing: there are no Insights events here', async () => {
    const lookup = await trailOf(entry());
    expect(await lookup({ EventCategory: 'insight' })).toStrictEqual({ Events: [] });
  });
});

describe('LookupEvents and the trail it reads', () => {
  test('a range that is empty (EndTime before the 90 days) is answered without a read: DynamoDB refuses a BETWEEN whose bounds are inverted', async () => {
    const memory = new MemoryAuditTrail();
    await memory.append(entry({ eventTime: ago(95) }).event);
    const ranges: { from: Date; to: Date }[] = [];
    const strict: AuditTrail = {
      append: (e) => memory.append(e),
      read(scope, range) {
        ranges.push(range);
        if (range.from > range.to) throw new Error('ValidationException: the BETWEEN operator requires upper bound to be greater than or equal to lower bound');
        return memory.read(scope, range);
      },
    };
    const deps = memoryDeps();
    deps.clock.set(NOW);
    expect(await lookupEvents(strict)(deps, TEST_CTX, { EndTime: ago(95) })).toStrictEqual({ Events: [] });
    expect(await lookupEvents(strict)(deps, TEST_CTX, { StartTime: ago(95), EndTime: ago(95) })).toStrictEqual({ Events: [] });
    expect(ranges).toStrictEqual([]);
  });
});
