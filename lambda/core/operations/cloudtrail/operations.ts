import type { AuditTrail } from '../../ports';
import type { AnyOperation } from '../types';
import { lookupEvents } from './lookup-events';

/**
 * CloudTrail's actions the KMS endpoint answers (design decision 12): reading the audit trail. Not
 * in the KMS registry: they are another service's, dispatched by their own target prefix.
 */
export function cloudTrailOperations(audit: AuditTrail): ReadonlyMap<string, AnyOperation> {
  return new Map<string, AnyOperation>([['LookupEvents', lookupEvents(audit)]]);
}
