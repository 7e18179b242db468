/**
 * The AWS side of the service on one moto server started by the test: DynamoDB (key table and
 * credentials), EventBridge Scheduler (stores schedules, never fires them) and KMS (the root key).
 */
import { randomBytes, randomUUID } from 'node:crypto';
import type { DynamoDBClient } from '@aws-sdk/client-dynamodb';
import { CreateKeyCommand, KMSClient } from '@aws-sdk/client-kms';
import { CreateScheduleGroupCommand, SchedulerClient } from '@aws-sdk/client-scheduler';
import { ensureKeyTable } from '../../../lambda/adapters/dynamodb/ensure-table';
import { DynamoKeyStore } from '../../../lambda/adapters/dynamodb/key-store';
import { KmsRootKey } from '../../../lambda/adapters/kms-root-key/kms-root-key';
import { SchedulerTimers } from '../../../lambda/adapters/scheduler/scheduler-timers';
import { MaterialCache } from '../../../lambda/core/crypto/material-cache';
import type { Clock, Deps, ServiceEvent } from '../../../lambda/core/ports';
import { deployedKeyWrites } from '../../../lambda/runtime/aws';
import { type MotoServer, startMotoServer } from '../../contract/support/dynamo-engines';

export const REGION = 'us-east-1';
const silentLogger = { debug: () => undefined, warn: () => undefined };
const credentials = { accessKeyId: 'moto', secretAccessKey: 'moto' };

export interface MotoAws {
  readonly moto: MotoServer;
  readonly dynamodb: DynamoDBClient;
  readonly scheduler: SchedulerClient;
  readonly kms: KMSClient;
  stop(): Promise<void>;
}

export async function startMotoAws(options: { oneRequestAtATime?: boolean } = {}): Promise<MotoAws> {
  const moto = await startMotoServer(options);
  const scheduler = new SchedulerClient({ endpoint: moto.endpoint, region: REGION, credentials });
  const kms = new KMSClient({ endpoint: moto.endpoint, region: REGION, credentials });
  return {
    moto,
    dynamodb: moto.client,
    scheduler,
    kms,
    stop: async () => {
      scheduler.destroy();
      kms.destroy();
      await moto.stop();
    },
  };
}

/** A symmetric AWS_KMS key in moto, as the stateful stack creates it; returns its ARN. */
export async function createRootKey(kms: KMSClient): Promise<string> {
  const { KeyMetadata } = await kms.send(new CreateKeyCommand({ Description: 'byok-kms root key (test)' }));
  return KeyMetadata!.Arn!;
}

export async function createScheduleGroup(scheduler: SchedulerClient, name = `timers-${randomUUID().slice(0, 8)}`): Promise<string> {
  await scheduler.send(new CreateScheduleGroupCommand({ Name: name }));
  return name;
}

export interface TimerTargets {
  readonly groupName: string;
  readonly targetArn: string;
  readonly roleArn: string;
  readonly deadLetterArn: string;
}

export function timerTargets(groupName: string): TimerTargets {
  return {
    groupName,
    targetArn: `arn:aws:lambda:${REGION}:123456789012:function:timer`,
    roleArn: 'arn:aws:iam::123456789012:role/scheduler-invoke',
    deadLetterArn: `arn:aws:sqs:${REGION}:123456789012:timer-dlq`,
  };
}

export interface MotoDeps extends Deps {
  readonly keys: DynamoKeyStore;
  readonly timers: SchedulerTimers;
  readonly recorded: ServiceEvent[];
  readonly tableName: string;
}

/** The deps awsRuntime builds in Lambda, on moto, with the given clock. */
export async function motoDeps(aws: MotoAws, clock: Clock, groupName: string, rootKeyArn: string): Promise<MotoDeps> {
  const tableName = `keys-${randomUUID()}`;
  await ensureKeyTable(aws.dynamodb, tableName);
  const recorded: ServiceEvent[] = [];
  return {
    keys: new DynamoKeyStore(aws.dynamodb, tableName),
    timers: new SchedulerTimers(aws.scheduler, { ...timerTargets(groupName), now: () => clock.now() }),
    rootKey: new KmsRootKey(aws.kms, rootKeyArn),
    clock,
    random: (n) => new Uint8Array(randomBytes(n)),
    events: { record: (e) => void recorded.push(e) },
    materialCache: new MaterialCache(),
    keyWrites: deployedKeyWrites(silentLogger, (n) => new Uint8Array(randomBytes(n))),
    recorded,
    tableName,
  };
}

/** Every schedule in a group, in full: the timer driver's reader (scripts/localstack/scheduler-driver.ts). */
export { schedulesIn } from '../../../scripts/localstack/scheduler-driver';
