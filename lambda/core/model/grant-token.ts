/**
 * Grant tokens (spec §3.1, §3.7). AWS's are opaque URL-safe base64 that start `AQpA`: a version byte and
 * a length-prefixed 64-hex id. These keep that shape and carry the key ARN, the grant id and 32 random
 * bytes, so every CreateGrant call returns a new token and every token of a grant names it:
 *
 *   0x01 | 0x0a 0x40 <grant id, 64 hex> | 0x12 <n> <key ARN, n bytes> | 0x1a 0x20 <32 random bytes>
 *
 * A token is not a secret and proves nothing by itself: grants take effect at once here (no eventual
 * consistency to bridge), so a token only has to be one this service issued (D67).
 */
import { InvalidGrantTokenException } from '../errors';
import type { RandomBytes } from '../ports';
import { GRANT_ID_PATTERN } from './grant';

const VERSION = 0x01;
const GRANT_ID_FIELD = 0x0a;
const KEY_ARN_FIELD = 0x12;
const NONCE_FIELD = 0x1a;
const NONCE_LENGTH = 32;
const BASE64URL = /^[A-Za-z0-9_-]+$/;
const KEY_ARN = /^arn:[a-z-]+:kms:[a-z0-9-]+:\d{12}:key\/[0-9a-z-]+$/;

export interface GrantTokenSubject {
  readonly keyArn: string;
  readonly grantId: string;
}

export function issueGrantToken(subject: GrantTokenSubject, random: RandomBytes): string {
  // Stryker disable next-line StringLiteral: key ARNs are ASCII, where latin1 and utf8 (the encoding '' falls back to) agree
  const arn = Buffer.from(subject.keyArn, 'latin1');
  if (arn.length > 127 || !GRANT_ID_PATTERN.test(subject.grantId)) throw new RangeError('not a grant token subject');
  const bytes = Buffer.concat([
    Buffer.from([VERSION, GRANT_ID_FIELD, subject.grantId.length]),
    // Stryker disable next-line StringLiteral: a grant id is 64 hex digits (checked above), where latin1 and utf8 agree
    Buffer.from(subject.grantId, 'latin1'),
    Buffer.from([KEY_ARN_FIELD, arn.length]),
    arn,
    Buffer.from([NONCE_FIELD, NONCE_LENGTH]),
    Buffer.from(random(NONCE_LENGTH)),
  ]);
  return bytes.toString('base64url');
}

/** The grant a token names, or undefined for anything this service did not issue. */
export function readGrantToken(token: string): GrantTokenSubject | undefined {
  // Stryker disable next-line ConditionalExpression: `false` is equivalent: a string with another character is not the canonical encoding of its bytes, refused at the end (`true` refuses every token, killed, but shares the name)
  if (!BASE64URL.test(token)) return undefined;
  const bytes = Buffer.from(token, 'base64url');
  let at = 0;
  const field = (tag: number): Buffer | undefined => {
    // Stryker disable next-line EqualityOperator,ArithmeticOperator: a field cut short is refused by the length check below as well; only an empty last field differs, and it fails the 32-byte nonce
    if (bytes[at] !== tag || at + 2 > bytes.length) return undefined;
    const length = bytes[at + 1]!;
    const value = bytes.subarray(at + 2, at + 2 + length);
    at += 2 + length;
    // Stryker disable next-line ConditionalExpression: `true` is equivalent: a field cut short is the token's end, so a later field is missing or the nonce is short (`false` refuses every token, killed, but shares the name)
    return value.length === length ? value : undefined;
  };
  if (bytes[at++] !== VERSION) return undefined;
  const grantId = field(GRANT_ID_FIELD)?.toString('latin1');
  const keyArn = field(KEY_ARN_FIELD)?.toString('latin1');
  const nonce = field(NONCE_FIELD);
  if (grantId === undefined || keyArn === undefined || nonce?.length !== NONCE_LENGTH || at !== bytes.length) return undefined;
  if (!GRANT_ID_PATTERN.test(grantId) || !KEY_ARN.test(keyArn)) return undefined;
  // base64url has one encoding per byte string: refuse a token with altered padding bits
  if (bytes.toString('base64url') !== token) return undefined;
  return { keyArn, grantId };
}

/** Every operation that takes GrantTokens checks them as AWS does: any malformed token refuses the call. */
export function checkGrantTokens(tokens: readonly string[] | undefined): void {
  for (const token of tokens ?? []) {
    if (!readGrantToken(token)) throw new InvalidGrantTokenException('The grant token is not valid.');
  }
}
