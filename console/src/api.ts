// Reads the console needs, composed from public KMS operations only.
import {
  DescribeKeyCommand, ListAliasesCommand, ListKeyRotationsCommand, ListKeysCommand, ListResourceTagsCommand,
  type AliasListEntry, type KeyMetadata, type KMSClient, type RotationsListEntry, type Tag,
} from '@aws-sdk/client-kms';

export interface KeyRow {
  metadata: KeyMetadata;
  aliases: string[];
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

export async function listAllAliases(kms: KMSClient, keyId?: string): Promise<AliasListEntry[]> {
  const all: AliasListEntry[] = [];
  let marker: string | undefined;
  do {
    const page = await kms.send(new ListAliasesCommand({ KeyId: keyId, Marker: marker, Limit: 100 }));
    all.push(...(page.Aliases ?? []));
    marker = page.Truncated ? page.NextMarker : undefined;
  } while (marker);
  return all;
}

/** Every key in the region with its metadata and alias names. */
export async function listKeyRows(kms: KMSClient): Promise<KeyRow[]> {
  const keyIds: string[] = [];
  let marker: string | undefined;
  do {
    const page = await kms.send(new ListKeysCommand({ Marker: marker, Limit: 100 }));
    for (const entry of page.Keys ?? []) if (entry.KeyId) keyIds.push(entry.KeyId);
    marker = page.Truncated ? page.NextMarker : undefined;
  } while (marker);

  const [aliases, described] = await Promise.all([
    listAllAliases(kms),
    mapLimited(keyIds, 8, async (keyId) => {
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
    listAllTags(kms, keyId),
    metadata.Origin === 'EXTERNAL' && metadata.KeySpec === 'SYMMETRIC_DEFAULT'
      ? listAllMaterials(kms, keyId).catch((error: unknown) => ({ error }))
      : Promise.resolve(undefined),
  ]);
  return { metadata, aliases, tags, materials };
}

async function listAllTags(kms: KMSClient, keyId: string): Promise<Tag[]> {
  const all: Tag[] = [];
  let marker: string | undefined;
  do {
    const page = await kms.send(new ListResourceTagsCommand({ KeyId: keyId, Marker: marker, Limit: 50 }));
    all.push(...(page.Tags ?? []));
    marker = page.Truncated ? page.NextMarker : undefined;
  } while (marker);
  return all;
}

async function listAllMaterials(kms: KMSClient, keyId: string): Promise<RotationsListEntry[]> {
  const all: RotationsListEntry[] = [];
  let marker: string | undefined;
  do {
    const page = await kms.send(new ListKeyRotationsCommand({
      KeyId: keyId, IncludeKeyMaterial: 'ALL_KEY_MATERIAL', Marker: marker, Limit: 100,
    }));
    all.push(...(page.Rotations ?? []));
    marker = page.Truncated ? page.NextMarker : undefined;
  } while (marker);
  return all;
}
