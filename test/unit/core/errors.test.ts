/**
 * Every KMS error class: the `__type` it is written as (and its `name`), and its fault, which the protocol adapter
 * turns into the HTTP status (client 400, server 500, unavailable 503: D15); the default messages callers rely on.
 */
import { describe, expect, test } from 'vitest';
import * as errors from '../../../lambda/core/errors';
import { KmsError, StoreConflictError, UnwrapError } from '../../../lambda/core/errors';
import * as auditErrors from '../../../lambda/core/audit/errors';

type ErrorClass = new (message: string, options?: ErrorOptions) => KmsError;

const FAULTS: Record<string, errors.Fault> = {
  NotFoundException: 'client',
  KMSInvalidStateException: 'client',
  DisabledException: 'client',
  ValidationException: 'client',
  SerializationException: 'client',
  UnsupportedOperationException: 'client',
  UnknownOperationException: 'client',
  InvalidArnException: 'client',
  InvalidMarkerException: 'client',
  InvalidCiphertextException: 'client',
  IncorrectKeyException: 'client',
  IncorrectKeyMaterialException: 'client',
  KMSInvalidSignatureException: 'client',
  KMSInvalidMacException: 'client',
  InvalidKeyUsageException: 'client',
  InvalidImportTokenException: 'client',
  ExpiredImportTokenException: 'client',
  AlreadyExistsException: 'client',
  InvalidAliasNameException: 'client',
  LimitExceededException: 'client',
  TagException: 'client',
  DryRunOperationException: 'client',
  ThrottlingException: 'client',
  MalformedPolicyDocumentException: 'client',
  InvalidGrantTokenException: 'client',
  InvalidGrantIdException: 'client',
  ConflictException: 'client',
  AccessDeniedException: 'client',
  KMSInternalException: 'server',
  KeyUnavailableException: 'server',
  DependencyTimeoutException: 'unavailable',
  // CloudTrail's LookupEvents refusals (D105).
  InvalidLookupAttributesException: 'client',
  InvalidTimeRangeException: 'client',
  InvalidNextTokenException: 'client',
};

const classes = Object.entries({ ...errors, ...auditErrors } as Record<string, unknown>).filter(
  (entry): entry is [string, ErrorClass] => typeof entry[1] === 'function' && entry[1].prototype instanceof KmsError,
);

describe('KMS error classes', () => {
  test('every exported KmsError class is in the table (a new one gets its fault pinned here)', () => {
    expect(classes.map(([name]) => name).sort()).toEqual(Object.keys(FAULTS).sort());
  });

  test.each(classes)('%s: __type and name are the class name, with its fault, message and cause', (name, ErrorClass) => {
    const cause = new Error('underneath');
    const err = new ErrorClass('what went wrong', { cause });
    expect({ type: err.type, name: err.name, fault: err.fault, message: err.message, cause: err.cause }).toEqual({
      type: name,
      name,
      fault: FAULTS[name],
      message: 'what went wrong',
      cause,
    });
    expect(err).toBeInstanceOf(Error);
  });

  // Made inside the test: Stryker counts only code a test runs as covered by it.
  test.each<[string, () => KmsError, string]>([
    ['UnknownOperationException', () => new errors.UnknownOperationException(), ''],
    ['InvalidCiphertextException', () => new errors.InvalidCiphertextException(), ''],
    ['KMSInvalidSignatureException', () => new errors.KMSInvalidSignatureException(), ''],
    ['KMSInvalidMacException', () => new errors.KMSInvalidMacException(), ''],
    ['DryRunOperationException', () => new errors.DryRunOperationException(), 'The request would have succeeded, but the DryRun option is set.'],
    ['KMSInternalException', () => new errors.KMSInternalException(), 'An internal error occurred.'],
    ['InvalidNextTokenException', () => new auditErrors.InvalidNextTokenException(), 'Invalid NextToken.'],
  ])('%s without a message says %j', (_, make, message) => expect(make().message).toBe(message));

  test('a KmsError that names no fault is a client error (400)', () => {
    class TeapotException extends KmsError {
      constructor() {
        super('TeapotException', 'short and stout');
      }
    }
    expect(new TeapotException()).toMatchObject({ type: 'TeapotException', name: 'TeapotException', fault: 'client' });
  });
});

describe('errors that are not KMS errors', () => {
  test('StoreConflictError names the item; UnwrapError says what the root key refused; both keep their cause', () => {
    const cause = new Error('condition failed');
    const conflict = new StoreConflictError('key#1234', { cause });
    expect({ name: conflict.name, message: conflict.message, itemId: conflict.itemId, cause: conflict.cause }).toEqual({
      name: 'StoreConflictError',
      message: 'item key#1234 changed during the update',
      itemId: 'key#1234',
      cause,
    });
    const unwrap = new UnwrapError({ cause });
    expect({ name: unwrap.name, message: unwrap.message, cause: unwrap.cause }).toEqual({ name: 'UnwrapError', message: 'the root key could not unwrap the blob', cause });
    expect([conflict, unwrap].some((err) => err instanceof KmsError)).toBe(false);
  });
});
