/**
 * The policy language of key policies (and of the identity policies that stand in for IAM, D108),
 * evaluated as AWS evaluates one policy: a statement applies when its principal (key policies
 * only), action, resource and every condition match; any applicable Deny is an explicit deny, else
 * any applicable Allow allows, else the policy is silent (implicit deny). Pure: a parsed document
 * and a request context in, a decision out.
 *
 *   evaluatePolicy(JSON.parse(policy), { principal, action: 'kms:Encrypt', resource: keyArn, context }, 'resource')
 *
 * Principals: `"*"`, `{"AWS": "*"}`, an account (`"111122223333"`, `arn:aws:iam::111122223333:root`:
 * the account's own principals, through their identity policies), a user, role or assumed-role
 * session ARN. `NotPrincipal` is refused by KMS (MalformedPolicyDocumentException); a statement
 * that has one never applies here. A statement without Action or Resource never applies (KMS
 * accepts such a policy, and it has no effect).
 */
import type { Principal } from '../model/principal';

export type Decision = 'Allow' | 'ExplicitDeny' | 'ImplicitDeny';

/** Condition values of one request: keys in lower case (condition keys are case-insensitive). */
export type ConditionContext = ReadonlyMap<string, string | boolean | number | Date | readonly string[]>;

export interface PolicyRequest {
  readonly principal: Principal;
  /** `kms:<Operation>`, or `cloudtrail:LookupEvents`. */
  readonly action: string;
  /** The key ARN (or `*` for actions on no resource). */
  readonly resource: string;
  readonly context: ConditionContext;
}

export interface PolicyResult {
  readonly decision: Decision;
  /** An applicable Allow named the caller only through its account: IAM must allow too (key policies). */
  readonly viaAccount: boolean;
}

type Json = unknown;

interface Statement {
  readonly Effect?: Json;
  readonly Principal?: Json;
  readonly NotPrincipal?: Json;
  readonly Action?: Json;
  readonly NotAction?: Json;
  readonly Resource?: Json;
  readonly NotResource?: Json;
  readonly Condition?: Json;
}

/**
 * A document's statements as evaluation reads them, prepared once (D135): only statements that are
 * objects with an Allow or Deny effect, every list a list, action patterns in lower case. A stored key
 * policy is compiled once per document text (access.ts); evaluating the compiled form decides exactly
 * what evaluating the document decides.
 */
export class CompiledPolicy {
  private constructor(readonly statements: readonly CompiledStatement[]) {}

  static of(document: Json): CompiledPolicy {
    return document instanceof CompiledPolicy ? document : new CompiledPolicy(statementsOf(document).flatMap(compileStatement));
  }
}

interface CompiledStatement {
  readonly effect: 'Allow' | 'Deny';
  /** `never`: a NotPrincipal (refused by KMS) or a Principal that is neither `"*"` nor an object; else `*` or the AWS values. */
  readonly principal: 'never' | '*' | readonly string[];
  /** Which of Action / NotAction the statement has (Action wins), and its patterns in lower case; none: never applies. */
  readonly action: Matcher;
  readonly resource: Matcher;
  readonly condition: Json;
}

interface Matcher {
  readonly kind: 'in' | 'notIn' | 'none';
  readonly patterns: readonly string[];
}

function compileStatement(statement: Statement): CompiledStatement[] {
  const effect = statement.Effect;
  if (effect !== 'Allow' && effect !== 'Deny') return [];
  const principal = statement.Principal;
  return [
    {
      effect,
      principal: statement.NotPrincipal !== undefined ? 'never' : principal === '*' ? '*' : isObject(principal) ? asStrings(principal.AWS) : 'never',
      action: matcher(statement.Action, statement.NotAction, (p) => p.toLowerCase()),
      resource: matcher(statement.Resource, statement.NotResource, (p) => p),
      condition: statement.Condition,
    },
  ];
}

function matcher(list: Json, notList: Json, prepare: (pattern: string) => string): Matcher {
  if (list !== undefined) return { kind: 'in', patterns: asStrings(list).map(prepare) };
  if (notList !== undefined) return { kind: 'notIn', patterns: asStrings(notList).map(prepare) };
  return { kind: 'none', patterns: [] };
}

/**
 * Evaluates one policy document (or its compiled form). `kind: 'identity'` ignores Principal
 * (identity policies have none).
 */
export function evaluatePolicy(document: Json, request: PolicyRequest, kind: 'resource' | 'identity'): PolicyResult {
  let allowed = false;
  let allowedDirectly = false;
  // Actions compare case-insensitively: the patterns are lower case already.
  const action = request.action.toLowerCase();
  for (const statement of CompiledPolicy.of(document).statements) {
    let viaAccount = false;
    if (kind === 'resource') {
      const match = principalMatch(statement.principal, request.principal);
      if (match === 'none') continue;
      viaAccount = match !== 'direct';
    }
    if (!matches(statement.action, action) || !matches(statement.resource, request.resource)) continue;
    if (!conditionsMatch(statement.condition, request.context)) continue;
    if (statement.effect === 'Deny') return { decision: 'ExplicitDeny', viaAccount: false };
    allowed = true;
    if (!viaAccount) allowedDirectly = true;
  }
  return { decision: allowed ? 'Allow' : 'ImplicitDeny', viaAccount: allowed && !allowedDirectly };
}

function statementsOf(document: Json): Statement[] {
  const raw = isObject(document) ? document.Statement : undefined;
  return (Array.isArray(raw) ? raw : [raw]).filter(isObject) as Statement[];
}

/** 'direct': names the caller (or everyone); 'account': its account; 'none'. */
function principalMatch(principal: CompiledStatement['principal'], caller: Principal): 'direct' | 'account' | 'none' {
  if (principal === '*') return 'direct';
  if (principal === 'never') return 'none';
  let best: 'direct' | 'account' | 'none' = 'none';
  for (const value of principal) {
    if (value === '*' || value === caller.arn || value === caller.principalArn) return 'direct';
    if (value === caller.account || value === `arn:${caller.partition}:iam::${caller.account}:root`) {
      // The root user itself is named by its account: for it, the account statement is direct.
      // Stryker disable next-line StringLiteral: any match but 'direct' and 'none' is through the account
      best = caller.type === 'Root' ? 'direct' : 'account';
    }
  }
  return best;
}

/** Whether the value matches the statement's list (or none of its Not list); a statement with neither never applies. */
function matches(rule: Matcher, value: string): boolean {
  if (rule.kind === 'none') return false;
  const any = rule.patterns.some((p) => globMatch(p, value, false));
  return rule.kind === 'in' ? any : !any;
}

const NEGATED = new Set(['stringnotequals', 'stringnotequalsignorecase', 'stringnotlike', 'arnnotequals', 'arnnotlike', 'numericnotequals', 'datenotequals', 'notipaddress']);

/** Every operator block, and every key in it, must hold (AND); the values of one key are alternatives (OR). */
function conditionsMatch(condition: Json, context: ConditionContext): boolean {
  if (condition === undefined) return true;
  if (!isObject(condition)) return false;
  for (const [rawOperator, block] of Object.entries(condition)) {
    if (!isObject(block)) return false;
    let operator = rawOperator.toLowerCase();
    let set: 'any' | 'all' | undefined;
    if (operator.startsWith('foranyvalue:')) [set, operator] = ['any', operator.slice('foranyvalue:'.length)];
    else if (operator.startsWith('forallvalues:')) [set, operator] = ['all', operator.slice('forallvalues:'.length)];
    const ifExists = operator.endsWith('ifexists');
    if (ifExists) operator = operator.slice(0, -'ifexists'.length);
    for (const [key, expected] of Object.entries(block)) {
      const wanted = Array.isArray(expected) ? expected.map(String) : [String(expected)];
      const actual = context.get(key.toLowerCase());
      if (!keyHolds(operator, set, ifExists, wanted, actual)) return false;
    }
  }
  return true;
}

function keyHolds(operator: string, set: 'any' | 'all' | undefined, ifExists: boolean, wanted: readonly string[], actual: ConditionContext extends ReadonlyMap<string, infer V> ? V | undefined : never): boolean {
  if (operator === 'null') {
    const absent = actual === undefined || (Array.isArray(actual) && actual.length === 0);
    return wanted.some((w) => (w.toLowerCase() === 'true') === absent);
  }
  const values = actual === undefined ? [] : Array.isArray(actual) ? actual : [actual];
  if (set === 'all') return values.every((v) => test(operator, v, wanted)); // true for no values, as AWS
  if (values.length === 0) return ifExists || NEGATED.has(operator);
  if (set === 'any') return values.some((v) => test(operator, v, wanted));
  // Single-valued operator: negated ones hold when no value matches the excluded ones.
  return NEGATED.has(operator) ? values.every((v) => test(operator, v, wanted)) : values.some((v) => test(operator, v, wanted));
}

function test(operator: string, value: unknown, wanted: readonly string[]): boolean {
  const text = value instanceof Date ? value.toISOString() : String(value);
  switch (operator) {
    case 'stringequals':
    case 'arnequals':
      return wanted.some((w) => w === text);
    case 'stringnotequals':
    case 'arnnotequals':
      return !wanted.some((w) => w === text);
    case 'stringequalsignorecase':
      return wanted.some((w) => w.toLowerCase() === text.toLowerCase());
    case 'stringnotequalsignorecase':
      return !wanted.some((w) => w.toLowerCase() === text.toLowerCase());
    case 'stringlike':
    case 'arnlike':
      return wanted.some((w) => globMatch(w, text, false));
    case 'stringnotlike':
    case 'arnnotlike':
      return !wanted.some((w) => globMatch(w, text, false));
    case 'bool':
      return wanted.some((w) => w.toLowerCase() === text.toLowerCase());
    case 'numericequals':
    case 'numericnotequals':
    case 'numericlessthan':
    case 'numericlessthanequals':
    case 'numericgreaterthan':
    case 'numericgreaterthanequals':
      return compare(operator.slice('numeric'.length), Number(text), wanted.map(Number));
    case 'dateequals':
    case 'datenotequals':
    case 'datelessthan':
    case 'datelessthanequals':
    case 'dategreaterthan':
    case 'dategreaterthanequals':
      return compare(operator.slice('date'.length), Date.parse(text), wanted.map(parseDate));
    case 'ipaddress':
      return wanted.some((w) => inBlock(text, w));
    case 'notipaddress':
      return !wanted.some((w) => inBlock(text, w));
  }
  return false; // an operator KMS does not know never holds
}

function compare(relation: string, value: number, wanted: readonly number[]): boolean {
  if (Number.isNaN(value)) return false;
  const ok = (w: number) =>
    relation === 'equals' ? value === w
    : relation === 'notequals' ? value !== w
    : relation === 'lessthan' ? value < w
    : relation === 'lessthanequals' ? value <= w
    : relation === 'greaterthan' ? value > w
    : value >= w;
  return relation === 'notequals' ? wanted.every(ok) : wanted.some(ok);
}

function parseDate(text: string): number {
  return /^\d+$/.test(text) ? Number(text) * 1000 : Date.parse(text);
}

/** Whether `address` is in `block`: an address with a prefix length (`10.0.0.0/8`, `2001:db8::/32`), or one address. */
function inBlock(address: string, block: string): boolean {
  const [network, length, ...rest] = block.split('/') as [string, ...string[]];
  const ip = ipBits(address);
  const net = ipBits(network);
  if (!ip || !net || ip.width !== net.width || rest.length > 0) return false;
  const prefix = length === undefined ? net.width : /^\d{1,3}$/.test(length) ? Number(length) : NaN;
  if (!(prefix <= net.width)) return false;
  const host = BigInt(net.width - prefix);
  return ip.bits >> host === net.bits >> host;
}

/** An IPv4 or IPv6 address as a number of 32 or 128 bits (an IPv4-mapped IPv6 address is its IPv4 address); undefined if it is none. */
function ipBits(text: string): { bits: bigint; width: number } | undefined {
  const v4 = /^(?:::ffff:)?(\d{1,3})\.(\d{1,3})\.(\d{1,3})\.(\d{1,3})$/i.exec(text);
  if (v4) {
    const octets = v4.slice(1).map(Number);
    return octets.every((o) => o <= 255) ? { bits: octets.reduce((n, o) => (n << 8n) | BigInt(o), 0n), width: 32 } : undefined;
  }
  const halves = text.split('::');
  const [head, tail = []] = halves.map((half) => (half === '' ? [] : half.split(':'))) as [string[], ...string[][]];
  const zeros = 8 - head.length - tail.length;
  // Eight groups, or fewer around one `::` that stands for at least one group of zeros.
  if (halves.length > 2 || (halves.length === 2 ? zeros < 1 : zeros !== 0)) return undefined;
  const groups = [...head, ...Array<string>(zeros).fill('0'), ...tail];
  if (!groups.every((g) => /^[0-9a-f]{1,4}$/i.test(g))) return undefined;
  return { bits: groups.reduce((n, g) => (n << 16n) | BigInt(`0x${g}`), 0n), width: 128 };
}

/** `*` any run of characters, `?` one character; actions compare case-insensitively. */
export function globMatch(pattern: string, value: string, ignoreCase: boolean): boolean {
  const p = ignoreCase ? pattern.toLowerCase() : pattern;
  const v = ignoreCase ? value.toLowerCase() : value;
  let pi = 0;
  let vi = 0;
  let star = -1;
  let mark = 0;
  // Past the pattern's end charAt gives '', which is no character of the value.
  while (vi < v.length) {
    const c = p.charAt(pi);
    if (c === '?' || c === v[vi]) {
      pi++;
      vi++;
    } else if (c === '*') {
      star = pi++;
      mark = vi;
    } else if (star >= 0) {
      pi = star + 1;
      vi = ++mark;
    } else {
      return false;
    }
  }
  while (p.charAt(pi) === '*') pi++;
  return pi === p.length;
}

function asStrings(value: Json): string[] {
  return (Array.isArray(value) ? value : [value]).filter((v): v is string => typeof v === 'string');
}

function isObject(value: Json): value is Record<string, Json> {
  return typeof value === 'object' && value !== null && !Array.isArray(value);
}
