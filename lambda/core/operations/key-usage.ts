/**
 * What the operations on a key's cryptography share: resolving a key that must be usable, the key
 * usage and algorithm checks with AWS's messages (spec kms-key-specs.md §4, §5.2), the key's family,
 * and the plaintext of a single-material key. Order of checks: key state, key usage, algorithm (D47).
 */
import { familyOf, type KeyFamily } from '../crypto/families';
import { keySpecEntry, type AlgorithmLists, type KeySpecEntry } from '../crypto/key-specs';
import { InvalidKeyUsageException, KMSInternalException } from '../errors';
import { resolveKey, unwrapMaterial } from '../key-access';
import { findMaterial, type KeyRecord, type KeyUsage } from '../model/key';
import { assertAccepts } from '../model/key-state';
import type { Deps, RequestContext } from '../ports';
import { andThen, type SyncFirst } from '../sync-first';

export function assertKeyUsage(key: KeyRecord, usage: KeyUsage, operation: string): void {
  if (key.keyUsage !== usage) throw new InvalidKeyUsageException(`${key.arn} key usage is ${key.keyUsage} which is not valid for ${operation}.`);
}

export function incompatibleAlgorithm(algorithm: string, key: KeyRecord): InvalidKeyUsageException {
  return new InvalidKeyUsageException(`Algorithm ${algorithm} is incompatible with key spec ${key.keySpec}.`);
}

/** Throws unless `algorithm` is in the key's list (its spec and usage, from the key spec table). */
export function assertAlgorithm<A extends string>(key: KeyRecord, list: keyof AlgorithmLists, algorithm: A): A {
  const allowed = (keySpecEntry(key.keySpec).usages[key.keyUsage]?.[list] ?? []) as readonly string[];
  if (!allowed.includes(algorithm)) throw incompatibleAlgorithm(algorithm, key);
  return algorithm;
}

/** The key, from any of the four forms, Enabled and of the usage the operation needs (at once when the store holds it, D136). */
export function resolveUsableKey(
  deps: Pick<Deps, 'keys' | 'clock'>,
  ctx: RequestContext,
  keyRef: string,
  operation: string,
  usage: KeyUsage,
  /** What enforce mode checks on the key, when it is not the request's action (ReEncryptFrom / ReEncryptTo). */
  permission?: string,
): SyncFirst<KeyRecord> {
  return andThen(resolveKey(deps, ctx, keyRef, { allowAlias: true, ...(permission && { permission }) }), ({ key }) => {
    assertAccepts(key, 'UseForCrypto');
    assertKeyUsage(key, usage, operation);
    return key;
  });
}

export interface KeyCrypto {
  readonly entry: KeySpecEntry;
  readonly family: KeyFamily;
}

/** keyCrypto, with what the family loads on first use loaded (before `identity`, `publicKey`, `sign`, `verify`). */
export async function loadedKeyCrypto(key: KeyRecord): Promise<KeyCrypto> {
  const crypto = keyCrypto(key);
  await crypto.family.load?.(crypto.entry);
  return crypto;
}

/** The table row and family of a stored key (a stored key always has a family: CreateKey checked it). */
export function keyCrypto(key: KeyRecord): KeyCrypto {
  const family = familyOf(key.keySpec);
  // Stryker disable next-line ConditionalExpression: `false` is unreachable: CreateKey makes keys only of specs with a family, and a stored spec never changes (`true`, killed by every test, shares the name)
  if (!family) throw new KMSInternalException();
  return { entry: keySpecEntry(key.keySpec), family };
}

/**
 * The plaintext material of a key with one material (every spec but SYMMETRIC_DEFAULT), from the cache
 * or the root key. The key must have been checked for its state: an Enabled or Disabled key has it.
 * The bytes may be the cache's own copy: read them, never zero them.
 */
export async function singleMaterial(deps: Pick<Deps, 'rootKey' | 'clock' | 'materialCache'>, key: KeyRecord): Promise<Uint8Array> {
  // Stryker disable next-line ConditionalExpression: `false` is equivalent: findMaterial finds no material whose id is undefined (`true`, killed by every test, shares the name)
  const current = key.currentMaterialId === undefined ? undefined : findMaterial(key, key.currentMaterialId);
  // Stryker disable next-line ConditionalExpression: `current.importState !== 'IMPORTED'` -> false is equivalent: unwrapMaterial refuses a material that is not imported with the same KMSInternalException (the others, killed by the damaged-record test, share the name)
  if (!current || current.importState !== 'IMPORTED') throw new KMSInternalException();
  return unwrapMaterial(deps, key, current);
}
