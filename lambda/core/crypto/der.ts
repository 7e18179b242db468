/**
 * The little DER this service reads and writes itself: walking a PKCS#8 PrivateKeyInfo to check what
 * OpenSSL does not (named curve, two-prime RSA), and encoding the ML-DSA keys node:crypto cannot make.
 * Definite lengths only; anything else reads as undefined.
 */
export interface Tlv {
  readonly tag: number;
  /** Offset of the contents. */
  readonly start: number;
  /** Offset just past the contents. */
  readonly end: number;
}

/** The element at `offset`, or undefined when the bytes there are not a well-formed DER element within `limit`. */
export function readTlv(bytes: Uint8Array, offset: number, limit = bytes.length): Tlv | undefined {
  // Stryker disable next-line ConditionalExpression,ArithmeticOperator: end below is at least offset + 2, so the end <= limit check refuses the same elements; this one only says why first
  if (offset + 2 > limit) return undefined;
  const tag = bytes[offset]!;
  let length = bytes[offset + 1]!;
  let start = offset + 2;
  if (length & 0x80) {
    const count = length & 0x7f;
    if (
      count === 0 || // an indefinite length: BER, not DER
      count > 3 ||
      // Stryker disable next-line ConditionalExpression,ArithmeticOperator: end is then past limit too (start + count + length, or NaN past the bytes), so the end <= limit check refuses the same elements
      start + count > limit
    ) {
      return undefined;
    }
    length = 0;
    for (let i = 0; i < count; i++) length = length * 256 + bytes[start + i]!;
    start += count;
  }
  const end = start + length;
  return end <= limit ? { tag, start, end } : undefined;
}

/** The elements inside a constructed element, or undefined if they do not fill it exactly. */
export function childrenOf(bytes: Uint8Array, parent: Tlv): Tlv[] | undefined {
  const out: Tlv[] = [];
  let offset = parent.start;
  while (offset < parent.end) {
    const child = readTlv(bytes, offset, parent.end);
    if (!child) return undefined;
    out.push(child);
    offset = child.end;
  }
  return out;
}

export function encodeTlv(tag: number, ...contents: Uint8Array[]): Uint8Array {
  const body = Buffer.concat(contents);
  const n = body.length;
  const header = n < 0x80 ? [tag, n] : n < 0x100 ? [tag, 0x81, n] : n < 0x10000 ? [tag, 0x82, n >> 8, n & 0xff] : [tag, 0x83, n >> 16, (n >> 8) & 0xff, n & 0xff];
  return new Uint8Array(Buffer.concat([Buffer.from(header), body]));
}

export const DER = { INTEGER: 0x02, BIT_STRING: 0x03, OCTET_STRING: 0x04, OID: 0x06, SEQUENCE: 0x30 } as const;

/** The parts of a PKCS#8 PrivateKeyInfo: its AlgorithmIdentifier's members and the privateKey octets. */
export interface PrivateKeyInfoParts {
  readonly algorithm: readonly Tlv[];
  readonly privateKey: Tlv;
}

export function privateKeyInfoParts(der: Uint8Array): PrivateKeyInfoParts | undefined {
  const outer = readTlv(der, 0);
  if (!outer || outer.tag !== DER.SEQUENCE || outer.end !== der.length) return undefined;
  // Stryker disable next-line ArrayDeclaration: a string in place of the version has no tag, refused just as a missing version
  const [version, algorithmId, privateKey] = childrenOf(der, outer) ?? [];
  if (!version || version.tag !== DER.INTEGER || !algorithmId || algorithmId.tag !== DER.SEQUENCE || !privateKey || privateKey.tag !== DER.OCTET_STRING) {
    return undefined;
  }
  const algorithm = childrenOf(der, algorithmId);
  return algorithm && algorithm.length > 0 ? { algorithm, privateKey } : undefined;
}
