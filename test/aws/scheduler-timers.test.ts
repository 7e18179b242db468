/** SchedulerTimers against EventBridge Scheduler on a moto server: the exact schedules created and deleted. */
import { afterAll, beforeAll, describe, expect, test } from 'vitest';
import { SchedulerTimers, atExpression, scheduleInstant } from '../../lambda/adapters/scheduler/scheduler-timers';
import { deletionTimer, expiryTimer, timerFromWire } from '../../lambda/core/timers/timer';
import { TEST_SCOPE } from '../support/memory-deps';
import { type MotoAws, createScheduleGroup, schedulesIn, startMotoAws, timerTargets } from './support/moto-aws';

const KEY_ID = '1234abcd-12ab-34cd-56ef-1234567890ab';
const NOW = new Date('2026-03-01T10:00:00Z');

describe('scheduleInstant', () => {
  test('rounds a future due time up to the next whole minute', () => {
    expect(scheduleInstant(new Date('2026-03-02T08:15:01Z'), NOW).toISOString()).toBe('2026-03-02T08:16:00.000Z');
    expect(scheduleInstant(new Date('2026-03-02T08:15:00Z'), NOW).toISOString()).toBe('2026-03-02T08:15:00.000Z');
  });

  test('moves a due time in the past, or under a minute away, to at least a minute from now', () => {
    expect(scheduleInstant(new Date('2026-02-01T00:00:00Z'), NOW).toISOString()).toBe('2026-03-01T10:01:00.000Z');
    expect(scheduleInstant(new Date('2026-03-01T10:00:30Z'), new Date('2026-03-01T10:00:10Z')).toISOString()).toBe('2026-03-01T10:02:00.000Z');
  });

  test('writes at() in UTC without a zone suffix', () => {
    expect(atExpression(new Date('2026-03-02T08:16:00Z'))).toBe('at(2026-03-02T08:16:00)');
  });
});

describe('SchedulerTimers on moto', () => {
  let aws: MotoAws;
  beforeAll(async () => {
    aws = await startMotoAws();
  });
  afterAll(async () => aws?.stop());

  async function timersInNewGroup() {
    const groupName = await createScheduleGroup(aws.scheduler);
    return { groupName, timers: new SchedulerTimers(aws.scheduler, { ...timerTargets(groupName), now: () => NOW }) };
  }

  test('arm creates one one-shot schedule that invokes the timer function with the timer as input', async () => {
    // GIVEN
    const { groupName, timers } = await timersInNewGroup();
    const timer = expiryTimer(TEST_SCOPE, KEY_ID, new Date('2026-04-01T12:30:15.250Z'));
    // WHEN
    await timers.arm(timer);
    // THEN
    const [schedule, ...others] = await schedulesIn(aws.scheduler, groupName);
    expect(others).toEqual([]);
    const targets = timerTargets(groupName);
    expect(schedule).toMatchObject({
      Name: `exp-${KEY_ID}-1775046616`,
      GroupName: groupName,
      ScheduleExpression: 'at(2026-04-01T12:31:00)',
      ScheduleExpressionTimezone: 'UTC',
      FlexibleTimeWindow: { Mode: 'OFF' },
      ActionAfterCompletion: 'DELETE',
      State: 'ENABLED',
      Target: {
        Arn: targets.targetArn,
        RoleArn: targets.roleArn,
        RetryPolicy: { MaximumRetryAttempts: 185, MaximumEventAgeInSeconds: 86_400 },
        DeadLetterConfig: { Arn: targets.deadLetterArn },
      },
    });
    expect(timerFromWire(JSON.parse(schedule!.Target!.Input!))).toEqual(timer);
  });

  test('arming the same timer twice is not an error and keeps one schedule', async () => {
    // GIVEN
    const { groupName, timers } = await timersInNewGroup();
    const timer = deletionTimer(TEST_SCOPE, KEY_ID, new Date('2026-03-08T10:00:00Z'));
    await timers.arm(timer);
    // WHEN
    await timers.arm(timer);
    // THEN
    expect((await schedulesIn(aws.scheduler, groupName)).map((s) => s.Name)).toEqual([timer.name]);
  });

  test('a timer already due is scheduled a minute from now, never in the past', async () => {
    // GIVEN
    const { groupName, timers } = await timersInNewGroup();
    // WHEN
    await timers.arm(expiryTimer(TEST_SCOPE, KEY_ID, new Date('2026-02-27T00:00:00Z')));
    // THEN
    const [schedule] = await schedulesIn(aws.scheduler, groupName);
    expect(schedule?.ScheduleExpression).toBe('at(2026-03-01T10:01:00)');
  });

  test('disarm deletes the schedule; disarming one that is gone is not an error', async () => {
    // GIVEN
    const { groupName, timers } = await timersInNewGroup();
    const keep = deletionTimer(TEST_SCOPE, KEY_ID, new Date('2026-03-30T00:00:00Z'));
    const drop = expiryTimer(TEST_SCOPE, KEY_ID, new Date('2026-03-20T00:00:00Z'));
    await timers.arm(keep);
    await timers.arm(drop);
    // WHEN
    await timers.disarm(drop.name);
    await timers.disarm(drop.name);
    await timers.disarm('exp-never-armed-1');
    // THEN
    expect((await schedulesIn(aws.scheduler, groupName)).map((s) => s.Name)).toEqual([keep.name]);
  });

  test('fails when Scheduler refuses the schedule for another reason (its group does not exist)', async () => {
    const timers = new SchedulerTimers(aws.scheduler, { ...timerTargets('no-such-group'), now: () => NOW });
    await expect(timers.arm(deletionTimer(TEST_SCOPE, KEY_ID, new Date('2026-03-08T10:00:00Z')))).rejects.toBeInstanceOf(Error);
  });
});
