/**
 * AWS's decision for one KMS request (spec §2.2), from the key policy, the caller's identity policy
 * (the stand-in for IAM, D108) and the key's grants:
 *
 *   1. an explicit Deny in the key policy or the identity policy denies;
 *   2. a key-policy Allow that names the caller (or everyone) allows;
 *   3. a key-policy Allow for the caller's account allows if the identity policy allows too;
 *   4. a grant to the caller for the operation, within its constraints, allows;
 *   5. anything else is an implicit deny.
 *
 * Actions that no key policy governs (CreateKey, ListKeys, ListAliases, GenerateRandom,
 * ListRetirableGrants, cloudtrail:LookupEvents) are decided by the identity policy alone.
 */
import { constraintsAllow, GRANT_OPERATIONS, type GrantRecord } from '../model/grant';
import { accountRootArn, type Principal } from '../model/principal';
import { CompiledPolicy, type ConditionContext, evaluatePolicy } from './policy-evaluator';

/** What authorization needs to know of a grant. */
export type GrantView = Pick<GrantRecord, 'granteePrincipal' | 'operations' | 'constraints'> & Partial<Pick<GrantRecord, 'retiringPrincipal' | 'issuingAccount'>>;

export interface AccessRequest {
  readonly principal: Principal;
  /** The KMS operation name, e.g. `Encrypt` (`ReEncryptFrom`/`ReEncryptTo` for the two halves of ReEncrypt). */
  readonly operation: string;
  /** `kms` unless another service's action (`cloudtrail`). */
  readonly service?: string;
  /** The key ARN; absent for actions on no key. */
  readonly keyArn?: string;
  /** The resource the identity policy is asked about, when it is not the key (an alias ARN). */
  readonly identityResource?: string;
  /** The key policy document (parsed JSON); absent for actions on no key. */
  readonly keyPolicy?: unknown;
  /** The caller's identity policy (parsed JSON); undefined = may do everything (an administrator). */
  readonly identityPolicy?: unknown;
  readonly grants?: readonly GrantView[];
  /** The request's encryption context, for grant constraints. */
  readonly encryptionContext?: Readonly<Record<string, string>>;
  /** CreateGrant only: the grant being asked for, which a grant allowing CreateGrant must cover (spec §3.5). */
  readonly requestedGrant?: Pick<GrantView, 'operations' | 'constraints'>;
  readonly context: ConditionContext;
}

export type AccessDenialReason = 'explicit-deny-resource' | 'explicit-deny-identity' | 'no-resource-policy' | 'no-identity-policy';

export type AccessDecision =
  | { readonly allowed: true; readonly by: 'key-policy' | 'identity-policy' | 'grant' }
  | { readonly allowed: false; readonly reason: AccessDenialReason };

const GRANTABLE: ReadonlySet<string> = new Set(GRANT_OPERATIONS);
/** The resource of an action on no key, for the identity policy and in refusals. */
const NO_KEY = '*';
/** Grant constraints do not apply to these operations (spec §3.4). */
const UNCONSTRAINED = new Set(['DescribeKey', 'RetireGrant']);

/** Whether a grant could allow `operation` at all: only cryptographic and grant operations (spec §3.3). */
export function isGrantable(operation: string): boolean {
  return GRANTABLE.has(operation);
}

type IdentityDecision = 'Allow' | 'ExplicitDeny' | 'ImplicitDeny';

/**
 * Identity policies compiled per document object (D135): a credential's policy is parsed once per
 * credential lookup (and kept with it), and no one changes a parsed policy (it is Readonly).
 */
const compiledIdentityPolicies = new WeakMap<object, CompiledPolicy>();

function compiledIdentityPolicy(document: unknown): unknown {
  if (typeof document !== 'object' || document === null) return document;
  let compiled = compiledIdentityPolicies.get(document);
  if (compiled === undefined) compiledIdentityPolicies.set(document, (compiled = CompiledPolicy.of(document)));
  return compiled;
}

function identityDecision(request: AccessRequest, resource: string, action = `${request.service ?? 'kms'}:${request.operation}`): IdentityDecision {
  // The root user has every permission IAM can give; other principals have their identity policy.
  if (request.principal.type === 'Root' || request.identityPolicy === undefined) return 'Allow';
  const policy = compiledIdentityPolicy(request.identityPolicy);
  // Stryker disable next-line StringLiteral: evaluatePolicy matches principals only for 'resource'; any other kind is an identity policy
  return evaluatePolicy(policy, { principal: request.principal, action, resource, context: request.context }, 'identity').decision;
}

export function authorize(request: AccessRequest): AccessDecision {
  const action = `${request.service ?? 'kms'}:${request.operation}`;
  const identity = identityDecision(request, request.identityResource ?? request.keyArn ?? NO_KEY, action);
  if (identity === 'ExplicitDeny') return { allowed: false, reason: 'explicit-deny-identity' };

  if (request.keyArn === undefined) {
    return identity === 'Allow' ? { allowed: true, by: 'identity-policy' } : { allowed: false, reason: 'no-identity-policy' };
  }
  const key = evaluatePolicy(request.keyPolicy, { principal: request.principal, action, resource: request.keyArn, context: request.context }, 'resource');
  if (key.decision === 'ExplicitDeny') return { allowed: false, reason: 'explicit-deny-resource' };
  if (key.decision === 'Allow' && !key.viaAccount) return { allowed: true, by: 'key-policy' };
  if (key.decision === 'Allow' && identity === 'Allow') return { allowed: true, by: 'identity-policy' };
  if (grantAllows(request, identity)) return { allowed: true, by: 'grant' };
  return { allowed: false, reason: key.decision === 'Allow' ? 'no-identity-policy' : 'no-resource-policy' };
}

/**
 * Whether `grantee` (a grant's grantee or retiring principal) is the caller: its ARN, its role (for a
 * session), or its account when the caller's identity policy allows the action (the account then
 * delegates to IAM, as a key policy's account statement does).
 */
function namesCaller(grantee: string | undefined, caller: Principal, identity: IdentityDecision): boolean {
  if (grantee === caller.arn || grantee === caller.principalArn) return true;
  return (grantee === caller.account || grantee === accountRootArn(caller.partition, caller.account)) && identity === 'Allow';
}

function grantAllows(request: AccessRequest, identity: IdentityDecision): boolean {
  if (!GRANTABLE.has(request.operation)) return false;
  return request.grants?.some((grant) => {
    if (!namesCaller(grant.granteePrincipal, request.principal, identity)) return false;
    if (!(grant.operations as readonly string[]).includes(request.operation)) return false;
    if (request.operation === 'CreateGrant') return request.requestedGrant !== undefined && coversChildGrant(grant, request.requestedGrant);
    return UNCONSTRAINED.has(request.operation) || constraintsAllow(grant.constraints, request.encryptionContext);
  }) ?? false;
}

/**
 * A grant that allows CreateGrant allows only grants within itself (spec §3.5): no operation it
 * lacks, and constraints at least as strict — its Subset pairs kept (a child may add pairs, or turn
 * them into Equals), its Equals pairs kept exactly.
 */
function coversChildGrant(parent: GrantView, child: Pick<GrantView, 'operations' | 'constraints'>): boolean {
  if (!child.operations.every((op) => (parent.operations as readonly string[]).includes(op))) return false;
  const { encryptionContextSubset: subset, encryptionContextEquals: equals } = parent.constraints ?? {};
  const childSubset = child.constraints?.encryptionContextSubset;
  const childEquals = child.constraints?.encryptionContextEquals;
  if (equals) return childEquals !== undefined && childSubset === undefined && sameContext(equals, childEquals);
  if (subset) {
    const strictest = childEquals ?? childSubset;
    return strictest !== undefined && Object.entries(subset).every(([k, v]) => strictest[k] === v);
  }
  return true;
}

function sameContext(a: Readonly<Record<string, string>>, b: Readonly<Record<string, string>>): boolean {
  const keys = Object.keys(a);
  return keys.length === Object.keys(b).length && keys.every((k) => Object.hasOwn(b, k) && b[k] === a[k]);
}

/**
 * RetireGrant is decided by the grant (spec §3.6), not by a key-policy Allow: its retiring principal,
 * its grantee when it includes RetireGrant, or a principal of its issuing account whose identity
 * policy allows kms:RetireGrant may retire it. An explicit Deny in either policy still refuses.
 */
export function authorizeRetireGrant(request: Omit<AccessRequest, 'operation' | 'grants'>, grant: GrantView): AccessDecision {
  const retire = { ...request, operation: 'RetireGrant' };
  const identity = identityDecision(retire, request.keyArn ?? NO_KEY);
  if (identity === 'ExplicitDeny') return { allowed: false, reason: 'explicit-deny-identity' };
  if (request.keyArn !== undefined) {
    const key = evaluatePolicy(request.keyPolicy, { principal: request.principal, action: 'kms:RetireGrant', resource: request.keyArn, context: request.context }, 'resource');
    if (key.decision === 'ExplicitDeny') return { allowed: false, reason: 'explicit-deny-resource' };
  }
  const caller = request.principal;
  if (namesCaller(grant.retiringPrincipal, caller, identity)) return { allowed: true, by: 'grant' };
  if ((grant.operations as readonly string[]).includes('RetireGrant') && namesCaller(grant.granteePrincipal, caller, identity)) return { allowed: true, by: 'grant' };
  if (grant.issuingAccount === accountRootArn(caller.partition, caller.account)) {
    return identity === 'Allow' ? { allowed: true, by: 'identity-policy' } : { allowed: false, reason: 'no-identity-policy' };
  }
  return { allowed: false, reason: 'no-resource-policy' };
}

/** AWS's AccessDeniedException text for a refusal (spec §2.6), naming the caller, the action and the key. */
export function accessDeniedMessage(request: Pick<AccessRequest, 'principal' | 'operation' | 'service' | 'keyArn' | 'identityResource'>, reason: AccessDenialReason): string {
  const action = `${request.service ?? 'kms'}:${request.operation}`;
  const on = `User: ${request.principal.arn} is not authorized to perform: ${action} on resource: ${request.identityResource ?? request.keyArn ?? NO_KEY}`;
  switch (reason) {
    case 'explicit-deny-resource':
      return `${on} with an explicit deny in a resource-based policy`;
    case 'explicit-deny-identity':
      return `${on} with an explicit deny in an identity-based policy`;
    case 'no-identity-policy':
      return `${on} because no identity-based policy allows the ${action} action`;
    case 'no-resource-policy':
      return `${on} because no resource-based policy allows the ${action} action`;
  }
}
