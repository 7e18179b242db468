// The timer function's entry: EventBridge Scheduler invokes it with a timer's wire form.
import { makeTimerHandler } from '../handlers/timer';
import { awsRuntime } from '../runtime/aws';

const { deps, logger } = awsRuntime(process.env);
export const handler = makeTimerHandler(deps, logger);
