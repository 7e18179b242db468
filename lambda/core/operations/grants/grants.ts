/** What the grant operations share: the grant id check, the lookup with AWS's errors, the list entry. */
import type { EncryptionContext } from '../../crypto/encryption-context';
import { InvalidGrantIdException, NotFoundException } from '../../errors';
import { GRANT_ID_PATTERN, type GrantOperation, type GrantRecord } from '../../model/grant';
import type { KeyRecord } from '../../model/key';
import type { Deps } from '../../ports';

/** A grant id is 64 lower-case hex characters; anything else is InvalidGrantIdException (D69). */
export function checkGrantId(grantId: string): void {
  if (!GRANT_ID_PATTERN.test(grantId)) throw new InvalidGrantIdException(`Invalid grantId '${grantId}'`);
}

/** The key's grant, or NotFoundException naming the grant and the key (D69). */
export async function findGrant(deps: Pick<Deps, 'keys'>, key: KeyRecord, grantId: string): Promise<GrantRecord> {
  checkGrantId(grantId);
  const grant = await deps.keys.getGrant(key.scope, key.keyId, grantId);
  if (!grant) throw new NotFoundException(`Grant '${grantId}' does not exist for key '${key.arn}'`);
  return grant;
}

export interface GrantConstraintsMembers {
  readonly EncryptionContextSubset?: EncryptionContext;
  readonly EncryptionContextEquals?: EncryptionContext;
}

export interface GrantListEntry {
  /** The key ARN, as AWS's examples show it. */
  readonly KeyId: string;
  readonly GrantId: string;
  /** Absent for a grant created without a Name (the model's "null"). */
  readonly Name?: string;
  readonly CreationDate: Date;
  readonly GranteePrincipal: string;
  readonly RetiringPrincipal?: string;
  readonly IssuingAccount: string;
  readonly Operations: readonly GrantOperation[];
  readonly Constraints?: GrantConstraintsMembers;
}

export interface ListGrantsOutput {
  readonly Grants: readonly GrantListEntry[];
  /** Only when Truncated. */
  readonly NextMarker?: string;
  readonly Truncated: boolean;
}

export function grantListEntry(grant: GrantRecord, keyArn: string): GrantListEntry {
  const { encryptionContextSubset: subset, encryptionContextEquals: equals } = grant.constraints ?? {};
  return {
    KeyId: keyArn,
    GrantId: grant.grantId,
    ...(grant.name !== undefined && { Name: grant.name }),
    CreationDate: grant.creationDate,
    GranteePrincipal: grant.granteePrincipal,
    ...(grant.retiringPrincipal !== undefined && { RetiringPrincipal: grant.retiringPrincipal }),
    IssuingAccount: grant.issuingAccount,
    Operations: grant.operations,
    ...(grant.constraints && {
      Constraints: { ...(subset && { EncryptionContextSubset: subset }), ...(equals && { EncryptionContextEquals: equals }) },
    }),
  };
}

/** A page of list entries in the shape ListGrants and ListRetirableGrants answer. */
export function grantsPage(entries: readonly GrantListEntry[], nextMarker: string | undefined): ListGrantsOutput {
  return nextMarker === undefined ? { Grants: entries, Truncated: false } : { Grants: entries, NextMarker: nextMarker, Truncated: true };
}
