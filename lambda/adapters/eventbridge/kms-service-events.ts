/**
 * The deployed stack's EventBridge bus gets the events AWS KMS sends to EventBridge (D107), with
 * AWS's `detail-type` and `detail`:
 *
 *   KMS Imported Key Material Expiration  {"key-id", "key-material-id"}
 *   KMS CMK Deletion                      {"key-id"}
 *   KMS CMK Rotation                      {"key-id", "key-origin", "rotation-type", "previous-key-material-id", "current-key-material-id"}
 *
 * `source` is `byok-kms`: EventBridge reserves `aws.*` sources for AWS services. Delivery is best
 * effort, as AWS's is: a failed PutEvents is logged, never thrown (the audit trail holds the event).
 */
import { type EventBridgeClient, PutEventsCommand } from '@aws-sdk/client-eventbridge';
import { cloudTrailTime, keyArnParts } from '../../core/audit/cloudtrail-event';
import type { EventSink, ServiceEvent } from '../../core/ports';

export const EVENT_SOURCE = 'byok-kms';

export interface EventBridgeEntry {
  readonly source: string;
  readonly detailType: string;
  readonly resources: readonly string[];
  readonly detail: Readonly<Record<string, string>>;
  readonly time: Date;
}

export function eventBridgeEntry(event: ServiceEvent): EventBridgeEntry {
  const { keyId } = keyArnParts(event.keyArn);
  const common = { source: EVENT_SOURCE, resources: [event.keyArn], time: event.eventTime };
  switch (event.eventName) {
    case 'DeleteExpiredKeyMaterial':
      return { ...common, detailType: 'KMS Imported Key Material Expiration', detail: { 'key-id': keyId, 'key-material-id': event.keyMaterialId } };
    case 'DeleteKey':
      return { ...common, detailType: 'KMS CMK Deletion', detail: { 'key-id': keyId } };
    case 'RotateKey':
      return {
        ...common,
        detailType: 'KMS CMK Rotation',
        detail: {
          'key-id': keyId,
          'key-origin': event.keyOrigin,
          'rotation-type': event.rotationType,
          ...(event.previousKeyMaterialId !== undefined && { 'previous-key-material-id': event.previousKeyMaterialId }),
          'current-key-material-id': event.currentKeyMaterialId,
        },
      };
  }
}

export class EventBridgeServiceEvents implements EventSink {
  constructor(
    private readonly client: EventBridgeClient,
    private readonly busName: string,
    private readonly log: (message: string, attributes: Record<string, unknown>) => void,
  ) {}

  async record(event: ServiceEvent): Promise<void> {
    const entry = eventBridgeEntry(event);
    try {
      const out = await this.client.send(
        new PutEventsCommand({
          Entries: [
            {
              EventBusName: this.busName,
              Source: entry.source,
              DetailType: entry.detailType,
              Resources: [...entry.resources],
              Detail: JSON.stringify(entry.detail),
              Time: entry.time,
            },
          ],
        }),
      );
      if ((out.FailedEntryCount ?? 0) > 0) throw new Error(out.Entries?.[0]?.ErrorMessage ?? 'PutEvents failed');
    } catch (err) {
      this.log('service event not delivered to EventBridge', { event: entry.detailType, keyArn: event.keyArn, time: cloudTrailTime(event.eventTime), error: (err as Error).name });
    }
  }
}
