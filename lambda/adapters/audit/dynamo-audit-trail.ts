/**
 * The deployed audit trail (D104): a DynamoDB table of its own, one item per event.
 *
 *   pk = `<partition>/<account>/<region>`   sk = position (`<epoch ms, 15 digits>#<eventId>`)
 *   f  = the lookup fields (JSON)           e  = the CloudTrail event, deflate-compressed (binary)
 *   expiresAt = eventTime + 90 days (epoch seconds): the table's TTL attribute
 *
 * The table has TTL (unlike the key table, design decision 1): TTL only removes what LookupEvents
 * no longer returns anyway (reads stop at 90 days), so its lag changes nothing a caller sees.
 * Compressing the event keeps a typical item under 1 KB: one write unit per request.
 */
import { deflateRawSync, inflateRawSync } from 'node:zlib';
import { type AttributeValue, type DynamoDBClient, PutItemCommand, QueryCommand } from '@aws-sdk/client-dynamodb';
import { type AuditEvent, RETENTION_DAYS } from '../../core/audit/cloudtrail-event';
import type { Scope } from '../../core/model/key';
import type { AuditPosition, AuditTrail } from '../../core/ports';
import { AUDIT_TTL_ATTRIBUTE } from './audit-table-schema';
import { checkPosition, entryOf, fromStoredFields, positionOf, positionRange, scopeKey, type StoredFields, toStoredFields } from './entry-codec';

const PAGE = 100;

export class DynamoAuditTrail implements AuditTrail {
  constructor(
    private readonly client: DynamoDBClient,
    private readonly tableName: string,
  ) {}

  async append(event: AuditEvent): Promise<void> {
    const entry = entryOf(event);
    await this.client.send(
      new PutItemCommand({
        TableName: this.tableName,
        Item: {
          pk: { S: scopeKey(entry.scope) },
          sk: { S: positionOf(entry.eventTime, entry.eventId) },
          f: { S: JSON.stringify(toStoredFields(entry)) },
          e: { B: deflateRawSync(entry.cloudTrailEvent) },
          [AUDIT_TTL_ATTRIBUTE]: { N: String(Math.floor(entry.eventTime.getTime() / 1000) + RETENTION_DAYS * 86_400) },
        },
      }),
    );
  }

  async *read(scope: Scope, range: { readonly from: Date; readonly to: Date; readonly after?: AuditPosition }) {
    const { low, high } = positionRange(range.from, range.to);
    const pk = scopeKey(scope);
    const after = range.after === undefined ? undefined : checkPosition(range.after);
    if (after !== undefined && after <= low) return; // everything after it has aged out of the range
    // DynamoDB refuses a start key outside the key condition: one above the range is the range's top.
    let start: Record<string, AttributeValue> | undefined = after !== undefined && after < high ? { pk: { S: pk }, sk: { S: after } } : undefined;
    do {
      const page = await this.client.send(
        new QueryCommand({
          TableName: this.tableName,
          KeyConditionExpression: 'pk = :pk AND sk BETWEEN :low AND :high',
          ExpressionAttributeValues: { ':pk': { S: pk }, ':low': { S: low }, ':high': { S: high } },
          ScanIndexForward: false,
          ConsistentRead: true,
          Limit: PAGE,
          ...(start && { ExclusiveStartKey: start }),
        }),
      );
      for (const item of page.Items ?? []) {
        const position = item.sk?.S;
        const fields = item.f?.S;
        const event = item.e?.B;
        if (!position || !fields || !event) continue;
        yield { entry: fromStoredFields(scope, JSON.parse(fields) as StoredFields, inflateRawSync(event).toString('utf8')), position };
      }
      start = page.LastEvaluatedKey;
    } while (start);
  }
}
