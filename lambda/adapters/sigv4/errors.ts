/**
 * The authentication errors AWS JSON-protocol services (KMS among them) answer with. Not modelled in
 * the KMS API, so they live with the verifier rather than in core/errors.ts. Every one renders as
 * HTTP 400, as KMS sends them (AWS's JSON services answer 400 for all four; the 403s in the generic
 * "common errors" tables belong to the query protocol and to API Gateway's own authorizers).
 * Messages never contain a secret or a signature we computed.
 */
import { KmsError } from '../../core/errors';

/** No Authorization header at all. */
export class MissingAuthenticationTokenException extends KmsError {
  constructor(m = 'Missing Authentication Token', o?: ErrorOptions) {
    super('MissingAuthenticationTokenException', m, 'client', o);
  }
}

/** An Authorization header that lacks a part SigV4 needs, or a malformed date. */
export class IncompleteSignatureException extends KmsError {
  constructor(m: string, o?: ErrorOptions) {
    super('IncompleteSignatureException', m, 'client', o);
  }
}

/** A well-formed signature that does not verify: wrong secret, tampered request, wrong scope, clock skew. */
export class InvalidSignatureException extends KmsError {
  constructor(m: string, o?: ErrorOptions) {
    super('InvalidSignatureException', m, 'client', o);
  }
}

/** An access key id this service never issued (or revoked), or a session token it cannot know. */
export class UnrecognizedClientException extends KmsError {
  constructor(m = 'The security token included in the request is invalid.', o?: ErrorOptions) {
    super('UnrecognizedClientException', m, 'client', o);
  }
}

export const SIGNATURE_MISMATCH =
  'The request signature we calculated does not match the signature you provided. ' +
  'Check your AWS Secret Access Key and signing method. Consult the service documentation for details.';

/** AWS's wording for an unsigned Host, applied to X-Amz-Target (AWS's own text for this case is not published: D23). */
export const UNSIGNED_TARGET = "'X-Amz-Target' must be a 'SignedHeader' in the AWS Authorization.";
/** Followed by the unsigned header names (S3's wording; D23). */
export const UNSIGNED_HEADERS = 'There were headers present in the request which were not signed:';
