/**
 * The condition keys a request carries (spec §2.5), for the policy evaluator: global ones about the
 * caller and the call, the KMS ones the request's members set, and the ones the key sets. Keys are
 * lower-cased (IAM condition keys are case-insensitive; so is an encryption-context key's name).
 *
 * Never present here: `kms:ViaService` (no AWS service calls on a caller's behalf), `aws:SourceArn`,
 * `aws:SourceAccount`, `aws:PrincipalOrgID`, `aws:PrincipalTag/*`, `kms:ResourceAliases`,
 * `kms:ReEncryptOnSameKey` and the multi-Region keys: a condition on them holds only with `IfExists`
 * or `Null` (D109).
 */
import type { KeyRecord, Tag } from '../model/key';
import type { Principal } from '../model/principal';
import type { ConditionContext } from './policy-evaluator';

export type ConditionValue = string | boolean | number | Date | readonly string[];

/** The permissions that encrypt or decrypt under the key, so have a `kms:EncryptionAlgorithm`. */
const ENCRYPTING: ReadonlySet<string> = new Set([
  'Encrypt',
  'Decrypt',
  'ReEncryptFrom',
  'ReEncryptTo',
  'GenerateDataKey',
  'GenerateDataKeyWithoutPlaintext',
  'GenerateDataKeyPair',
  'GenerateDataKeyPairWithoutPlaintext',
]);

/** What a request's caller and transport contribute. */
export interface CallFacts {
  readonly principal: Principal;
  readonly region: string;
  readonly now: Date;
  /** The caller's address as the front door saw it. */
  readonly sourceIp?: string;
}

/**
 * The permissions without `kms:CallerAccount` (D150): AWS's table of condition keys per action (Service
 * Authorization Reference) lists none for ListAliases, ListKeys and ListRetirableGrants and only attestation
 * keys for GenerateRandom; CloudTrail's LookupEvents is no KMS action. CreateKey and RetireGrant have it.
 */
const WITHOUT_CALLER_ACCOUNT: ReadonlySet<string> = new Set(['ListAliases', 'ListKeys', 'ListRetirableGrants', 'GenerateRandom', 'LookupEvents']);

/** `aws:*` keys of the caller and the call, and `kms:CallerAccount` where the permission has it. */
function callConditions(facts: CallFacts, permission: string): [string, ConditionValue][] {
  const { principal } = facts;
  return [
    ['aws:principalarn', principal.principalArn],
    ['aws:principalaccount', principal.account],
    ['aws:principaltype', principal.type === 'IAMUser' ? 'User' : principal.type === 'AssumedRole' ? 'AssumedRole' : 'Account'],
    ...(principal.type === 'IAMUser' && principal.name ? [['aws:username', principal.name] as [string, string]] : []),
    ['aws:requestedregion', facts.region],
    ['aws:currenttime', facts.now],
    ['aws:epochtime', Math.floor(facts.now.getTime() / 1000)],
    ...(facts.sourceIp ? [['aws:sourceip', facts.sourceIp] as [string, string]] : []),
    ...(WITHOUT_CALLER_ACCOUNT.has(permission) ? [] : [['kms:calleraccount', principal.account] as [string, string]]),
  ];
}

/** `kms:EncryptionContext:<key>` per pair and `kms:EncryptionContextKeys`. */
function encryptionContextConditions(context: unknown): [string, ConditionValue][] {
  if (!isStringMap(context)) return [];
  const keys = Object.keys(context);
  return [...keys.map((key): [string, string] => [`kms:encryptioncontext:${key}`, context[key]!]), ['kms:encryptioncontextkeys', keys]];
}

/** The members of a request that set KMS condition keys, for the permission being checked. */
function requestMemberConditions(permission: string, input: Readonly<Record<string, unknown>>): [string, ConditionValue][] {
  const out: [string, ConditionValue][] = [];
  const put = (key: string, value: unknown) => {
    if (typeof value === 'string' || typeof value === 'boolean' || typeof value === 'number' || value instanceof Date) out.push([key, value]);
    else if (Array.isArray(value) && value.every((v) => typeof v === 'string')) out.push([key, value as string[]]);
  };
  // ReEncrypt is authorized twice: the source half sees the source members, the destination half the others.
  const half = permission === 'ReEncryptFrom' ? 'Source' : permission === 'ReEncryptTo' ? 'Destination' : '';
  if (permission === 'CreateGrant') {
    const constraints = input.Constraints as { EncryptionContextEquals?: unknown; EncryptionContextSubset?: unknown } | undefined;
    out.push(...encryptionContextConditions(constraints?.EncryptionContextEquals ?? constraints?.EncryptionContextSubset));
    put('kms:grantoperations', input.Operations);
    put('kms:granteeprincipal', input.GranteePrincipal);
    put('kms:retiringprincipal', input.RetiringPrincipal);
    // put() leaves the key out when the request has no constraint (find answers undefined).
    put('kms:grantconstrainttype', (['EncryptionContextEquals', 'EncryptionContextSubset'] as const).find((t) => constraints?.[t] !== undefined));
  } else {
    out.push(...encryptionContextConditions(input[`${half}EncryptionContext`]));
  }
  if (permission === 'CreateGrant' || permission === 'ListGrants' || permission === 'RevokeGrant') put('kms:grantisforawsresource', false);
  // The algorithm the operation uses, also when the request names none: SYMMETRIC_DEFAULT is Encrypt's, Decrypt's and
  // ReEncrypt's default and the only one of the data-key operations (AWS's "AllowOnlySymmetricAlgorithm" example
  // denies StringNotEquals SYMMETRIC_DEFAULT, which an absent key would always satisfy).
  put('kms:encryptionalgorithm', input[`${half}EncryptionAlgorithm`] ?? (ENCRYPTING.has(permission) ? 'SYMMETRIC_DEFAULT' : undefined));
  put('kms:signingalgorithm', input.SigningAlgorithm);
  put('kms:messagetype', input.MessageType);
  put('kms:macalgorithm', input.MacAlgorithm);
  put('kms:keyagreementalgorithm', input.KeyAgreementAlgorithm);
  put('kms:datakeypairspec', input.KeyPairSpec);
  put('kms:wrappingalgorithm', input.WrappingAlgorithm);
  put('kms:wrappingkeyspec', input.WrappingKeySpec);
  put('kms:expirationmodel', input.ExpirationModel);
  put('kms:validto', input.ValidTo instanceof Date ? Math.floor(input.ValidTo.getTime() / 1000) : undefined);
  put('kms:rotationperiodindays', input.RotationPeriodInDays);
  if (permission === 'ScheduleKeyDeletion') put('kms:schedulekeydeletionpendingwindowindays', input.PendingWindowInDays ?? 30);
  // Only when the request has the member: AWS documents `Null: {"kms:BypassPolicyLockoutSafetyCheck": true}` as
  // allowing exactly the requests without it.
  if (permission === 'CreateKey' || permission === 'PutKeyPolicy') put('kms:bypasspolicylockoutsafetycheck', input.BypassPolicyLockoutSafetyCheck);
  const keyRef = input[`${half}KeyId`];
  // put() leaves the key out when the key is named by id or key ARN (no match).
  if (typeof keyRef === 'string') put('kms:requestalias', /^(?:arn:[^:]+:kms:[^:]*:\d{12}:)?(alias\/.+)$/.exec(keyRef)?.[1]);
  const tags = input.Tags;
  if (Array.isArray(tags)) {
    for (const tag of tags as Tag[]) put(`aws:requesttag/${tag.TagKey}`, tag.TagValue);
    put('aws:tagkeys', (tags as Tag[]).map((t) => t.TagKey));
  }
  if (permission === 'UntagResource') put('aws:tagkeys', input.TagKeys);
  return out;
}

/** What the key itself sets: its spec, usage, origin and tags. */
function keyConditions(key: Pick<KeyRecord, 'keySpec' | 'keyUsage' | 'origin' | 'tags'>): [string, ConditionValue][] {
  return [
    ['kms:keyspec', key.keySpec],
    ['kms:keyusage', key.keyUsage],
    ['kms:keyorigin', key.origin],
    ['kms:multiregion', false],
    ...key.tags.map((t): [string, string] => [`aws:resourcetag/${t.TagKey}`, t.TagValue]),
  ];
}

/** CreateKey's own keys: what the new key would be (IAM policies decide CreateKey). */
function newKeyConditions(input: Readonly<Record<string, unknown>>): [string, ConditionValue][] {
  const spec = input.KeySpec ?? input.CustomerMasterKeySpec ?? 'SYMMETRIC_DEFAULT';
  const usage = input.KeyUsage ?? (spec === 'SYMMETRIC_DEFAULT' ? 'ENCRYPT_DECRYPT' : undefined);
  return [
    ['kms:keyspec', String(spec)],
    ...(typeof usage === 'string' ? [['kms:keyusage', usage] as [string, string]] : []),
    ['kms:keyorigin', String(input.Origin ?? 'AWS_KMS')],
    ['kms:multiregion', input.MultiRegion === true],
  ];
}

/** Every condition key of one authorization: the call, the request's members, and the key (or the key CreateKey makes). */
export function conditionContext(
  facts: CallFacts,
  permission: string,
  input: Readonly<Record<string, unknown>>,
  key?: Pick<KeyRecord, 'keySpec' | 'keyUsage' | 'origin' | 'tags'>,
): ConditionContext {
  const entries = [
    ...callConditions(facts, permission),
    ...requestMemberConditions(permission, input),
    ...(key ? keyConditions(key) : permission === 'CreateKey' ? newKeyConditions(input) : []),
  ];
  // Condition key names compare case-insensitively, as IAM's do, the tag and encryption-context keys in them included.
  return new Map(entries.map(([k, v]) => [k.toLowerCase(), v]));
}

function isStringMap(value: unknown): value is Record<string, string> {
  return typeof value === 'object' && value !== null && !Array.isArray(value) && Object.values(value).every((v) => typeof v === 'string');
}
