/**
 * Canonical bytes of an encryption context, for use as AAD. Pairs are sorted by key (UTF-8 byte
 * order) and every string is length-prefixed, so {"ab":"c"} and {"a":"bc"} never collide.
 */
export type EncryptionContext = Readonly<Record<string, string>>;

const utf8 = new TextEncoder();

function u32(n: number): Uint8Array {
  const b = new Uint8Array(4);
  new DataView(b.buffer).setUint32(0, n);
  return b;
}

function compareBytes(a: Uint8Array, b: Uint8Array): number {
  const n = Math.min(a.length, b.length);
  for (let i = 0; i < n; i++) if (a[i] !== b[i]) return a[i]! - b[i]!;
  return a.length - b.length;
}

export function canonicalContext(context: EncryptionContext | undefined): Uint8Array {
  if (context === undefined) return u32(0); // the common case: no pairs, just the count
  const pairs = Object.entries(context).map(([k, v]) => [utf8.encode(k), utf8.encode(v)] as const);
  pairs.sort((x, y) => compareBytes(x[0], y[0]));
  const parts: Uint8Array[] = [u32(pairs.length)];
  for (const [k, v] of pairs) parts.push(u32(k.length), k, u32(v.length), v);
  return Buffer.concat(parts);
}
