/**
 * Unwrapped key material kept in memory so that hot Encrypt/Decrypt paths need no root-key call.
 * An entry is served only while the caller's freshly read key record still shows that material as
 * imported, and it never outlives the material: it is dropped on deletion or expiry, at ValidTo, and
 * after `maxAgeMs` at the latest (other processes may delete the material without telling us).
 */
export interface CachedMaterial {
  readonly material: Uint8Array;
  readonly expiresAt: number; // epoch ms
}

export class MaterialCache {
  private readonly entries = new Map<string, CachedMaterial>();

  constructor(
    private readonly maxAgeMs = 5 * 60_000,
    private readonly maxEntries = 10_000,
  ) {}

  private static id(keyArn: string, materialId: string): string {
    return `${keyArn}#${materialId}`;
  }

  get(keyArn: string, materialId: string, nowMs: number): Uint8Array | undefined {
    const id = MaterialCache.id(keyArn, materialId);
    const entry = this.entries.get(id);
    if (!entry) return undefined;
    if (entry.expiresAt <= nowMs) {
      this.drop(id);
      return undefined;
    }
    return entry.material;
  }

  put(keyArn: string, materialId: string, material: Uint8Array, nowMs: number, validTo?: Date): void {
    if (this.entries.size >= this.maxEntries) {
      this.drop(this.entries.keys().next().value!); // the oldest: a Map keeps insertion order
    }
    const expiresAt = Math.min(nowMs + this.maxAgeMs, validTo ? validTo.getTime() : Number.POSITIVE_INFINITY);
    // A private copy: eviction zeroes it, and the caller keeps its own bytes.
    this.entries.set(MaterialCache.id(keyArn, materialId), { material: Uint8Array.from(material), expiresAt });
  }

  evict(keyArn: string, materialId: string): void {
    this.drop(MaterialCache.id(keyArn, materialId));
  }

  /** Drops every material of a key (key deleted). */
  evictKey(keyArn: string): void {
    for (const id of [...this.entries.keys()]) if (id.startsWith(`${keyArn}#`)) this.drop(id);
  }

  get size(): number {
    return this.entries.size;
  }

  private drop(id: string): void {
    const entry = this.entries.get(id);
    if (entry) entry.material.fill(0); // zero the bytes, not just the reference
    this.entries.delete(id);
  }
}
