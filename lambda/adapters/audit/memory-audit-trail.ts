/**
 * The audit trail of `--in-memory` mode, of `startKms()` and of unit tests: the newest `limit`
 * entries (by event time, all accounts and Regions together, D96), gone with the process. Without
 * the bound a benchmark's hundred thousand calls, or a long test suite, grew the heap without end.
 *
 * Entries are kept sorted by position (appends arrive nearly in time order, so an insert is at or
 * near the end); the oldest is dropped once there are more than `limit`. A read finds its starting
 * point by binary search instead of sorting the whole trail.
 */
import type { AuditEntry } from '../../core/audit/cloudtrail-event';
import type { Scope } from '../../core/model/key';
import type { AuditPosition, AuditTrail } from '../../core/ports';
import { checkPosition, positionOf, positionRange, scopeKey } from './entry-codec';

/** How many entries an in-memory trail keeps by default (a few KB each: tens of MB at most). */
export const MEMORY_AUDIT_LIMIT = 10_000;

interface Held {
  readonly scope: string;
  readonly position: string;
  readonly entry: AuditEntry;
}

export class MemoryAuditTrail implements AuditTrail {
  /** Sorted by position, ascending; the live entries are those from `first` on. */
  private entries: Held[] = [];
  private first = 0;

  constructor(private readonly limit: number = MEMORY_AUDIT_LIMIT) {
    if (!Number.isInteger(limit) || limit < 1) throw new RangeError(`audit limit must be a whole number of at least 1, not ${limit}`);
  }

  async append(entry: AuditEntry): Promise<void> {
    const held: Held = { scope: scopeKey(entry.scope), position: positionOf(entry.eventTime, entry.eventId), entry };
    let i = this.entries.length;
    while (i > this.first && this.entries[i - 1]!.position > held.position) i--;
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
      const { scope: held, position, entry } = this.entries[i]!;
      if (position < low) return;
      if (held === key) {
        yield { entry, position };
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
      if (this.entries[mid]!.position < position) lo = mid + 1;
      else hi = mid;
    }
    return lo - 1;
  }
}

function minimum(a: string, b: string): string {
  return a < b ? a : b;
}
