/**
 * The audit trail of `--in-memory` mode, of `startKms()` and of unit tests: the newest `limit`
 * entries (by event time, all accounts and Regions together, D96), gone with the process. Without
 * the bound a benchmark's hundred thousand calls, or a long test suite, grew the heap without end.
 *
 * Entries are kept sorted by position (appends arrive nearly in time order, so an insert is at or
 * near the end); the oldest is dropped once there are more than `limit`. A read finds its starting
 * point by binary search instead of sorting the whole trail.
 *
 * Each event is held as one string (D98) of its facts (D140), `<position>\n<scope>\n<facts as JSON>`,
 * and its CloudTrail event is rendered from them only when it is read: an entry lives through
 * several young-generation collections before it is dropped, and a single flat string costs them a
 * copy of its bytes where an entry's dozen objects cost a dozen; the facts are a third of the
 * rendered event's size, and a call that is never read never pays for the rendering. '\n' sorts
 * below every character of a position, and JSON text holds none, so comparing held strings orders
 * them by position.
 */
import { ALIAS_RESOURCE_TYPE, type AuditEvent, type AuditResource, auditEventPlace, type JsonObject, KEY_RESOURCE_TYPE } from '../../core/audit/cloudtrail-event';
import type { Scope } from '../../core/model/key';
import type { Principal, PrincipalType } from '../../core/model/principal';
import type { AuditPosition, AuditTrail } from '../../core/ports';
import { checkPosition, entryOf, positionOf, positionRange, scopeKey } from './entry-codec';

/** How many entries an in-memory trail keeps by default (well under a KB each: a few MB in all). */
export const MEMORY_AUDIT_LIMIT = 10_000;

export class MemoryAuditTrail implements AuditTrail {
  /** Held entries sorted by position, ascending; the live ones are those from `first` on. */
  private entries: string[] = [];
  private first = 0;
  private readonly facts = new FactsWriter();

  constructor(private readonly limit: number = MEMORY_AUDIT_LIMIT) {
    if (!Number.isInteger(limit) || limit < 1) throw new RangeError(`audit limit must be a whole number of at least 1, not ${limit}`);
  }

  /** Kept when it returns: no promise (D130). */
  append(event: AuditEvent): void {
    const { scope, eventId, eventTime } = auditEventPlace(event);
    const held = this.facts.held(`${positionOf(validTime(eventTime), eventId)}\n${scopeKey(scope)}\n`, event);
    let i = this.entries.length;
    while (i > this.first && this.entries[i - 1]! > held) i--;
    if (i === this.entries.length) this.entries.push(held);
    else this.entries.splice(i, 0, held);
    if (this.entries.length - this.first > this.limit) this.first++;
    // Dropped entries are released in one copy once they are an eighth of the live ones.
    if (this.first > 0 && this.first * 8 >= this.limit) {
      this.entries = this.entries.slice(this.first);
      this.first = 0;
    }
  }

  async *read(scope: Scope, range: { readonly from: Date; readonly to: Date; readonly after?: AuditPosition }) {
    const key = scopeKey(scope);
    const { low, high } = positionRange(range.from, range.to);
    // Positions end in an event id and `high` in '~', above every id: below `high` is up to `to`.
    let before = range.after === undefined ? high : minimum(checkPosition(range.after), high);
    // The trail may change while the caller holds a yielded entry: find the place again after each.
    let i = this.below(before);
    while (i >= this.first) {
      const held = this.entries[i]!;
      const positionEnd = held.indexOf('\n');
      const position = held.slice(0, positionEnd);
      if (position < low) return;
      if (held.startsWith(`${key}\n`, positionEnd + 1)) {
        yield { entry: entryOf(eventOf(scope, position, held.slice(positionEnd + key.length + 2))), position };
        before = position;
        i = this.below(before);
      } else {
        i--;
      }
    }
  }

  /** The index of the newest live entry whose position is below `position` (first - 1 if none). */
  private below(position: string): number {
    let lo = this.first;
    let hi = this.entries.length;
    while (lo < hi) {
      const mid = (lo + hi) >>> 1;
      if (this.entries[mid]! < position) lo = mid + 1;
      else hi = mid;
    }
    return lo - 1;
  }
}

function minimum(a: string, b: string): string {
  return a < b ? a : b;
}

/**
 * The JSON text of a string most calls repeat (a client's user agent and address, a caller's ARN, a
 * key's ARN, the action): kept for the last value seen, so a run of calls from one client escapes
 * each such string once instead of on every call.
 */
class JsonTextMemo {
  private value: string | undefined;
  private text = '';

  of(value: unknown): string {
    if (typeof value !== 'string') return element(value);
    if (value !== this.value) {
      this.text = JSON.stringify(value);
      this.value = value;
    }
    return this.text;
  }
}

/** How JSON.stringify writes `value` as an element of an array (undefined, a function or a symbol as null). */
function element(value: unknown): string {
  return value == null ? 'null' : (JSON.stringify(value) ?? 'null');
}

/**
 * An event's facts as JSON text, an array whose first element tells a call (0) from a service event
 * (1); its position holds its time and id, the held string its scope. A principal's values that its
 * ARN or the scope give are 0, absent ones null: the bench's Encrypt by an account's root holds 340
 * characters of facts where its rendered CloudTrail event has 860. A call's array is written element
 * by element, exactly as JSON.stringify writes the array, with the repeated strings' text memoized.
 */
class FactsWriter {
  private readonly eventName = new JsonTextMemo();
  private readonly sourceIp = new JsonTextMemo();
  private readonly userAgent = new JsonTextMemo();
  private readonly principalType = new JsonTextMemo();
  private readonly principalArn = new JsonTextMemo();
  private readonly accessKeyId = new JsonTextMemo();
  private readonly resourceArn = new JsonTextMemo();

  /**
   * `head` followed by the event's facts. A call's are written as pieces joined once: one flat string
   * where a chain of concatenations made a few dozen intermediate strings per call, then a copy.
   */
  held(head: string, event: AuditEvent): string {
    if (event.eventType === 'AwsServiceEvent') {
      const { eventTime: _eventTime, ...rest } = event.event; // the position holds it
      return head + JSON.stringify([1, rest]);
    }
    const { call } = event;
    const { caller, scope, error } = call;
    const { principal } = caller;
    const parts = [
      head, '[0,', this.eventName.of(call.eventName), call.readOnly ? ',1,' : ',0,', element(call.requestId), ',', this.sourceIp.of(call.sourceIp), ',',
      this.userAgent.of(call.userAgent), ',', this.principalType.of(principal.type), ',', this.principalArn.of(principal.arn), ',',
      principal.principalArn === principal.arn ? '0' : element(principal.principalArn), ',', principal.partition === scope.partition ? '0' : element(principal.partition), ',',
      principal.account === scope.account ? '0' : element(principal.account), ',', element(principal.name), ',', element(principal.sessionName), ',',
      this.accessKeyId.of(caller.accessKeyId), ',', caller.issuedAt === undefined ? 'null' : element(validTime(caller.issuedAt).getTime()), ',',
      element(call.requestParameters), ',', element(call.responseElements), ',', error === undefined ? 'null' : element([error.code, error.message]),
    ];
    for (const r of call.resources) parts.push(r.type === ALIAS_RESOURCE_TYPE ? ',"a",' : ',"k",', this.resourceArn.of(r.arn));
    parts.push(']');
    return parts.join('');
  }
}

type Facts = readonly [
  kind: 0,
  eventName: string,
  readOnly: 0 | 1,
  requestId: string,
  sourceIp: string,
  userAgent: string,
  type: PrincipalType,
  arn: string,
  principalArn: string | 0,
  partition: string | 0,
  account: string | 0,
  name: string | null,
  sessionName: string | null,
  accessKeyId: string | null,
  issuedAt: number | null,
  requestParameters: JsonObject | null,
  responseElements: JsonObject | null,
  error: readonly [code: string, message: string] | null,
  /** Each resource as two elements: `k` (a key) or `a` (an alias), then its ARN. */
  ...resources: string[],
];

/** The event whose facts `FactsWriter.held` wrote, at `position` (`<epoch ms, 15 digits>#<eventId>`) in `scope`'s history. */
function eventOf(scope: Scope, position: string, facts: string): AuditEvent {
  const hash = position.indexOf('#');
  const eventId = position.slice(hash + 1);
  // Leading zeros pad the time to 15 digits (a time before 1970 would be `00…0-123`).
  const eventTime = new Date(Number(position.slice(0, hash).replace(/^0+(?=.)/, '')));
  const parsed = JSON.parse(facts) as Facts | readonly [1, Record<string, unknown>];
  if (parsed[0] === 1) return { eventType: 'AwsServiceEvent', eventId, event: { ...parsed[1], eventTime } as never };
  const [, eventName, readOnly, requestId, sourceIp, userAgent, type, arn, principalArn, partition, account, name, sessionName, accessKeyId, issuedAt, requestParameters, responseElements, error, ...res] = parsed;
  const principal: Principal = {
    type,
    partition: partition === 0 ? scope.partition : partition,
    account: account === 0 ? scope.account : account,
    arn,
    principalArn: principalArn === 0 ? arn : principalArn,
    ...(name !== null && { name }),
    ...(sessionName !== null && { sessionName }),
  };
  const resources: AuditResource[] = [];
  for (let i = 0; i < res.length; i += 2) resources.push({ type: res[i] === 'a' ? ALIAS_RESOURCE_TYPE : KEY_RESOURCE_TYPE, arn: res[i + 1]! });
  return {
    eventType: 'AwsApiCall',
    call: {
      scope,
      caller: { principal, ...(accessKeyId !== null && { accessKeyId }), ...(issuedAt !== null && { issuedAt: new Date(issuedAt) }) },
      eventName,
      eventTime,
      eventId,
      requestId,
      sourceIp,
      userAgent,
      readOnly: readOnly === 1,
      requestParameters,
      responseElements,
      resources,
      ...(error !== null && { error: { code: error[0], message: error[1] } }),
    },
  };
}

/** A time the rendered event can show: an invalid one fails the append, as rendering it would have. */
function validTime(date: Date): Date {
  if (Number.isNaN(date.getTime())) throw new RangeError('Invalid time value');
  return date;
}
