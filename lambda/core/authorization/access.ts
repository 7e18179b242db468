/**
 * Authorization applied to requests (design decision 11): once per request, after the key is read and
 * before the operation changes or reveals anything, in both runtimes. The protocol adapter attaches an
 * `Access` to the request context when the caller was verified (enforce mode); open mode has none and
 * nothing here checks anything.
 *
 * Where each check happens:
 *   - actions on no key (ACCOUNT_ACTIONS): `authorizeRequest`, before the operation runs;
 *   - every key a request reads: `authorizeKey`, from key-access.ts `admitKey` (resolveKey and the
 *     ciphertext's key), with the request's action — or the permission the caller names
 *     (ReEncryptFrom / ReEncryptTo, the old target of an alias);
 *   - aliases (CreateAlias, UpdateAlias, DeleteAlias): `authorizeAlias`, the identity policy on the alias;
 *   - RetireGrant: `authorizeRetire`, decided by the grant (spec §3.6).
 * `assertAuthorized` after a successful operation refuses to answer one that made no decision at all:
 * an action that reached a key some other way would be a defect, and is not allowed to pass silently.
 */
import { AccessDeniedException, KMSInternalException } from '../errors';
import type { GrantRecord } from '../model/grant';
import type { KeyRecord, Scope } from '../model/key';
import { keyArn } from '../model/arn';
import { type Principal, rootPrincipal } from '../model/principal';
import { keyPolicyOf } from '../policy/key-policy';
import type { Deps, RequestContext } from '../ports';
import { type AccessDecision, type AccessRequest, accessDeniedMessage, authorize, authorizeRetireGrant, isGrantable } from './authorize';
import { conditionContext } from './conditions';
import type { SyncFirst } from '../sync-first';
import { CompiledPolicy, type ConditionContext } from './policy-evaluator';

/** What enforce mode knows about a request, attached to its context by the protocol adapter. */
export interface Access {
  readonly principal: Principal;
  /** The credential's identity policy (D108); absent: whatever the account may. */
  readonly identityPolicy?: Readonly<Record<string, unknown>>;
  /** `kms`, or `cloudtrail` for LookupEvents. */
  readonly service: string;
  readonly action: string;
  /** The decoded request, for the condition keys its members set. */
  readonly input: Readonly<Record<string, unknown>>;
  readonly sourceIp?: string;
  /** `<permission> <resource>` of every decision made for this request: each is made once. */
  readonly decided: Set<string>;
}

export function newAccess(fields: Omit<Access, 'decided'>): Access {
  return { ...fields, decided: new Set() };
}

/**
 * Actions whose permission only an identity policy can give (spec §2.4: "IAM policy only"); a key
 * policy cannot, even when the request names a key (ListAliases with KeyId).
 */
export const ACCOUNT_ACTIONS: ReadonlySet<string> = new Set([
  'kms:CreateKey',
  'kms:ListKeys',
  'kms:ListAliases',
  'kms:GenerateRandom',
  'kms:ListRetirableGrants',
  'cloudtrail:LookupEvents',
]);

/** Actions with a check of their own besides, or instead of, the key policy on the keys they read. */
const DECIDED_BY_GRANT = new Set(['kms:RetireGrant']);

function qualified(access: Access): string {
  return `${access.service}:${access.action}`;
}

function deny(request: Pick<AccessRequest, 'principal' | 'operation' | 'service' | 'keyArn' | 'identityResource'>, decision: AccessDecision): void {
  if (!decision.allowed) throw new AccessDeniedException(accessDeniedMessage(request, decision.reason));
}

function conditions(deps: Pick<Deps, 'clock'>, ctx: RequestContext, access: Access, permission: string, key?: KeyRecord): ConditionContext {
  const facts = { principal: access.principal, region: ctx.scope.region, now: deps.clock.now(), ...(access.sourceIp && { sourceIp: access.sourceIp }) };
  return new LazyConditions(() => conditionContext(facts, permission, access.input, key));
}

/**
 * The condition keys of one decision, gathered when a statement with a Condition first asks (D135):
 * most decisions (the default key policy's included) read none. The facts are taken at once (the
 * instant is the decision's), and the key record and the decoded request never change.
 */
class LazyConditions implements ConditionContext {
  private built: ConditionContext | undefined;

  constructor(private readonly build: () => ConditionContext) {}

  private get map(): ConditionContext {
    return (this.built ??= this.build());
  }

  get size(): number {
    return this.map.size;
  }

  get(key: string) {
    return this.map.get(key);
  }

  has(key: string): boolean {
    return this.map.has(key);
  }

  forEach(callback: Parameters<ConditionContext['forEach']>[0], thisArg?: unknown): void {
    this.map.forEach(callback, thisArg);
  }

  entries() {
    return this.map.entries();
  }

  keys() {
    return this.map.keys();
  }

  values() {
    return this.map.values();
  }

  [Symbol.iterator]() {
    return this.map[Symbol.iterator]();
  }
}

/**
 * The check of an action on no key, before it runs: the identity policy alone decides it. CreateKey
 * with Tags also needs kms:TagResource (spec §2.4).
 */
export function authorizeRequest(deps: Pick<Deps, 'clock'>, ctx: RequestContext): void {
  const access = ctx.access;
  if (!access || !ACCOUNT_ACTIONS.has(qualified(access))) return;
  const permissions = [access.action];
  // Tags on a request on no key (of these actions only CreateKey has the member) need kms:TagResource too.
  if (Array.isArray(access.input.Tags) && access.input.Tags.length > 0) permissions.push('TagResource');
  for (const operation of permissions) {
    const request: AccessRequest = {
      principal: access.principal,
      operation,
      service: access.service,
      ...(access.identityPolicy && { identityPolicy: access.identityPolicy }),
      context: conditions(deps, ctx, access, operation),
    };
    deny(request, authorize(request));
    // Stryker disable next-line StringLiteral: only whether anything was decided is asked of an action on no key
    access.decided.add(`${operation} *`);
  }
}

/**
 * The check of one key the request read, before anything is changed or revealed. `permission` is the
 * request's action unless given (ReEncryptFrom / ReEncryptTo). The key's grants are read only when
 * the policies alone do not allow a grantable operation.
 */
export function authorizeKey(deps: Pick<Deps, 'keys' | 'clock'>, ctx: RequestContext, key: KeyRecord, permission?: string): SyncFirst<void> {
  const access = ctx.access;
  if (!access) return;
  const name = qualified(access);
  if (ACCOUNT_ACTIONS.has(name) || DECIDED_BY_GRANT.has(name)) return;
  const operation = permission ?? access.action;
  const memo = `${operation} ${key.arn}`;
  // Stryker disable next-line ConditionalExpression: deciding again gives the same answer; only UpdateAlias to the key its alias names already reads a key twice, and no grant (so no store read) can allow UpdateAlias
  if (access.decided.has(memo)) return;
  const request = keyRequest(deps, ctx, access, key, operation);
  const decision = authorize(request);
  if (!decision.allowed && decision.reason !== 'explicit-deny-resource' && decision.reason !== 'explicit-deny-identity' && isGrantable(operation)) {
    // Only now is a promise needed: the key's grants are read from the store.
    return grantsOf(deps, key).then((grants) => {
      deny(request, authorize({ ...request, grants }));
      access.decided.add(memo);
    });
  }
  deny(request, decision);
  access.decided.add(memo);
}

function keyRequest(deps: Pick<Deps, 'clock'>, ctx: RequestContext, access: Access, key: KeyRecord, operation: string): AccessRequest {
  const input = access.input;
  const half = operation === 'ReEncryptFrom' ? 'Source' : operation === 'ReEncryptTo' ? 'Destination' : '';
  const encryptionContext = input[`${half}EncryptionContext`] as Readonly<Record<string, string>> | undefined;
  const constraints = input.Constraints as { EncryptionContextSubset?: Record<string, string>; EncryptionContextEquals?: Record<string, string> } | undefined;
  return {
    principal: access.principal,
    operation,
    keyArn: key.arn,
    keyPolicy: keyPolicy(key),
    ...(access.identityPolicy && { identityPolicy: access.identityPolicy }),
    ...(encryptionContext && { encryptionContext }),
    // Stryker disable next-line ConditionalExpression: requestedGrant is read for CreateGrant only (authorize.ts grantAllows)
    ...(operation === 'CreateGrant' && {
      requestedGrant: {
        operations: (input.Operations ?? []) as GrantRecord['operations'],
        ...(constraints && {
          constraints: {
            ...(constraints.EncryptionContextSubset && { encryptionContextSubset: constraints.EncryptionContextSubset }),
            ...(constraints.EncryptionContextEquals && { encryptionContextEquals: constraints.EncryptionContextEquals }),
          },
        }),
      },
    }),
    context: conditions(deps, ctx, access, operation, key),
  };
}

/** Compiled key policies by document text (D135); the oldest go first beyond this many texts or characters of text. */
const COMPILED_POLICIES_KEPT = 1000;
/**
 * 32 full-size (32,768-character) policies: a count alone would let 1,000 of them hold 32 MB or more,
 * shared by every service in the process (the tables are the module's).
 */
const COMPILED_POLICY_CHARACTERS_KEPT = 1 << 20;
const compiledPolicies = new Map<string, CompiledPolicy>();
let compiledPolicyCharacters = 0;
/** The default policy's text per partition and account, so that a key without a policy of its own builds none per call. */
const defaultPolicies = new Map<string, string>();

/** The key's policy, compiled once per document text; the default policy is one text per account. */
function keyPolicy(key: KeyRecord): CompiledPolicy {
  let text = key.policy;
  if (text === undefined) {
    const account = `${key.scope.partition}:${key.scope.account}`;
    text = defaultPolicies.get(account);
    if (text === undefined) {
      text = keyPolicyOf(key);
      if (defaultPolicies.size >= COMPILED_POLICIES_KEPT) defaultPolicies.delete(defaultPolicies.keys().next().value!);
      defaultPolicies.set(account, text);
    }
  }
  let compiled = compiledPolicies.get(text);
  if (compiled === undefined) {
    compiled = CompiledPolicy.of(parsedPolicy(text));
    while (
      compiledPolicies.size > 0 &&
      (compiledPolicies.size >= COMPILED_POLICIES_KEPT || compiledPolicyCharacters + text.length > COMPILED_POLICY_CHARACTERS_KEPT)
    ) {
      const oldest = compiledPolicies.keys().next().value!;
      compiledPolicies.delete(oldest);
      compiledPolicyCharacters -= oldest.length;
    }
    compiledPolicies.set(text, compiled);
    compiledPolicyCharacters += text.length;
  }
  return compiled;
}

/** A stored policy was checked when it was written; one that does not parse allows nothing. */
function parsedPolicy(text: string): unknown {
  // Stryker disable BlockStatement: an empty catch block returns undefined as well
  try {
    return JSON.parse(text);
  } catch {
    return undefined;
  }
  // Stryker restore BlockStatement
}

async function grantsOf(deps: Pick<Deps, 'keys'>, key: KeyRecord): Promise<GrantRecord[]> {
  // Stryker disable next-line ArrayDeclaration: a string among the grants names no grantee, so it allows nothing
  const grants: GrantRecord[] = [];
  let marker: string | undefined;
  do {
    // An undefined marker asks for the first page (key-store contract).
    const page = await deps.keys.listGrants(key.scope, key.keyId, { limit: 1000, marker });
    grants.push(...page.items);
    marker = page.nextMarker;
  } while (marker !== undefined);
  return grants;
}

/** CreateAlias, UpdateAlias and DeleteAlias need the action on the alias too, from the identity policy. */
export function authorizeAlias(deps: Pick<Deps, 'clock'>, ctx: RequestContext, aliasArn: string): void {
  const access = ctx.access;
  if (!access) return;
  const request: AccessRequest = {
    principal: access.principal,
    operation: access.action,
    identityResource: aliasArn,
    ...(access.identityPolicy && { identityPolicy: access.identityPolicy }),
    context: conditions(deps, ctx, access, access.action),
  };
  deny(request, authorize(request));
  // Stryker disable next-line StringLiteral: only whether anything was decided is asked of an alias (each alias action names one)
  access.decided.add(`${access.action} ${aliasArn}`);
}

/** RetireGrant, once the grant is found: decided by the grant, an explicit Deny refusing (spec §3.6). */
export function authorizeRetire(deps: Pick<Deps, 'clock'>, ctx: RequestContext, key: KeyRecord, grant: GrantRecord): void {
  const access = ctx.access;
  if (!access) return;
  const request = keyRequest(deps, ctx, access, key, 'RetireGrant');
  deny(request, authorizeRetireGrant(request, grant));
  // Stryker disable next-line StringLiteral: only whether anything was decided is asked of RetireGrant, which authorizeKey leaves to this
  access.decided.add(`RetireGrant ${key.arn}`);
}

/**
 * The lockout safety check of CreateKey and PutKeyPolicy (spec §1.1): whether `policy` would let the
 * caller — in open mode the account's root — call PutKeyPolicy on the key afterwards, by AWS's
 * decision procedure with the caller's identity policy. `keyId` is absent for CreateKey, whose key has
 * no id yet: a statement naming a particular key ARN cannot be about it.
 */
export function allowsPolicyUpdates(deps: Pick<Deps, 'clock'>, ctx: RequestContext, scope: Scope, policy: unknown, keyId?: string): boolean {
  const access = ctx.access;
  const principal = access?.principal ?? rootPrincipal(scope.partition, scope.account);
  const facts = { principal, region: scope.region, now: deps.clock.now(), ...(access?.sourceIp && { sourceIp: access.sourceIp }) };
  return authorize({
    principal,
    operation: 'PutKeyPolicy',
    keyArn: keyArn(scope, keyId ?? '*'),
    keyPolicy: policy,
    ...(access?.identityPolicy && { identityPolicy: access.identityPolicy }),
    context: conditionContext(facts, 'PutKeyPolicy', access?.input ?? {}),
  }).allowed;
}

/** After a successful operation: one that decided nothing in enforce mode answers KMSInternalException. */
export function assertAuthorized(ctx: RequestContext): void {
  if (ctx.access && ctx.access.decided.size === 0) {
    throw new KMSInternalException('An internal error occurred.', { cause: new Error(`${qualified(ctx.access)} completed without an authorization decision`) });
  }
}
