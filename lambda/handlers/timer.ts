/**
 * The timer function: EventBridge Scheduler invokes it with a timer's wire form (the schedule's
 * Input) when a key's deletion, a material's expiry or an automatic rotation is due. The same onTimerDue runs here as in
 * the embedded mode's in-process timers, so both paths erase exactly the same things.
 *
 * A payload that is not a timer is logged and dropped (retrying cannot fix it). Any other failure
 * is thrown: Lambda retries the asynchronous invocation, then sends it to the dead-letter queue.
 */
import type { Logger } from '@aws-lambda-powertools/logger';
import { injectLambdaContext } from '@aws-lambda-powertools/logger/middleware';
import middy from '@middy/core';
import type { Context } from 'aws-lambda';
import { ThrottlingException } from '../core/errors';
import type { Deps } from '../core/ports';
import { onTimerDue } from '../core/timers/on-timer-due';
import { timerFromWire } from '../core/timers/timer';

export type TimerOutcome = 'applied' | 'stale' | 'ignored';

export type TimerHandler = (event: unknown, context: Context) => Promise<{ readonly outcome: TimerOutcome }>;

export function makeTimerHandler(
  deps: Pick<Deps, 'keys' | 'timers' | 'clock' | 'events' | 'materialCache' | 'keyWrites' | 'rootKey' | 'random'>,
  logger: Logger,
): TimerHandler {
  return middy<unknown, { readonly outcome: TimerOutcome }, Error, Context>()
    .use(injectLambdaContext(logger, { resetKeys: true }))
    .handler(async (event) => {
      const timer = timerFromWire(event);
      if (!timer) {
        logger.error('dropped an event that is not a timer', { outcome: 'ignored' });
        return { outcome: 'ignored' };
      }
      const { kind, keyId, name, scope } = timer;
      const fields = { timer: name, kind, keyId, account: scope.account, region: scope.region, dueAt: timer.at.toISOString() };
      try {
        const outcome = await onTimerDue(deps, timer);
        logger.info(`timer ${outcome}`, { ...fields, outcome });
        return { outcome };
      } catch (err) {
        // Lost every race for the key (it is being changed a lot right now): routine, not an error.
        const log = err instanceof ThrottlingException ? logger.warn.bind(logger) : logger.error.bind(logger);
        log('timer failed; the invocation will be retried', { ...fields, errorName: (err as Error).name });
        throw err;
      }
    });
}
