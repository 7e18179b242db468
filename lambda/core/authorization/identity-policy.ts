/**
 * Identity policies: what stands in for the IAM policies of a caller (D108). An issued credential
 * may carry one (`npm run credentials -- create --principal … --policy file://identity.json`);
 * without one its principal may do whatever its account may (an administrator). The document is the
 * IAM policy grammar, checked here when the credential is issued so that a typo fails at once
 * instead of denying (or allowing) silently later:
 *
 *   { "Version": "2012-10-17",
 *     "Statement": [ { "Effect": "Allow", "Action": ["kms:Decrypt", "kms:DescribeKey"], "Resource": "*" } ] }
 *
 * Resource is a key ARN (`arn:aws:kms:<region>:<account>:key/<id>`, wildcards allowed), an alias ARN
 * (CreateAlias, UpdateAlias, DeleteAlias also need the alias), or `*`.
 */

/** IAM's limit for a role's or user's inline policies: 10,240 characters. */
export const MAX_IDENTITY_POLICY_CHARACTERS = 10_240;

const DOCUMENT_ELEMENTS = new Set(['Version', 'Id', 'Statement']);
const STATEMENT_ELEMENTS = new Set(['Sid', 'Effect', 'Action', 'NotAction', 'Resource', 'NotResource', 'Condition']);
/** `kms:Encrypt`, `kms:Generate*`, `cloudtrail:LookupEvents`, `*`. */
const ACTION = /^(?:\*|[A-Za-z0-9-]+:[A-Za-z0-9*?]+)$/;

export class InvalidIdentityPolicyError extends Error {}

const invalid = (message: string) => new InvalidIdentityPolicyError(`invalid identity policy: ${message}`);

/**
 * Parses an identity policy and checks its grammar: a JSON object with `Version` 2012-10-17, an
 * optional `Id`, and one or more statements, each with `Effect`, exactly one of Action/NotAction,
 * exactly one of Resource/NotResource, an optional `Sid` and `Condition` — and no `Principal` (an
 * identity policy applies to whoever holds it). Returns the parsed document.
 */
export function parseIdentityPolicy(text: string): Record<string, unknown> {
  if (text.length > MAX_IDENTITY_POLICY_CHARACTERS) throw invalid(`longer than ${MAX_IDENTITY_POLICY_CHARACTERS} characters`);
  let parsed: unknown;
  try {
    parsed = JSON.parse(text);
  } catch (err) {
    throw invalid(`not JSON (${(err as Error).message})`);
  }
  if (!isObject(parsed)) throw invalid('not a JSON object');
  for (const name of Object.keys(parsed)) if (!DOCUMENT_ELEMENTS.has(name)) throw invalid(`unknown element ${name}`);
  if (parsed.Version !== '2012-10-17') throw invalid('Version must be "2012-10-17"');
  const raw = parsed.Statement;
  const statements = Array.isArray(raw) ? raw : raw === undefined ? [] : [raw];
  if (statements.length === 0) throw invalid('no Statement');
  statements.forEach((statement: unknown, index) => checkStatement(statement, `Statement ${index + 1}`));
  return parsed;
}

function checkStatement(statement: unknown, where: string): void {
  if (!isObject(statement)) throw invalid(`${where} is not an object`);
  if ('Principal' in statement || 'NotPrincipal' in statement) throw invalid(`${where} names a principal: an identity policy applies to whoever holds it`);
  for (const name of Object.keys(statement)) if (!STATEMENT_ELEMENTS.has(name)) throw invalid(`${where} has an unknown element ${name}`);
  if (statement.Sid !== undefined && typeof statement.Sid !== 'string') throw invalid(`${where} has a Sid that is not a string`);
  if (statement.Effect !== 'Allow' && statement.Effect !== 'Deny') throw invalid(`${where} needs Effect "Allow" or "Deny"`);
  const actions = exactlyOne(statement, 'Action', 'NotAction', where);
  for (const action of actions) if (!ACTION.test(action)) throw invalid(`${where} has an invalid action ${JSON.stringify(action)} (e.g. "kms:Decrypt", "kms:Get*")`);
  exactlyOne(statement, 'Resource', 'NotResource', where);
  const condition = statement.Condition;
  if (condition === undefined) return;
  if (!isObject(condition)) throw invalid(`${where} has a Condition that is not an object`);
  for (const [operator, block] of Object.entries(condition)) {
    if (!isObject(block) || Object.keys(block).length === 0) throw invalid(`${where}: Condition operator ${operator} needs an object of condition keys`);
    for (const [key, value] of Object.entries(block)) {
      const values = Array.isArray(value) ? value : [value];
      if (!values.every((v) => typeof v === 'string' || typeof v === 'number' || typeof v === 'boolean')) {
        throw invalid(`${where}: the values of ${operator} ${key} must be strings, numbers or booleans`);
      }
    }
  }
}

function exactlyOne(statement: Record<string, unknown>, element: string, negated: string, where: string): string[] {
  const value = statement[element] ?? statement[negated];
  if ((statement[element] === undefined) === (statement[negated] === undefined)) throw invalid(`${where} needs exactly one of ${element} and ${negated}`);
  const values = Array.isArray(value) ? value : [value];
  if (values.length === 0 || !values.every((v): v is string => typeof v === 'string' && v.length > 0)) {
    throw invalid(`${where}: ${statement[element] === undefined ? negated : element} must be a non-empty string or list of strings`);
  }
  return values;
}

function isObject(value: unknown): value is Record<string, unknown> {
  return typeof value === 'object' && value !== null && !Array.isArray(value);
}
