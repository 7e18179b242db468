/**
 * A reference for the policy evaluator's tests: AWS's procedure for one policy, read straight from the
 * document as written, statement by statement, the way the evaluator read it before it compiled
 * policies (D135; lambda/core/authorization/policy-evaluator.ts at 9215907^). Nothing of the compiled
 * form is used: which statements count, Principal and NotPrincipal, Action and NotAction (compared
 * case-insensitively here, where the compiled form lower-cases its patterns once), Resource and
 * NotResource are all decided here from the JSON. Only two pieces come from the evaluator, because the
 * compiled form does not change them: `globMatch`, and whether a statement's Condition holds, which is
 * asked of the evaluator with the Condition alone (a statement for everyone, every action and resource).
 * So a table that runs both this and the compiled form, each against its expected decisions, shows that
 * compiling changes no decision.
 */
import { CompiledPolicy, evaluatePolicy, globMatch, type PolicyRequest, type PolicyResult } from '../../lambda/core/authorization/policy-evaluator';
import type { Principal } from '../../lambda/core/model/principal';

type Json = unknown;
type Statement = Readonly<Record<string, Json>>;

export function evaluateDocument(document: Json, request: PolicyRequest, kind: 'resource' | 'identity'): PolicyResult {
  if (document instanceof CompiledPolicy) throw new TypeError('the reference reads documents, not their compiled form');
  let allowed = false;
  let allowedDirectly = false;
  for (const statement of statementsOf(document)) {
    const effect = statement.Effect;
    if (effect !== 'Allow' && effect !== 'Deny') continue;
    let viaAccount = false;
    if (kind === 'resource') {
      const match = principalMatch(statement, request.principal);
      if (match === 'none') continue;
      viaAccount = match === 'account';
    }
    if (!listMatches(statement.Action, statement.NotAction, request.action, true)) continue;
    if (!listMatches(statement.Resource, statement.NotResource, request.resource, false)) continue;
    if (!conditionHolds(statement.Condition, request)) continue;
    if (effect === 'Deny') return { decision: 'ExplicitDeny', viaAccount: false };
    allowed = true;
    if (!viaAccount) allowedDirectly = true;
  }
  return { decision: allowed ? 'Allow' : 'ImplicitDeny', viaAccount: allowed && !allowedDirectly };
}

function isObject(value: Json): value is Statement {
  return typeof value === 'object' && value !== null && !Array.isArray(value);
}

/** A list, or one value; entries that are not strings are no pattern. */
function strings(value: Json): string[] {
  return (Array.isArray(value) ? value : [value]).filter((v): v is string => typeof v === 'string');
}

function statementsOf(document: Json): Statement[] {
  const raw = isObject(document) ? document.Statement : undefined;
  return (Array.isArray(raw) ? raw : [raw]).filter(isObject);
}

function principalMatch(statement: Statement, caller: Principal): 'direct' | 'account' | 'none' {
  if (statement.NotPrincipal !== undefined) return 'none'; // KMS refuses NotPrincipal
  const principal = statement.Principal;
  if (principal === '*') return 'direct';
  if (!isObject(principal)) return 'none';
  let best: 'direct' | 'account' | 'none' = 'none';
  for (const value of strings(principal.AWS)) {
    if (value === '*' || value === caller.arn || value === caller.principalArn) return 'direct';
    // The account names its principals through their identity policies; the root user it names directly.
    if (value === caller.account || value === `arn:${caller.partition}:iam::${caller.account}:root`) best = caller.type === 'Root' ? 'direct' : 'account';
  }
  return best;
}

/** `list` when present, else `notList`; a statement with neither never applies. */
function listMatches(list: Json, notList: Json, value: string, ignoreCase: boolean): boolean {
  if (list !== undefined) return strings(list).some((p) => globMatch(p, value, ignoreCase));
  if (notList !== undefined) return !strings(notList).some((p) => globMatch(p, value, ignoreCase));
  return false;
}

function conditionHolds(condition: Json, request: PolicyRequest): boolean {
  if (condition === undefined) return true;
  const alone = { Statement: [{ Effect: 'Allow', Principal: '*', Action: '*', Resource: '*', Condition: condition }] };
  return evaluatePolicy(alone, request, 'resource').decision === 'Allow';
}
