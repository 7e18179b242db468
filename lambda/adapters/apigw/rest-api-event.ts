/**
 * API Gateway REST API events (payload format 1.0) as the HTTP API events (payload 2.0) the handlers
 * take, so that one handler serves both front doors (lib/constructs/kms-api.ts: the `rest-api` front
 * door exists because LocalStack's free plan serves REST APIs but not HTTP APIs). The response shape
 * the handlers return (statusCode, headers, body, isBase64Encoded) is valid for both formats.
 *
 * The path is the one the client sent and signed: `requestContext.path` keeps the stage
 * (`/<stage>/`), which the handlers strip themselves, as they do for a named HTTP API stage.
 */
import type { APIGatewayProxyEvent, APIGatewayProxyEventV2, Context } from 'aws-lambda';

export function isRestApiEvent(event: unknown): event is APIGatewayProxyEvent {
  return typeof event === 'object' && event !== null && typeof (event as { httpMethod?: unknown }).httpMethod === 'string' && (event as { version?: unknown }).version !== '2.0';
}

export function toHttpApiEvent(event: APIGatewayProxyEvent): APIGatewayProxyEventV2 {
  const headers: Record<string, string> = {};
  for (const [name, value] of Object.entries(event.headers ?? {})) if (value !== undefined) headers[name.toLowerCase()] = value;
  // Repeated headers arrive only in multiValueHeaders; HTTP APIs join them with commas.
  for (const [name, values] of Object.entries(event.multiValueHeaders ?? {})) if (values && values.length > 0) headers[name.toLowerCase()] = values.join(',');
  const query: string[] = [];
  for (const [name, values] of Object.entries(event.multiValueQueryStringParameters ?? {})) {
    for (const value of values ?? []) query.push(`${encodeURIComponent(name)}=${encodeURIComponent(value)}`);
  }
  const rawPath = event.requestContext?.path ?? event.path;
  const rc = event.requestContext;
  return {
    version: '2.0',
    routeKey: `${event.httpMethod} ${event.resource ?? rawPath}`,
    rawPath,
    rawQueryString: query.join('&'),
    headers,
    body: event.body ?? undefined,
    isBase64Encoded: event.isBase64Encoded ?? false,
    requestContext: {
      accountId: rc?.accountId ?? '',
      apiId: rc?.apiId ?? '',
      domainName: rc?.domainName ?? headers.host ?? '',
      domainPrefix: rc?.domainPrefix ?? '',
      requestId: rc?.requestId ?? '',
      routeKey: `${event.httpMethod} ${event.resource ?? rawPath}`,
      stage: rc?.stage ?? '$default',
      time: rc?.requestTime ?? '',
      timeEpoch: rc?.requestTimeEpoch ?? 0,
      http: { method: event.httpMethod, path: rawPath, protocol: rc?.protocol ?? 'HTTP/1.1', sourceIp: rc?.identity?.sourceIp ?? '', userAgent: rc?.identity?.userAgent ?? '' },
    },
  };
}

/** Wraps an HTTP API handler so that it also takes REST API events. */
export function acceptingRestApiEvents<R>(handler: (event: APIGatewayProxyEventV2, context: Context) => Promise<R>) {
  return (event: APIGatewayProxyEventV2 | APIGatewayProxyEvent, context: Context): Promise<R> =>
    handler(isRestApiEvent(event) ? toHttpApiEvent(event) : (event as APIGatewayProxyEventV2), context);
}
