/**
 * Creates the key table when it is missing (embedded mode and tests; deployed stacks create it with
 * CDK) and waits until it is ACTIVE. An existing table with another key schema is refused.
 */
import { CreateTableCommand, DescribeTableCommand, type DynamoDBClient, type TableDescription } from '@aws-sdk/client-dynamodb';
import { KEY_TABLE_KEY_TYPE, KEY_TABLE_PARTITION_KEY, KEY_TABLE_SORT_KEY } from './table-schema';

export interface EnsureTableOptions {
  /** Give up waiting for ACTIVE after this long. @default 60 seconds */
  readonly timeoutMs?: number;
}

export async function ensureKeyTable(client: DynamoDBClient, tableName: string, options: EnsureTableOptions = {}): Promise<void> {
  const deadline = Date.now() + (options.timeoutMs ?? 60_000);
  let table = await describe(client, tableName);
  if (!table) {
    try {
      await client.send(
        new CreateTableCommand({
          TableName: tableName,
          BillingMode: 'PAY_PER_REQUEST',
          AttributeDefinitions: [
            { AttributeName: KEY_TABLE_PARTITION_KEY, AttributeType: KEY_TABLE_KEY_TYPE },
            { AttributeName: KEY_TABLE_SORT_KEY, AttributeType: KEY_TABLE_KEY_TYPE },
          ],
          KeySchema: [
            { AttributeName: KEY_TABLE_PARTITION_KEY, KeyType: 'HASH' },
            { AttributeName: KEY_TABLE_SORT_KEY, KeyType: 'RANGE' },
          ],
        }),
      );
    } catch (err) {
      // Another process created it first: fine, wait for it like for our own.
      if ((err as { name?: unknown }).name !== 'ResourceInUseException') throw err;
    }
    table = await describe(client, tableName);
  }
  checkSchema(tableName, table);
  // dynalite makes a new table ACTIVE a moment after CreateTable answered: look again soon, then less often.
  for (let delay = 1; table?.TableStatus !== 'ACTIVE'; delay = Math.min(delay * 2, 1_000)) {
    if (Date.now() > deadline) {
      throw new Error(`table ${tableName} is still ${table?.TableStatus ?? 'missing'}; it did not become ACTIVE in time`);
    }
    await new Promise((resolve) => setTimeout(resolve, delay));
    table = await describe(client, tableName);
  }
}

async function describe(client: DynamoDBClient, tableName: string): Promise<TableDescription | undefined> {
  try {
    return (await client.send(new DescribeTableCommand({ TableName: tableName }))).Table;
  } catch (err) {
    if ((err as { name?: unknown }).name === 'ResourceNotFoundException') return undefined;
    throw err;
  }
}

function checkSchema(tableName: string, table: TableDescription | undefined): void {
  if (!table) return;
  const hash = table.KeySchema?.find((k) => k.KeyType === 'HASH')?.AttributeName;
  const range = table.KeySchema?.find((k) => k.KeyType === 'RANGE')?.AttributeName;
  if (hash !== KEY_TABLE_PARTITION_KEY || range !== KEY_TABLE_SORT_KEY) {
    throw new Error(
      `table ${tableName} exists with key schema (${hash ?? '-'}, ${range ?? '-'}); expected (${KEY_TABLE_PARTITION_KEY}, ${KEY_TABLE_SORT_KEY})`,
    );
  }
}
