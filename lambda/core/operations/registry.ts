/**
 * Every KMS action this service implements, by action name. Each family folder lists its own
 * actions in `<family>/operations.ts`; a new family adds one line here. Every action that takes
 * GrantTokens has them checked here, before it runs, whatever its family.
 */
import { aliasOperations } from './aliases/operations';
import { cryptographyOperations } from './cryptography/operations';
import { checkGrantTokens } from '../model/grant-token';
import { deletionOperations } from './deletion/operations';
import { grantOperations } from './grants/operations';
import { importOperations } from './import/operations';
import { keyAgreementOperations } from './key-agreement/operations';
import { keyOperations } from './keys/operations';
import { macOperations } from './mac/operations';
import { policyOperations } from './policies/operations';
import { rotationOperations } from './rotation/operations';
import { signingOperations } from './signing/operations';
import { tagOperations } from './tags/operations';
import type { AnyOperation } from './types';

const FAMILIES: readonly ReadonlyMap<string, AnyOperation>[] = [
  keyOperations,
  importOperations,
  rotationOperations,
  deletionOperations,
  cryptographyOperations,
  signingOperations,
  macOperations,
  keyAgreementOperations,
  aliasOperations,
  tagOperations,
  policyOperations,
  grantOperations,
];

/** A Map: header values never reach a prototype. Throws at start-up if two families claim one action. */
export function allOperations(): ReadonlyMap<string, AnyOperation> {
  const merged = new Map<string, AnyOperation>();
  for (const family of FAMILIES) {
    for (const [name, operation] of family) {
      // Stryker disable next-line ConditionalExpression,StringLiteral: `false` and the text are unreachable: FAMILIES is fixed and names every action once, the check guards edits of it (`true`, killed by every test, shares the name)
      if (merged.has(name)) throw new Error(`operation ${name} is registered twice`);
      merged.set(name, checkingGrantTokens(operation));
    }
  }
  return merged;
}

/** A malformed token in GrantTokens refuses the call (InvalidGrantTokenException) before anything else runs. */
function checkingGrantTokens(operation: AnyOperation): AnyOperation {
  return async (deps, ctx, input) => {
    // Stryker disable next-line OptionalChaining: equivalent: the adapters always pass the decoded request object, and every operation reads members of it
    checkGrantTokens((input as { GrantTokens?: readonly string[] } | undefined)?.GrantTokens);
    return operation(deps, ctx, input);
  };
}
