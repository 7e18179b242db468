/**
 * The REST API front door: a payload-1.0 event as API Gateway REST APIs (and LocalStack's) deliver
 * it reaches the same KMS handler, SigV4 verifies over the path the client signed (with the stage),
 * and the handler's answer is a valid REST API proxy response.
 */
import { Sha256 } from '@aws-crypto/sha256-js';
import { Logger } from '@aws-lambda-powertools/logger';
import { SignatureV4 } from '@smithy/signature-v4';
import type { APIGatewayProxyEvent, Context } from 'aws-lambda';
import { describe, expect, test } from 'vitest';
import { acceptingRestApiEvents, isRestApiEvent, toHttpApiEvent } from '../../../../lambda/adapters/apigw/rest-api-event';
import { createSigV4Authenticator } from '../../../../lambda/adapters/sigv4';
import { makeKmsApiHandler } from '../../../../lambda/handlers/kms-api';
import { memoryDeps } from '../../../support/memory-deps';

const HOST = 'abc123.execute-api.localhost.localstack.cloud:4566';
const SECRET = 'a-secret-the-service-issued';
const logger = new Logger({ serviceName: 'rest-api-test', logLevel: 'SILENT' });

/** A REST API proxy event for a request the client sent to https://<host>/<stage>/ with these headers. */
function restEvent(headers: Record<string, string>, body: string, stage = 'localstack'): APIGatewayProxyEvent {
  return {
    resource: '/',
    path: '/',
    httpMethod: 'POST',
    headers,
    multiValueHeaders: Object.fromEntries(Object.entries(headers).map(([k, v]) => [k, [v]])),
    queryStringParameters: null,
    multiValueQueryStringParameters: null,
    pathParameters: null,
    stageVariables: null,
    body,
    isBase64Encoded: false,
    requestContext: { path: `/${stage}/`, stage, requestId: 'req-1', httpMethod: 'POST', identity: { sourceIp: '127.0.0.1' } },
  } as unknown as APIGatewayProxyEvent;
}

async function signedHeaders(path: string, body: string, secretAccessKey = SECRET) {
  const signer = new SignatureV4({ service: 'kms', region: 'us-east-1', credentials: { accessKeyId: 'BYOKTEST', secretAccessKey }, sha256: Sha256 });
  const signed = await signer.sign({
    method: 'POST',
    protocol: 'https:',
    hostname: HOST.split(':')[0]!,
    port: 4566,
    path,
    query: {},
    headers: { host: HOST, 'content-type': 'application/x-amz-json-1.1', 'x-amz-target': 'TrentService.CreateKey' },
    body,
  });
  return signed.headers as Record<string, string>;
}

describe('REST API (payload 1.0) events', () => {
  test('become HTTP API events: the path keeps the stage, repeated headers are joined, the query is kept', () => {
    const event = restEvent({ Host: HOST, 'X-Amz-Target': 'TrentService.ListKeys' }, '{}');
    (event as { multiValueHeaders: Record<string, string[]> }).multiValueHeaders['X-Forwarded-For'] = ['1.1.1.1', '2.2.2.2'];
    (event as { multiValueQueryStringParameters: Record<string, string[]> }).multiValueQueryStringParameters = { a: ['1 2', '3'] };
    expect(isRestApiEvent(event)).toBe(true);
    expect(isRestApiEvent(toHttpApiEvent(event))).toBe(false);
    expect(toHttpApiEvent(event)).toMatchObject({
      version: '2.0',
      rawPath: '/localstack/',
      rawQueryString: 'a=1%202&a=3',
      headers: { host: HOST, 'x-amz-target': 'TrentService.ListKeys', 'x-forwarded-for': '1.1.1.1,2.2.2.2' },
      requestContext: { stage: 'localstack', requestId: 'req-1', http: { method: 'POST', path: '/localstack/' } },
    });
  });

  test('reach the KMS handler, which verifies SigV4 over the path the client signed (with the stage) and answers a proxy response', async () => {
    // GIVEN the API function's handler with enforced SigV4 and one issued credential
    const authenticate = createSigV4Authenticator({ lookup: async (id) => (id === 'BYOKTEST' ? { account: '111122223333', secretAccessKey: SECRET } : undefined) });
    const handler = acceptingRestApiEvents(makeKmsApiHandler(memoryDeps(), { authenticate, logger }));
    const body = JSON.stringify({ Description: 'through a REST API' });
    // WHEN a signed CreateKey arrives through the REST API's stage
    const ok = await handler(restEvent(await signedHeaders('/localstack/', body), body), {} as Context);
    // THEN
    expect(ok.statusCode).toBe(200);
    expect(JSON.parse(ok.body!)).toMatchObject({ KeyMetadata: { Description: 'through a REST API', Arn: expect.stringMatching(/^arn:aws:kms:us-east-1:111122223333:key\//) } });
    expect(ok.headers).toMatchObject({ 'content-type': 'application/x-amz-json-1.1' });
    // and a signature over another path (the stage left out) is refused as AWS refuses it
    const wrongPath = await handler(restEvent(await signedHeaders('/', body), body), {} as Context);
    expect(wrongPath.statusCode).toBe(400);
    expect(JSON.parse(wrongPath.body!).__type).toBe('InvalidSignatureException');
  });
});
