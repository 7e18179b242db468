/**
 * SigV4 verification (design decision 5): the service recomputes the signature of the request it
 * received, with the secret it issued for the caller's access key id, and compares. The signing name
 * is `kms` (`cloudtrail` for CloudTrail's LookupEvents on the same endpoint); the Region is whatever the caller's credential scope says (it becomes the caller's
 * Region). Error names and messages follow what AWS's JSON services answer.
 */
import { createHash, createHmac, type Hash, type Hmac, timingSafeEqual } from 'node:crypto';
import { SignatureV4 } from '@smithy/signature-v4';
import type { AuthRequest } from '../kms-json/authenticator';
import {
  IncompleteSignatureException,
  InvalidSignatureException,
  MissingAuthenticationTokenException,
  SIGNATURE_MISMATCH,
  UNSIGNED_HEADERS,
  UNSIGNED_TARGET,
  UnrecognizedClientException,
} from './errors';

export const SIGNING_NAME = 'kms';
export const ALGORITHM = 'AWS4-HMAC-SHA256';
/** AWS refuses a request signed more than 15 minutes away from its own clock. */
export const MAX_CLOCK_SKEW_MS = 15 * 60_000;

const AMZ_DATE = /^\d{8}T\d{6}Z$/;
const REGION = /^[a-z]{2}(-[a-z]+)+-\d{1,2}$/;
const SIGNATURE_HEX = /^[0-9a-f]{64}$/;

export interface ParsedAuthorization {
  readonly accessKeyId: string;
  /** yyyymmdd from the credential scope. */
  readonly scopeDate: string;
  readonly region: string;
  readonly service: string;
  /** Lower-case header names, as listed. */
  readonly signedHeaders: readonly string[];
  readonly signature: string;
}

/** What the verifier needs to know about an access key id. */
export interface IssuedSecret {
  readonly secretAccessKey: string;
  readonly account: string;
  /** The principal ARN the credential signs as; absent: the account's root. */
  readonly principal?: string;
  /** The credential's identity policy (parsed); absent: whatever the account may (D108). */
  readonly identityPolicy?: Readonly<Record<string, unknown>>;
  readonly issuedAt?: Date;
}

export type SecretLookup = (accessKeyId: string) => Promise<IssuedSecret | undefined>;

export interface VerifiedCaller {
  readonly accessKeyId: string;
  readonly account: string;
  readonly region: string;
  readonly principal?: string;
  readonly identityPolicy?: Readonly<Record<string, unknown>>;
  readonly issuedAt?: Date;
}

/** Splits an `AWS4-HMAC-SHA256 Credential=…, SignedHeaders=…, Signature=…` header. */
export function parseAuthorization(header: string, amzDate: string | undefined, signingName = SIGNING_NAME): ParsedAuthorization {
  const trimmed = header.trim();
  const space = trimmed.indexOf(' ');
  const algorithm = space < 0 ? trimmed : trimmed.slice(0, space);
  const params = new Map<string, string>();
  for (const part of (space < 0 ? '' : trimmed.slice(space + 1)).split(',')) {
    const eq = part.indexOf('=');
    if (eq > 0) params.set(part.slice(0, eq).trim(), part.slice(eq + 1).trim());
  }
  if (algorithm.startsWith('AWS4') && algorithm !== ALGORITHM) {
    throw new IncompleteSignatureException(`Unsupported AWS 'algorithm': '${algorithm}'`);
  }
  const missing: string[] = [];
  for (const name of ['Credential', 'Signature', 'SignedHeaders']) {
    if (algorithm !== ALGORITHM || !params.get(name)) missing.push(`Authorization header requires '${name}' parameter.`);
  }
  if (amzDate === undefined) missing.push("Authorization header requires existence of either a 'X-Amz-Date' or a 'Date' header.");
  if (missing.length > 0) throw new IncompleteSignatureException(`${missing.join(' ')} Authorization=${header}`);

  const credential = params.get('Credential') as string;
  const parts = credential.split('/');
  if (parts.length !== 5) {
    throw new IncompleteSignatureException(
      `Credential must have exactly 5 slash-delimited elements, e.g. keyid/date/region/service/term, got '${credential}'`,
    );
  }
  const [accessKeyId, scopeDate, region, service, terminator] = parts as [string, string, string, string, string];
  if (terminator !== 'aws4_request') {
    throw new InvalidSignatureException(`Credential should be scoped with a valid terminator: 'aws4_request', not '${terminator}'.`);
  }
  if (service !== signingName) throw new InvalidSignatureException(`Credential should be scoped to correct service: '${signingName}'. `);
  if (!REGION.test(region)) throw new InvalidSignatureException('Credential should be scoped to a valid region. ');
  const signedHeaders = (params.get('SignedHeaders') as string).split(';').map((h) => h.trim().toLowerCase());
  return { accessKeyId, scopeDate, region, service, signedHeaders, signature: params.get('Signature') as string };
}

/** `20260101T000000Z` → Date; undefined unless it is exactly that form and a real instant. */
function parseAmzDate(value: string): Date | undefined {
  if (!AMZ_DATE.test(value)) return undefined;
  const iso = `${value.slice(0, 4)}-${value.slice(4, 6)}-${value.slice(6, 8)}T${value.slice(9, 11)}:${value.slice(11, 13)}:${value.slice(13, 15)}Z`;
  const date = new Date(iso);
  return Number.isNaN(date.getTime()) || date.toISOString().slice(0, 19) !== iso.slice(0, 19) ? undefined : date;
}

function amzDateOf(date: Date): string {
  return date.toISOString().replace(/[-:]/g, '').replace(/\.\d{3}/, '');
}

function parseQuery(query: string | undefined): Record<string, string | string[]> {
  const out: Record<string, string | string[]> = {};
  for (const pair of (query ?? '').split('&')) {
    if (!pair) continue;
    const eq = pair.indexOf('=');
    const name = decodeURIComponent(eq < 0 ? pair : pair.slice(0, eq));
    const value = eq < 0 ? '' : decodeURIComponent(pair.slice(eq + 1));
    const prior = Object.hasOwn(out, name) ? out[name] : undefined;
    out[name] = prior === undefined ? value : Array.isArray(prior) ? [...prior, value] : [prior, value];
  }
  return out;
}

/**
 * SHA-256 (HMAC-SHA256 with a secret) for the signer, from node:crypto: the signer hashes the
 * canonical request, the body and the string to sign, and derives the key, for every request it
 * checks; in JavaScript (@aws-crypto/sha256-js) that cost about 80 us per request, here a few.
 */
class NodeSha256 {
  private hash: Hash | Hmac;

  constructor(private readonly secret?: string | ArrayBuffer | ArrayBufferView) {
    this.hash = NodeSha256.start(secret);
  }

  private static start(secret: string | ArrayBuffer | ArrayBufferView | undefined): Hash | Hmac {
    if (secret === undefined) return createHash('sha256');
    if (typeof secret === 'string') return createHmac('sha256', secret);
    return createHmac('sha256', secret instanceof ArrayBuffer ? Buffer.from(secret) : Buffer.from(secret.buffer, secret.byteOffset, secret.byteLength));
  }

  update(data: Uint8Array): void {
    this.hash.update(data);
  }

  digest(): Promise<Uint8Array> {
    return Promise.resolve(this.hash.digest());
  }

  reset(): void {
    this.hash = NodeSha256.start(this.secret);
  }
}

/** The hex SHA-256 of the body's UTF-8 bytes. */
function sha256Hex(body: string): string {
  return createHash('sha256').update(body, 'utf8').digest('hex');
}

/** Verifies the request's SigV4 signature; resolves to the caller or rejects with an AWS auth error. */
export async function verifySigV4(request: AuthRequest, lookup: SecretLookup, now: Date, maxSkewMs = MAX_CLOCK_SKEW_MS): Promise<VerifiedCaller> {
  const { headers } = request;
  const authorization = headers.authorization;
  if (authorization === undefined || authorization.trim() === '') throw new MissingAuthenticationTokenException();

  const amzDate = headers['x-amz-date'];
  const signingName = request.signingName ?? SIGNING_NAME;
  const auth = parseAuthorization(authorization, amzDate, signingName);
  const signingDate = parseAmzDate(amzDate as string);
  if (!signingDate) {
    throw new IncompleteSignatureException(`Date must be in ISO-8601 'basic format'. Got '${amzDate}'. See http://en.wikipedia.org/wiki/ISO_8601`);
  }
  if (auth.scopeDate !== (amzDate as string).slice(0, 8)) {
    throw new InvalidSignatureException(
      `Date in Credential scope does not match YYYYMMDD from ISO-8601 version of date from HTTP: '${auth.scopeDate}' != '${(amzDate as string).slice(0, 8)}', from '${amzDate}'.`,
    );
  }
  const skew = signingDate.getTime() - now.getTime();
  if (skew < -maxSkewMs) {
    throw new InvalidSignatureException(
      `Signature expired: ${amzDate} is now earlier than ${amzDateOf(new Date(now.getTime() - maxSkewMs))} (${amzDateOf(now)} - ${maxSkewMs / 60_000} min.)`,
    );
  }
  if (skew > maxSkewMs) {
    throw new InvalidSignatureException(
      `Signature not yet current: ${amzDate} is still later than ${amzDateOf(new Date(now.getTime() + maxSkewMs))} (${amzDateOf(now)} + ${maxSkewMs / 60_000} min.)`,
    );
  }
  if (!auth.signedHeaders.includes('host')) {
    throw new InvalidSignatureException("'Host' or ':authority' must be a 'SignedHeader' in the AWS Authorization.");
  }
  // Credentials issued here never carry a session token: one in the request is not ours.
  if (headers['x-amz-security-token'] !== undefined) throw new UnrecognizedClientException();
  // Every x-amz-* header must be signed, X-Amz-Target above all: an unsigned one could be swapped (D23).
  const unsigned = Object.keys(headers).filter((name) => name.startsWith('x-amz-') && !auth.signedHeaders.includes(name));
  if (unsigned.includes('x-amz-target')) throw new InvalidSignatureException(UNSIGNED_TARGET);
  if (unsigned.length > 0) throw new InvalidSignatureException(`${UNSIGNED_HEADERS} ${unsigned.sort().join(', ')}`);

  const issued = await lookup(auth.accessKeyId);
  if (!issued) throw new UnrecognizedClientException();

  // A signed payload hash must be the hash of this body; otherwise the body could be swapped.
  const bodyHash = sha256Hex(request.body);
  const claimedHash = headers['x-amz-content-sha256'];
  if (claimedHash !== undefined && auth.signedHeaders.includes('x-amz-content-sha256') && claimedHash !== bodyHash) {
    throw new InvalidSignatureException(SIGNATURE_MISMATCH);
  }

  const signed: Record<string, string> = {};
  for (const name of auth.signedHeaders) {
    const value = Object.hasOwn(headers, name) ? headers[name] : undefined;
    if (value !== undefined) signed[name] = value;
  }
  const signer = new SignatureV4({
    service: signingName,
    region: auth.region,
    credentials: { accessKeyId: auth.accessKeyId, secretAccessKey: issued.secretAccessKey },
    sha256: NodeSha256,
    applyChecksum: false,
    uriEscapePath: true,
  });
  const resigned = await signer.sign(
    {
      method: request.method.toUpperCase(),
      protocol: 'https:',
      hostname: headers.host ?? '',
      path: request.path,
      query: parseQuery(request.query),
      headers: signed,
      body: request.body,
    },
    { signingDate, signingRegion: auth.region, signingService: signingName, signableHeaders: new Set(auth.signedHeaders) },
  );
  const expected = /Signature=([0-9a-f]{64})/.exec(String(resigned.headers.authorization ?? ''))?.[1] ?? '';
  if (!SIGNATURE_HEX.test(auth.signature) || expected.length !== auth.signature.length || !timingSafeEqual(Buffer.from(expected), Buffer.from(auth.signature))) {
    throw new InvalidSignatureException(SIGNATURE_MISMATCH);
  }
  return {
    accessKeyId: auth.accessKeyId,
    account: issued.account,
    region: auth.region,
    ...(issued.principal !== undefined && { principal: issued.principal }),
    ...(issued.identityPolicy && { identityPolicy: issued.identityPolicy }),
    ...(issued.issuedAt && { issuedAt: issued.issuedAt }),
  };
}
