/**
 * KeyRecord / AliasRecord / GrantRecord ↔ DynamoDB item. The only place that knows attribute names.
 *
 * Dates are epoch milliseconds (N); wrapped secrets are binary (B) and nothing else is secret (a
 * KeyRecord never holds plaintext material). Optional fields are omitted when absent, and come back
 * omitted. Items carry a format number (`fmt`) so a later layout can be told apart.
 */
import type { AttributeValue } from '@aws-sdk/client-dynamodb';
import { GRANT_OPERATIONS, type GrantConstraints, type GrantOperation, type GrantRecord } from '../../core/model/grant';
import type {
  AliasRecord,
  AutomaticRotation,
  ExpirationModel,
  ImportState,
  KeyMaterial,
  KeyMaterialState,
  KeyRecord,
  KeyState,
  Origin,
  Scope,
  Tag,
} from '../../core/model/key';
import { KEY_SPECS, KEY_USAGES } from '../../core/crypto/key-specs';
import { KEY_TABLE_PARTITION_KEY, KEY_TABLE_SORT_KEY } from './table-schema';

export type Item = Record<string, AttributeValue>;

export const ITEM_FORMAT = 1;
export const KEY_PREFIX = 'key#';
export const ALIAS_PREFIX = 'alias#';
export const GRANT_PREFIX = 'grant#';

/** Attribute names that expressions in key-store.ts refer to. */
export const ATTR = {
  pk: KEY_TABLE_PARTITION_KEY,
  sk: KEY_TABLE_SORT_KEY,
  revision: 'rev',
  aliasTarget: 'targetKeyId',
  grantee: 'grantee',
  retiringPrincipal: 'retiring',
} as const;

/** Thrown when a stored item does not decode: names the attribute, never its value. */
export class CorruptItemError extends Error {
  constructor(sk: string | undefined, detail: string) {
    super(`stored item ${sk ?? '(no sort key)'} is not readable: ${detail}`);
    this.name = 'CorruptItemError';
  }
}

export function scopeKey(scope: Scope): string {
  return `${scope.partition}/${scope.account}/${scope.region}`;
}

export function keySortKey(keyId: string): string {
  return `${KEY_PREFIX}${keyId}`;
}

export function aliasSortKey(aliasName: string): string {
  return `${ALIAS_PREFIX}${aliasName}`;
}

/** A key's grants sort together, in grant id order: `grant#<keyId>#<grantId>`. */
export function grantSortKey(keyId: string, grantId = ''): string {
  return `${GRANT_PREFIX}${keyId}#${grantId}`;
}

export function grantItemKey(scope: Scope, keyId: string, grantId: string): Item {
  return { [ATTR.pk]: { S: scopeKey(scope) }, [ATTR.sk]: { S: grantSortKey(keyId, grantId) } };
}

export function keyItemKey(scope: Scope, keyId: string): Item {
  return { [ATTR.pk]: { S: scopeKey(scope) }, [ATTR.sk]: { S: keySortKey(keyId) } };
}

export function aliasItemKey(scope: Scope, aliasName: string): Item {
  return { [ATTR.pk]: { S: scopeKey(scope) }, [ATTR.sk]: { S: aliasSortKey(aliasName) } };
}

// ---- encoding ------------------------------------------------------------------------------

const s = (value: string): AttributeValue => ({ S: value });
const n = (value: number): AttributeValue => ({ N: String(value) });
const ms = (date: Date): AttributeValue => ({ N: String(date.getTime()) });
const b = (value: Uint8Array): AttributeValue => ({ B: value });

/** The item for `key`, stored at `revision` (the key's own `revision` field is ignored). */
export function keyToItem(key: KeyRecord, revision: number): Item {
  const item: Item = {
    ...keyItemKey(key.scope, key.keyId),
    fmt: n(ITEM_FORMAT),
    [ATTR.revision]: n(revision),
    keyId: s(key.keyId),
    arn: s(key.arn),
    creationDate: ms(key.creationDate),
    description: s(key.description),
    origin: s(key.origin),
    keyUsage: s(key.keyUsage),
    keySpec: s(key.keySpec),
    state: s(key.state),
    materials: { L: key.materials.map((m) => ({ M: materialToMap(m) })) },
    materialIdKey: b(key.materialIdKeyWrapped),
    tags: { L: key.tags.map((t) => ({ M: { k: s(t.TagKey), v: s(t.TagValue) } })) },
    onDemandRotations: n(key.onDemandRotations),
  };
  if (key.deletionDate) item.deletionDate = ms(key.deletionDate);
  if (key.currentMaterialId !== undefined) item.currentMaterialId = s(key.currentMaterialId);
  if (key.policy !== undefined) item.policy = s(key.policy);
  if (key.automaticRotation) {
    const { periodInDays, periodStart, nextMaterial } = key.automaticRotation;
    const rotation: Item = { periodInDays: n(periodInDays), periodStart: ms(periodStart) };
    if (nextMaterial) rotation.next = { M: { id: s(nextMaterial.materialId), wrapped: b(nextMaterial.wrapped) } };
    item.automaticRotation = { M: rotation };
  }
  return item;
}

function materialToMap(m: KeyMaterial): Item {
  const map: Item = { id: s(m.materialId), state: s(m.materialState), import: s(m.importState) };
  if (m.wrapped) map.wrapped = b(m.wrapped);
  if (m.expirationModel !== undefined) map.expirationModel = s(m.expirationModel);
  if (m.validTo) map.validTo = ms(m.validTo);
  if (m.description !== undefined) map.description = s(m.description);
  if (m.rotationDate) map.rotationDate = ms(m.rotationDate);
  if (m.rotationType !== undefined) map.rotationType = s(m.rotationType);
  return map;
}

export function aliasToItem(alias: AliasRecord): Item {
  return {
    ...aliasItemKey(alias.scope, alias.aliasName),
    fmt: n(ITEM_FORMAT),
    [ATTR.aliasTarget]: s(alias.targetKeyId),
    creationDate: ms(alias.creationDate),
    lastUpdatedDate: ms(alias.lastUpdatedDate),
  };
}

/** Encryption-context pairs as a list of {k, v} maps: context keys are any strings, DynamoDB map keys are not. */
const pairs = (context: Readonly<Record<string, string>>): AttributeValue => ({
  L: Object.entries(context).map(([k, v]) => ({ M: { k: s(k), v: s(v) } })),
});

export function grantToItem(grant: GrantRecord): Item {
  const item: Item = {
    ...grantItemKey(grant.scope, grant.keyId, grant.grantId),
    fmt: n(ITEM_FORMAT),
    creationDate: ms(grant.creationDate),
    [ATTR.grantee]: s(grant.granteePrincipal),
    operations: { L: grant.operations.map(s) },
    issuingAccount: s(grant.issuingAccount),
    issuingPrincipal: s(grant.issuingPrincipal),
  };
  if (grant.name !== undefined) item.name = s(grant.name);
  if (grant.retiringPrincipal !== undefined) item[ATTR.retiringPrincipal] = s(grant.retiringPrincipal);
  const { encryptionContextSubset: subset, encryptionContextEquals: equals } = grant.constraints ?? {};
  if (subset) item.contextSubset = pairs(subset);
  if (equals) item.contextEquals = pairs(equals);
  return item;
}

// ---- decoding ------------------------------------------------------------------------------

/** Reads typed attributes out of one map, reporting the first missing or mistyped one. */
class Reader {
  constructor(
    private readonly map: Item,
    private readonly sk: string | undefined,
    private readonly where = '',
  ) {}

  fail(name: string, expected: string): never {
    throw new CorruptItemError(this.sk, `${this.where}${name} is not ${expected}`);
  }

  str(name: string): string {
    const v = this.map[name]?.S;
    return v === undefined ? this.fail(name, 'a string') : v;
  }

  optStr(name: string): string | undefined {
    return this.map[name] === undefined ? undefined : this.str(name);
  }

  num(name: string): number {
    const raw = this.map[name]?.N;
    const v = raw === undefined ? Number.NaN : Number(raw);
    return Number.isFinite(v) ? v : this.fail(name, 'a number');
  }

  date(name: string): Date {
    return new Date(this.num(name));
  }

  optDate(name: string): Date | undefined {
    return this.map[name] === undefined ? undefined : this.date(name);
  }

  bin(name: string): Uint8Array {
    const v = this.map[name]?.B;
    return v === undefined ? this.fail(name, 'binary') : v;
  }

  optBin(name: string): Uint8Array | undefined {
    return this.map[name] === undefined ? undefined : this.bin(name);
  }

  struct(name: string): Item {
    const v = this.map[name]?.M;
    return v === undefined ? this.fail(name, 'a map') : v;
  }

  list(name: string): Item[] {
    const v = this.map[name]?.L;
    if (v === undefined) this.fail(name, 'a list');
    return v.map((entry, i) => entry.M ?? this.fail(`${name}[${i}]`, 'a map'));
  }

  oneOf<T extends string>(name: string, allowed: readonly T[]): T {
    const v = this.str(name);
    return (allowed as readonly string[]).includes(v) ? (v as T) : this.fail(name, `one of ${allowed.join(', ')}`);
  }

  optOneOf<T extends string>(name: string, allowed: readonly T[]): T | undefined {
    return this.map[name] === undefined ? undefined : this.oneOf(name, allowed);
  }
}

const KEY_STATES: readonly KeyState[] = ['Enabled', 'Disabled', 'PendingDeletion', 'PendingImport'];
const ORIGINS: readonly Origin[] = ['AWS_KMS', 'EXTERNAL'];
const MATERIAL_STATES: readonly KeyMaterialState[] = ['CURRENT', 'NON_CURRENT', 'PENDING_ROTATION'];
const IMPORT_STATES: readonly ImportState[] = ['IMPORTED', 'PENDING_IMPORT'];
const EXPIRATION_MODELS: readonly ExpirationModel[] = ['KEY_MATERIAL_EXPIRES', 'KEY_MATERIAL_DOES_NOT_EXPIRE'];
const ROTATION_TYPES: readonly NonNullable<KeyMaterial['rotationType']>[] = ['ON_DEMAND', 'AUTOMATIC'];

export function scopeFromKey(pk: string, sk?: string): Scope {
  const parts = pk.split('/');
  const [partition, account, region] = parts;
  if (parts.length !== 3 || !partition || !account || !region) throw new CorruptItemError(sk, 'pk is not a scope');
  return { partition, account, region };
}

export function isKeyItem(item: Item): boolean {
  return item[ATTR.sk]?.S?.startsWith(KEY_PREFIX) ?? false;
}

export function itemToKey(item: Item): KeyRecord {
  const sk = item[ATTR.sk]?.S;
  const r = new Reader(item, sk);
  if (r.num('fmt') !== ITEM_FORMAT) r.fail('fmt', `format ${ITEM_FORMAT}`);
  const deletionDate = r.optDate('deletionDate');
  const currentMaterialId = r.optStr('currentMaterialId');
  const policy = r.optStr('policy');
  const automaticRotation = item.automaticRotation === undefined ? undefined : mapToRotation(r.struct('automaticRotation'), sk);
  return {
    scope: scopeFromKey(r.str(ATTR.pk), sk),
    keyId: r.str('keyId'),
    arn: r.str('arn'),
    creationDate: r.date('creationDate'),
    description: r.str('description'),
    origin: r.oneOf('origin', ORIGINS),
    keyUsage: r.oneOf('keyUsage', KEY_USAGES),
    keySpec: r.oneOf('keySpec', KEY_SPECS),
    state: r.oneOf('state', KEY_STATES),
    ...(deletionDate && { deletionDate }),
    ...(currentMaterialId !== undefined && { currentMaterialId }),
    materials: r.list('materials').map((m, i) => mapToMaterial(m, sk, i)),
    materialIdKeyWrapped: r.bin('materialIdKey'),
    tags: r.list('tags').map((t, i) => {
      const tr = new Reader(t, sk, `tags[${i}].`);
      return { TagKey: tr.str('k'), TagValue: tr.str('v') } satisfies Tag;
    }),
    ...(policy !== undefined && { policy }),
    ...(automaticRotation && { automaticRotation }),
    onDemandRotations: r.num('onDemandRotations'),
    revision: r.num(ATTR.revision),
  };
}

function mapToRotation(map: Item, sk: string | undefined): AutomaticRotation {
  const r = new Reader(map, sk, 'automaticRotation.');
  const next = map.next === undefined ? undefined : new Reader(r.struct('next'), sk, 'automaticRotation.next.');
  return {
    periodInDays: r.num('periodInDays'),
    periodStart: r.date('periodStart'),
    ...(next && { nextMaterial: { materialId: next.str('id'), wrapped: next.bin('wrapped') } }),
  };
}

function mapToMaterial(map: Item, sk: string | undefined, index: number): KeyMaterial {
  const r = new Reader(map, sk, `materials[${index}].`);
  const wrapped = r.optBin('wrapped');
  const expirationModel = r.optOneOf('expirationModel', EXPIRATION_MODELS);
  const validTo = r.optDate('validTo');
  const description = r.optStr('description');
  const rotationDate = r.optDate('rotationDate');
  const rotationType = r.optOneOf('rotationType', ROTATION_TYPES);
  return {
    materialId: r.str('id'),
    materialState: r.oneOf('state', MATERIAL_STATES),
    importState: r.oneOf('import', IMPORT_STATES),
    ...(wrapped && { wrapped }),
    ...(expirationModel !== undefined && { expirationModel }),
    ...(validTo && { validTo }),
    ...(description !== undefined && { description }),
    ...(rotationDate && { rotationDate }),
    ...(rotationType !== undefined && { rotationType }),
  };
}

export function itemToGrant(item: Item): GrantRecord {
  const sk = item[ATTR.sk]?.S;
  const r = new Reader(item, sk);
  if (r.num('fmt') !== ITEM_FORMAT) r.fail('fmt', `format ${ITEM_FORMAT}`);
  const ids = sk?.startsWith(GRANT_PREFIX) ? sk.slice(GRANT_PREFIX.length).split('#') : [];
  if (ids.length !== 2 || !ids[0] || !ids[1]) throw new CorruptItemError(sk, `${ATTR.sk} is not a grant sort key`);
  const readPairs = (name: string) =>
    item[name] === undefined
      ? undefined
      : Object.fromEntries(r.list(name).map((p, i) => {
          const pr = new Reader(p, sk, `${name}[${i}].`);
          return [pr.str('k'), pr.str('v')];
        }));
  const subset = readPairs('contextSubset');
  const equals = readPairs('contextEquals');
  const constraints: GrantConstraints = { ...(subset && { encryptionContextSubset: subset }), ...(equals && { encryptionContextEquals: equals }) };
  const name = r.optStr('name');
  const retiringPrincipal = r.optStr(ATTR.retiringPrincipal);
  const operations = (item.operations?.L ?? r.fail('operations', 'a list')).map((op, i): GrantOperation => {
    const value = op.S;
    return value !== undefined && (GRANT_OPERATIONS as readonly string[]).includes(value) ? (value as GrantOperation) : r.fail(`operations[${i}]`, 'a grant operation');
  });
  return {
    scope: scopeFromKey(r.str(ATTR.pk), sk),
    keyId: ids[0],
    grantId: ids[1],
    ...(name !== undefined && { name }),
    creationDate: r.date('creationDate'),
    granteePrincipal: r.str(ATTR.grantee),
    ...(retiringPrincipal !== undefined && { retiringPrincipal }),
    operations,
    ...((subset || equals) && { constraints }),
    issuingAccount: r.str('issuingAccount'),
    issuingPrincipal: r.str('issuingPrincipal'),
  };
}

export function itemToAlias(item: Item): AliasRecord {
  const sk = item[ATTR.sk]?.S;
  const r = new Reader(item, sk);
  if (r.num('fmt') !== ITEM_FORMAT) r.fail('fmt', `format ${ITEM_FORMAT}`);
  if (!sk?.startsWith(ALIAS_PREFIX)) throw new CorruptItemError(sk, `${ATTR.sk} is not an alias sort key`);
  return {
    scope: scopeFromKey(r.str(ATTR.pk), sk),
    aliasName: sk.slice(ALIAS_PREFIX.length),
    targetKeyId: r.str(ATTR.aliasTarget),
    creationDate: r.date('creationDate'),
    lastUpdatedDate: r.date('lastUpdatedDate'),
  };
}
