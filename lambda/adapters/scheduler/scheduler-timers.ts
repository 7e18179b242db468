/**
 * SchedulerTimers: the Timers port on EventBridge Scheduler one-shot schedules.
 *
 * One schedule per timer, named after it (timer.ts keeps names within Scheduler's 64 characters of
 * [0-9a-zA-Z-_.]), in one schedule group, deleted by Scheduler after it runs. The target is the timer
 * function; the input is the timer's wire form, which the timer handler parses back.
 *
 * When a schedule fires: `at()` has one-minute precision, and a schedule must never fire before the
 * timer is due (the handler would find nothing to do yet, and the erasure would never happen). So the
 * time is rounded up to the next whole minute, and a due time that is already past (or less than a
 * minute away) is moved to the first whole minute at least a minute from now: Scheduler is never asked
 * for a moment in the past. Firing a little late is harmless: every read applies asOf(now), so the key
 * already reads as expired or deleted at the exact instant (design decision 2); the timer only erases.
 */
import { CreateScheduleCommand, DeleteScheduleCommand, type SchedulerClient } from '@aws-sdk/client-scheduler';
import type { Timers } from '../../core/ports';
import { type Timer, timerToWire } from '../../core/timers/timer';

export interface SchedulerTimersConfig {
  /** Schedule group that holds the timers. */
  readonly groupName: string;
  /** ARN of the timer function. */
  readonly targetArn: string;
  /** Role Scheduler assumes to invoke the target (and to send to the dead-letter queue). */
  readonly roleArn: string;
  /** SQS queue for invocations that still fail after every retry. */
  readonly deadLetterArn: string;
  /** @default 185 (Scheduler's maximum) */
  readonly maximumRetryAttempts?: number;
  /** @default 86400 (one day, Scheduler's maximum) */
  readonly maximumEventAgeInSeconds?: number;
  /** Wall clock used to keep schedules out of the past. @default () => new Date() */
  readonly now?: () => Date;
}

/** Scheduler never gets a time closer than this: a schedule for "now" could be refused or skipped. */
const MIN_LEAD_MS = 60_000;
const MINUTE_MS = 60_000;

/** The instant a timer's schedule is set for: due time or a minute from now, whichever is later, rounded up to a whole minute. */
export function scheduleInstant(due: Date, now: Date): Date {
  const earliest = Math.max(due.getTime(), now.getTime() + MIN_LEAD_MS);
  return new Date(Math.ceil(earliest / MINUTE_MS) * MINUTE_MS);
}

/** `at(yyyy-mm-ddThh:mm:ss)`, read by Scheduler in the time zone given with it (always UTC here). */
export function atExpression(instant: Date): string {
  return `at(${instant.toISOString().slice(0, 19)})`;
}

export class SchedulerTimers implements Timers {
  private readonly now: () => Date;

  constructor(
    private readonly client: SchedulerClient,
    private readonly config: SchedulerTimersConfig,
  ) {
    this.now = config.now ?? (() => new Date());
  }

  async arm(timer: Timer): Promise<void> {
    try {
      await this.client.send(
        new CreateScheduleCommand({
          Name: timer.name,
          GroupName: this.config.groupName,
          Description: `${timer.kind} of key ${timer.keyId}`,
          ScheduleExpression: atExpression(scheduleInstant(timer.at, this.now())),
          ScheduleExpressionTimezone: 'UTC',
          FlexibleTimeWindow: { Mode: 'OFF' },
          ActionAfterCompletion: 'DELETE',
          State: 'ENABLED',
          Target: {
            Arn: this.config.targetArn,
            RoleArn: this.config.roleArn,
            Input: JSON.stringify(timerToWire(timer)),
            RetryPolicy: {
              MaximumRetryAttempts: this.config.maximumRetryAttempts ?? 185,
              MaximumEventAgeInSeconds: this.config.maximumEventAgeInSeconds ?? 86_400,
            },
            DeadLetterConfig: { Arn: this.config.deadLetterArn },
          },
        }),
      );
    } catch (err) {
      // The due second is part of the name: same name ⇒ same timer, already armed.
      if (errorName(err) === 'ConflictException') return;
      throw err;
    }
  }

  async disarm(timerName: string): Promise<void> {
    try {
      await this.client.send(new DeleteScheduleCommand({ Name: timerName, GroupName: this.config.groupName }));
    } catch (err) {
      // Already fired (and deleted by Scheduler), already disarmed, or never armed.
      if (errorName(err) === 'ResourceNotFoundException') return;
      throw err;
    }
  }
}

function errorName(err: unknown): unknown {
  return typeof err === 'object' && err !== null ? (err as { name?: unknown }).name : undefined;
}
