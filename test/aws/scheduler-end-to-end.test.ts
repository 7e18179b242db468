/**
 * End to end through the EventBridge Scheduler path. The service (the Lambda handlers, on moto's
 * DynamoDB, Scheduler and KMS) creates its schedules in moto; moto never fires them, so the timer
 * driver the LocalStack profile uses (scripts/localstack/scheduler-driver.ts) plays Scheduler: it
 * reads the schedules the service created and, once the clock reaches their at() time, invokes the
 * target with their input and deletes them (ActionAfterCompletion DELETE). Here the target is the
 * timer handler in-process; through Lambda's Invoke API (as on LocalStack) the driver delivers the
 * same input, which moto's Lambda hands back. The same client-visible scenario runs on the embedded
 * mode's in-process timers, and both paths must observe exactly the same thing.
 */
import { execFile } from 'node:child_process';
import { randomUUID } from 'node:crypto';
import { promisify } from 'node:util';
import {
  CreateKeyCommand,
  DecryptCommand,
  DescribeKeyCommand,
  DisableKeyRotationCommand,
  EnableKeyRotationCommand,
  EncryptCommand,
  GetKeyRotationStatusCommand,
  KMSClient,
  ListKeyRotationsCommand,
  ScheduleKeyDeletionCommand,
} from '@aws-sdk/client-kms';
import { CreateFunctionCommand, LambdaClient } from '@aws-sdk/client-lambda';
import { CreateScheduleCommand } from '@aws-sdk/client-scheduler';
import { Logger } from '@aws-lambda-powertools/logger';
import type { Context } from 'aws-lambda';
import { afterAll, beforeAll, describe, expect, test } from 'vitest';
import { ensureKeyTable } from '../../lambda/adapters/dynamodb/ensure-table';
import { DynamoKeyStore } from '../../lambda/adapters/dynamodb/key-store';
import { ControlledClock } from '../../lambda/adapters/embedded/clock';
import { InProcessTimers } from '../../lambda/adapters/embedded/in-process-timers';
import { openAuthenticator } from '../../lambda/adapters/kms-json/authenticator';
import { MaterialCache } from '../../lambda/core/crypto/material-cache';
import type { Deps, ServiceEvent } from '../../lambda/core/ports';
import { onTimerDue } from '../../lambda/core/timers/on-timer-due';
import { makeKmsApiHandler } from '../../lambda/handlers/kms-api';
import { makeTimerHandler } from '../../lambda/handlers/timer';
import { type RunningServer, serveLocally } from '../../lambda/local/server';
import { fireDueSchedules, lambdaInvoker } from '../../scripts/localstack/scheduler-driver';
import { DAY, createExternalKey, importMaterial, newMaterial } from '../blackbox/helpers';
import { type MotoAws, createRootKey, createScheduleGroup, motoDeps, schedulesIn, startMotoAws, timerTargets } from './support/moto-aws';

const ACCOUNT = '111122223333';
const logger = new Logger({ serviceName: 'timers-e2e', logLevel: 'SILENT' });
const lambdaContext = { functionName: 'timer', awsRequestId: 'test', invokedFunctionArn: 'arn:aws:lambda:us-east-1:123456789012:function:timer' } as Context;

/** One way of making timers happen: how the clock moves and what runs when it does. */
interface TimerPath {
  readonly deps: Deps & { readonly keys: DynamoKeyStore; readonly recorded: ServiceEvent[] };
  /** Moves the clock forward and makes every timer that became due run. */
  advance(seconds: number): Promise<void>;
  /** Names of the timers still armed. */
  armed(): Promise<string[]>;
  close(): Promise<void>;
}

/** What a client and the store show after each step: the same on every path. */
interface Observation {
  readonly step: string;
  readonly keyState: string;
  readonly storedWrappedMaterials: number | 'gone';
  readonly events: string[];
  readonly armed: string[];
}

/** Serves the KMS API handler on `deps` on a free loopback port, with a client for account ACCOUNT, while `use` runs. */
async function withKms<T>(deps: Deps, use: (kms: KMSClient) => Promise<T>): Promise<T> {
  const server: RunningServer = await serveLocally(makeKmsApiHandler(deps, { authenticate: openAuthenticator, logger }), { port: 0, host: '127.0.0.1', log: () => undefined });
  const kms = new KMSClient({ endpoint: server.endpoint, region: 'us-east-1', credentials: { accessKeyId: ACCOUNT, secretAccessKey: 'open' } });
  try {
    return await use(kms);
  } finally {
    kms.destroy();
    await server.close();
  }
}

async function runScenario(path: TimerPath): Promise<Observation[]> {
  return withKms(path.deps, (kms) => expiryAndDeletion(path, kms));
}

async function expiryAndDeletion(path: TimerPath, kms: KMSClient): Promise<Observation[]> {
  const scope = { partition: 'aws', account: ACCOUNT, region: 'us-east-1' };
  const observations: Observation[] = [];
  let keyId = '';
  const observe = async (step: string) => {
    let keyState: string;
    try {
      keyState = (await kms.send(new DescribeKeyCommand({ KeyId: keyId }))).KeyMetadata!.KeyState!;
    } catch (err) {
      keyState = (err as Error).name;
    }
    const stored = await path.deps.keys.getKey(scope, keyId);
    observations.push({
      step,
      keyState,
      storedWrappedMaterials: stored ? stored.materials.filter((m) => m.wrapped).length : 'gone',
      events: path.deps.recorded.map((e) => e.eventName),
      // names carry the key id and due second: compare their shape
      armed: (await path.armed()).map((n) => n.replace(keyId, '<key>').replace(/-\d+$/, '-<due>')),
    });
  };
  // GIVEN an imported key whose material expires in two days
  keyId = (await createExternalKey(kms)).KeyId!;
  const validTo = new Date(path.deps.clock.now().getTime() + 2 * DAY * 1000);
  await importMaterial(kms, keyId, newMaterial(), { validTo });
  await observe('imported');
  // WHEN the expiry passes
  await path.advance(2 * DAY + 180);
  await observe('expired');
  // AND deletion is scheduled and its window passes
  await kms.send(new ScheduleKeyDeletionCommand({ KeyId: keyId, PendingWindowInDays: 7 }));
  await observe('deletion scheduled');
  await path.advance(7 * DAY + 180);
  await observe('deleted');
  return observations;
}

/** What a client and the store show at each step of an automatic rotation: the same on every path. */
interface RotationObservation {
  readonly step: string;
  readonly rotations: string[];
  readonly currentMaterialChanged: boolean;
  readonly nextRotationInDays: number | undefined;
  readonly oldCiphertextDecrypts: boolean;
  readonly materialPrepared: boolean;
  readonly events: string[];
  readonly armed: string[];
}

async function runRotationScenario(path: TimerPath): Promise<RotationObservation[]> {
  return withKms(path.deps, (kms) => automaticRotation(path, kms));
}

async function automaticRotation(path: TimerPath, kms: KMSClient): Promise<RotationObservation[]> {
  const scope = { partition: 'aws', account: ACCOUNT, region: 'us-east-1' };
  const observations: RotationObservation[] = [];
  // GIVEN an AWS_KMS key that rotates every 90 days, and a ciphertext under its first material
  const { KeyMetadata } = await kms.send(new CreateKeyCommand({}));
  const keyId = KeyMetadata!.KeyId!;
  const { CiphertextBlob } = await kms.send(new EncryptCommand({ KeyId: keyId, Plaintext: Buffer.from('first material') }));
  const observe = async (step: string) => {
    const status = await kms.send(new GetKeyRotationStatusCommand({ KeyId: keyId }));
    const plain = await kms.send(new DecryptCommand({ CiphertextBlob }));
    const stored = await path.deps.keys.getKey(scope, keyId);
    observations.push({
      step,
      rotations: ((await kms.send(new ListKeyRotationsCommand({ KeyId: keyId }))).Rotations ?? []).map((r) => `${r.RotationType} ${r.KeyMaterialState}`),
      currentMaterialChanged: (await kms.send(new DescribeKeyCommand({ KeyId: keyId }))).KeyMetadata!.CurrentKeyMaterialId !== KeyMetadata!.CurrentKeyMaterialId,
      nextRotationInDays: status.NextRotationDate && Math.round((status.NextRotationDate.getTime() - path.deps.clock.now().getTime()) / (DAY * 1000)),
      oldCiphertextDecrypts: Buffer.from(plain.Plaintext!).toString() === 'first material',
      materialPrepared: stored?.automaticRotation?.nextMaterial !== undefined,
      events: path.deps.recorded.map((e) => (e.eventName === 'RotateKey' ? `RotateKey ${e.rotationType}` : e.eventName)),
      armed: (await path.armed()).map((n) => n.replace(keyId, '<key>').replace(/-\d+$/, '-<due>')),
    });
  };
  await kms.send(new EnableKeyRotationCommand({ KeyId: keyId, RotationPeriodInDays: 90 }));
  await observe('enabled');
  // WHEN the rotation date passes
  await path.advance(90 * DAY + 180);
  await observe('rotated');
  // AND rotation is disabled
  await kms.send(new DisableKeyRotationCommand({ KeyId: keyId }));
  await path.advance(90 * DAY + 180);
  await observe('disabled');
  return observations;
}

describe('material expiry, key deletion and automatic rotation through EventBridge Scheduler', () => {
  let aws: MotoAws;
  beforeAll(async () => {
    aws = await startMotoAws();
  });
  afterAll(async () => aws?.stop());

  /** The AWS path: SchedulerTimers on moto, and a driver that plays EventBridge Scheduler. */
  async function schedulerPath(): Promise<TimerPath & { readonly groupName: string; readonly fired: string[]; readonly outcomes: string[] }> {
    const clock = new ControlledClock();
    const groupName = await createScheduleGroup(aws.scheduler);
    const deps = await motoDeps(aws, clock, groupName, await createRootKey(aws.kms));
    const timerHandler = makeTimerHandler(deps, logger);
    const fired: string[] = [];
    const outcomes: string[] = [];
    return {
      deps,
      groupName,
      fired,
      outcomes,
      advance: async (seconds) => {
        clock.advance(seconds);
        const deliveries = await fireDueSchedules(aws.scheduler, groupName, clock.now(), async (targetArn, input) => {
          expect(targetArn).toBe(timerTargets(groupName).targetArn);
          return timerHandler(JSON.parse(input), lambdaContext);
        });
        for (const d of deliveries) {
          expect(d.schedule).toMatchObject({ ScheduleExpressionTimezone: 'UTC', FlexibleTimeWindow: { Mode: 'OFF' }, ActionAfterCompletion: 'DELETE' });
          fired.push(d.name);
          outcomes.push((d.result as { outcome: string }).outcome);
        }
      },
      armed: async () => (await schedulesIn(aws.scheduler, groupName)).map((s) => s.Name!),
      close: async () => undefined,
    };
  }

  /** The embedded path: InProcessTimers against the same kind of store. */
  async function inProcessPath(): Promise<TimerPath> {
    const clock = new ControlledClock();
    const base = await motoDeps(aws, clock, 'unused', await createRootKey(aws.kms));
    const tableName = `keys-${randomUUID()}`;
    await ensureKeyTable(aws.dynamodb, tableName);
    // eslint-disable-next-line prefer-const -- assigned after the timers that close over it
    let deps: TimerPath['deps'];
    const timers = new InProcessTimers(clock, (timer) => onTimerDue(deps, timer), { log: () => undefined });
    deps = { ...base, keys: new DynamoKeyStore(aws.dynamodb, tableName), timers, materialCache: new MaterialCache() };
    return {
      deps,
      advance: async (seconds) => {
        clock.advance(seconds);
        await timers.runDue();
      },
      armed: async () => timers.pending().map((t) => t.name),
      close: () => timers.close(),
    };
  }

  test('the timers the service schedules erase the expired material and delete the key, exactly as in-process timers do', async () => {
    // GIVEN / WHEN: the same scenario on both paths
    const viaScheduler = await schedulerPath();
    const inProcess = await inProcessPath();
    const scheduled = await runScenario(viaScheduler);
    const local = await runScenario(inProcess);
    await inProcess.close();
    // THEN: the Scheduler path did the work (two schedules created, fired, applied) ...
    expect(viaScheduler.fired.map((n) => n.slice(0, 4))).toEqual(['exp-', 'del-']);
    expect(viaScheduler.outcomes).toEqual(['applied', 'applied']);
    expect(scheduled).toEqual([
      { step: 'imported', keyState: 'Enabled', storedWrappedMaterials: 1, events: [], armed: ['exp-<key>-<due>'] },
      { step: 'expired', keyState: 'PendingImport', storedWrappedMaterials: 0, events: ['DeleteExpiredKeyMaterial'], armed: [] },
      { step: 'deletion scheduled', keyState: 'PendingDeletion', storedWrappedMaterials: 0, events: ['DeleteExpiredKeyMaterial'], armed: ['del-<key>-<due>'] },
      { step: 'deleted', keyState: 'NotFoundException', storedWrappedMaterials: 'gone', events: ['DeleteExpiredKeyMaterial', 'DeleteKey'], armed: [] },
    ]);
    // ... and observed exactly what the in-process timers produce
    expect(scheduled).toEqual(local);
  });

  const motoLambda = () => new LambdaClient({ endpoint: aws.moto.endpoint, region: 'us-east-1', credentials: { accessKeyId: 'moto', secretAccessKey: 'moto' } });

  /** A function (and its role) in moto's Lambda, which runs functions only in Docker; its stand-in backend answers with the payload it received. */
  async function createMotoFunction(name: string): Promise<void> {
    await fetch(`${aws.moto.endpoint}/moto-api/config`, { method: 'POST', body: JSON.stringify({ lambda: { use_docker: false } }) });
    // the role, with the AWS CLI (the project has no IAM client)
    await promisify(execFile)('aws', ['iam', 'create-role', '--role-name', name, '--assume-role-policy-document', '{}', '--endpoint-url', aws.moto.endpoint], {
      env: { ...process.env, AWS_ACCESS_KEY_ID: 'moto', AWS_SECRET_ACCESS_KEY: 'moto', AWS_DEFAULT_REGION: 'us-east-1' },
    });
    const lambda = motoLambda();
    try {
      await lambda.send(
        new CreateFunctionCommand({
          FunctionName: name,
          Runtime: 'nodejs22.x',
          Role: `arn:aws:iam::123456789012:role/${name}`,
          Handler: 'index.handler',
          Code: { ZipFile: new Uint8Array([0x50, 0x4b, 0x05, 0x06, ...new Array<number>(18).fill(0)]) }, // an empty zip
        }),
      );
    } finally {
      lambda.destroy();
    }
  }

  test('automatic rotation through the schedules the service creates: rotated at NextRotationDate, next one prepared and armed, exactly as in-process', async () => {
    // GIVEN / WHEN: the same rotation scenario on both paths
    const viaScheduler = await schedulerPath();
    const inProcess = await inProcessPath();
    const scheduled = await runRotationScenario(viaScheduler);
    const local = await runRotationScenario(inProcess);
    await inProcess.close();
    // THEN the rotation schedule fired once through the Scheduler path and did the work ...
    expect(viaScheduler.fired.map((n) => n.slice(0, 4))).toEqual(['rot-']);
    expect(viaScheduler.outcomes).toEqual(['applied']);
    expect(scheduled).toEqual([
      { step: 'enabled', rotations: [], currentMaterialChanged: false, nextRotationInDays: 90, oldCiphertextDecrypts: true, materialPrepared: true, events: [], armed: ['rot-<key>-<due>'] },
      {
        step: 'rotated',
        rotations: ['AUTOMATIC CURRENT'],
        currentMaterialChanged: true,
        nextRotationInDays: 90,
        oldCiphertextDecrypts: true,
        materialPrepared: true,
        events: ['RotateKey AUTOMATIC'],
        armed: ['rot-<key>-<due>'],
      },
      { step: 'disabled', rotations: ['AUTOMATIC CURRENT'], currentMaterialChanged: true, nextRotationInDays: undefined, oldCiphertextDecrypts: true, materialPrepared: false, events: ['RotateKey AUTOMATIC'], armed: [] },
    ]);
    // ... and observed exactly what the in-process timers produce
    expect(scheduled).toEqual(local);
  });

  test('enabling rotation creates one schedule in moto for NextRotationDate (to the minute, UTC) naming the key; nothing fires before it, and firing it rotates the key', async () => {
    // GIVEN a key whose rotation is enabled through the deployed API handler
    const path = await schedulerPath();
    await withKms(path.deps, async (kms) => {
      const { KeyMetadata } = await kms.send(new CreateKeyCommand({}));
      const keyId = KeyMetadata!.KeyId!;
      await kms.send(new EnableKeyRotationCommand({ KeyId: keyId, RotationPeriodInDays: 180 }));
      const due = (await kms.send(new GetKeyRotationStatusCommand({ KeyId: keyId }))).NextRotationDate!;
      // THEN the service has created exactly this schedule in moto's EventBridge Scheduler
      const [schedule, ...others] = await schedulesIn(aws.scheduler, path.groupName);
      expect(others).toEqual([]);
      const minuteAfterDue = new Date(Math.ceil(due.getTime() / 60_000) * 60_000);
      expect(schedule).toMatchObject({
        Name: `rot-${keyId}-${Math.ceil(due.getTime() / 1000)}`, // the due second, rounded up
        ScheduleExpression: `at(${minuteAfterDue.toISOString().slice(0, 19)})`,
        ScheduleExpressionTimezone: 'UTC',
        ActionAfterCompletion: 'DELETE',
        Target: { Arn: timerTargets(path.groupName).targetArn },
      });
      expect(JSON.parse(schedule!.Target!.Input!)).toEqual({ kind: 'RotationDue', partition: 'aws', account: ACCOUNT, region: 'us-east-1', keyId, at: due.toISOString() });
      // WHEN the clock reaches a second before the date, nothing fires
      await path.advance((due.getTime() - path.deps.clock.now().getTime()) / 1000 - 1);
      expect(path.fired).toEqual([]);
      // AND when it passes the schedule's time, the schedule fires once and the key has rotated at NextRotationDate
      await path.advance(61);
      expect(path.fired).toEqual([schedule!.Name]);
      expect(path.outcomes).toEqual(['applied']);
      const { Rotations } = await kms.send(new ListKeyRotationsCommand({ KeyId: keyId }));
      expect(Rotations).toEqual([{ KeyId: keyId, KeyMaterialId: expect.stringMatching(/^[0-9a-f]{64}$/), KeyMaterialState: 'CURRENT', RotationDate: due, RotationType: 'AUTOMATIC' }]);
      expect(Rotations![0]!.KeyMaterialId).not.toBe(KeyMetadata!.CurrentKeyMaterialId);
      // and the next rotation is scheduled a period later
      const next = new Date(due.getTime() + 180 * DAY * 1000);
      expect((await schedulesIn(aws.scheduler, path.groupName)).map((s) => s.Name)).toEqual([`rot-${keyId}-${Math.ceil(next.getTime() / 1000)}`]);
      expect(path.deps.recorded.map((e) => e.eventName)).toEqual(['RotateKey']);
    });
  });

  test('through Lambda\'s Invoke API (as on LocalStack) the driver delivers each due schedule\'s input to its target, once, and deletes it', async () => {
    // GIVEN the service's schedules for an imported key, and the timer function in moto's Lambda
    // (moto runs functions only in Docker; its stand-in backend answers with the payload it received)
    const lambda = motoLambda();
    const path = await schedulerPath();
    const { groupName } = path;
    await createMotoFunction('timer');
    await withKms(path.deps, async (kms) => {
      const keyId = (await createExternalKey(kms)).KeyId!;
      await importMaterial(kms, keyId, newMaterial(), { validTo: new Date(path.deps.clock.now().getTime() + DAY * 1000) });
      const [armed] = await schedulesIn(aws.scheduler, groupName);
      // WHEN the driver runs before the schedule is due, and after
      const early = await fireDueSchedules(aws.scheduler, groupName, path.deps.clock.now(), lambdaInvoker(lambda));
      const due = await fireDueSchedules(aws.scheduler, groupName, new Date(path.deps.clock.now().getTime() + (DAY + 120) * 1000), lambdaInvoker(lambda));
      // THEN nothing early; then one delivery to the timer function with the schedule's input, and the schedule is gone
      expect(early).toEqual([]);
      expect(due.map((d) => d.name)).toEqual([armed!.Name]);
      expect(due[0]!.result).toEqual(JSON.parse(armed!.Target!.Input!));
      expect(due[0]!.result).toMatchObject({ kind: 'MaterialExpired', keyId, account: ACCOUNT, region: 'us-east-1' });
      expect(await schedulesIn(aws.scheduler, groupName)).toEqual([]);
    }).finally(() => lambda.destroy());
  });

  test('the driver\'s command line, as the profile runs it, delivers what is due now through Lambda, configured by AWS_ENDPOINT_URL alone', async () => {
    // GIVEN a function in moto's Lambda, and a schedule for it that is due (its time has passed)
    await createMotoFunction('timer-cli');
    const targetArn = `arn:aws:lambda:us-east-1:123456789012:function:timer-cli`;
    const groupName = await createScheduleGroup(aws.scheduler);
    const input = JSON.stringify({ kind: 'MaterialExpired', partition: 'aws', account: ACCOUNT, region: 'us-east-1', keyId: randomUUID(), at: '2020-01-01T00:00:00.000Z' });
    await aws.scheduler.send(
      new CreateScheduleCommand({
        Name: 'exp-due',
        GroupName: groupName,
        ScheduleExpression: 'at(2020-01-01T00:01:00)',
        ScheduleExpressionTimezone: 'UTC',
        FlexibleTimeWindow: { Mode: 'OFF' },
        ActionAfterCompletion: 'DELETE',
        Target: { Arn: targetArn, RoleArn: timerTargets(groupName).roleArn, Input: input },
      }),
    );
    // WHEN the driver runs once
    const { stdout } = await promisify(execFile)(process.execPath, ['--import', 'tsx', 'scripts/localstack/scheduler-driver.ts', '--group', groupName], {
      env: { ...process.env, AWS_ENDPOINT_URL: aws.moto.endpoint, AWS_ACCESS_KEY_ID: 'moto', AWS_SECRET_ACCESS_KEY: 'moto', AWS_REGION: 'us-east-1' },
    });
    // THEN it printed the delivery (moto's Lambda answers with the input it was given) and the schedule is gone
    expect(stdout.trim().split('\n').map((line) => JSON.parse(line))).toEqual([{ delivered: 'exp-due', at: 'at(2020-01-01T00:01:00)', result: JSON.parse(input) }]);
    expect(await schedulesIn(aws.scheduler, groupName)).toEqual([]);
  });

  test('a timer that is stale by the time it fires changes nothing (material re-imported with a later ValidTo), and a foreign event is dropped', async () => {
    // GIVEN a schedule the service created, superseded before it fires
    const path = await schedulerPath();
    await withKms(path.deps, async (kms) => {
      const keyId = (await createExternalKey(kms)).KeyId!;
      const material = newMaterial();
      await importMaterial(kms, keyId, material, { validTo: new Date(path.deps.clock.now().getTime() + DAY * 1000) });
      const [first] = await path.armed();
      // re-import the same material with a later ValidTo: the first schedule is disarmed, a new one armed
      await importMaterial(kms, keyId, material, { validTo: new Date(path.deps.clock.now().getTime() + 3 * DAY * 1000), fresh: true });
      const armed = await path.armed();
      expect(armed).toHaveLength(1);
      expect(armed[0]).not.toBe(first);
      // WHEN a duplicate of the superseded timer arrives anyway (Scheduler delivers at least once)
      const handler = makeTimerHandler(path.deps, logger);
      const stale = await handler(
        { kind: 'MaterialExpired', partition: 'aws', account: ACCOUNT, region: 'us-east-1', keyId, at: new Date(path.deps.clock.now().getTime() + DAY * 1000).toISOString() },
        lambdaContext,
      );
      // THEN
      expect(stale.outcome).toBe('stale');
      expect((await kms.send(new DescribeKeyCommand({ KeyId: keyId }))).KeyMetadata?.KeyState).toBe('Enabled');
      // and an event that is not a timer is dropped, not retried
      expect((await handler({ hello: 'world' }, lambdaContext)).outcome).toBe('ignored');
    });
  });
});
