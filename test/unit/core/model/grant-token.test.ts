/**
 * Grant tokens byte by byte (the layout in model/grant-token.ts): a token this service did not issue exactly so is
 * refused (undefined, never a crash), and only subjects that fit the layout are issued.
 */
import { describe, expect, test } from 'vitest';
import { InvalidGrantTokenException } from '../../../../lambda/core/errors';
import { checkGrantTokens, issueGrantToken, readGrantToken } from '../../../../lambda/core/model/grant-token';

const KEY_ARN = 'arn:aws:kms:us-east-1:111122223333:key/1234abcd-12ab-34cd-56ef-1234567890ab';
const GRANT_ID = '0123456789abcdef'.repeat(4);
const random = (n: number) => new Uint8Array(n).fill(7);

const field = (tag: number, value: Buffer) => Buffer.concat([Buffer.from([tag, value.length]), value]);
/** A token laid out as issueGrantToken lays it out, with any part replaced. */
function token(parts: { version?: number; grantId?: Buffer; keyArn?: Buffer; nonce?: Buffer; tags?: [number, number, number] } = {}): string {
  const [grantTag, arnTag, nonceTag] = parts.tags ?? [0x0a, 0x12, 0x1a];
  return Buffer.concat([
    Buffer.from([parts.version ?? 0x01]),
    field(grantTag, parts.grantId ?? Buffer.from(GRANT_ID)),
    field(arnTag, parts.keyArn ?? Buffer.from(KEY_ARN)),
    field(nonceTag, parts.nonce ?? Buffer.alloc(32, 7)),
  ]).toString('base64url');
}

describe('readGrantToken', () => {
  test('the layout built here is the issued one', () => {
    expect(token()).toBe(issueGrantToken({ keyArn: KEY_ARN, grantId: GRANT_ID }, random));
    expect(readGrantToken(token())).toEqual({ keyArn: KEY_ARN, grantId: GRANT_ID });
  });

  /** The same bytes with other (non-zero) padding bits in the last character: base64url decoders accept it. */
  function withOtherPaddingBits(value: string): string {
    const bytes = Buffer.from(value, 'base64url');
    const alphabet = 'ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789-_';
    const other = [...alphabet].map((c) => value.slice(0, -1) + c).find((v) => v !== value && Buffer.from(v, 'base64url').equals(bytes));
    if (other === undefined) throw new Error('the token has no padding bits');
    return other;
  }

  test.each<[string, () => string]>([
    ['a field with another tag', () => token({ tags: [0x0b, 0x12, 0x1a] })],
    ['the key ARN field first (no grant id field)', () => token({ tags: [0x12, 0x0a, 0x1a], grantId: Buffer.from(KEY_ARN), keyArn: Buffer.from(GRANT_ID) })],
    ['a nonce of 16 bytes', () => token({ nonce: Buffer.alloc(16, 7) })],
    ['a grant id that is not 64 hex digits', () => token({ grantId: Buffer.from('g'.repeat(64)) })],
    ['an alias ARN for the key ARN', () => token({ keyArn: Buffer.from('arn:aws:kms:us-east-1:111122223333:alias/app') })],
    ['other padding bits in the last character', () => withOtherPaddingBits(token())],
  ])('refuses %s', (_, make) => {
    const value = make();
    expect(readGrantToken(value)).toBeUndefined();
    expect(() => checkGrantTokens([value])).toThrow(new InvalidGrantTokenException('The grant token is not valid.'));
  });
});

describe('issueGrantToken', () => {
  const arnOfLength = (n: number) => `arn:aws:kms:us-east-1:111122223333:key/${'a'.repeat(n - 39)}`;

  test('a key ARN of up to 127 bytes fits the one-byte length; the token reads back', () => {
    const subject = { keyArn: arnOfLength(127), grantId: GRANT_ID };
    expect(readGrantToken(issueGrantToken(subject, random))).toEqual(subject);
  });

  test.each([
    ['a key ARN of 128 bytes', { keyArn: arnOfLength(128), grantId: GRANT_ID }],
    ['a grant id that is not 64 hex digits', { keyArn: KEY_ARN, grantId: 'G'.repeat(64) }],
  ])('refuses %s', (_, subject) => {
    expect(() => issueGrantToken(subject, random)).toThrow(new RangeError('not a grant token subject'));
  });
});
