/**
 * The deployed audit path on moto: the API handler records calls in the DynamoDB audit table and
 * answers LookupEvents from it; the timer handler records the service event and publishes it to
 * the stack's EventBridge bus with AWS's detail-type and detail (read back through a rule → SQS
 * queue with boto3).
 */
import { CloudTrailClient, LookupEventsCommand } from '@aws-sdk/client-cloudtrail';
import { EventBridgeClient } from '@aws-sdk/client-eventbridge';
import { CreateKeyCommand, KMSClient, ScheduleKeyDeletionCommand } from '@aws-sdk/client-kms';
import { Logger } from '@aws-lambda-powertools/logger';
import type { Context } from 'aws-lambda';
import { afterAll, beforeAll, describe, expect, test } from 'vitest';
import { AuditEventSink } from '../../lambda/adapters/audit/audit-event-sink';
import { DynamoAuditTrail } from '../../lambda/adapters/audit/dynamo-audit-trail';
import { ensureKeyTable } from '../../lambda/adapters/dynamodb/ensure-table';
import { EVENT_SOURCE, EventBridgeServiceEvents } from '../../lambda/adapters/eventbridge/kms-service-events';
import { openAuthenticator } from '../../lambda/adapters/kms-json/authenticator';
import type { Deps } from '../../lambda/core/ports';
import { makeKmsApiHandler } from '../../lambda/handlers/kms-api';
import { makeTimerHandler } from '../../lambda/handlers/timer';
import { type RunningServer, serveLocally } from '../../lambda/local/server';
import { SettableClock } from '../support/memory-deps';
import { tool } from '../support/tools';
import { type MotoAws, REGION, createRootKey, createScheduleGroup, motoDeps, schedulesIn, startMotoAws } from './support/moto-aws';

const ACCOUNT = '111122223333';
const BUS = 'byok-kms-test-events';

/** boto3 against moto: a queue that receives every event of the bus. */
async function boto(aws: MotoAws, script: string): Promise<string> {
  const res = await tool('python3', ['-c', `import boto3, json, sys\nc = lambda s: boto3.client(s, endpoint_url='${aws.moto.endpoint}', region_name='${REGION}', aws_access_key_id='moto', aws_secret_access_key='moto')\n${script}`]);
  if (res.code !== 0) throw new Error(res.stderr);
  return res.stdout.trim();
}

describe('audit trail and EventBridge bus on moto', () => {
  let aws: MotoAws;
  let server: RunningServer;
  let deps: Deps & { timers: { groupName?: string } };
  let clock: SettableClock;
  let queueUrl: string;
  let groupName: string;
  const auditTable = 'audit-events';

  beforeAll(async () => {
    aws = await startMotoAws();
    clock = new SettableClock(new Date());
    groupName = await createScheduleGroup(aws.scheduler);
    const base = await motoDeps(aws, clock, groupName, await createRootKey(aws.kms));
    await ensureKeyTable(aws.dynamodb, auditTable);
    const audit = new DynamoAuditTrail(aws.dynamodb, auditTable);
    const eventBridge = new EventBridgeClient({ endpoint: aws.moto.endpoint, region: REGION, credentials: { accessKeyId: 'moto', secretAccessKey: 'moto' } });
    queueUrl = await boto(
      aws,
      `ev = c('events'); sqs = c('sqs')
ev.create_event_bus(Name='${BUS}')
url = sqs.create_queue(QueueName='kms-events')['QueueUrl']
arn = sqs.get_queue_attributes(QueueUrl=url, AttributeNames=['QueueArn'])['Attributes']['QueueArn']
ev.put_rule(Name='all', EventBusName='${BUS}', EventPattern=json.dumps({'source': ['${EVENT_SOURCE}']}))
ev.put_targets(Rule='all', EventBusName='${BUS}', Targets=[{'Id': 'q', 'Arn': arn}])
print(url)`,
    );
    deps = { ...base, events: new AuditEventSink(audit, [new EventBridgeServiceEvents(eventBridge, BUS, () => undefined)]) };
    server = await serveLocally(makeKmsApiHandler(deps, { authenticate: openAuthenticator, logger: { error: () => undefined }, audit }), {
      port: 0,
      host: '127.0.0.1',
      log: () => undefined,
    });
  });
  afterAll(async () => {
    await server?.close();
    await aws?.stop();
  });

  test('a call and the key deletion its timer performs are both in the trail, and the deletion on the bus', async () => {
    // GIVEN a key scheduled for deletion through the API
    const credentials = { accessKeyId: ACCOUNT, secretAccessKey: 'x' };
    const kms = new KMSClient({ endpoint: server.endpoint, region: REGION, credentials, maxAttempts: 1 });
    const { KeyMetadata } = await kms.send(new CreateKeyCommand({}));
    clock.set(new Date(clock.now().getTime() + 1000)); // the test clock stands still otherwise
    await kms.send(new ScheduleKeyDeletionCommand({ KeyId: KeyMetadata!.KeyId, PendingWindowInDays: 7 }));
    // WHEN the schedule fires (moto stores schedules; the test invokes the timer function with its input)
    clock.set(new Date(clock.now().getTime() + 8 * 86_400_000));
    const timer = makeTimerHandler(deps, new Logger({ logLevel: 'SILENT' }));
    for (const schedule of await schedulesIn(aws.scheduler, groupName)) {
      await timer(JSON.parse(schedule.Target!.Input!), {} as Context);
    }
    // THEN LookupEvents (same endpoint) shows the calls and the service event
    const trail = new CloudTrailClient({ endpoint: server.endpoint, region: REGION, credentials, maxAttempts: 1 });
    const { Events } = await trail.send(new LookupEventsCommand({ LookupAttributes: [{ AttributeKey: 'ResourceName', AttributeValue: KeyMetadata!.Arn! }] }));
    expect(Events!.map((e) => e.EventName)).toEqual(['DeleteKey', 'ScheduleKeyDeletion', 'CreateKey']);
    expect(JSON.parse(Events![0]!.CloudTrailEvent!)).toMatchObject({ eventType: 'AwsServiceEvent', userIdentity: { invokedBy: 'AWS Internal' } });
    // and the bus got KMS's event
    const received = JSON.parse(
      await boto(aws, `m = c('sqs').receive_message(QueueUrl='${queueUrl}', MaxNumberOfMessages=10, WaitTimeSeconds=5).get('Messages', [])\nprint(json.dumps([json.loads(x['Body']) for x in m]))`),
    ) as { source: string; 'detail-type': string; resources: string[]; detail: Record<string, string>; account: string; region: string }[];
    expect(received).toEqual([
      expect.objectContaining({
        source: EVENT_SOURCE,
        'detail-type': 'KMS CMK Deletion',
        resources: [KeyMetadata!.Arn],
        detail: { 'key-id': KeyMetadata!.KeyId },
        region: REGION,
      }),
    ]);
  });
});
