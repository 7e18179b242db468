/**
 * Key policies (spec kms-policies-grants-rotation.md §1): the default policy AWS writes, how a stored
 * document is read back, and the checks CreateKey and PutKeyPolicy make before storing one. A document
 * is stored and returned exactly as submitted (D60). Nothing here decides access yet: `parseKeyPolicy`
 * gives the evaluator of the authorization work the statements in one normalised shape.
 */
import { LimitExceededException, MalformedPolicyDocumentException } from '../errors';
import { accountRootArn } from '../model/caller';
import type { KeyRecord, Scope } from '../model/key';

/** The only policy name a key has. */
export const DEFAULT_POLICY_NAME = 'default';

/** A key policy may hold at most 32 KiB (UTF-8), although the model allows 131,072 characters (D61). */
export const MAX_POLICY_BYTES = 32_768;

/**
 * The default key policy, byte for byte as GetKeyPolicy returns it on AWS for a key created without a
 * policy: Jackson's pretty printer (two-space indent, ` : `, `[ {`), no trailing newline.
 */
export function defaultKeyPolicy(scope: Pick<Scope, 'partition' | 'account'>): string {
  return [
    '{',
    '  "Version" : "2012-10-17",',
    '  "Id" : "key-default-1",',
    '  "Statement" : [ {',
    '    "Sid" : "Enable IAM User Permissions",',
    '    "Effect" : "Allow",',
    '    "Principal" : {',
    `      "AWS" : "${accountRootArn(scope)}"`,
    '    },',
    '    "Action" : "kms:*",',
    '    "Resource" : "*"',
    '  } ]',
    '}',
  ].join('\n');
}

/** The key's policy document: what was stored, or the default policy for a key created without one. */
export function keyPolicyOf(key: Pick<KeyRecord, 'policy' | 'scope'>): string {
  return key.policy ?? defaultKeyPolicy(key.scope);
}

// ---- the document ---------------------------------------------------------------------------

export type PrincipalKind = 'AWS' | 'Service' | 'Federated';

/** A statement with every list element as a list (a single string becomes a one-element list). */
export interface PolicyStatement {
  readonly sid?: string;
  readonly effect: 'Allow' | 'Deny';
  /** `'*'` is everyone; otherwise the principals of each kind named. */
  readonly principal: '*' | Readonly<Partial<Record<PrincipalKind, readonly string[]>>>;
  readonly actions?: readonly string[];
  readonly notActions?: readonly string[];
  readonly resources?: readonly string[];
  readonly notResources?: readonly string[];
  /** Operator → condition key → values (numbers and booleans as their JSON text). */
  readonly condition?: Readonly<Record<string, Readonly<Record<string, readonly string[]>>>>;
}

export interface PolicyDocument {
  readonly version?: string;
  readonly id?: string;
  readonly statements: readonly PolicyStatement[];
}

// AWS's texts where they are known (spec §1.1); the others name the rule broken (D62).
const NO_PRINCIPAL = 'Policy contains a statement with no principal.';
const INVALID_PRINCIPALS = 'Policy contains a statement with one or more invalid principals.';
const LOCKOUT = 'The new key policy will not allow you to update the key policy in the future.';
const FOR_ALL_VALUES_CONTEXT =
  'OverlyPermissiveCondition:EncryptionContext: Using the ForAllValues set operator with a single-valued condition key matches requests without the specified encryption context or with an unspecified encryption context. To fix, remove ForAllValues.';

const DOCUMENT_ELEMENTS = new Set(['Version', 'Id', 'Statement']);
const STATEMENT_ELEMENTS = new Set(['Sid', 'Effect', 'Principal', 'NotPrincipal', 'Action', 'NotAction', 'Resource', 'NotResource', 'Condition']);
const VERSIONS = new Set(['2012-10-17', '2008-10-17']);
const PRINCIPAL_KINDS: ReadonlySet<string> = new Set<PrincipalKind>(['AWS', 'Service', 'Federated']);
/** `kms:Encrypt`, `kms:Generate*`, `s3:*`: a service prefix and an action name, wildcards allowed. */
const ACTION = /^[A-Za-z0-9-]+:[A-Za-z0-9*?]+$/;
const ACCOUNT_ID = /^\d{12}$/;
const IAM_NAME = '[\\w+=,.@-]{1,64}';
const IAM_PATH = '(?:[\\x21-\\x2e\\x30-\\x7e]+/)*';
const IAM_RESOURCE = new RegExp(`^(?:root|user/${IAM_PATH}${IAM_NAME}|role/${IAM_PATH}${IAM_NAME})$`);
const STS_RESOURCE = /^(?:assumed-role\/[\w+=,.@-]{1,64}\/[\w+=,.@-]{2,64}|federated-user\/[\w+=,.@-]{2,32})$/;
const SERVICE_PRINCIPAL = /^[a-z0-9-]+(?:\.[a-z0-9-]+)*\.amazonaws\.com(?:\.cn)?$/;

const malformed = (message: string) => new MalformedPolicyDocumentException(message);

/**
 * Parses and checks a key policy's grammar: a JSON object with Version (2012-10-17 or 2008-10-17),
 * optional Id, and one or more statements, each with Effect, Principal, Action (or NotAction) and
 * Resource (or NotResource), optional Sid (unique) and Condition. Principals must be `*`, account
 * ids, IAM or STS principal ARNs of `partition`, or service principals.
 * Throws MalformedPolicyDocumentException (an empty message for a document that is not a JSON object,
 * as AWS answers it).
 */
export function parseKeyPolicy(text: string, partition: string): PolicyDocument {
  let parsed: unknown;
  try {
    parsed = JSON.parse(text);
    // A surviving mutant (this block emptied), left unmarked: a next-line directive cannot reach a finally or catch
    // block. An empty catch leaves parsed undefined, refused the same way just below.
  } catch {
    throw malformed('');
  }
  if (!isObject(parsed)) throw malformed('');
  for (const name of Object.keys(parsed)) if (!DOCUMENT_ELEMENTS.has(name)) throw malformed(`Policy contains an unknown element: ${name}.`);
  const { Version: version, Id: id, Statement: statement } = parsed;
  // Stryker disable next-line ConditionalExpression: a Version that is not a string is not in VERSIONS either
  if (version !== undefined && (typeof version !== 'string' || !VERSIONS.has(version))) throw malformed('Policy has an invalid Version.');
  if (id !== undefined && typeof id !== 'string') throw malformed('Policy has an invalid Id.');
  const raw = Array.isArray(statement) ? statement : statement === undefined ? [] : [statement];
  if (raw.length === 0) throw malformed('Policy contains no statement.');
  const statements = raw.map((s) => parseStatement(s, partition));
  const sids = new Set<string>();
  for (const { sid } of statements) {
    if (sid === undefined) continue;
    if (sids.has(sid)) throw malformed(`Policy contains more than one statement with Sid ${sid}.`);
    sids.add(sid);
  }
  return { ...(version !== undefined && { version }), ...(id !== undefined && { id }), statements };
}

function parseStatement(raw: unknown, partition: string): PolicyStatement {
  if (!isObject(raw)) throw malformed('Policy contains a statement that is not an object.');
  for (const name of Object.keys(raw)) if (!STATEMENT_ELEMENTS.has(name)) throw malformed(`Policy contains a statement with an unknown element: ${name}.`);
  const { Sid: sid, Effect: effect } = raw;
  if (sid !== undefined && typeof sid !== 'string') throw malformed('Policy contains a statement with an invalid Sid.');
  if (effect !== 'Allow' && effect !== 'Deny') throw malformed('Policy contains a statement with an invalid Effect.');
  if (raw.NotPrincipal !== undefined) throw malformed('Policy contains a statement with NotPrincipal, which key policies do not support.');
  if (raw.Principal === undefined) throw malformed(NO_PRINCIPAL);
  const principal = parsePrincipal(raw.Principal, partition);
  if ((raw.Action === undefined) === (raw.NotAction === undefined)) throw malformed('Policy contains a statement without exactly one of Action and NotAction.');
  if ((raw.Resource === undefined) === (raw.NotResource === undefined)) throw malformed('Policy contains a statement without exactly one of Resource and NotResource.');
  const actions = raw.Action === undefined ? undefined : stringList(raw.Action, 'Action');
  const notActions = raw.NotAction === undefined ? undefined : stringList(raw.NotAction, 'NotAction');
  for (const action of [...(actions ?? []), ...(notActions ?? [])]) {
    if (action !== '*' && !ACTION.test(action)) throw malformed(`Policy contains a statement with an invalid action: ${action}.`);
  }
  const resources = raw.Resource === undefined ? undefined : stringList(raw.Resource, 'Resource');
  const notResources = raw.NotResource === undefined ? undefined : stringList(raw.NotResource, 'NotResource');
  const condition = raw.Condition === undefined ? undefined : parseCondition(raw.Condition);
  return {
    ...(sid !== undefined && { sid }),
    effect,
    principal,
    ...(actions && { actions }),
    ...(notActions && { notActions }),
    ...(resources && { resources }),
    ...(notResources && { notResources }),
    ...(condition && { condition }),
  };
}

function parsePrincipal(raw: unknown, partition: string): PolicyStatement['principal'] {
  if (raw === '*') return '*';
  if (!isObject(raw) || Object.keys(raw).length === 0) throw malformed(INVALID_PRINCIPALS);
  const principal: Partial<Record<PrincipalKind, readonly string[]>> = {};
  for (const [kind, value] of Object.entries(raw)) {
    if (!PRINCIPAL_KINDS.has(kind)) throw malformed(INVALID_PRINCIPALS);
    const values = Array.isArray(value) ? value : [value];
    if (values.length === 0 || !values.every((v): v is string => typeof v === 'string' && validPrincipal(kind as PrincipalKind, v, partition))) {
      throw malformed(INVALID_PRINCIPALS);
    }
    principal[kind as PrincipalKind] = values;
  }
  return principal;
}

/** A principal a grant may name (grantee, retiring principal): an account, IAM/STS principal or service, never `*`. */
export function isGrantPrincipal(value: string, partition: string): boolean {
  // Stryker disable next-line StringLiteral: validPrincipal reads any kind but Service and Federated as AWS
  return value !== '*' && (validPrincipal('AWS', value, partition) || validPrincipal('Service', value, partition));
}

/** Syntax only: whether a principal exists cannot be known here (D63). */
function validPrincipal(kind: PrincipalKind, value: string, partition: string): boolean {
  if (kind === 'Service') return SERVICE_PRINCIPAL.test(value);
  if (kind === 'Federated') return value.length > 0 && !value.includes('*');
  if (value === '*' || ACCOUNT_ID.test(value)) return true;
  const parts = value.split(':');
  // Stryker disable next-line ConditionalExpression: an ARN of fewer parts has an empty resource, which no pattern below accepts
  if (parts.length < 6 || parts[0] !== 'arn' || parts[1] !== partition || parts[3] !== '' || !ACCOUNT_ID.test(parts[4]!)) return false;
  const resource = parts.slice(5).join(':');
  if (parts[2] === 'iam') return IAM_RESOURCE.test(resource);
  return parts[2] === 'sts' && STS_RESOURCE.test(resource);
}

function parseCondition(raw: unknown): PolicyStatement['condition'] {
  if (!isObject(raw)) throw malformed('Policy contains a statement with an invalid Condition.');
  const condition: Record<string, Record<string, readonly string[]>> = {};
  for (const [operator, block] of Object.entries(raw)) {
    if (!isObject(block) || Object.keys(block).length === 0) throw malformed('Policy contains a statement with an invalid Condition.');
    const keys: Record<string, readonly string[]> = {};
    for (const [key, value] of Object.entries(block)) {
      if (operator.startsWith('ForAllValues:') && key.toLowerCase().startsWith('kms:encryptioncontext:')) throw malformed(FOR_ALL_VALUES_CONTEXT);
      const values = Array.isArray(value) ? value : [value];
      if (!values.every((v) => typeof v === 'string' || typeof v === 'number' || typeof v === 'boolean')) {
        throw malformed('Policy contains a statement with an invalid Condition.');
      }
      keys[key] = values.map(String);
    }
    condition[operator] = keys;
  }
  return condition;
}

function stringList(raw: unknown, element: string): readonly string[] {
  const values = Array.isArray(raw) ? raw : [raw];
  // Stryker disable next-line ConditionalExpression: a value that is not a string has no length above 0
  if (values.length === 0 || !values.every((v): v is string => typeof v === 'string' && v.length > 0)) {
    throw malformed(`Policy contains a statement with an invalid ${element}.`);
  }
  return values;
}

function isObject(value: unknown): value is Record<string, unknown> {
  return typeof value === 'object' && value !== null && !Array.isArray(value);
}

// ---- the checks before a document is stored ---------------------------------------------------

export interface PolicyWrite {
  /** The key's partition and account. */
  readonly scope: Pick<Scope, 'partition' | 'account'>;
  readonly bypassPolicyLockoutSafetyCheck: boolean;
  /**
   * The lockout safety check: whether the parsed document would let the caller call PutKeyPolicy
   * afterwards (authorization/access.ts `allowsPolicyUpdates`, AWS's decision procedure).
   */
  readonly allowsUpdates: (document: unknown) => boolean;
}

/**
 * What CreateKey (with Policy) and PutKeyPolicy check: the size (LimitExceededException), the grammar,
 * and — unless bypassed — that the new policy still lets the caller call PutKeyPolicy.
 */
export function checkPolicyWrite(text: string, write: PolicyWrite): PolicyDocument {
  // Stryker disable next-line StringLiteral: Buffer.byteLength counts UTF-8 for an unknown encoding name too
  if (Buffer.byteLength(text, 'utf8') > MAX_POLICY_BYTES) throw new LimitExceededException(`Cannot exceed quota for PolicySize: ${MAX_POLICY_BYTES}`);
  const document = parseKeyPolicy(text, write.scope.partition);
  if (!write.bypassPolicyLockoutSafetyCheck && !write.allowsUpdates(JSON.parse(text))) throw malformed(LOCKOUT);
  return document;
}
