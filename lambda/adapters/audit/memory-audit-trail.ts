/**
 * The audit trail of `--in-memory` mode, of `startKms()` and of unit tests: the newest `limit`
 * entries (by event time, all accounts and Regions together, D96), gone with the process. Without
 * the bound a benchmark's hundred thousand calls, or a long test suite, grew the heap without end.
 *
 * Entries are kept sorted by position (appends arrive nearly in time order, so an insert is at or
 * near the end); the oldest is dropped once there are more than `limit`. A read finds its starting
 * point by binary search instead of sorting the whole trail.
 *
 * Each entry is held as one string (D98), `<position>\n<scope>\n<stored fields as JSON>\n<CloudTrail
 * event>`, decoded again only when it is read: an entry lives through several young-generation
 * collections before it is dropped, and a single flat string costs them a copy of its bytes where an
 * entry's dozen objects cost a dozen. '\n' sorts below every character of a position, and JSON text
 * holds none, so comparing held strings orders them by position.
 */
import type { AuditEntry } from '../../core/audit/cloudtrail-event';
import type { Scope } from '../../core/model/key';
import type { AuditPosition, AuditTrail } from '../../core/ports';
import { checkPosition, fromStoredFields, positionOf, positionRange, scopeKey, type StoredFields, toStoredFields } from './entry-codec';

/** How many entries an in-memory trail keeps by default (a few KB each: tens of MB at most). */
export const MEMORY_AUDIT_LIMIT = 10_000;

export class MemoryAuditTrail implements AuditTrail {
  /** Held entries sorted by position, ascending; the live ones are those from `first` on. */
  private entries: string[] = [];
  private first = 0;

  constructor(private readonly limit: number = MEMORY_AUDIT_LIMIT) {
    if (!Number.isInteger(limit) || limit < 1) throw new RangeError(`audit limit must be a whole number of at least 1, not ${limit}`);
  }

  async append(entry: AuditEntry): Promise<void> {
    const held = `${positionOf(entry.eventTime, entry.eventId)}\n${scopeKey(entry.scope)}\n${JSON.stringify(toStoredFields(entry))}\n${entry.cloudTrailEvent}`;
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
        yield { entry: decode(scope, held, positionEnd + key.length + 2), position };
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

/** The entry a held string holds, from `fieldsAt`: its stored fields and, after them, its CloudTrail event. */
function decode(scope: Scope, held: string, fieldsAt: number): AuditEntry {
  const eventAt = held.indexOf('\n', fieldsAt);
  return fromStoredFields(scope, JSON.parse(held.slice(fieldsAt, eventAt)) as StoredFields, held.slice(eventAt + 1));
}
