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
 */
import { randomUUID } from 'node:crypto';
import type { MiddlewareObj, Request } from '@middy/core';
import type { APIGatewayProxyEventV2, APIGatewayProxyStructuredResultV2, Context } from 'aws-lambda';
import { KMSInternalException, KmsError, UnknownOperationException, UnsupportedOperationException } from '../../core/errors';
import type { AnyOperation } from '../../core/operations/types';
import type { RequestContext } from '../../core/ports';
import type { AuthRequest, Authenticator } from './authenticator';
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

export interface KmsJsonOptions {
  readonly authenticate: Authenticator;
  readonly logger: KmsApiLogger;
  /** Implemented actions by name. */
  readonly operations: ReadonlyMap<string, AnyOperation>;
  readonly model: KmsModel;
}

type KmsRequest = Request<APIGatewayProxyEventV2, APIGatewayProxyStructuredResultV2, Error, Context>;

const calls = new WeakMap<APIGatewayProxyEventV2, KmsCall>();

/** The call `kmsJson().before` decoded for this event. */
export function kmsCallOf(event: APIGatewayProxyEventV2): KmsCall {
  const call = calls.get(event);
  if (!call) throw new Error('kmsJson middleware did not run before the handler');
  return call;
}

export function kmsJson(options: KmsJsonOptions): MiddlewareObj<APIGatewayProxyEventV2, APIGatewayProxyStructuredResultV2, Error, Context> {
  const { authenticate, logger, operations, model } = options;
  const targetPrefix = `${model.metadata.targetPrefix}.`;

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
    const authRequest: AuthRequest = { method, path, query: event.rawQueryString ?? '', headers, body };
    const caller = await authenticate(authRequest);

    const target = headers['x-amz-target'];
    if (target === undefined || !target.startsWith(targetPrefix)) {
      throw new UnknownOperationException(target === undefined ? 'Missing X-Amz-Target header.' : `Unknown operation: ${truncate(target)}`);
    }
    const action = target.slice(targetPrefix.length);
    const operation = operations.get(action);
    const modelled = model.operations.get(action);
    if (!modelled) throw new UnknownOperationException(`Unknown operation: ${truncate(target)}`);
    if (!operation) throw new UnsupportedOperationException(`${action} is not supported by this service.`); // D19

    const input = decodeInput(model, modelled.input, parseJsonObject(body));
    const ctx: RequestContext = { scope: caller.scope, ...(caller.verified && { principal: caller.principal }) };
    calls.set(event, { action, operation, ctx, input, hasOutput: modelled.output !== undefined });
    return undefined;
  };

  const kmsJsonAfter = (request: KmsRequest): void => {
    const response = request.response;
    if (response) {
      response.headers = { ...response.headers, 'content-type': KMS_CONTENT_TYPE, [REQUEST_ID_HEADER]: request.context.awsRequestId };
    }
  };

  const kmsJsonOnError = (request: KmsRequest): void => {
    const original = request.error;
    const exposed = original instanceof KmsError ? original : new KMSInternalException('An internal error occurred. Try again later.');
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

/** `{"__type":…,"message":…}`; an empty message is left out, as AWS leaves it out. */
export function errorBody(type: string, message: string): string {
  return JSON.stringify(message === '' ? { __type: type } : { __type: type, message });
}

/** POST / — or /<stage>/ when API Gateway keeps a named stage in the path. */
function isServicePath(path: string, stage: string | undefined): boolean {
  return path === '/' || (stage !== undefined && stage !== '$default' && (path === `/${stage}` || path === `/${stage}/`));
}

function lowerCaseHeaders(headers: APIGatewayProxyEventV2['headers'] | undefined): Record<string, string> {
  const entries: [string, string][] = [];
  for (const [name, value] of Object.entries(headers ?? {})) {
    if (value !== undefined) entries.push([name.toLowerCase(), value]);
  }
  return Object.fromEntries(entries);
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
