/** The audit trail of `--in-memory` mode and of unit tests: entries in an array, gone with the process. */
import type { AuditEntry } from '../../core/audit/cloudtrail-event';
import type { AuditPosition, AuditTrail } from '../../core/ports';
import type { Scope } from '../../core/model/key';
import { checkPosition, positionOf, positionRange, scopeKey } from './entry-codec';

export class MemoryAuditTrail implements AuditTrail {
  private readonly entries: { readonly scope: string; readonly position: string; readonly entry: AuditEntry }[] = [];

  async append(entry: AuditEntry): Promise<void> {
    this.entries.push({ scope: scopeKey(entry.scope), position: positionOf(entry.eventTime, entry.eventId), entry });
  }

  async *read(scope: Scope, range: { readonly from: Date; readonly to: Date; readonly after?: AuditPosition }) {
    const key = scopeKey(scope);
    const { low, high } = positionRange(range.from, range.to);
    const before = range.after === undefined ? high : checkPosition(range.after);
    const selected = this.entries
      .filter((e) => e.scope === key && e.position >= low && e.position <= high && e.position < before)
      .sort((a, b) => (a.position < b.position ? 1 : -1));
    for (const { entry, position } of selected) yield { entry, position };
  }
}
