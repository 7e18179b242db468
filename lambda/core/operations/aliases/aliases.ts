/**
 * Alias lookups that respect D17: an alias whose key is past its deletion date (or already gone)
 * no longer exists for callers, even before the deletion timer removes it from storage.
 */
import { NotFoundException } from '../../errors';
import { loadKey } from '../../key-access';
import { aliasArn } from '../../model/arn';
import type { AliasRecord, KeyRecord, Scope } from '../../model/key';
import type { Deps } from '../../ports';

export interface LiveAlias {
  readonly alias: AliasRecord;
  /** The target key as seen now. */
  readonly target: KeyRecord;
}

export async function findLiveAlias(deps: Pick<Deps, 'keys' | 'clock'>, scope: Scope, aliasName: string): Promise<LiveAlias | undefined> {
  const alias = await deps.keys.getAlias(scope, aliasName);
  const loaded = alias && (await loadKey(deps, scope, alias.targetKeyId));
  return alias && loaded ? { alias, target: loaded.key } : undefined;
}

/** Like findLiveAlias, but an absent alias is `NotFoundException: Alias <alias ARN> is not found.` */
export async function requireLiveAlias(deps: Pick<Deps, 'keys' | 'clock'>, scope: Scope, aliasName: string): Promise<LiveAlias> {
  const found = await findLiveAlias(deps, scope, aliasName);
  if (!found) throw new NotFoundException(`Alias ${aliasArn(scope, aliasName)} is not found.`);
  return found;
}

/** Loads keys as of now, once per key id: for listings where many aliases name the same key. */
export function liveKeyLookup(deps: Pick<Deps, 'keys' | 'clock'>, scope: Scope): (keyId: string) => Promise<KeyRecord | undefined> {
  const seen = new Map<string, Promise<KeyRecord | undefined>>();
  return (keyId) => {
    let found = seen.get(keyId);
    // Stryker disable next-line ConditionalExpression: `true` is equivalent: a cache only, loading the key again gives the same answer (`false`, killed by the listing tests, shares the name)
    if (!found) {
      found = loadKey(deps, scope, keyId).then((loaded) => loaded?.key);
      seen.set(keyId, found);
    }
    return found;
  };
}
