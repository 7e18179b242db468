import { InvalidGrantTokenException, ValidationException } from '../../errors';
import { authorizeRetire } from '../../authorization/access';
import { resolveKey } from '../../key-access';
import { readGrantToken } from '../../model/grant-token';
import { stopIfDryRun } from '../cryptography/crypto-support';
import type { Operation } from '../types';
import { findGrant } from './grants';

export interface RetireGrantInput {
  readonly GrantToken?: string;
  readonly KeyId?: string;
  readonly GrantId?: string;
  readonly DryRun?: boolean;
}

export type RetireGrantOutput = Record<string, never>;

/**
 * Deletes a grant named by its token, or by key (ID or ARN) and grant id; the token wins when both are
 * given. Every key state. Who may retire is the grant's business (enforce mode: its retiring principal,
 * its grantee if it includes RetireGrant, or its issuing account; spec §3.6).
 * @see https://docs.aws.amazon.com/kms/latest/APIReference/API_RetireGrant.html
 */
export const retireGrant: Operation<RetireGrantInput, RetireGrantOutput> = async (deps, ctx, input) => {
  let keyRef: string;
  let grantId: string;
  if (input.GrantToken !== undefined) {
    const subject = readGrantToken(input.GrantToken);
    if (!subject) throw new InvalidGrantTokenException('The grant token is not valid.');
    ({ keyArn: keyRef, grantId } = subject);
  } else if (input.KeyId !== undefined && input.GrantId !== undefined) {
    ({ KeyId: keyRef, GrantId: grantId } = input);
  } else {
    throw new ValidationException('Either GrantToken, or both KeyId and GrantId, must be specified.');
  }
  // Stryker disable next-line ObjectLiteral: `{}` (which TypeScript refuses) reads allowAlias as undefined, as falsy as false
  const { key } = await resolveKey(deps, ctx, keyRef, { allowAlias: false });
  const grant = await findGrant(deps, key, grantId);
  authorizeRetire(deps, ctx, key, grant);
  stopIfDryRun(input.DryRun);
  await deps.keys.deleteGrant(key.scope, key.keyId, grantId);
  return {};
};
