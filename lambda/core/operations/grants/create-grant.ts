import { StoreConflictError, ValidationException } from '../../errors';
import type { EncryptionContext } from '../../crypto/encryption-context';
import { resolveKey } from '../../key-access';
import { accountRootArn, callerArn } from '../../model/caller';
import {
  grantableOperations,
  namedGrantId,
  supportsEncryptionContextConstraints,
  type GrantConstraints,
  type GrantOperation,
  type GrantRecord,
} from '../../model/grant';
import { issueGrantToken } from '../../model/grant-token';
import type { KeyRecord } from '../../model/key';
import { assertAccepts } from '../../model/key-state';
import { isGrantPrincipal } from '../../policy/key-policy';
import { stopIfDryRun } from '../cryptography/crypto-support';
import type { Operation } from '../types';
import type { GrantConstraintsMembers } from './grants';

/** Constraint limits (spec §3.4). */
const MAX_CONSTRAINT_PAIRS = 8;
const MAX_CONSTRAINT_VALUE = 384;

export interface CreateGrantInput {
  readonly KeyId: string;
  readonly GranteePrincipal: string;
  readonly RetiringPrincipal?: string;
  readonly Operations: readonly GrantOperation[];
  readonly Constraints?: GrantConstraintsMembers;
  /** Checked by the registry (grant-token.ts), like every GrantTokens member. */
  readonly GrantTokens?: readonly string[];
  readonly Name?: string;
  readonly DryRun?: boolean;
}

export interface CreateGrantOutput {
  readonly GrantToken: string;
  readonly GrantId: string;
}

/**
 * Adds a grant to an Enabled key. The operations must be ones the key can do; encryption-context
 * constraints only on symmetric encryption keys. With a Name, a retry of the same request returns the
 * grant it created (its id is a hash of the parameters, D68); every call returns a new token. Grants
 * are stored, not enforced (nothing is checked in open mode).
 * @see https://docs.aws.amazon.com/kms/latest/APIReference/API_CreateGrant.html
 */
export const createGrant: Operation<CreateGrantInput, CreateGrantOutput> = async (deps, ctx, input) => {
  const operations = [...new Set(input.Operations)];
  if (operations.length === 0) {
    throw new ValidationException("1 validation error detected: Value '[]' at 'operations' failed to satisfy constraint: Member must have length greater than or equal to 1");
  }
  const constraints = grantConstraints(input.Constraints);
  // Stryker disable next-line ObjectLiteral: `{}` (which TypeScript refuses) reads allowAlias as undefined, as falsy as false
  const { key } = await resolveKey(deps, ctx, input.KeyId, { allowAlias: false });
  assertAccepts(key, 'CreateGrant');
  checkGrant(key, input, operations, constraints);
  stopIfDryRun(input.DryRun);

  // Serialised with the writes of the key; a named grant retired between the conflict and the read is created again.
  return deps.keyWrites.run(key.arn, async () => {
    const grantId = input.Name === undefined
      ? Buffer.from(deps.random(32)).toString('hex')
      : namedGrantId({
          keyArn: key.arn,
          name: input.Name,
          granteePrincipal: input.GranteePrincipal,
          // Stryker disable next-line ConditionalExpression: `input.RetiringPrincipal !== undefined` -> true is equivalent: namedGrantId reads an undefined retiring principal as none (`?? null`) (`false`, killed by the named-grant tests, shares the name)
          ...(input.RetiringPrincipal !== undefined && { retiringPrincipal: input.RetiringPrincipal }),
          operations,
          ...(constraints && { constraints }),
        });
    const grant: GrantRecord = {
      scope: key.scope,
      keyId: key.keyId,
      grantId,
      // Stryker disable next-line ConditionalExpression: `input.Name !== undefined` -> true is equivalent: ListGrants and both stores (memory, DynamoDB item codec) leave an undefined name out (`false`, killed by the named-grant tests, shares the name)
      ...(input.Name !== undefined && { name: input.Name }),
      creationDate: deps.clock.now(),
      granteePrincipal: input.GranteePrincipal,
      // Stryker disable next-line ConditionalExpression: `input.RetiringPrincipal !== undefined` -> true is equivalent: ListGrants and both stores leave an undefined retiring principal out (`false`, killed by the retiring-principal tests, shares the name)
      ...(input.RetiringPrincipal !== undefined && { retiringPrincipal: input.RetiringPrincipal }),
      operations,
      ...(constraints && { constraints }),
      issuingAccount: accountRootArn(ctx.scope),
      issuingPrincipal: callerArn(ctx),
    };
    try {
      await deps.keys.createGrant(grant);
    } catch (err) {
      // Same Name and parameters: the grant the first request created. Gone meanwhile: try again.
      if (!(err instanceof StoreConflictError) || input.Name === undefined) throw err;
      if (!(await deps.keys.getGrant(key.scope, key.keyId, grantId))) throw err;
    }
    return { GrantToken: issueGrantToken({ keyArn: key.arn, grantId }, deps.random), GrantId: grantId };
  });
};

function grantConstraints(members: GrantConstraintsMembers | undefined): GrantConstraints | undefined {
  if (!members) return undefined;
  const check = (pairs: EncryptionContext | undefined, path: string) => {
    if (!pairs) return;
    const entries = Object.entries(pairs);
    if (entries.length > MAX_CONSTRAINT_PAIRS) {
      throw new ValidationException(`1 validation error detected: Value at 'constraints.${path}' failed to satisfy constraint: Member must have length less than or equal to ${MAX_CONSTRAINT_PAIRS}`);
    }
    for (const [k, v] of entries) {
      if (v.length > MAX_CONSTRAINT_VALUE) {
        throw new ValidationException(`1 validation error detected: Value at 'constraints.${path}.${k}' failed to satisfy constraint: Member must have length less than or equal to ${MAX_CONSTRAINT_VALUE}`);
      }
    }
  };
  check(members.EncryptionContextSubset, 'encryptionContextSubset');
  check(members.EncryptionContextEquals, 'encryptionContextEquals');
  const { EncryptionContextSubset: subset, EncryptionContextEquals: equals } = members;
  if (!subset && !equals) return undefined;
  return { ...(subset && { encryptionContextSubset: subset }), ...(equals && { encryptionContextEquals: equals }) };
}

/** What the key decides (D70): principals of a valid form, operations it can do, constraints it can use. */
function checkGrant(key: KeyRecord, input: CreateGrantInput, operations: readonly GrantOperation[], constraints: GrantConstraints | undefined): void {
  const { partition } = key.scope;
  if (!isGrantPrincipal(input.GranteePrincipal, partition)) throw new ValidationException(`The grantee principal ${input.GranteePrincipal} is not a valid principal.`);
  if (input.RetiringPrincipal !== undefined && !isGrantPrincipal(input.RetiringPrincipal, partition)) {
    throw new ValidationException(`The retiring principal ${input.RetiringPrincipal} is not a valid principal.`);
  }
  const grantable = grantableOperations(key);
  const refused = operations.filter((op) => !grantable.has(op));
  if (refused.length > 0) {
    throw new ValidationException(
      `Grant operations must be supported by the key: ${refused.join(', ')} cannot be granted on ${key.arn} (KeySpec ${key.keySpec}, KeyUsage ${key.keyUsage}).`,
    );
  }
  if (constraints && !supportsEncryptionContextConstraints(key)) {
    throw new ValidationException(`Encryption context grant constraints are not valid for ${key.arn}: only symmetric encryption keys take an encryption context.`);
  }
}
