/**
 * Plays EventBridge Scheduler where schedules are stored but never fired (moto; LocalStack, whose
 * Scheduler keeps schedules without running them). It reads the schedules the service created in its
 * group and, once their `at()` time has come, delivers each one as Scheduler would: it invokes the
 * target with the schedule's input, then deletes the schedule (the service always asks for
 * ActionAfterCompletion DELETE). A timer's own write may arm or disarm others, so it repeats until
 * nothing is due.
 *
 * In the LocalStack profile the target is the deployed timer function, invoked through LocalStack's
 * Lambda (lambdaInvoker); test/aws/scheduler-end-to-end.test.ts drives moto's Scheduler with it.
 *
 *   tsx scripts/localstack/scheduler-driver.ts --group <name> [--watch <seconds>]
 *     fires what is due now (with --watch: again every <seconds> until stopped), one JSON line per delivery
 */
import { parseArgs } from 'node:util';
import { pathToFileURL } from 'node:url';
import { InvokeCommand, type LambdaClient } from '@aws-sdk/client-lambda';
import { DeleteScheduleCommand, GetScheduleCommand, type GetScheduleCommandOutput, ListSchedulesCommand, type SchedulerClient } from '@aws-sdk/client-scheduler';

export type Schedule = GetScheduleCommandOutput;
/** Delivers a schedule's input to its target; resolves to what the target answered. */
export type Invoke = (targetArn: string, input: string) => Promise<unknown>;

export interface Delivery {
  readonly name: string;
  readonly schedule: Schedule;
  readonly result: unknown;
}

/** Every schedule in a group, in full (GetSchedule), names in order. */
export async function schedulesIn(scheduler: SchedulerClient, groupName: string): Promise<Schedule[]> {
  const names: string[] = [];
  let token: string | undefined;
  do {
    const page = await scheduler.send(new ListSchedulesCommand({ GroupName: groupName, ...(token && { NextToken: token }) }));
    names.push(...(page.Schedules ?? []).map((s) => s.Name!));
    token = page.NextToken;
  } while (token);
  names.sort();
  return Promise.all(names.map((Name) => scheduler.send(new GetScheduleCommand({ Name, GroupName: groupName }))));
}

/** The instant of an `at(yyyy-mm-ddThh:mm:ss)` expression in UTC (the only kind the service creates). */
export function atTime(expression: string): Date {
  const match = /^at\((\d{4}-\d{2}-\d{2}T\d{2}:\d{2}:\d{2})\)$/.exec(expression);
  if (!match) throw new Error(`not a one-time schedule: ${expression}`);
  return new Date(`${match[1]}Z`);
}

/** Delivers every schedule of `groupName` due at `now`, until none is left due; returns the deliveries in order. */
export async function fireDueSchedules(scheduler: SchedulerClient, groupName: string, now: Date, invoke: Invoke): Promise<Delivery[]> {
  const deliveries: Delivery[] = [];
  for (;;) {
    const due = (await schedulesIn(scheduler, groupName)).filter((s) => atTime(s.ScheduleExpression!) <= now);
    if (due.length === 0) return deliveries;
    for (const schedule of due) {
      if (schedule.ScheduleExpressionTimezone !== 'UTC') throw new Error(`schedule ${schedule.Name} is not in UTC: ${schedule.ScheduleExpressionTimezone}`);
      const result = await invoke(schedule.Target!.Arn!, schedule.Target!.Input ?? '{}');
      deliveries.push({ name: schedule.Name!, schedule, result });
      // ActionAfterCompletion: DELETE (the timer's own write may have disarmed it already)
      await scheduler.send(new DeleteScheduleCommand({ Name: schedule.Name!, GroupName: groupName })).catch((err: Error) => {
        if (err.name !== 'ResourceNotFoundException') throw err;
      });
    }
  }
}

/** Invokes the target function synchronously through Lambda's Invoke API; a function error is thrown, with what the function said. */
export function lambdaInvoker(lambda: LambdaClient): Invoke {
  return async (targetArn, input) => {
    const out = await lambda.send(new InvokeCommand({ FunctionName: targetArn, InvocationType: 'RequestResponse', Payload: new TextEncoder().encode(input) }));
    const text = out.Payload ? new TextDecoder().decode(out.Payload) : '';
    if (out.FunctionError) throw new Error(`${targetArn} failed (${out.FunctionError}): ${text}`);
    return text === '' ? undefined : (JSON.parse(text) as unknown);
  };
}

async function main(argv: string[]): Promise<void> {
  const { values } = parseArgs({ args: argv, options: { group: { type: 'string' }, watch: { type: 'string' } } });
  if (!values.group) {
    process.stderr.write('usage: scheduler-driver.ts --group <schedule group> [--watch <seconds>]\n');
    process.exit(2);
  }
  const { SchedulerClient } = await import('@aws-sdk/client-scheduler');
  const { LambdaClient } = await import('@aws-sdk/client-lambda');
  const scheduler = new SchedulerClient({});
  const invoke = lambdaInvoker(new LambdaClient({}));
  const everyMs = values.watch === undefined ? 0 : Number(values.watch) * 1000;
  if (!(everyMs >= 0)) throw new Error(`--watch takes seconds, got ${values.watch}`);
  let stopping = false;
  for (const signal of ['SIGINT', 'SIGTERM'] as const) process.once(signal, () => (stopping = true));
  do {
    for (const d of await fireDueSchedules(scheduler, values.group, new Date(), invoke)) {
      process.stdout.write(`${JSON.stringify({ delivered: d.name, at: d.schedule.ScheduleExpression, result: d.result })}\n`);
    }
    if (everyMs > 0 && !stopping) await new Promise((done) => setTimeout(done, everyMs));
  } while (everyMs > 0 && !stopping);
}

if (process.argv[1] && import.meta.url === pathToFileURL(process.argv[1]).href) {
  main(process.argv.slice(2)).catch((err: unknown) => {
    process.stderr.write(`scheduler-driver: ${(err as Error).message}\n`);
    process.exit(1);
  });
}
