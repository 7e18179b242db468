/**
 * SigV4 authentication for the KMS API handler (design decision 5). Deployed stacks always use it;
 * the embedded server uses it with `--auth enforce`.
 *
 *   const authenticate = createSigV4Authenticator({ client, tableName, rootKey });
 *   makeKmsApiHandler(deps, { authenticate, logger });
 *
 * Clock skew is judged against the wall clock, never the service clock: the embedded mode's clock
 * control moves the service clock (days ahead), while SDK clients keep signing with real time.
 */
import type { DynamoDBClient } from '@aws-sdk/client-dynamodb';
import { principalOf, rootPrincipal } from '../../core/model/principal';
import type { RootKey } from '../../core/ports';
import { type Authenticator, partitionOf } from '../kms-json/authenticator';
import { CredentialStore } from './credential-store';
import { MAX_CLOCK_SKEW_MS, type SecretLookup, verifySigV4 } from './verifier';

export { CredentialStore, type CredentialOwner, type CredentialSummary, type IssuedCredential } from './credential-store';
export * from './errors';
export { MAX_CLOCK_SKEW_MS, SIGNING_NAME, type SecretLookup, verifySigV4 } from './verifier';

interface CommonOptions {
  /** Wall clock for the skew check. @default () => new Date() */
  readonly now?: () => Date;
  /** @default 15 minutes, as AWS */
  readonly maxClockSkewMs?: number;
}

export type SigV4AuthenticatorOptions = CommonOptions &
  (
    | {
        /** The key table's client (DynamoDB, or the embedded dynalite) and name, and the root key that wraps secrets. */
        readonly client: DynamoDBClient;
        readonly tableName: string;
        readonly rootKey: RootKey;
      }
    | { readonly lookup: SecretLookup }
  );

/** An Authenticator that accepts only requests signed with a credential this service issued. */
export function createSigV4Authenticator(options: SigV4AuthenticatorOptions): Authenticator {
  const lookup = 'lookup' in options ? options.lookup : new CredentialStore(options.client, options.tableName, options.rootKey).lookup;
  const now = options.now ?? (() => new Date());
  return async (request) => {
    const caller = await verifySigV4(request, lookup, now(), options.maxClockSkewMs ?? MAX_CLOCK_SKEW_MS);
    const scope = { partition: partitionOf(caller.region), account: caller.account, region: caller.region };
    // The principal's partition follows the Region signed for, as key ARNs do; a role credential is
    // its own session, named after its access key id (D100).
    const principal =
      caller.principal === undefined
        ? rootPrincipal(scope.partition, scope.account)
        : principalOf(caller.principal.replace(/^arn:[^:]*:/, `arn:${scope.partition}:`), caller.accessKeyId);
    return {
      scope,
      principal,
      accessKeyId: caller.accessKeyId,
      ...(caller.identityPolicy && { identityPolicy: caller.identityPolicy }),
      ...(caller.issuedAt && { issuedAt: caller.issuedAt }),
      verified: true,
    };
  };
}
