import type { AnyOperation } from '../types';
import { cancelKeyDeletion } from './cancel-key-deletion';
import { scheduleKeyDeletion } from './schedule-key-deletion';

/** Scheduled key deletion and its cancellation. */
export const deletionOperations: ReadonlyMap<string, AnyOperation> = new Map<string, AnyOperation>([
  ['ScheduleKeyDeletion', scheduleKeyDeletion],
  ['CancelKeyDeletion', cancelKeyDeletion],
]);
