/**
 * D146: the embedded service's DynamoDB client (InProcessDynamoClient) hands commands to the in-process
 * dynalite without the SDK's client. For every command the service sends, its answers and errors are
 * the SDK's own: each call goes to a dynalite in process and, with the SDK's DynamoDBClient over
 * loopback HTTP, to a second dynalite the test makes listen; the outputs must be equal (request ids,
 * which dynalite draws at random, and creation times aside).
 */
import { randomBytes } from 'node:crypto';
import {
  CreateTableCommand,
  DeleteItemCommand,
  DescribeTableCommand,
  type DynamoDBClient,
  GetItemCommand,
  ListTablesCommand,
  PutItemCommand,
  QueryCommand,
  ScanCommand,
} from '@aws-sdk/client-dynamodb';
import { afterAll, beforeAll, describe, expect, test } from 'vitest';
import { type RunningDynalite, startDynalite } from '../../lambda/adapters/embedded/dynalite';
import { startLoopbackDynalite } from './support/dynamo-engines';

let inProcess: RunningDynalite;
let loopback: Awaited<ReturnType<typeof startLoopbackDynalite>>;
let overHttp: DynamoDBClient;

beforeAll(async () => {
  inProcess = await startDynalite();
  loopback = await startLoopbackDynalite();
  overHttp = loopback.client;
});
afterAll(async () => {
  await loopback?.stop();
  await inProcess?.close();
});

/**
 * What may differ between two dynalites answering the same call: request ids, table ids and when a
 * table was created. And TableThroughputModeSummary, a member dynalite sends that this SDK release's
 * model lacks: the SDK drops it, the in-process client passes it on (nothing reads it).
 */
function comparable(value: unknown): unknown {
  return JSON.parse(
    JSON.stringify(value, function (this: Record<string, unknown>, key, v: unknown) {
      const raw = this[key];
      if (key === '$metadata') return { httpStatusCode: (raw as { httpStatusCode?: number }).httpStatusCode };
      if (key === 'CreationDateTime') return raw instanceof Date ? 'a Date' : raw;
      if (key === 'TableId') return typeof raw === 'string' ? 'an id' : raw;
      if (key === 'TableThroughputModeSummary') return undefined;
      if (raw instanceof Uint8Array) return { bytes: Buffer.from(raw).toString('hex'), type: raw.constructor.name };
      return v;
    }),
  );
}

type Outcome = { output: unknown } | { error: { name: string; message: string; fault: unknown; status: unknown } };

/** Any of the SDK's DynamoDB commands. */
type AnyCommand = object;

async function outcome(client: DynamoDBClient, command: AnyCommand): Promise<Outcome> {
  try {
    return { output: comparable(await client.send(command as never)) };
  } catch (err) {
    const e = err as Error & { $fault?: unknown; $metadata?: { httpStatusCode?: unknown } };
    return { error: { name: e.name, message: e.message, fault: e.$fault, status: e.$metadata?.httpStatusCode } };
  }
}

/** Sends the command to both; expects equal outcomes and returns the in-process one. */
async function same(command: AnyCommand): Promise<Outcome> {
  const direct = await outcome(inProcess.client, command);
  expect(direct).toEqual(await outcome(overHttp, command));
  return direct;
}

const TABLE = 'keys';
const secret = randomBytes(48);
const item = {
  pk: { S: 'KEY#1' },
  sk: { S: 'META' },
  revision: { N: '3' },
  material: { B: secret },
  wraps: { BS: [randomBytes(8), randomBytes(16)] },
  names: { SS: ['a', 'b'] },
  spec: { M: { kind: { S: 'SYMMETRIC_DEFAULT' }, B: { S: 'an attribute named B' }, enabled: { BOOL: true }, gone: { NULL: true } } },
  history: { L: [{ N: '1' }, { B: randomBytes(4) }] },
};

describe('InProcessDynamoClient answers as the SDK client does over HTTP (D146)', () => {
  test('CreateTable and DescribeTable: the table description, with Dates', async () => {
    const created = await same(
      new CreateTableCommand({
        TableName: TABLE,
        BillingMode: 'PAY_PER_REQUEST',
        AttributeDefinitions: [
          { AttributeName: 'pk', AttributeType: 'S' },
          { AttributeName: 'sk', AttributeType: 'S' },
        ],
        KeySchema: [
          { AttributeName: 'pk', KeyType: 'HASH' },
          { AttributeName: 'sk', KeyType: 'RANGE' },
        ],
      }),
    );
    expect(created).toMatchObject({ output: { TableDescription: { TableName: TABLE, CreationDateTime: 'a Date' } } });
    const described = await inProcess.client.send(new DescribeTableCommand({ TableName: TABLE }));
    expect(described.Table?.CreationDateTime).toBeInstanceOf(Date);
    await same(new DescribeTableCommand({ TableName: 'no-such-table' }));
  });

  test('PutItem, GetItem, Query, Scan and DeleteItem: items with every attribute type, binary as Uint8Array', async () => {
    expect(await same(new PutItemCommand({ TableName: TABLE, Item: item }))).toEqual({ output: { $metadata: { httpStatusCode: 200 } } });
    for (let n = 0; n < 3; n++) await same(new PutItemCommand({ TableName: TABLE, Item: { ...item, sk: { S: `GRANT#${n}` } } }));
    const read = await inProcess.client.send(new GetItemCommand({ TableName: TABLE, Key: { pk: item.pk, sk: item.sk }, ConsistentRead: true }));
    expect(read.Item?.material?.B).toBeInstanceOf(Uint8Array);
    expect(Buffer.from(read.Item!.material!.B!).equals(secret)).toBe(true);
    await same(new GetItemCommand({ TableName: TABLE, Key: { pk: item.pk, sk: item.sk }, ConsistentRead: true }));
    await same(new GetItemCommand({ TableName: TABLE, Key: { pk: item.pk, sk: { S: 'ABSENT' } }, ConsistentRead: true }));
    // A page at a time: LastEvaluatedKey comes back as it goes in.
    let page = await same(new QueryCommand({ TableName: TABLE, KeyConditionExpression: 'pk = :pk', ExpressionAttributeValues: { ':pk': item.pk }, Limit: 2 }));
    const next = (page as { output: { LastEvaluatedKey?: Record<string, { S: string }> } }).output.LastEvaluatedKey;
    expect(next).toBeDefined();
    page = await same(new QueryCommand({ TableName: TABLE, KeyConditionExpression: 'pk = :pk', ExpressionAttributeValues: { ':pk': item.pk }, ExclusiveStartKey: next }));
    await same(new ScanCommand({ TableName: TABLE, FilterExpression: 'begins_with(sk, :g)', ExpressionAttributeValues: { ':g': { S: 'GRANT#' } }, Limit: 2 }));
    await same(new DeleteItemCommand({ TableName: TABLE, Key: { pk: item.pk, sk: { S: 'GRANT#0' } }, ReturnValues: 'ALL_OLD' }));
  });

  test('errors: the same name, message, fault and status', async () => {
    const conflict = await same(new PutItemCommand({ TableName: TABLE, Item: item, ConditionExpression: 'attribute_not_exists(pk)' }));
    expect(conflict).toMatchObject({ error: { name: 'ConditionalCheckFailedException', fault: 'client', status: 400 } });
    const invalid = await same(new GetItemCommand({ TableName: TABLE, Key: { pk: item.pk } }));
    expect(invalid).toMatchObject({ error: { name: 'ValidationException' } });
    await same(new PutItemCommand({ TableName: TABLE, Item: { ...item, revision: { N: 'not a number' } } }));
  });

  test('a command the embedded service never sends is refused, not sent', async () => {
    await expect(inProcess.client.send(new ListTablesCommand({}))).rejects.toThrow(TypeError);
  });
});
