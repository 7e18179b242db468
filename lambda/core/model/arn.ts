import type { Scope } from './key';

const KEY_ID = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/;
const MRK_ID = /^mrk-[0-9a-f]{32}$/;
const KEY_ARN = /^arn:(aws|aws-cn|aws-us-gov):kms:([a-z0-9-]+):(\d{12}):key\/(.+)$/;
const ALIAS_ARN = /^arn:(aws|aws-cn|aws-us-gov):kms:([a-z0-9-]+):(\d{12}):(alias\/.+)$/;

export function isKeyId(value: string): boolean {
  return KEY_ID.test(value) || MRK_ID.test(value);
}

export function keyArn(scope: Scope, keyId: string): string {
  return `arn:${scope.partition}:kms:${scope.region}:${scope.account}:key/${keyId}`;
}

/** Alias ARNs carry the whole alias name, `alias/` included. */
export function aliasArn(scope: Scope, aliasName: string): string {
  return `arn:${scope.partition}:kms:${scope.region}:${scope.account}:${aliasName}`;
}

/** What a caller's `KeyId` parameter names, before any lookup. */
export type KeyRef =
  | { readonly kind: 'keyId'; readonly keyId: string }
  | { readonly kind: 'alias'; readonly aliasName: string }
  | { readonly kind: 'invalid'; readonly message: string };

/**
 * Parses a key ID, key ARN, alias name or alias ARN against the caller's scope.
 * Messages follow what AWS answers (spec §2.0): `Invalid keyId '<v>'`, `Invalid arn <region>`.
 */
export function parseKeyRef(scope: Scope, value: string, allowAlias: boolean): KeyRef {
  const keyArnMatch = KEY_ARN.exec(value);
  if (keyArnMatch) {
    const [, partition, region, account, keyId] = keyArnMatch as unknown as [string, string, string, string, string];
    if (region !== scope.region || partition !== scope.partition) return { kind: 'invalid', message: `Invalid arn ${region}` };
    if (account !== scope.account || !isKeyId(keyId)) return { kind: 'invalid', message: `Invalid keyId '${value}'` };
    return { kind: 'keyId', keyId };
  }
  if (isKeyId(value)) return { kind: 'keyId', keyId: value };
  const aliasArnMatch = ALIAS_ARN.exec(value);
  const aliasName = aliasArnMatch ? aliasArnMatch[4] : value.startsWith('alias/') ? value : undefined;
  if (aliasName && allowAlias) {
    if (aliasArnMatch && (aliasArnMatch[2] !== scope.region || aliasArnMatch[1] !== scope.partition)) {
      return { kind: 'invalid', message: `Invalid arn ${aliasArnMatch[2]}` };
    }
    if (aliasArnMatch && aliasArnMatch[3] !== scope.account) return { kind: 'invalid', message: `Invalid keyId '${value}'` };
    return { kind: 'alias', aliasName };
  }
  return { kind: 'invalid', message: `Invalid keyId '${value}'` };
}
