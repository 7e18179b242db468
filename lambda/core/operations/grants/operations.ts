import type { AnyOperation } from '../types';
import { createGrant } from './create-grant';
import { listGrants } from './list-grants';
import { listRetirableGrants } from './list-retirable-grants';
import { retireGrant } from './retire-grant';
import { revokeGrant } from './revoke-grant';

/** Grants: stored beside their key and deleted with it (not enforced yet). */
export const grantOperations: ReadonlyMap<string, AnyOperation> = new Map<string, AnyOperation>([
  ['CreateGrant', createGrant],
  ['ListGrants', listGrants],
  ['ListRetirableGrants', listRetirableGrants],
  ['RetireGrant', retireGrant],
  ['RevokeGrant', revokeGrant],
]);
