// Reads the console needs, composed from public KMS (and CloudTrail) operations only.
import { type CloudTrailClient, LookupEventsCommand } from '@aws-sdk/client-cloudtrail';
import {
  DescribeKeyCommand, ListAliasesCommand, ListKeyRotationsCommand, ListKeysCommand, ListResourceTagsCommand,
  type AliasListEntry, type KeyMetadata, type KMSClient, type RotationsListEntry, type Tag,
} from '@aws-sdk/client-kms';

export interface KeyRow {
  metadata: KeyMetadata;
  aliases: string[];
}

export interface Page<T> {
  items: T[] | undefined;
  Truncated?: boolean;
  NextMarker?: string;
}

/** Follows Marker/NextMarker until the listing is no longer truncated. */
export async function allPages<T>(fetchPage: (marker: string | undefined) => Promise<Page<T>>): Promise<T[]> {
  const all: T[] = [];
  let marker: string | undefined;
  do {
    const page = await fetchPage(marker);
    all.push(...(page.items ?? []));
    marker = page.Truncated ? page.NextMarker : undefined;
  } while (marker);
  return all;
}

/** Runs `work` over `items`, at most `limit` at a time, keeping order. */
async function mapLimited<T, R>(items: readonly T[], limit: number, work: (item: T) => Promise<R>): Promise<R[]> {
  const results = new Array<R>(items.length);
  let next = 0;
  const worker = async () => {
    while (next < items.length) {
      const index = next++;
      results[index] = await work(items[index] as T);
    }
  };
  await Promise.all(Array.from({ length: Math.min(limit, items.length) }, worker));
  return results;
}

/** A well-formed key ID no key ever has (CreateKey makes random version-4 UUIDs). */
const NO_SUCH_KEY = '00000000-0000-0000-0000-000000000000';
const ACCOUNT_IN_ARN = /^arn:[a-z-]+:kms:[a-z0-9-]+:(\d{12}):key\//;

/**
 * The account the service puts these credentials in. KMS has no "who am I" call, but every key ARN names the
 * account: a listed key's; else the account of the newest audit record the credentials can read (the ListKeys
 * just made is one; reading the trail is not recorded); else — no trail to read — the one in the NotFoundException
 * for a key that cannot exist (`Key 'arn:aws:kms:<region>:<account>:key/…' does not exist`), a refused call that
 * then shows in the trail. Rejects with the API's error otherwise.
 */
export async function callerAccount(kms: KMSClient, trail?: CloudTrailClient): Promise<string> {
  const listed = (await kms.send(new ListKeysCommand({ Limit: 1 }))).Keys?.[0]?.KeyArn;
  const fromList = listed ? ACCOUNT_IN_ARN.exec(listed)?.[1] : undefined;
  if (fromList) return fromList;
  const fromTrail = trail ? await newestRecordAccount(trail).catch(() => undefined) : undefined;
  if (fromTrail) return fromTrail;
  try {
    await kms.send(new DescribeKeyCommand({ KeyId: NO_SUCH_KEY }));
  } catch (error) {
    const named = error instanceof Error && error.name === 'NotFoundException' ? /Key '([^']+)'/.exec(error.message)?.[1] : undefined;
    const account = named ? ACCOUNT_IN_ARN.exec(named)?.[1] : undefined;
    if (account) return account;
    throw error;
  }
  throw new Error(`DescribeKey found ${NO_SUCH_KEY}, a key ID no key has`);
}

async function newestRecordAccount(trail: CloudTrailClient): Promise<string | undefined> {
  const record = (await trail.send(new LookupEventsCommand({ MaxResults: 1 }))).Events?.[0]?.CloudTrailEvent;
  const account = record ? (JSON.parse(record) as { recipientAccountId?: unknown }).recipientAccountId : undefined;
  return typeof account === 'string' && /^\d{12}$/.test(account) ? account : undefined;
}

export function listAllAliases(kms: KMSClient, keyId?: string): Promise<AliasListEntry[]> {
  return allPages(async (Marker) => {
    const page = await kms.send(new ListAliasesCommand({ KeyId: keyId, Marker, Limit: 100 }));
    return { ...page, items: page.Aliases };
  });
}

/** Every key in the region with its metadata and alias names, newest first. */
export async function listKeyRows(kms: KMSClient): Promise<KeyRow[]> {
  const keys = await allPages(async (Marker) => {
    const page = await kms.send(new ListKeysCommand({ Marker, Limit: 100 }));
    return { ...page, items: page.Keys };
  });
  const [aliases, described] = await Promise.all([
    listAllAliases(kms),
    mapLimited(keys.flatMap((k) => (k.KeyId ? [k.KeyId] : [])), 8, async (keyId) => {
      try {
        return (await kms.send(new DescribeKeyCommand({ KeyId: keyId }))).KeyMetadata;
      } catch (error) {
        // A key deleted between ListKeys and DescribeKey is simply gone.
        if (error instanceof Error && error.name === 'NotFoundException') return undefined;
        throw error;
      }
    }),
  ]);
  const aliasesByKey = new Map<string, string[]>();
  for (const alias of aliases) {
    if (!alias.TargetKeyId || !alias.AliasName) continue;
    aliasesByKey.set(alias.TargetKeyId, [...(aliasesByKey.get(alias.TargetKeyId) ?? []), alias.AliasName]);
  }
  return described
    .filter((metadata): metadata is KeyMetadata => metadata !== undefined)
    .map((metadata) => ({ metadata, aliases: (aliasesByKey.get(metadata.KeyId ?? '') ?? []).sort() }))
    .sort((a, b) => (b.metadata.CreationDate?.getTime() ?? 0) - (a.metadata.CreationDate?.getTime() ?? 0));
}

export interface KeyDetail {
  metadata: KeyMetadata;
  aliases: AliasListEntry[];
  tags: Tag[];
  /** Every key material (ListKeyRotations ALL_KEY_MATERIAL), or the error the API gave for it. */
  materials: RotationsListEntry[] | { error: unknown } | undefined;
}

/** One key by key ID, key ARN or alias name; later calls use its key ID (some operations refuse aliases). */
export async function loadKeyDetail(kms: KMSClient, keyRef: string): Promise<KeyDetail> {
  const { KeyMetadata: metadata } = await kms.send(new DescribeKeyCommand({ KeyId: keyRef }));
  if (!metadata?.KeyId) throw new Error(`DescribeKey returned no metadata for ${keyRef}`);
  const keyId = metadata.KeyId;
  const [aliases, tags, materials] = await Promise.all([
    listAllAliases(kms, keyId),
    allPages(async (Marker) => {
      const page = await kms.send(new ListResourceTagsCommand({ KeyId: keyId, Marker, Limit: 50 }));
      return { ...page, items: page.Tags };
    }),
    metadata.Origin === 'EXTERNAL' && metadata.KeySpec === 'SYMMETRIC_DEFAULT'
      ? allPages(async (Marker) => {
        const page = await kms.send(new ListKeyRotationsCommand({ KeyId: keyId, IncludeKeyMaterial: 'ALL_KEY_MATERIAL', Marker, Limit: 100 }));
        return { ...page, items: page.Rotations };
      }).catch((error: unknown) => ({ error }))
      : Promise.resolve(undefined),
  ]);
  return { metadata, aliases, tags, materials };
}
