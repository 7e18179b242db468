/**
 * What a KMS call's CloudTrail record says about its request and response, derived from the KMS
 * model as AWS derives it: members in lowerCamelCase, map keys (encryption contexts, tags) as given,
 * timestamps rendered `May 21, 2025, 5:47:45 AM`, and every blob, every sensitive member and grant
 * tokens left out (plaintexts, ciphertexts, key material, import tokens, public keys, MACs,
 * signatures). `responseElements` is null for read-only calls; for a change to one key it holds the
 * response's members, and the key ARN as `keyId` (logged since December 2022).
 */
import { ALIAS_RESOURCE_TYPE, type AuditResource, cloudTrailDate, type JsonObject, type JsonValue } from '../../core/audit/cloudtrail-event';
import { aliasArn } from '../../core/model/arn';
import type { Scope } from '../../core/model/key';
import { membersOf } from './codec';
import type { KmsModel, Shape } from './model';

/** Never logged even though the model does not mark them sensitive. */
const OMITTED_MEMBERS = new Set(['GrantTokens', 'GrantToken']);
const READ_ONLY_ACTIONS = new Set([
  'Encrypt', 'Decrypt', 'ReEncrypt', 'GenerateDataKey', 'GenerateDataKeyWithoutPlaintext', 'GenerateDataKeyPair',
  'GenerateDataKeyPairWithoutPlaintext', 'GenerateRandom', 'GenerateMac', 'VerifyMac', 'Sign', 'Verify', 'DeriveSharedSecret',
]);
/** Changes that name an alias, not a key: AWS logs no responseElements for them. */
const ALIAS_ACTIONS = new Set(['CreateAlias', 'UpdateAlias', 'DeleteAlias']);

/** Describe*, Get*, List* and the cryptographic operations do not change anything. */
export function isReadOnly(action: string): boolean {
  return READ_ONLY_ACTIONS.has(action) || /^(Describe|Get|List)/.test(action);
}

/** A decoded request or response as CloudTrail logs it. */
export function loggedMembers(model: KmsModel, shapeName: string | undefined, value: unknown): JsonObject | null {
  if (shapeName === undefined || value === null || typeof value !== 'object') return null;
  const out = convert(model, model.shape(shapeName), value);
  return out !== null && typeof out === 'object' && !Array.isArray(out) ? (out as JsonObject) : null;
}

function convert(model: KmsModel, shape: Shape, value: unknown): JsonValue | undefined {
  if (value === undefined || value === null || shape.sensitive) return undefined;
  switch (shape.type) {
    case 'blob':
      return undefined;
    case 'timestamp':
      return value instanceof Date ? cloudTrailDate(value) : undefined;
    case 'structure': {
      const out: Record<string, JsonValue> = {};
      for (const member of membersOf(model, shape)) {
        if (OMITTED_MEMBERS.has(member.name) || !Object.hasOwn(value as object, member.name)) continue;
        const converted = convert(model, member.shape, (value as Record<string, unknown>)[member.name]);
        if (converted !== undefined) out[member.path] = converted; // model names: never "__proto__"
      }
      return out;
    }
    case 'list': {
      if (!Array.isArray(value)) return undefined;
      const member = model.shape(shape.member);
      return value.flatMap((item) => convert(model, member, item) ?? []);
    }
    case 'map': {
      const valueShape = model.shape(shape.value);
      const out: [string, JsonValue][] = [];
      for (const [key, item] of Object.entries(value as Record<string, unknown>)) {
        const converted = convert(model, valueShape, item);
        if (converted !== undefined) out.push([key, converted]);
      }
      return Object.fromEntries(out);
    }
    default:
      return typeof value === 'string' || typeof value === 'number' || typeof value === 'boolean' ? value : undefined;
  }
}

export interface CallFields {
  readonly requestParameters: JsonObject | null;
  readonly responseElements: JsonObject | null;
  readonly resources: readonly AuditResource[];
}

export interface CallFacts {
  readonly model: KmsModel;
  readonly action: string;
  readonly scope: Scope;
  readonly inputShape?: string;
  readonly outputShape?: string;
  /** The decoded input; undefined when decoding failed. */
  readonly input?: Record<string, unknown>;
  /** Whether the operation succeeded, and its output (undefined for actions without one). */
  readonly succeeded: boolean;
  readonly output?: unknown;
  /** Keys the operation read, in order (the source key before the destination for ReEncrypt). */
  readonly keys: readonly AuditResource[];
}

export function callFields(facts: CallFacts): CallFields {
  const { model, action, input, output } = facts;
  const requestParameters = input === undefined ? null : loggedMembers(model, facts.inputShape, input);
  const keyResources = dedupe(facts.keys);
  if (action === 'Decrypt' && requestParameters) {
    // KMS logs the key that decrypted and the algorithm, whether or not the request named them.
    // Assigned to the object just made: a member the request had keeps its place, as in a spread copy.
    const logged = requestParameters as Record<string, JsonValue | undefined>;
    logged.encryptionAlgorithm = requestParameters.encryptionAlgorithm ?? 'SYMMETRIC_DEFAULT';
    if (keyResources[0]) logged.keyId = keyResources[0].arn;
  }
  const aliasName = typeof input?.AliasName === 'string' ? input.AliasName : undefined;
  const resources: AuditResource[] =
    ALIAS_ACTIONS.has(action) && aliasName ? [...keyResources, { type: ALIAS_RESOURCE_TYPE, arn: aliasArn(facts.scope, aliasName) }] : keyResources;

  let responseElements: JsonObject | null = null;
  if (facts.succeeded && !isReadOnly(action) && !ALIAS_ACTIONS.has(action)) {
    const logged = (output === undefined ? null : loggedMembers(model, facts.outputShape, output)) ?? {};
    const onlyKey = keyResources.length === 1 ? keyResources[0] : undefined;
    responseElements = onlyKey && logged.keyId === undefined ? { ...logged, keyId: onlyKey.arn } : Object.keys(logged).length > 0 ? logged : null;
  }
  return { requestParameters, responseElements, resources };
}

function dedupe(resources: readonly AuditResource[]): AuditResource[] {
  if (resources.length < 2) return resources.slice(); // most calls read one key
  const seen = new Set<string>();
  return resources.filter((r) => !seen.has(r.arn) && seen.add(r.arn) !== undefined);
}
