/**
 * The AWS JSON 1.1 front of the KMS API as a middy middleware, for API Gateway HTTP API
 * (payload 2.0) events. `before` authenticates, resolves `X-Amz-Target` and decodes the body;
 * `after` and `onError` put the protocol headers on every response and render errors as KMS does:
 *
 *   HTTP 400 (client) / 500 (server) / 503 (unavailable)   x-amzn-RequestId: <uuid>
 *   {"__type":"NotFoundException","message":"…"}
 *
 * An error AWS sends without text (InvalidCiphertextException) has no `message` member at all.
 *
 * Anything that is not a KmsError becomes KMSInternalException with a generic message; the
 * original is logged by name and stack only (never the request body).
 *
 * The same endpoint answers other AWS JSON services' actions by target prefix (`services`: CloudTrail's
 * LookupEvents, design decision 12), each signed with its own signing name. Every KMS action call —
 * success or failure, once the caller is authenticated — is recorded by `audit` before the response
 * is sent; a call whose record cannot be written answers KMSInternalException.
 */
import { randomUUID } from 'node:crypto';
import type { MiddlewareObj, Request } from '@middy/core';
import type { APIGatewayProxyEventV2, APIGatewayProxyStructuredResultV2, Context } from 'aws-lambda';
import { KMSInternalException, KmsError, UnknownOperationException, UnsupportedOperationException } from '../../core/errors';
import type { AnyOperation } from '../../core/operations/types';
import type { AuditResource } from '../../core/audit/cloudtrail-event';
import { newAccess } from '../../core/authorization/access';
import type { RequestContext } from '../../core/ports';
import type { AuditRecorder } from './audit-recorder';
import type { AuthRequest, Authenticator, Caller } from './authenticator';
import { decodeInput, parseJsonObject } from './codec';
import type { KmsModel } from './model';

export const KMS_CONTENT_TYPE = 'application/x-amz-json-1.1';
export const REQUEST_ID_HEADER = 'x-amzn-RequestId';

/** Structurally compatible with the Powertools Logger and with console-backed loggers. */
export interface KmsApiLogger {
  error(message: string, attributes: Record<string, unknown>): void;
}

/** What `before` established about a request; the handler runs it. */
export interface KmsCall {
  readonly action: string;
  readonly operation: AnyOperation;
  readonly ctx: RequestContext;
  readonly input: Record<string, unknown>;
  /** False for actions the model gives no output (EnableKey, TagResource, …): the body is empty. */
  readonly hasOutput: boolean;
}

/** An AWS JSON 1.1 service the endpoint answers: its model (target prefix, signing name) and actions. */
export interface ServiceApi {
  readonly model: KmsModel;
  /** Implemented actions by name. */
  readonly operations: ReadonlyMap<string, AnyOperation>;
  /** Whether its calls go to the audit trail (KMS: yes; reading the trail itself: no, D106). */
  readonly audited: boolean;
}

export interface KmsJsonOptions {
  readonly authenticate: Authenticator;
  readonly logger: KmsApiLogger;
  /** Implemented KMS actions by name. */
  readonly operations: ReadonlyMap<string, AnyOperation>;
  readonly model: KmsModel;
  /** Other services answered on the same endpoint, by target prefix. */
  readonly services?: readonly ServiceApi[];
  /** Records every call of an audited service. */
  readonly audit?: AuditRecorder;
}

type KmsRequest = Request<APIGatewayProxyEventV2, APIGatewayProxyStructuredResultV2, Error, Context>;

const calls = new WeakMap<APIGatewayProxyEventV2, KmsCall>();

/** What the audit record of a call needs, gathered as the call proceeds. */
interface PendingAudit {
  readonly model: KmsModel;
  readonly action: string;
  readonly caller: Caller;
  readonly keys: AuditResource[];
  input?: Record<string, unknown>;
  output?: unknown;
  /** Set once a record was attempted: a call is recorded at most once. */
  done: boolean;
}
const audits = new WeakMap<APIGatewayProxyEventV2, PendingAudit>();

/** The handler hands the operation's output here: to the audit record, and to the log line (the key a call created or found). */
export function recordOutput(event: APIGatewayProxyEventV2, output: unknown): void {
  const pending = audits.get(event);
  if (pending) pending.output = output;
  noteKeyOfOutput(event, output);
}

/** What a request log may show of a call. Never a secret: key references only. */
export interface KmsCallSummary {
  /** The key the request named (KeyId, TargetKeyId, …, or AliasName), else the one it created or used. */
  keyRef?: string;
}

const summaries = new WeakMap<APIGatewayProxyEventV2, KmsCallSummary>();

/** What `kmsJson` learnt about the call of this event, once its body was parsed. */
export function kmsCallSummary(event: APIGatewayProxyEventV2): KmsCallSummary | undefined {
  return summaries.get(event);
}

/** Members that name a key, in the order a log line prefers them; `AliasName` only when no key is named. */
const KEY_MEMBERS = ['KeyId', 'TargetKeyId', 'SourceKeyId', 'DestinationKeyId', 'AliasName'] as const;

function keyRefIn(members: Record<string, unknown>): string | undefined {
  for (const name of KEY_MEMBERS) {
    const value = members[name];
    if (typeof value === 'string' && value !== '') return value.length > 256 ? `${value.slice(0, 256)}...` : value;
  }
  return undefined;
}

/** Lets the log name the key a call created or found (CreateKey, Decrypt without KeyId). */
function noteKeyOfOutput(event: APIGatewayProxyEventV2, output: unknown): void {
  const summary = summaries.get(event);
  if (!summary || summary.keyRef !== undefined || typeof output !== 'object' || output === null) return;
  const { KeyId, KeyMetadata } = output as { KeyId?: unknown; KeyMetadata?: { KeyId?: unknown } };
  const keyRef = typeof KeyMetadata?.KeyId === 'string' ? KeyMetadata.KeyId : typeof KeyId === 'string' ? KeyId : undefined;
  if (keyRef !== undefined) summary.keyRef = keyRef;
}

/** The call `kmsJson().before` decoded for this event. */
export function kmsCallOf(event: APIGatewayProxyEventV2): KmsCall {
  const call = calls.get(event);
  if (!call) throw new Error('kmsJson middleware did not run before the handler');
  return call;
}

export function kmsJson(options: KmsJsonOptions): MiddlewareObj<APIGatewayProxyEventV2, APIGatewayProxyStructuredResultV2, Error, Context> {
  const { authenticate, logger, audit } = options;
  const services: readonly ServiceApi[] = [{ model: options.model, operations: options.operations, audited: true }, ...(options.services ?? [])];
  // A target is `<prefix>.<Action>`. Smithy-built SDKs (JS v3) send only the service shape's name as
  // the prefix (`CloudTrail_20131101.LookupEvents`), botocore the whole one (`com.amazonaws.cloudtrail.v20131101.CloudTrail_20131101`).
  const prefixes = services.flatMap((service) => {
    const full = service.model.metadata.targetPrefix;
    const short = full.slice(full.lastIndexOf('.') + 1);
    return (short === full ? [full] : [full, short]).map((prefix) => ({ prefix: `${prefix}.`, service }));
  });
  const serviceOf = (target: string | undefined) => prefixes.find((p) => target?.startsWith(p.prefix));

  const kmsJsonBefore = async (request: KmsRequest): Promise<APIGatewayProxyStructuredResultV2 | undefined> => {
    const { event, context } = request;
    context.awsRequestId ||= randomUUID(); // one id for the response header and the logs
    const method = event.requestContext?.http?.method ?? '';
    const path = event.rawPath ?? event.requestContext?.http?.path ?? '';
    if (method !== 'POST' || !isServicePath(path, event.requestContext?.stage)) {
      return errorResponse(404, 'UnknownOperationException', `No KMS API at ${method} ${truncate(path)}: send POST / with X-Amz-Target.`, context.awsRequestId);
    }

    const headers = lowerCaseHeaders(event.headers);
    const body = event.body === undefined ? '' : event.isBase64Encoded ? Buffer.from(event.body, 'base64').toString('utf8') : event.body;
    const target = headers['x-amz-target'];
    const matched = serviceOf(target);
    const service = matched?.service;
    const signingName = (service ?? services[0]!).model.metadata.endpointPrefix;
    const authRequest: AuthRequest = { method, path, query: event.rawQueryString ?? '', headers, body, signingName };
    const caller = await authenticate(authRequest);

    if (target === undefined || !matched || !service) {
      throw new UnknownOperationException(target === undefined ? 'Missing X-Amz-Target header.' : `Unknown operation: ${truncate(target)}`);
    }
    const { model, operations } = service;
    const action = target.slice(matched.prefix.length);
    const operation = operations.get(action);
    const modelled = model.operations.get(action);
    if (!modelled) throw new UnknownOperationException(`Unknown operation: ${truncate(target)}`);
    const pending: PendingAudit | undefined = audit && service.audited ? { model, action, caller, keys: [], done: false } : undefined;
    if (pending) audits.set(event, pending);
    if (!operation) throw new UnsupportedOperationException(`${action} is not supported by this service.`); // D19

    const members = parseJsonObject(body);
    summaries.set(event, { keyRef: keyRefIn(members) });
    const input = decodeInput(model, modelled.input, members);
    if (pending) pending.input = input;
    const ctx: RequestContext = {
      scope: caller.scope,
      // Enforce mode: what authorization needs (design decision 11). Open mode checks nothing.
      ...(caller.verified && {
        access: newAccess({
          principal: caller.principal,
          ...(caller.identityPolicy && { identityPolicy: caller.identityPolicy }),
          service: model.metadata.endpointPrefix, // the IAM action prefix: kms, cloudtrail
          action,
          input,
          ...(event.requestContext?.http?.sourceIp && { sourceIp: event.requestContext.http.sourceIp }),
        }),
      }),
      ...(pending && { resources: { add: (resource: AuditResource) => void pending.keys.push(resource) } }),
    };
    calls.set(event, { action, operation, ctx, input, hasOutput: modelled.output !== undefined });
    return undefined;
  };

  /** Writes the call's record, once; the error is the one the client is about to see. */
  const recordCall = async (request: KmsRequest, error?: KmsError): Promise<void> => {
    const pending = audits.get(request.event);
    if (!audit || !pending || pending.done) return;
    pending.done = true;
    const http = request.event.requestContext?.http;
    await audit.record({
      model: pending.model,
      action: pending.action,
      scope: pending.caller.scope,
      caller: {
        principal: pending.caller.principal,
        ...(pending.caller.accessKeyId !== undefined && { accessKeyId: pending.caller.accessKeyId }),
        ...(pending.caller.issuedAt && { issuedAt: pending.caller.issuedAt }),
      },
      requestId: request.context.awsRequestId,
      sourceIp: http?.sourceIp ?? '',
      userAgent: http?.userAgent ?? request.event.headers?.['user-agent'] ?? '',
      ...(pending.input !== undefined && { input: pending.input }),
      succeeded: error === undefined,
      output: pending.output,
      ...(error && { error: { code: error.type, message: error.message } }),
      keys: pending.keys,
    });
  };

  const kmsJsonAfter = async (request: KmsRequest): Promise<void> => {
    await recordCall(request);
    const response = request.response;
    if (response) {
      response.headers = { ...response.headers, 'content-type': KMS_CONTENT_TYPE, [REQUEST_ID_HEADER]: request.context.awsRequestId };
    }
  };

  const kmsJsonOnError = async (request: KmsRequest): Promise<void> => {
    const original = request.error;
    let exposed = original instanceof KmsError ? original : new KMSInternalException('An internal error occurred. Try again later.');
    try {
      await recordCall(request, exposed);
    } catch (err) {
      logger.error('KMS API call could not be recorded in the audit trail', { requestId: request.context.awsRequestId, error: describe(err) });
      exposed = new KMSInternalException('An internal error occurred. Try again later.');
    }
    if (exposed.fault !== 'client' || exposed !== original) {
      logger.error('KMS API request failed', {
        requestId: request.context.awsRequestId,
        action: calls.get(request.event)?.action,
        exposed: exposed.type,
        error: describe(original),
      });
    }
    const status = exposed.fault === 'client' ? 400 : exposed.fault === 'unavailable' ? 503 : 500;
    request.response = errorResponse(status, exposed.type, exposed.message, request.context.awsRequestId);
  };

  return { before: kmsJsonBefore, after: kmsJsonAfter, onError: kmsJsonOnError };
}

export function errorResponse(statusCode: number, type: string, message: string, requestId: string): APIGatewayProxyStructuredResultV2 {
  return {
    statusCode,
    headers: { 'content-type': KMS_CONTENT_TYPE, [REQUEST_ID_HEADER]: requestId },
    body: errorBody(type, message),
  };
}

/**
 * `{"__type":…,"message":…}`; an empty message is left out, as AWS leaves it out. AccessDeniedException
 * comes from AWS's authorization layer, whose bodies spell the member `Message` (spec §2.6, D110);
 * SDKs read either spelling.
 */
export function errorBody(type: string, message: string): string {
  if (message === '') return JSON.stringify({ __type: type });
  return JSON.stringify(type === 'AccessDeniedException' ? { __type: type, Message: message } : { __type: type, message });
}

/** POST / — or /<stage>/ when API Gateway keeps a named stage in the path. */
function isServicePath(path: string, stage: string | undefined): boolean {
  return path === '/' || (stage !== undefined && stage !== '$default' && (path === `/${stage}` || path === `/${stage}/`));
}

function lowerCaseHeaders(headers: APIGatewayProxyEventV2['headers'] | undefined): Record<string, string> {
  if (headers !== undefined && allLowerCase(headers)) return headers as Record<string, string>;
  const entries: [string, string][] = [];
  for (const [name, value] of Object.entries(headers ?? {})) {
    if (value !== undefined) entries.push([name.toLowerCase(), value]);
  }
  return Object.fromEntries(entries);
}

/** node:http and API Gateway's HTTP API already send lower-case names, and no undefined value: nothing to copy. */
function allLowerCase(headers: NonNullable<APIGatewayProxyEventV2['headers']>): boolean {
  for (const name in headers) {
    if (headers[name] === undefined || name.toLowerCase() !== name) return false;
  }
  return true;
}

/** Name, message-bearing stack and causes: what an operator needs, nothing from the request. */
function describe(error: unknown, depth = 0): Record<string, unknown> {
  if (!(error instanceof Error)) return { name: typeof error };
  const cause = error.cause !== undefined && depth < 3 ? { cause: describe(error.cause, depth + 1) } : {};
  return { name: error.name, stack: error.stack, ...cause };
}

function truncate(text: string): string {
  return text.length > 128 ? `${text.slice(0, 128)}...` : text;
}
