/**
 * Every error the service reports over the KMS API, named exactly as KMS names them in `__type`.
 * Messages never contain key material, plaintext or secrets.
 */
export type Fault = 'client' | 'server' | 'unavailable';

/** Base of every error reported over the KMS API. */
export abstract class KmsError extends Error {
  protected constructor(
    /** Written to `__type`; always the KMS exception name. */
    public readonly type: string,
    message: string,
    /** 'client' renders as HTTP 400, 'server' as 500, 'unavailable' as 503 (decision D15). */
    public readonly fault: Fault = 'client',
    options?: ErrorOptions,
  ) {
    super(message, options);
    this.name = type; // set explicitly: minifiers rename classes
  }
}

// One short class per KMS exception, so callers can `instanceof` and tests can match `name`.
export class NotFoundException extends KmsError { constructor(m: string, o?: ErrorOptions) { super('NotFoundException', m, 'client', o); } }
export class KMSInvalidStateException extends KmsError { constructor(m: string, o?: ErrorOptions) { super('KMSInvalidStateException', m, 'client', o); } }
export class DisabledException extends KmsError { constructor(m: string, o?: ErrorOptions) { super('DisabledException', m, 'client', o); } }
export class ValidationException extends KmsError { constructor(m: string, o?: ErrorOptions) { super('ValidationException', m, 'client', o); } }
export class SerializationException extends KmsError { constructor(m: string, o?: ErrorOptions) { super('SerializationException', m, 'client', o); } }
export class UnsupportedOperationException extends KmsError { constructor(m: string, o?: ErrorOptions) { super('UnsupportedOperationException', m, 'client', o); } }
export class UnknownOperationException extends KmsError { constructor(m = '', o?: ErrorOptions) { super('UnknownOperationException', m, 'client', o); } }
export class InvalidArnException extends KmsError { constructor(m: string, o?: ErrorOptions) { super('InvalidArnException', m, 'client', o); } }
export class InvalidMarkerException extends KmsError { constructor(m: string, o?: ErrorOptions) { super('InvalidMarkerException', m, 'client', o); } }
export class InvalidCiphertextException extends KmsError { constructor(m = '', o?: ErrorOptions) { super('InvalidCiphertextException', m, 'client', o); } }
export class IncorrectKeyException extends KmsError { constructor(m: string, o?: ErrorOptions) { super('IncorrectKeyException', m, 'client', o); } }
export class IncorrectKeyMaterialException extends KmsError { constructor(m: string, o?: ErrorOptions) { super('IncorrectKeyMaterialException', m, 'client', o); } }
export class KMSInvalidSignatureException extends KmsError { constructor(m = '', o?: ErrorOptions) { super('KMSInvalidSignatureException', m, 'client', o); } }
export class KMSInvalidMacException extends KmsError { constructor(m = '', o?: ErrorOptions) { super('KMSInvalidMacException', m, 'client', o); } }
export class InvalidKeyUsageException extends KmsError { constructor(m: string, o?: ErrorOptions) { super('InvalidKeyUsageException', m, 'client', o); } }
export class InvalidImportTokenException extends KmsError { constructor(m: string, o?: ErrorOptions) { super('InvalidImportTokenException', m, 'client', o); } }
export class ExpiredImportTokenException extends KmsError { constructor(m: string, o?: ErrorOptions) { super('ExpiredImportTokenException', m, 'client', o); } }
export class AlreadyExistsException extends KmsError { constructor(m: string, o?: ErrorOptions) { super('AlreadyExistsException', m, 'client', o); } }
export class InvalidAliasNameException extends KmsError { constructor(m: string, o?: ErrorOptions) { super('InvalidAliasNameException', m, 'client', o); } }
export class LimitExceededException extends KmsError { constructor(m: string, o?: ErrorOptions) { super('LimitExceededException', m, 'client', o); } }
export class TagException extends KmsError { constructor(m: string, o?: ErrorOptions) { super('TagException', m, 'client', o); } }
export class DryRunOperationException extends KmsError { constructor(m = 'The request would have succeeded, but the DryRun option is set.', o?: ErrorOptions) { super('DryRunOperationException', m, 'client', o); } }
/** AWS answers it for a "hot key" (a burst of changes to one key) and SDKs retry it with backoff (D91). */
export class ThrottlingException extends KmsError { constructor(m: string, o?: ErrorOptions) { super('ThrottlingException', m, 'client', o); } }
export class MalformedPolicyDocumentException extends KmsError { constructor(m: string, o?: ErrorOptions) { super('MalformedPolicyDocumentException', m, 'client', o); } }
export class InvalidGrantTokenException extends KmsError { constructor(m: string, o?: ErrorOptions) { super('InvalidGrantTokenException', m, 'client', o); } }
export class InvalidGrantIdException extends KmsError { constructor(m: string, o?: ErrorOptions) { super('InvalidGrantIdException', m, 'client', o); } }
export class ConflictException extends KmsError { constructor(m: string, o?: ErrorOptions) { super('ConflictException', m, 'client', o); } }
export class AccessDeniedException extends KmsError { constructor(m: string, o?: ErrorOptions) { super('AccessDeniedException', m, 'client', o); } }
export class KMSInternalException extends KmsError { constructor(m = 'An internal error occurred.', o?: ErrorOptions) { super('KMSInternalException', m, 'server', o); } }
export class KeyUnavailableException extends KmsError { constructor(m: string, o?: ErrorOptions) { super('KeyUnavailableException', m, 'server', o); } }
export class DependencyTimeoutException extends KmsError { constructor(m: string, o?: ErrorOptions) { super('DependencyTimeoutException', m, 'unavailable', o); } }

/** Not a KMS error: the store refused a write because the record changed since it was read. Operations retry. */
export class StoreConflictError extends Error {
  constructor(public readonly itemId: string, options?: ErrorOptions) {
    super(`item ${itemId} changed during the update`, options);
    this.name = 'StoreConflictError';
  }
}

/** Not a KMS error: the root key refused to unwrap (wrong context, tampered or foreign blob). */
export class UnwrapError extends Error {
  constructor(options?: ErrorOptions) {
    super('the root key could not unwrap the blob', options);
    this.name = 'UnwrapError';
  }
}
