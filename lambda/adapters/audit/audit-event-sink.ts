/**
 * The EventSink of both runtimes: each service event (material expiry, key deletion, rotation)
 * becomes its AwsServiceEvent record in the audit trail, durably, and then goes on to the
 * runtime's other sinks (stdout lines, the log, the EventBridge bus).
 */
import { randomUUID } from 'node:crypto';
import type { AuditTrail, EventSink, ServiceEvent } from '../../core/ports';

export class AuditEventSink implements EventSink {
  constructor(
    private readonly trail: AuditTrail,
    private readonly next: readonly EventSink[] = [],
    private readonly newId: () => string = randomUUID,
  ) {}

  async record(event: ServiceEvent): Promise<void> {
    await this.trail.append({ eventType: 'AwsServiceEvent', eventId: this.newId(), event });
    for (const sink of this.next) await sink.record(event);
  }
}
