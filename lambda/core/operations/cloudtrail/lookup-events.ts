import { type AuditEntry, RETENTION_DAYS } from '../../audit/cloudtrail-event';
import { InvalidLookupAttributesException, InvalidNextTokenException, InvalidTimeRangeException } from '../../audit/errors';
import type { AuditPosition, AuditTrail } from '../../ports';
import type { Operation } from '../types';

const DAY_MS = 86_400_000;
const DEFAULT_MAX_RESULTS = 50;

export type LookupAttributeKey = 'EventId' | 'EventName' | 'ReadOnly' | 'Username' | 'ResourceType' | 'ResourceName' | 'EventSource' | 'AccessKeyId';

export interface LookupEventsInput {
  readonly LookupAttributes?: readonly { readonly AttributeKey: LookupAttributeKey; readonly AttributeValue: string }[];
  readonly StartTime?: Date;
  readonly EndTime?: Date;
  readonly EventCategory?: 'insight';
  readonly MaxResults?: number;
  readonly NextToken?: string;
}

export interface LookupEvent {
  readonly EventId: string;
  readonly EventName: string;
  readonly ReadOnly: 'true' | 'false';
  readonly AccessKeyId?: string;
  readonly EventTime: Date;
  readonly EventSource: string;
  readonly Username?: string;
  readonly Resources: readonly { readonly ResourceType: string; readonly ResourceName: string }[];
  readonly CloudTrailEvent: string;
}

export interface LookupEventsOutput {
  readonly Events: readonly LookupEvent[];
  readonly NextToken?: string;
}

const MATCHES: Readonly<Record<LookupAttributeKey, (entry: AuditEntry, value: string) => boolean>> = {
  EventId: (e, v) => e.eventId === v,
  EventName: (e, v) => e.eventName === v,
  ReadOnly: (e, v) => String(e.readOnly) === v,
  Username: (e, v) => e.username === v,
  ResourceType: (e, v) => e.resources.some((r) => r.type === v),
  ResourceName: (e, v) => e.resources.some((r) => r.arn === v),
  EventSource: (e, v) => e.eventSource === v,
  AccessKeyId: (e, v) => e.accessKeyId === v,
};

/** The token names the query it belongs to, so it cannot be replayed with other parameters. */
function encodeToken(query: string, position: AuditPosition): string {
  return Buffer.from(JSON.stringify({ q: query, p: position })).toString('base64url');
}

function decodeToken(token: string, query: string): AuditPosition {
  let parsed: unknown;
  try {
    parsed = JSON.parse(Buffer.from(token, 'base64url').toString('utf8'));
  } catch (cause) {
    // Stryker disable next-line ObjectLiteral: the cause is for the log; the answer is the exception's type and message
    throw new InvalidNextTokenException(undefined, { cause });
  }
  const { q, p } = (parsed ?? {}) as { q?: unknown; p?: unknown };
  // Stryker disable next-line ConditionalExpression: `typeof p !== 'string'` -> false is equivalent: every AuditTrail refuses a position it did not issue with the same InvalidNextTokenException (the others, killed by the token tests, share the name)
  if (q !== query || typeof p !== 'string') throw new InvalidNextTokenException();
  return p;
}

function toEvent(entry: AuditEntry): LookupEvent {
  return {
    EventId: entry.eventId,
    EventName: entry.eventName,
    ReadOnly: entry.readOnly ? 'true' : 'false',
    ...(entry.accessKeyId !== undefined && { AccessKeyId: entry.accessKeyId }),
    EventTime: entry.eventTime,
    EventSource: entry.eventSource,
    ...(entry.username !== undefined && { Username: entry.username }),
    Resources: entry.resources.map((r) => ({ ResourceType: r.type, ResourceName: r.arn })),
    CloudTrailEvent: entry.cloudTrailEvent,
  };
}

/**
 * CloudTrail's LookupEvents over this service's audit trail: the caller's account and Region only,
 * the last 90 days, newest first, at most one lookup attribute, MaxResults 1–50 (default 50).
 * Insights events do not exist here, so `EventCategory: insight` finds none.
 * @see https://docs.aws.amazon.com/awscloudtrail/latest/APIReference/API_LookupEvents.html
 */
export function lookupEvents(audit: AuditTrail): Operation<LookupEventsInput, LookupEventsOutput> {
  return async (deps, ctx, input) => {
    const attributes = input.LookupAttributes ?? [];
    if (attributes.length > 1) throw new InvalidLookupAttributesException('You can specify only one lookup attribute.');
    // Stryker disable next-line ConditionalExpression,LogicalOperator: `input.StartTime && input.EndTime` -> true and `||` are equivalent: a comparison with an absent time is false (the comparison's mutants, killed by the range tests, share the names)
    if (input.StartTime && input.EndTime && input.StartTime > input.EndTime) {
      throw new InvalidTimeRangeException('The start time must be before the end time.');
    }
    const now = deps.clock.now();
    const earliest = new Date(now.getTime() - RETENTION_DAYS * DAY_MS);
    // Stryker disable next-line EqualityOperator: `>=` is equivalent: a StartTime equal to the earliest instant is that instant either way (`<=`, killed by the range tests, shares the name)
    const from = input.StartTime && input.StartTime > earliest ? input.StartTime : earliest;
    const to = input.EndTime ?? now;
    const query = JSON.stringify([attributes.map((a) => [a.AttributeKey, a.AttributeValue]), input.StartTime?.getTime(), input.EndTime?.getTime(), input.EventCategory]);
    const after = input.NextToken === undefined ? undefined : decodeToken(input.NextToken, query);
    if (input.EventCategory === 'insight' || from > to) return { Events: [] };

    const filter = attributes[0];
    const matches = filter ? (entry: AuditEntry) => MATCHES[filter.AttributeKey](entry, filter.AttributeValue) : () => true;
    const max = input.MaxResults ?? DEFAULT_MAX_RESULTS;
    const events: LookupEvent[] = [];
    let last: AuditPosition | undefined;
    // Stryker disable next-line ConditionalExpression: `after !== undefined` -> true is equivalent: every AuditTrail (memory, file, DynamoDB) reads an undefined `after` as none (`false`, killed by the paging tests, shares the name)
    for await (const { entry, position } of audit.read(ctx.scope, { from, to, ...(after !== undefined && { after }) })) {
      if (!matches(entry)) continue;
      // One match beyond the page: there is a next page, and it starts after the last one returned.
      if (events.length === max) return { Events: events, NextToken: encodeToken(query, last as AuditPosition) };
      events.push(toEvent(entry));
      last = position;
    }
    return { Events: events };
  };
}
