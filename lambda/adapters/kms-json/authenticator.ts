import type { Scope } from '../../core/model/key';
import { type Principal, rootPrincipal } from '../../core/model/principal';

/** What an authenticator sees of an HTTP request: enough to recompute a SigV4 signature. */
export interface AuthRequest {
  readonly method: string;
  /** The request path, without the query string ("/" for every KMS action). */
  readonly path: string;
  /** The raw query string without "?" ("" when there is none). */
  readonly query?: string;
  /** Header names in lower case; repeated headers joined with ",". */
  readonly headers: Readonly<Record<string, string>>;
  /** The body exactly as received, decoded as UTF-8. */
  readonly body: string;
  /** The SigV4 signing name the target's service expects (`kms`, `cloudtrail`). @default 'kms' */
  readonly signingName?: string;
}

/** Who is calling, as the authenticator established it. */
export interface Caller {
  /** Partition, account and Region the request acts in. */
  readonly scope: Scope;
  /** The principal the request is signed as; in open mode the account's root (nothing verified). */
  readonly principal: Principal;
  /** The SigV4 access key id; absent for an unsigned request (open mode). */
  readonly accessKeyId?: string;
  /** The credential's identity policy (D108); absent: the principal may do whatever its account may. */
  readonly identityPolicy?: Readonly<Record<string, unknown>>;
  /** When the credential was issued (a session's creation date in CloudTrail). */
  readonly issuedAt?: Date;
  /** True when the signature was verified against an issued credential: only then is access enforced. */
  readonly verified: boolean;
}

/**
 * Establishes who is calling, or rejects with a KmsError (e.g. UnrecognizedClientException,
 * InvalidSignatureException) that is rendered to the client as is. Runs before the target and the
 * body are looked at.
 */
export type Authenticator = (request: AuthRequest) => Promise<Caller>;

/** Used when a request carries no SigV4 credential scope (open mode only). */
export const DEFAULT_ACCOUNT = '000000000000';
export const DEFAULT_REGION = 'us-east-1';

const ACCOUNT_ID = /^\d{12}$/;
// Credential=<AKID>/<yyyymmdd>/<region>/<service>/aws4_request (header form); region names are
// lower-case letters, digits and dashes.
const CREDENTIAL = /Credential=([^/,\s]+)\/(\d{8})\/([a-z0-9-]{1,32})\/([a-z0-9-]+)\/aws4_request/;

/** The AWS partition a Region belongs to. */
export function partitionOf(region: string): string {
  if (region.startsWith('cn-')) return 'aws-cn';
  if (region.startsWith('us-gov-')) return 'aws-us-gov';
  return 'aws';
}

/**
 * Open mode (design decision 5): any credentials are accepted and nothing is verified. The scope
 * comes from the SigV4 credential scope: the account is the access key id when that is 12 digits,
 * else 000000000000; the Region is the scope's Region. A request with no (parsable) Authorization
 * header is treated as account 000000000000 in us-east-1.
 */
export const openAuthenticator: Authenticator = async ({ headers }) => {
  const match = CREDENTIAL.exec(headers.authorization ?? '');
  if (!match) return UNSIGNED_CALLER;
  const [, accessKeyId = '', , region = DEFAULT_REGION] = match;
  // A client signs every request with the same key id and Region: its caller is made once (read-only, shared).
  const known = `${accessKeyId}/${region}`;
  let caller = OPEN_CALLERS.get(known);
  if (!caller) {
    if (OPEN_CALLERS.size >= MAX_OPEN_CALLERS) OPEN_CALLERS.clear();
    caller = openCaller({ partition: partitionOf(region), account: ACCOUNT_ID.test(accessKeyId) ? accessKeyId : DEFAULT_ACCOUNT, region }, accessKeyId);
    OPEN_CALLERS.set(known, caller);
  }
  return caller;
};

const UNSIGNED_CALLER = openCaller({ partition: partitionOf(DEFAULT_REGION), account: DEFAULT_ACCOUNT, region: DEFAULT_REGION });
/** Open-mode callers by `<access key id>/<Region>`; any key id is accepted, so the table is bounded (emptied when full). */
const OPEN_CALLERS = new Map<string, Caller>();
const MAX_OPEN_CALLERS = 1024;

/** An open-mode caller acts as its account's root; nothing about it is verified. */
function openCaller(scope: Scope, accessKeyId?: string): Caller {
  return { scope, principal: rootPrincipal(scope.partition, scope.account), ...(accessKeyId && { accessKeyId }), verified: false };
}
