/**
 * The little DER reader and writer of lambda/core/crypto/der.ts: what it encodes must be what node:crypto (OpenSSL)
 * reads, and what it reads is only well-formed, definite-length DER within its bounds (anything else: undefined).
 */
import { createPrivateKey, createPublicKey, generateKeyPairSync } from 'node:crypto';
import { describe, expect, test } from 'vitest';
import { childrenOf, DER, encodeTlv, privateKeyInfoParts, readTlv, type Tlv } from '../../../../lambda/core/crypto/der';

const hex = (s: string) => new Uint8Array(Buffer.from(s.replaceAll(' ', ''), 'hex'));
const toHex = (b: Uint8Array) => Buffer.from(b).toString('hex');

// RFC 8032 §7.3's Ed25519ph key as a PKCS#8 PrivateKeyInfo: SEQUENCE { INTEGER 0, SEQUENCE { OID 1.3.101.112 },
// OCTET STRING { OCTET STRING seed } }.
const SEED = '833fe62409237b9d62ec77587520911e9a759cec1d19755b7da901b96dca3d42';
const ED25519_PKCS8 = `302e 020100 3005 06032b6570 0422 0420${SEED}`;

describe('encodeTlv', () => {
  test.each([
    [0, '0400'],
    [0x7f, '047f'],
    [0x80, '048180'],
    [0xff, '0481ff'],
    [0x100, '04820100'],
    [0xffff, '0482ffff'],
    [0x10000, '0483010000'],
    [0x123456, '0483123456'],
  ])('writes %i content bytes with the shortest DER length (header %s)', (n, header) => {
    // GIVEN
    const body = new Uint8Array(n).fill(0xab);
    // WHEN
    const encoded = encodeTlv(DER.OCTET_STRING, body);
    // THEN the header is X.690's minimal definite length, the body follows, and the reader gets the element back
    expect(toHex(encoded.subarray(0, header.length / 2))).toBe(header);
    expect(encoded.length).toBe(header.length / 2 + n);
    expect(readTlv(encoded, 0)).toEqual({ tag: DER.OCTET_STRING, start: header.length / 2, end: encoded.length });
  });

  test('concatenates its contents: the RFC 8032 key rebuilt from its parts is byte for byte the PKCS#8 node:crypto reads', () => {
    const rebuilt = encodeTlv(
      DER.SEQUENCE,
      hex('020100'),
      encodeTlv(DER.SEQUENCE, hex('06032b6570')),
      encodeTlv(DER.OCTET_STRING, encodeTlv(DER.OCTET_STRING, hex(SEED))),
    );
    expect(toHex(rebuilt)).toBe(ED25519_PKCS8.replaceAll(' ', ''));
    expect(createPrivateKey({ key: Buffer.from(rebuilt), format: 'der', type: 'pkcs8' }).asymmetricKeyType).toBe('ed25519');
  });

  test.each([1024, 2048])('re-encoding every element of an RSA-%i SubjectPublicKeyInfo gives the same bytes, which node:crypto reads', (bits) => {
    // GIVEN an SPKI with one- and two-byte long-form lengths (RSA-1024: 0x81, RSA-2048: 0x82)
    const spki = new Uint8Array(generateKeyPairSync('rsa', { modulusLength: bits }).publicKey.export({ type: 'spki', format: 'der' }));
    // WHEN every SEQUENCE is rebuilt from its children and every other element from its contents
    const reencode = (tlv: Tlv): Uint8Array =>
      tlv.tag === DER.SEQUENCE ? encodeTlv(tlv.tag, ...childrenOf(spki, tlv)!.map(reencode)) : encodeTlv(tlv.tag, spki.subarray(tlv.start, tlv.end));
    const rebuilt = reencode(readTlv(spki, 0)!);
    // THEN
    expect(toHex(rebuilt)).toBe(toHex(spki));
    expect(createPublicKey({ key: Buffer.from(rebuilt), format: 'der', type: 'spki' }).asymmetricKeyDetails?.modulusLength).toBe(bits);
  });
});

describe('readTlv', () => {
  test.each([
    ['a short-form length', '0403aabbcc', 0, undefined, { tag: 4, start: 2, end: 5 }],
    ['a zero-length element', '0500', 0, undefined, { tag: 5, start: 2, end: 2 }],
    ['a one-byte long-form length', '048103aabbcc', 0, undefined, { tag: 4, start: 3, end: 6 }],
    ['a three-byte long-form length', '0483000001aa', 0, undefined, { tag: 4, start: 5, end: 6 }],
    ['an element at an offset', 'ffff0401aa', 2, undefined, { tag: 4, start: 4, end: 5 }],
    ['a zero-length long form ending exactly at the limit', '048100ffff', 0, 3, { tag: 4, start: 3, end: 3 }],
    ['an element ending exactly at the limit', '0401aaff', 0, 3, { tag: 4, start: 2, end: 3 }],
  ])('reads %s', (_what, bytes, offset, limit, expected) => {
    expect(readTlv(hex(bytes), offset, limit)).toEqual(expected);
  });

  test.each([
    ['nothing', '', 0, undefined],
    ['a tag without a length', '04', 0, undefined],
    ['contents longer than the bytes', '0405aabb', 0, undefined],
    ['contents past the limit', '0402aabb', 0, 3],
    ['an indefinite length (BER, not DER)', '0480aabb0000', 0, undefined],
    ['a four-byte long-form length', '048400000001aa', 0, undefined],
    ['a long-form length cut off by the end', '0482', 0, undefined],
    ['a long-form length cut off by the limit', '048201aa', 0, 3],
  ])('refuses %s (undefined)', (_what, bytes, offset, limit) => {
    expect(readTlv(hex(bytes), offset, limit)).toBeUndefined();
  });
});

describe('childrenOf', () => {
  test('lists the elements that fill a constructed element exactly', () => {
    const bytes = hex('3006 0201 05 0401 aa');
    expect(childrenOf(bytes, readTlv(bytes, 0)!)).toEqual([
      { tag: 2, start: 4, end: 5 },
      { tag: 4, start: 7, end: 8 },
    ]);
    expect(childrenOf(hex('3000'), readTlv(hex('3000'), 0)!)).toEqual([]);
  });

  test.each([
    ['a child running past its parent', '3004 0203 0506 07'],
    ['a stray byte after the last child', '3004 0201 05 ff'],
  ])('refuses %s (undefined)', (_what, s) => {
    const bytes = hex(s);
    expect(childrenOf(bytes, readTlv(bytes, 0)!)).toBeUndefined();
  });
});

describe('privateKeyInfoParts', () => {
  test('gives the AlgorithmIdentifier members and the privateKey octets of a PKCS#8', () => {
    const parts = privateKeyInfoParts(hex(ED25519_PKCS8));
    expect(parts).toEqual({ algorithm: [{ tag: DER.OID, start: 9, end: 12 }], privateKey: { tag: DER.OCTET_STRING, start: 14, end: 48 } });
  });

  test.each([
    ['no bytes', ''],
    ['a byte after the PrivateKeyInfo', `${ED25519_PKCS8} 00`],
    ['an outer element that is not a SEQUENCE', `312e 020100 3005 06032b6570 0422 0420${SEED}`],
    ['an outer SEQUENCE whose contents are not elements', '3003 020500'],
    ['an empty SEQUENCE', '3000'],
    ['a version that is not an INTEGER', `302e 040100 3005 06032b6570 0422 0420${SEED}`],
    ['no AlgorithmIdentifier', '3003 020100'],
    ['an AlgorithmIdentifier that is not a SEQUENCE', `302e 020100 3105 06032b6570 0422 0420${SEED}`],
    ['no privateKey', '300a 020100 3005 06032b6570'],
    ['a privateKey that is not an OCTET STRING', `302e 020100 3005 06032b6570 0322 0420${SEED}`],
    ['an empty AlgorithmIdentifier', `3029 020100 3000 0422 0420${SEED}`],
    ['an AlgorithmIdentifier whose contents are not elements', `302b 020100 3002 0605 0422 0420${SEED}`],
  ])('refuses %s (undefined)', (_what, s) => {
    expect(privateKeyInfoParts(hex(s))).toBeUndefined();
  });
});
