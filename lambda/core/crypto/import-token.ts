/**
 * The ImportToken of GetParametersForImport. Stateless: the token itself carries the wrapping private
 * key, wrapped by the root key, so nothing is stored and a token can be used until it expires (D13).
 *
 *   offset  size  field
 *   0       1     format (0x01)
 *   1       1     key id length n (1..255)
 *   2       n     key id (ascii)
 *   2+n     1     wrapping algorithm code
 *   3+n     1     wrapping key spec code
 *   4+n     8     validTo, epoch milliseconds, unsigned big-endian
 *   12+n    rest  PKCS#8 private key, wrapped by the root key
 *
 * The header is authenticated through the wrap context (purpose, account, Region, key id, algorithm,
 * spec, validTo): a token edited, moved to another key or account, or forged fails to unwrap.
 */
import type { KeyObject } from 'node:crypto';
import { ExpiredImportTokenException, InvalidImportTokenException, UnwrapError } from '../errors';
import type { KeyRecord, Scope } from '../model/key';
import type { Deps, WrapContext } from '../ports';
import { loadPrivateKey, type WrappingAlgorithm, type WrappingKeySpec } from './wrapping';

const FORMAT_1 = 0x01;
/** Codes are part of the wire format: append, never renumber. */
const ALGORITHM_CODES: readonly WrappingAlgorithm[] = ['RSAES_OAEP_SHA_1', 'RSAES_OAEP_SHA_256', 'RSA_AES_KEY_WRAP_SHA_1', 'RSA_AES_KEY_WRAP_SHA_256'];
const SPEC_CODES: readonly WrappingKeySpec[] = ['RSA_2048', 'RSA_3072', 'RSA_4096'];
const ascii = new TextEncoder();
const asciiDecoder = new TextDecoder();

export const IMPORT_TOKEN_MAX_LENGTH = 6144; // model: ImportToken blob 1..6144

/** What a token says about itself: the key, wrapping parameters and end of validity it was issued for. */
export interface ImportTokenClaims {
  readonly keyId: string;
  readonly algorithm: WrappingAlgorithm;
  readonly spec: WrappingKeySpec;
  readonly validTo: Date;
}

export interface DecodedImportToken extends ImportTokenClaims {
  readonly wrappedPrivateKey: Uint8Array;
}

export function importTokenContext(scope: Scope, claims: ImportTokenClaims): WrapContext {
  return {
    purpose: 'import-token',
    account: scope.account,
    region: scope.region,
    keyId: claims.keyId,
    wrappingAlgorithm: claims.algorithm,
    wrappingKeySpec: claims.spec,
    validTo: String(claims.validTo.getTime()),
  };
}

export function encodeImportToken(claims: ImportTokenClaims, wrappedPrivateKey: Uint8Array): Uint8Array {
  const keyId = ascii.encode(claims.keyId);
  const header = Buffer.alloc(12 + keyId.length);
  header[0] = FORMAT_1;
  header[1] = keyId.length;
  header.set(keyId, 2);
  header[2 + keyId.length] = ALGORITHM_CODES.indexOf(claims.algorithm);
  header[3 + keyId.length] = SPEC_CODES.indexOf(claims.spec);
  header.writeBigUInt64BE(BigInt(claims.validTo.getTime()), 4 + keyId.length);
  return new Uint8Array(Buffer.concat([header, wrappedPrivateKey]));
}

/** Reads a token's header; undefined for anything that is not a token of this service (any bytes, any length). */
export function decodeImportToken(token: Uint8Array): DecodedImportToken | undefined {
  /* Precondition: the token holds a format byte and a key id length. */
  // Stryker disable next-line ConditionalExpression,EqualityOperator: a token of 0-2 bytes fails a later check before any root-key call whichever way this length test is written
  if (token.length < 2) return undefined;
  if (token[0] !== FORMAT_1) return undefined;
  const n = token[1]!;
  /* Precondition: the token holds a whole header and some wrapped bytes. */
  if (n === 0 || token.length <= 12 + n) return undefined;
  const algorithm = ALGORITHM_CODES[token[2 + n]!];
  const spec = SPEC_CODES[token[3 + n]!];
  if (!algorithm || !spec) return undefined;
  const validToMs = Buffer.from(token.buffer, token.byteOffset, token.byteLength).readBigUInt64BE(4 + n);
  // Stryker disable next-line EqualityOperator: 8.64e15 itself is a valid Date; a forged token holding exactly it is refused as not valid either way, with or without a root-key call
  if (validToMs > BigInt(8.64e15)) return undefined; // beyond what a Date can hold
  return {
    keyId: asciiDecoder.decode(token.subarray(2, 2 + n)),
    algorithm,
    spec,
    validTo: new Date(Number(validToMs)),
    wrappedPrivateKey: token.subarray(12 + n),
  };
}

/** Wraps the private key with the root key and packs it with its claims. */
export async function issueImportToken(
  deps: Pick<Deps, 'rootKey'>,
  scope: Scope,
  claims: ImportTokenClaims,
  privateKeyPkcs8: Uint8Array,
): Promise<Uint8Array> {
  const wrapped = await deps.rootKey.wrap(privateKeyPkcs8, importTokenContext(scope, claims));
  return encodeImportToken(claims, wrapped);
}

export interface OpenedImportToken extends ImportTokenClaims {
  readonly privateKey: KeyObject;
}

/**
 * The wrapping private key of a token issued for `key`. Throws InvalidImportTokenException for a
 * token that is not ours, was altered, or was issued for another key, and ExpiredImportTokenException
 * once its validTo has passed. Messages never quote the token.
 */
export async function openImportToken(
  deps: Pick<Deps, 'rootKey' | 'clock'>,
  key: Pick<KeyRecord, 'scope' | 'keyId'>,
  token: Uint8Array,
): Promise<OpenedImportToken> {
  const decoded = decodeImportToken(token);
  if (!decoded) throw new InvalidImportTokenException('The import token is not valid.');
  if (decoded.keyId !== key.keyId) throw new InvalidImportTokenException('The import token was issued for another KMS key.');
  let pkcs8: Uint8Array;
  try {
    pkcs8 = await deps.rootKey.unwrap(decoded.wrappedPrivateKey, importTokenContext(key.scope, decoded));
  } catch (err) {
    // Stryker disable next-line ObjectLiteral: the cause is for a debugger, never sent: the client reads the same error without it
    if (err instanceof UnwrapError) throw new InvalidImportTokenException('The import token is not valid.', { cause: err });
    throw err;
  }
  try {
    // Checked after unwrapping, so only an authentic validTo can make a token "expired".
    if (decoded.validTo.getTime() <= deps.clock.now().getTime()) {
      throw new ExpiredImportTokenException(
        'The import token has expired. Use GetParametersForImport to get a new import token and public key.',
      );
    }
    const privateKey = loadPrivateKey(pkcs8);
    // Stryker disable next-line ConditionalExpression,StringLiteral: unreachable by a test: only the root key could have wrapped this blob, and it only ever wraps the PKCS#8 key GetParametersForImport made
    if (!privateKey) throw new InvalidImportTokenException('The import token is not valid.');
    return { keyId: decoded.keyId, algorithm: decoded.algorithm, spec: decoded.spec, validTo: decoded.validTo, privateKey };
  } finally {
    pkcs8.fill(0);
  }
}
