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
import type { Principal } from '../model/principal';
import { type ConditionContext, evaluatePolicy } from './policy-evaluator';

/** What authorization needs to know of a grant. */
export interface GrantView {
  readonly granteePrincipal: string;
  readonly operations: readonly string[];
  readonly constraints?: {
    readonly encryptionContextSubset?: Readonly<Record<string, string>>;
    readonly encryptionContextEquals?: Readonly<Record<string, string>>;
  };
}

export interface AccessRequest {
  readonly principal: Principal;
  /** The KMS operation name, e.g. `Encrypt` (`ReEncryptFrom`/`ReEncryptTo` for the two halves of ReEncrypt). */
  readonly operation: string;
  /** `kms` unless another service's action (`cloudtrail`). */
  readonly service?: string;
  /** The key ARN; absent for actions on no key. */
  readonly keyArn?: string;
  /** The key policy document (parsed JSON); absent for actions on no key. */
  readonly keyPolicy?: unknown;
  /** The caller's identity policy (parsed JSON); undefined = may do everything (an administrator). */
  readonly identityPolicy?: unknown;
  readonly grants?: readonly GrantView[];
  /** The request's encryption context, for grant constraints. */
  readonly encryptionContext?: Readonly<Record<string, string>>;
  readonly context: ConditionContext;
}

export type AccessDecision =
  | { readonly allowed: true; readonly by: 'key-policy' | 'identity-policy' | 'grant' }
  | { readonly allowed: false; readonly reason: 'explicit-deny-resource' | 'explicit-deny-identity' | 'no-resource-policy' | 'no-identity-policy' };

/** Grants never allow these, whatever their operations say (spec §3.3: only cryptographic and grant operations). */
const GRANTABLE = new Set([
  'Decrypt', 'Encrypt', 'GenerateDataKey', 'GenerateDataKeyWithoutPlaintext', 'ReEncryptFrom', 'ReEncryptTo', 'Sign', 'Verify',
  'GetPublicKey', 'CreateGrant', 'RetireGrant', 'DescribeKey', 'GenerateDataKeyPair', 'GenerateDataKeyPairWithoutPlaintext',
  'GenerateMac', 'VerifyMac', 'DeriveSharedSecret',
]);
/** Grant constraints do not apply to these operations (spec §3.4). */
const UNCONSTRAINED = new Set(['DescribeKey', 'RetireGrant', 'CreateGrant', 'GetPublicKey', 'Sign', 'Verify', 'GenerateMac', 'VerifyMac']);

export function authorize(request: AccessRequest): AccessDecision {
  const action = `${request.service ?? 'kms'}:${request.operation}`;
  const resource = request.keyArn ?? '*';
  const policyRequest = { principal: request.principal, action, resource, context: request.context };
  // The root user has every permission IAM can give; other principals have their identity policy.
  const identity =
    request.principal.type === 'Root' || request.identityPolicy === undefined
      ? ({ decision: 'Allow', viaAccount: false } as const)
      : evaluatePolicy(request.identityPolicy, policyRequest, 'identity');
  if (identity.decision === 'ExplicitDeny') return { allowed: false, reason: 'explicit-deny-identity' };

  if (request.keyArn === undefined) {
    return identity.decision === 'Allow' ? { allowed: true, by: 'identity-policy' } : { allowed: false, reason: 'no-identity-policy' };
  }
  const key = evaluatePolicy(request.keyPolicy, policyRequest, 'resource');
  if (key.decision === 'ExplicitDeny') return { allowed: false, reason: 'explicit-deny-resource' };
  if (key.decision === 'Allow' && !key.viaAccount) return { allowed: true, by: 'key-policy' };
  if (key.decision === 'Allow' && identity.decision === 'Allow') return { allowed: true, by: 'identity-policy' };
  if (grantAllows(request)) return { allowed: true, by: 'grant' };
  return { allowed: false, reason: key.decision === 'Allow' ? 'no-identity-policy' : 'no-resource-policy' };
}

function grantAllows(request: AccessRequest): boolean {
  if (!GRANTABLE.has(request.operation)) return false;
  const caller = request.principal;
  return (request.grants ?? []).some((grant) => {
    if (grant.granteePrincipal !== caller.arn && grant.granteePrincipal !== caller.principalArn) return false;
    if (!grant.operations.includes(request.operation)) return false;
    if (UNCONSTRAINED.has(request.operation) || !grant.constraints) return true;
    const context = request.encryptionContext ?? {};
    const { encryptionContextEquals: equals, encryptionContextSubset: subset } = grant.constraints;
    if (equals && !sameContext(equals, context)) return false;
    if (subset && !Object.entries(subset).every(([k, v]) => Object.hasOwn(context, k) && context[k] === v)) return false;
    return true;
  });
}

function sameContext(a: Readonly<Record<string, string>>, b: Readonly<Record<string, string>>): boolean {
  const keys = Object.keys(a);
  return keys.length === Object.keys(b).length && keys.every((k) => Object.hasOwn(b, k) && b[k] === a[k]);
}

/** AWS's AccessDeniedException text for a refusal (spec §2.6), naming the caller, the action and the key. */
export function accessDeniedMessage(request: Pick<AccessRequest, 'principal' | 'operation' | 'service' | 'keyArn'>, reason: Exclude<AccessDecision, { allowed: true }>['reason']): string {
  const action = `${request.service ?? 'kms'}:${request.operation}`;
  const on = `User: ${request.principal.arn} is not authorized to perform: ${action} on resource: ${request.keyArn ?? '*'}`;
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

/** The condition keys every KMS request carries, for the caller and the key (lower-cased names). */
export function baseConditionContext(principal: Principal, extra: Readonly<Record<string, string | boolean | number | Date | readonly string[] | undefined>> = {}): ConditionContext {
  const entries: [string, string | boolean | number | Date | readonly string[]][] = [
    ['aws:principalarn', principal.principalArn],
    ['aws:principalaccount', principal.account],
    ['aws:principaltype', principal.type === 'IAMUser' ? 'User' : principal.type === 'AssumedRole' ? 'AssumedRole' : 'Account'],
    ['kms:calleraccount', principal.account],
    ...(principal.type === 'IAMUser' && principal.name ? [['aws:username', principal.name] as [string, string]] : []),
  ];
  for (const [name, value] of Object.entries(extra)) if (value !== undefined) entries.push([name.toLowerCase(), value]);
  return new Map(entries);
}

/** `kms:EncryptionContext:<key>` for each pair and `kms:EncryptionContextKeys`, from a request's context. */
export function encryptionContextConditions(context: Readonly<Record<string, string>> | undefined): Record<string, string | readonly string[]> {
  const out: Record<string, string | readonly string[]> = {};
  if (!context) return out;
  for (const [key, value] of Object.entries(context)) out[`kms:encryptioncontext:${key.toLowerCase()}`] = value;
  out['kms:encryptioncontextkeys'] = Object.keys(context);
  return out;
}
