/**
 * The AWS JSON 1.1 front of the KMS API, the same for both runtimes: Lambda hands it the request an
 * API Gateway HTTP API (payload 2.0) event carries (lambda/handlers/kms-api.ts, behind middy), the
 * local server the request it read (lambda/local/server.ts), with no event in between (D99). An
 * exchange authenticates, resolves `X-Amz-Target`, decodes the body, runs the call and answers with
 * the protocol headers; errors are rendered as KMS renders them:
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
import type { APIGatewayProxyEventV2 } from 'aws-lambda';
import type { AnyOperation } from '../../core/operations/types';
import type { AuditResource } from '../../core/audit/cloudtrail-event';
import { newAccess } from '../../core/authorization/access';
import { KMSInternalException, KmsError, UnknownOperationException, UnsupportedOperationException } from '../../core/errors';
import type { RequestContext } from '../../core/ports';
import type { AuditRecorder } from './audit-recorder';
import type { Authenticator, Caller } from './authenticator';
import { decodeInput, outputJson, parseJsonObject } from './codec';
import type { KmsModel } from './model';

export const KMS_CONTENT_TYPE = 'application/x-amz-json-1.1';
export const REQUEST_ID_HEADER = 'x-amzn-RequestId';

/** Structurally compatible with the Powertools Logger and with console-backed loggers. */
export interface KmsApiLogger {
  error(message: string, attributes: Record<string, unknown>): void;
}

/** One HTTP request to the API, as either runtime received it. */
export interface KmsHttpRequest {
  readonly method: string;
  /** The path without the query string. */
  readonly path: string;
  /** API Gateway's stage; absent (or `$default`) when the path has none. */
  readonly stage?: string;
  /** The raw query string without "?". */
  readonly query: string;
  /** Header names in lower case; repeated headers joined with ",". */
  readonly headers: Readonly<Record<string, string>>;
  /** The body exactly as received, decoded as UTF-8. */
  readonly body: string;
  /** The x-amzn-RequestId of the answer (and of the audit record and the logs). */
  readonly requestId: string;
  readonly sourceIp?: string;
  readonly userAgent: string;
}

/** The answer to one request, and what a request log may show of it. */
export interface KmsHttpAnswer {
  readonly statusCode: number;
  readonly headers: Readonly<Record<string, string>>;
  readonly body: string;
  /** The key the request named (KeyId, TargetKeyId, …, or AliasName), else the one it created or used. Never a secret. */
  readonly keyRef?: string;
  /** `__type` of an error answer. */
  readonly errorType?: string;
}

/** What the front established about a request; `execute` runs it. */
export interface KmsCall {
  readonly action: string;
  readonly operation: AnyOperation;
  readonly ctx: RequestContext;
  readonly input: Record<string, unknown>;
}

interface DecodedCall extends KmsCall {
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
  /** Runs a decoded call and resolves to the operation's output. */
  readonly execute: (call: KmsCall) => Promise<unknown>;
}

/** One request's way through the front. */
export interface KmsExchange {
  /** Runs the request to its answer; never rejects (every error is rendered). */
  answer(): Promise<KmsHttpAnswer>;
  /**
   * The answer when the request ends with `error` from outside `answer` (middy's timeout on Lambda);
   * the call is still recorded at most once.
   */
  fail(error: unknown): Promise<KmsHttpAnswer>;
}

export interface KmsJsonFront {
  exchange(request: KmsHttpRequest): KmsExchange;
}

/** What the audit record of a call needs, gathered as the call proceeds; it collects the keys the call used. */
class PendingAudit {
  readonly keys: AuditResource[] = [];
  input?: Record<string, unknown>;
  output?: unknown;
  /** Set once a record was attempted: a call is recorded at most once. */
  done = false;

  constructor(
    readonly model: KmsModel,
    readonly action: string,
    readonly caller: Caller,
  ) {}

  add(resource: AuditResource): void {
    this.keys.push(resource);
  }
}

/** What one exchange learnt so far. */
interface ExchangeState {
  action?: string;
  pending?: PendingAudit;
  keyRef?: string;
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

/** The key a call created or found (CreateKey, Decrypt without KeyId), for the log. */
function keyOfOutput(output: unknown): string | undefined {
  if (typeof output !== 'object' || output === null) return undefined;
  const { KeyId, KeyMetadata } = output as { KeyId?: unknown; KeyMetadata?: { KeyId?: unknown } };
  return typeof KeyMetadata?.KeyId === 'string' ? KeyMetadata.KeyId : typeof KeyId === 'string' ? KeyId : undefined;
}

export function kmsJsonFront(options: KmsJsonOptions): KmsJsonFront {
  const { authenticate, logger, audit, execute } = options;
  const services: readonly ServiceApi[] = [{ model: options.model, operations: options.operations, audited: true }, ...(options.services ?? [])];
  // A target is `<prefix>.<Action>`. Smithy-built SDKs (JS v3) send only the service shape's name as
  // the prefix (`CloudTrail_20131101.LookupEvents`), botocore the whole one (`com.amazonaws.cloudtrail.v20131101.CloudTrail_20131101`).
  const prefixes = services.flatMap((service) => {
    const full = service.model.metadata.targetPrefix;
    const short = full.slice(full.lastIndexOf('.') + 1);
    return (short === full ? [full] : [full, short]).map((prefix) => ({ prefix: `${prefix}.`, service }));
  });
  const serviceOf = (target: string | undefined) => {
    if (target !== undefined) for (const p of prefixes) if (target.startsWith(p.prefix)) return p;
    return undefined;
  };

  /** The answer to a request that is no API call (not a POST to the service's path); undefined for an API call. */
  const route = (request: KmsHttpRequest): KmsHttpAnswer | undefined => {
    const { method, path } = request;
    if (method === 'POST' && isServicePath(path, request.stage)) return undefined;
    const type = 'UnknownOperationException';
    return { ...errorResponse(404, type, `No KMS API at ${method} ${truncate(path)}: send POST / with X-Amz-Target.`, request.requestId), errorType: type };
  };

  /** Decodes the authenticated request: the call to run. */
  const decode = (request: KmsHttpRequest, state: ExchangeState, caller: Caller, matched: { prefix: string; service: ServiceApi } | undefined): DecodedCall => {
    const { headers, body } = request;
    const target = headers['x-amz-target'];
    const service = matched?.service;
    if (target === undefined || !matched || !service) {
      throw new UnknownOperationException(target === undefined ? 'Missing X-Amz-Target header.' : `Unknown operation: ${truncate(target)}`);
    }
    const { model, operations } = service;
    const action = target.slice(matched.prefix.length);
    const operation = operations.get(action);
    const modelled = model.operations.get(action);
    if (!modelled) throw new UnknownOperationException(`Unknown operation: ${truncate(target)}`);
    state.action = action;
    const pending = audit && service.audited ? new PendingAudit(model, action, caller) : undefined;
    state.pending = pending;
    if (!operation) throw new UnsupportedOperationException(`${action} is not supported by this service.`); // D19

    const members = parseJsonObject(body);
    state.keyRef = keyRefIn(members);
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
          ...(request.sourceIp && { sourceIp: request.sourceIp }),
        }),
      }),
      ...(pending && { resources: pending }),
    };
    return { action, operation, ctx, input, hasOutput: modelled.output !== undefined };
  };

  /**
   * Writes the call's record, once; the error is the one the client is about to see. Undefined once
   * it is written: a trail that keeps it at once (the in-memory one) costs no promise (D130).
   */
  const recordCall = (request: KmsHttpRequest, state: ExchangeState, error?: KmsError): Promise<void> | undefined => {
    const { pending } = state;
    if (!audit || !pending || pending.done) return undefined;
    pending.done = true;
    // The authenticated caller is the record's caller as it is: the trail reads its principal, access key id and issue time.
    return audit.record({
      model: pending.model,
      action: pending.action,
      scope: pending.caller.scope,
      caller: pending.caller,
      requestId: request.requestId,
      sourceIp: request.sourceIp ?? '',
      userAgent: request.userAgent,
      input: pending.input,
      succeeded: error === undefined,
      output: pending.output,
      error: error && { code: error.type, message: error.message },
      keys: pending.keys,
    });
  };

  const failWith = async (request: KmsHttpRequest, state: ExchangeState, original: unknown): Promise<KmsHttpAnswer> => {
    let exposed = original instanceof KmsError ? original : new KMSInternalException('An internal error occurred. Try again later.');
    try {
      await recordCall(request, state, exposed);
    } catch (err) {
      logger.error('KMS API call could not be recorded in the audit trail', { requestId: request.requestId, error: describe(err) });
      exposed = new KMSInternalException('An internal error occurred. Try again later.');
    }
    if (exposed.fault !== 'client' || exposed !== original) {
      logger.error('KMS API request failed', { requestId: request.requestId, action: state.action, exposed: exposed.type, error: describe(original) });
    }
    const status = exposed.fault === 'client' ? 400 : exposed.fault === 'unavailable' ? 503 : 500;
    return { ...errorResponse(status, exposed.type, exposed.message, request.requestId), ...(state.keyRef !== undefined && { keyRef: state.keyRef }), errorType: exposed.type };
  };

  /** One request's way through the front; it is its own state (no closure per request). */
  class Exchange implements KmsExchange, ExchangeState {
    action?: string;
    pending?: PendingAudit;
    keyRef?: string;

    constructor(private readonly request: KmsHttpRequest) {}

    async answer(): Promise<KmsHttpAnswer> {
      const { request } = this;
      try {
        const refused = route(request);
        if (refused) return refused;
        const { method, path, query, headers, body } = request;
        const matched = serviceOf(headers['x-amz-target']);
        const signingName = (matched?.service ?? services[0]!).model.metadata.endpointPrefix;
        // Authenticated before the target and the body are looked at.
        const caller = await authenticate({ method, path, query, headers, body, signingName });
        const call = decode(request, this, caller, matched);
        const output = await execute(call);
        const { pending } = this;
        if (pending) pending.output = output;
        this.keyRef ??= keyOfOutput(output);
        const answer = call.hasOutput ? outputJson(output) : '';
        const recording = pending && recordCall(request, this);
        if (recording) await recording;
        return { statusCode: 200, headers: protocolHeaders(request.requestId), body: answer, ...(this.keyRef !== undefined && { keyRef: this.keyRef }) };
      } catch (err) {
        return failWith(request, this, err);
      }
    }

    fail(error: unknown): Promise<KmsHttpAnswer> {
      return failWith(this.request, this, error);
    }
  }

  return { exchange: (request) => new Exchange(request) };
}

function protocolHeaders(requestId: string): Record<string, string> {
  return { 'content-type': KMS_CONTENT_TYPE, [REQUEST_ID_HEADER]: requestId };
}

export function errorResponse(statusCode: number, type: string, message: string, requestId: string): { statusCode: number; headers: Record<string, string>; body: string } {
  return {
    statusCode,
    headers: protocolHeaders(requestId),
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

/** The request an API Gateway HTTP API (payload 2.0) event carries. */
export function requestOfEvent(event: APIGatewayProxyEventV2, requestId: string): KmsHttpRequest {
  const http = event.requestContext?.http;
  const headers = lowerCaseHeaders(event.headers);
  return {
    method: http?.method ?? '',
    path: event.rawPath ?? http?.path ?? '',
    ...(event.requestContext?.stage !== undefined && { stage: event.requestContext.stage }),
    query: event.rawQueryString ?? '',
    headers,
    body: event.body === undefined ? '' : event.isBase64Encoded ? Buffer.from(event.body, 'base64').toString('utf8') : event.body,
    requestId,
    ...(http?.sourceIp && { sourceIp: http.sourceIp }),
    userAgent: http?.userAgent ?? event.headers?.['user-agent'] ?? '',
  };
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
