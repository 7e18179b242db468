/**
 * Material expiry and key deletion on the stack deployed into LocalStack (`npm run test:localstack`
 * runs this with vitest.localstack.config.ts). LocalStack stores the service's schedules but never
 * fires them, so the timer driver (scripts/localstack/scheduler-driver.ts) fires them, invoking the
 * deployed timer function through LocalStack's Lambda with each schedule's input. Time is real here:
 * the deployed service has no clock control. Expiry is carried out for real (a schedule is due about
 * two minutes ahead); a deletion window is 7 days at least, so the deletion path is checked up to
 * its schedule: armed with the deletion date, harmless when delivered early, disarmed by
 * CancelKeyDeletion.
 *
 * Environment (set by scripts/test-localstack.sh): KMS_BLACKBOX_* as for the black-box suites,
 * KMS_PROFILE_SCHEDULE_GROUP, and AWS_ENDPOINT_URL (LocalStack) for the Scheduler and Lambda clients.
 */
import { CancelKeyDeletionCommand, DescribeKeyCommand, type KMSClient, ScheduleKeyDeletionCommand } from '@aws-sdk/client-kms';
import { LambdaClient } from '@aws-sdk/client-lambda';
import { SchedulerClient } from '@aws-sdk/client-scheduler';
import { afterAll, beforeAll, describe, expect, test } from 'vitest';
import { atTime, fireDueSchedules, lambdaInvoker, schedulesIn } from '../../scripts/localstack/scheduler-driver';
import { createExternalKey, importMaterial, newMaterial, sleep } from '../blackbox/helpers';
import { startLocalServer } from '../support/local-server';

const groupName = process.env.KMS_PROFILE_SCHEDULE_GROUP;
let kms: KMSClient;
const scheduler = new SchedulerClient({});
const lambda = new LambdaClient({});
const invoke = lambdaInvoker(lambda);

beforeAll(async () => {
  if (!groupName || !process.env.KMS_BLACKBOX_ENDPOINT) throw new Error('run this suite through npm run test:localstack (KMS_PROFILE_SCHEDULE_GROUP and KMS_BLACKBOX_ENDPOINT are not set)');
  kms = (await startLocalServer()).kms();
});
afterAll(() => {
  kms?.destroy();
  scheduler.destroy();
  lambda.destroy();
});

const schedulesOf = async (keyId: string) => (await schedulesIn(scheduler, groupName!)).filter((s) => s.Name!.includes(keyId));
const stateOf = async (keyId: string) => (await kms.send(new DescribeKeyCommand({ KeyId: keyId }))).KeyMetadata!.KeyState;

/** Waits (real time, bounded) until the wall clock reaches `instant`. */
async function until(instant: Date): Promise<void> {
  const wait = instant.getTime() - Date.now();
  if (wait > 5 * 60_000) throw new Error(`refusing to wait ${wait} ms for ${instant.toISOString()}`);
  if (wait > 0) await sleep(wait + 1_000);
}

describe('timers on LocalStack, fired by the driver through LocalStack\'s Lambda', () => {
  test('material expiry: the schedule the service armed, once due, erases the material in the deployed timer function', async () => {
    // GIVEN a key whose material expires in 20 seconds
    const keyId = (await createExternalKey(kms)).KeyId!;
    await importMaterial(kms, keyId, newMaterial(), { validTo: new Date(Date.now() + 20_000) });
    const [armed, ...others] = await schedulesOf(keyId);
    expect(others).toEqual([]);
    expect(armed).toMatchObject({ Name: expect.stringMatching(/^exp-/), ActionAfterCompletion: 'DELETE', Target: { Arn: expect.stringContaining(':function:') } });
    // WHEN its time comes and the driver delivers it
    await until(atTime(armed!.ScheduleExpression!));
    const delivered = (await fireDueSchedules(scheduler, groupName!, new Date(), invoke)).filter((d) => d.name.includes(keyId));
    // THEN the timer function applied it, the key reads PendingImport, and the schedule is gone
    expect(delivered.map((d) => d.result)).toEqual([{ outcome: 'applied' }]);
    expect(await stateOf(keyId)).toBe('PendingImport');
    expect(await schedulesOf(keyId)).toEqual([]);
  });

  test('key deletion: a schedule at the deletion date, harmless if delivered early, removed by CancelKeyDeletion', async () => {
    // GIVEN a key scheduled for deletion in 7 days
    const keyId = (await createExternalKey(kms)).KeyId!;
    const { DeletionDate } = await kms.send(new ScheduleKeyDeletionCommand({ KeyId: keyId, PendingWindowInDays: 7 }));
    const [armed] = await schedulesOf(keyId);
    expect(armed!.Name).toMatch(/^del-/);
    expect(atTime(armed!.ScheduleExpression!).getTime()).toBeGreaterThanOrEqual(DeletionDate!.getTime());
    // WHEN it is delivered now, days early (Scheduler delivers at least once; the function must re-check)
    const early = await invoke(armed!.Target!.Arn!, armed!.Target!.Input!);
    // THEN nothing happens
    expect(early).toEqual({ outcome: 'stale' });
    expect(await stateOf(keyId)).toBe('PendingDeletion');
    // and cancelling the deletion disarms it
    await kms.send(new CancelKeyDeletionCommand({ KeyId: keyId }));
    expect(await schedulesOf(keyId)).toEqual([]);
    expect(await stateOf(keyId)).toBe('PendingImport'); // D1: an EXTERNAL key without material
  });
});
