/**
 * The audit trail's records (design decision 12): CloudTrail events of the shape AWS writes for KMS,
 * one per API call (AwsApiCall) and one per service event (AwsServiceEvent). Pure: the protocol
 * adapter supplies request parameters and response elements already stripped of plaintexts,
 * ciphertexts and material; ids come from the caller.
 *
 *   {"eventVersion":"1.11","userIdentity":{…},"eventTime":"2026-01-05T10:00:00Z","eventSource":"kms.amazonaws.com",
 *    "eventName":"Encrypt","awsRegion":"us-east-1","sourceIPAddress":"127.0.0.1","userAgent":"aws-cli/…",
 *    "requestParameters":{"keyId":"…","encryptionContext":{…}},"responseElements":null,"requestID":"…",
 *    "eventID":"…","readOnly":true,"resources":[{"accountId":"…","type":"AWS::KMS::Key","ARN":"…"}],
 *    "eventType":"AwsApiCall","managementEvent":true,"recipientAccountId":"…","eventCategory":"Management"}
 */
import type { Scope } from '../model/key';
import type { Principal } from '../model/principal';
import type { ServiceEvent } from '../ports';

export const EVENT_VERSION = '1.11';
export const KMS_EVENT_SOURCE = 'kms.amazonaws.com';
export const KEY_RESOURCE_TYPE = 'AWS::KMS::Key';
export const ALIAS_RESOURCE_TYPE = 'AWS::KMS::Alias';
/** CloudTrail's event history keeps 90 days; so does the audit trail (D104). */
export const RETENTION_DAYS = 90;
const AWS_INTERNAL = 'AWS Internal';

export type JsonValue = string | number | boolean | null | readonly JsonValue[] | { readonly [key: string]: JsonValue | undefined };
export type JsonObject = { readonly [key: string]: JsonValue | undefined };

export interface AuditResource {
  readonly type: typeof KEY_RESOURCE_TYPE | typeof ALIAS_RESOURCE_TYPE;
  readonly arn: string;
}

/**
 * One record as read back: the CloudTrail event (serialized, as LookupEvents returns it) and the
 * fields LookupEvents filters on.
 */
export interface AuditEntry {
  /** The account and Region whose event history holds it. */
  readonly scope: Scope;
  readonly eventId: string;
  readonly eventTime: Date;
  readonly eventName: string;
  readonly eventSource: string;
  readonly readOnly: boolean;
  /** LookupEvents' `Username`: a user name, a role session name, `root`; absent for service events. */
  readonly username?: string;
  readonly accessKeyId?: string;
  readonly resources: readonly AuditResource[];
  /** The CloudTrail event as a JSON string. */
  readonly cloudTrailEvent: string;
}

/** Who called, as the authenticator established it (open mode: the account's root, unverified). */
export interface AuditCaller {
  readonly principal: Principal;
  readonly accessKeyId?: string;
  /** When the credential was issued: a session's `creationDate`. */
  readonly issuedAt?: Date;
}

export interface ApiCallFacts {
  readonly scope: Scope;
  readonly caller: AuditCaller;
  readonly eventName: string;
  readonly eventTime: Date;
  readonly eventId: string;
  readonly requestId: string;
  readonly sourceIp: string;
  readonly userAgent: string;
  readonly readOnly: boolean;
  /** Already stripped of secrets; null when the request could not be decoded. */
  readonly requestParameters: JsonObject | null;
  readonly responseElements: JsonObject | null;
  readonly resources: readonly AuditResource[];
  readonly error?: { readonly code: string; readonly message: string };
}

/**
 * What an audit trail is given for one event (the AuditTrail port): the facts of a KMS call or of a
 * service event, as they were when it happened. Its CloudTrail event is rendered from them
 * (`auditEntryOf`) only where the text is needed: when a trail stores the text (the day files,
 * DynamoDB) or when one that holds the facts is read (the in-memory trail, D140).
 */
export type AuditEvent =
  | { readonly eventType: 'AwsApiCall'; readonly call: ApiCallFacts }
  | { readonly eventType: 'AwsServiceEvent'; readonly eventId: string; readonly event: ServiceEvent };

/** Where and when an event belongs: the event history (scope) that holds it, its id and time. */
export function auditEventPlace(event: AuditEvent): { readonly scope: Scope; readonly eventId: string; readonly eventTime: Date } {
  if (event.eventType === 'AwsApiCall') return event.call;
  return { scope: keyArnParts(event.event.keyArn).scope, eventId: event.eventId, eventTime: event.event.eventTime };
}

/** The entry an event is read back as: the fields LookupEvents filters on and the rendered CloudTrail event. */
export function auditEntryOf(event: AuditEvent, principalId: (arn: string, prefix: string) => string): AuditEntry {
  return event.eventType === 'AwsApiCall' ? apiCallEntry(event.call, principalId) : serviceEventEntry(event.event, event.eventId);
}

/** `2026-01-05T10:00:00Z`: CloudTrail's eventTime has whole seconds. */
export function cloudTrailTime(date: Date): string {
  return `${date.toISOString().slice(0, 19)}Z`;
}

const MONTHS = ['Jan', 'Feb', 'Mar', 'Apr', 'May', 'Jun', 'Jul', 'Aug', 'Sep', 'Oct', 'Nov', 'Dec'];

/** How KMS renders timestamps inside requestParameters/responseElements: `May 21, 2025, 5:47:45 AM` (UTC). */
export function cloudTrailDate(date: Date): string {
  const h = date.getUTCHours();
  const pad = (n: number) => String(n).padStart(2, '0');
  const clock = `${h % 12 === 0 ? 12 : h % 12}:${pad(date.getUTCMinutes())}:${pad(date.getUTCSeconds())} ${h < 12 ? 'AM' : 'PM'}`;
  return `${MONTHS[date.getUTCMonth()]} ${date.getUTCDate()}, ${date.getUTCFullYear()}, ${clock}`;
}

/** CloudTrail's userIdentity for a caller; principal ids are stable stand-ins derived by `principalId`. */
export function userIdentity(caller: AuditCaller, principalId: (arn: string, prefix: string) => string): JsonObject {
  const { principal, accessKeyId } = caller;
  const key = accessKeyId === undefined ? {} : { accessKeyId };
  switch (principal.type) {
    case 'Root':
      return { type: 'Root', principalId: principal.account, arn: principal.arn, accountId: principal.account, ...key };
    case 'IAMUser':
      return {
        type: 'IAMUser',
        principalId: principalId(principal.principalArn, 'AIDA'),
        arn: principal.arn,
        accountId: principal.account,
        ...key,
        userName: principal.name ?? '',
      };
    case 'AssumedRole': {
      const roleId = principalId(principal.principalArn, 'AROA');
      return {
        type: 'AssumedRole',
        principalId: `${roleId}:${principal.sessionName ?? ''}`,
        arn: principal.arn,
        accountId: principal.account,
        ...key,
        sessionContext: {
          sessionIssuer: { type: 'Role', principalId: roleId, arn: principal.principalArn, accountId: principal.account, userName: principal.name ?? '' },
          attributes: {
            ...(caller.issuedAt && { creationDate: cloudTrailTime(caller.issuedAt) }),
            mfaAuthenticated: 'false',
          },
        },
      };
    }
  }
}

/** LookupEvents' `Username` of a caller: the user name, the role session name, or `root`. */
export function lookupUsername(principal: Principal): string {
  if (principal.type === 'Root') return 'root';
  if (principal.type === 'AssumedRole') return principal.sessionName ?? '';
  return principal.name ?? '';
}

function resourcesOf(scope: Scope, resources: readonly AuditResource[]): JsonValue[] {
  return resources.map((r) => ({ accountId: scope.account, type: r.type, ARN: r.arn }));
}

/** The AwsApiCall record of one KMS request, success or failure. */
export function apiCallEntry(facts: ApiCallFacts, principalId: (arn: string, prefix: string) => string): AuditEntry {
  const { scope } = facts;
  const record: JsonObject = {
    eventVersion: EVENT_VERSION,
    userIdentity: userIdentity(facts.caller, principalId),
    eventTime: cloudTrailTime(facts.eventTime),
    eventSource: KMS_EVENT_SOURCE,
    eventName: facts.eventName,
    awsRegion: scope.region,
    sourceIPAddress: facts.sourceIp,
    userAgent: facts.userAgent,
    ...(facts.error && { errorCode: facts.error.code, errorMessage: facts.error.message }),
    requestParameters: facts.requestParameters,
    responseElements: facts.responseElements,
    requestID: facts.requestId,
    eventID: facts.eventId,
    readOnly: facts.readOnly,
    resources: resourcesOf(scope, facts.resources),
    eventType: 'AwsApiCall',
    managementEvent: true,
    recipientAccountId: scope.account,
    eventCategory: 'Management',
  };
  return {
    scope,
    eventId: facts.eventId,
    eventTime: facts.eventTime,
    eventName: facts.eventName,
    eventSource: KMS_EVENT_SOURCE,
    readOnly: facts.readOnly,
    username: lookupUsername(facts.caller.principal),
    ...(facts.caller.accessKeyId !== undefined && { accessKeyId: facts.caller.accessKeyId }),
    resources: facts.resources,
    cloudTrailEvent: JSON.stringify(record),
  };
}

/** The key's scope and id, from its ARN `arn:<partition>:kms:<region>:<account>:key/<id>`. */
export function keyArnParts(arn: string): { readonly scope: Scope; readonly keyId: string } {
  const [, partition = '', , region = '', account = '', resource = ''] = arn.split(':');
  // Stryker disable next-line Regex: a key ARN's resource starts with `key/` and a key id (a UUID or mrk-<hex>) holds no `/`, so the first `key/` is at the start
  return { scope: { partition, account, region }, keyId: resource.replace(/^key\//, '') };
}

/** The AwsServiceEvent record of an event KMS raises itself (material expiry, key deletion, rotation). */
export function serviceEventEntry(event: ServiceEvent, eventId: string): AuditEntry {
  const { scope, keyId } = keyArnParts(event.keyArn);
  const details: JsonObject =
    event.eventName === 'DeleteExpiredKeyMaterial'
      ? { keyId, keyMaterialId: event.keyMaterialId }
      : event.eventName === 'RotateKey'
        ? {
            keyId,
            rotationType: event.rotationType,
            keyOrigin: event.keyOrigin,
            // Stryker disable next-line ConditionalExpression: `true` adds `previousKeyMaterialId: undefined`, which JSON.stringify drops, so the record is the same (`false` is killed by the RotateKey test but shares the mutator name)
            ...(event.previousKeyMaterialId !== undefined && { previousKeyMaterialId: event.previousKeyMaterialId }),
            currentKeyMaterialId: event.currentKeyMaterialId,
          }
        : {};
  const resources: AuditResource[] = [{ type: KEY_RESOURCE_TYPE, arn: event.keyArn }];
  const record: JsonObject = {
    eventVersion: EVENT_VERSION,
    userIdentity: { accountId: scope.account, invokedBy: AWS_INTERNAL },
    eventTime: cloudTrailTime(event.eventTime),
    eventSource: KMS_EVENT_SOURCE,
    eventName: event.eventName,
    awsRegion: scope.region,
    sourceIPAddress: AWS_INTERNAL,
    userAgent: AWS_INTERNAL,
    requestParameters: null,
    // "Entries recorded on or after December 2022 include the key ARN in responseElements.keyId" (DeleteKey).
    responseElements: event.eventName === 'DeleteKey' ? { keyId: event.keyArn } : null,
    eventID: eventId,
    readOnly: false,
    resources: resourcesOf(scope, resources),
    eventType: 'AwsServiceEvent',
    managementEvent: true,
    recipientAccountId: scope.account,
    ...(Object.keys(details).length > 0 && { serviceEventDetails: details }),
    eventCategory: 'Management',
  };
  return {
    scope,
    eventId,
    eventTime: event.eventTime,
    eventName: event.eventName,
    eventSource: KMS_EVENT_SOURCE,
    readOnly: false,
    resources,
    cloudTrailEvent: JSON.stringify(record),
  };
}
