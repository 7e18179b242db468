/**
 * SigV4 with real SDK clients, through the same handler API Gateway invokes (served by the local
 * server's HTTP front, which builds the same payload 2.0 events), with credentials issued into the
 * key table on moto and their secrets wrapped by the KMS root key on moto.
 */
import { Sha256 } from '@aws-crypto/sha256-js';
import { CreateKeyCommand, DescribeKeyCommand, KMSClient, ListKeysCommand } from '@aws-sdk/client-kms';
import { Logger } from '@aws-lambda-powertools/logger';
import { SignatureV4 } from '@smithy/signature-v4';
import { afterAll, beforeAll, describe, expect, test } from 'vitest';
import { type Authenticator, openAuthenticator } from '../../lambda/adapters/kms-json/authenticator';
import { CredentialStore, type IssuedCredential, createSigV4Authenticator } from '../../lambda/adapters/sigv4';
import { makeKmsApiHandler } from '../../lambda/handlers/kms-api';
import { type RunningServer, serveLocally } from '../../lambda/local/server';
import { SettableClock } from '../support/memory-deps';
import { type MotoAws, type MotoDeps, createRootKey, createScheduleGroup, motoDeps, startMotoAws } from './support/moto-aws';

const logger = new Logger({ serviceName: 'sigv4-test', logLevel: 'SILENT' });

describe('SigV4 authentication', () => {
  let aws: MotoAws;
  let deps: MotoDeps;
  let store: CredentialStore;
  let enforced: RunningServer;
  let open: RunningServer;
  let issued: IssuedCredential;

  const serve = (authenticate: Authenticator) =>
    serveLocally(makeKmsApiHandler(deps, { authenticate, logger }), { port: 0, host: '127.0.0.1', log: () => undefined });

  beforeAll(async () => {
    aws = await startMotoAws();
    deps = await motoDeps(aws, new SettableClock(new Date()), await createScheduleGroup(aws.scheduler), await createRootKey(aws.kms));
    store = new CredentialStore(aws.dynamodb, deps.tableName, deps.rootKey);
    issued = await store.create('210987654321');
    enforced = await serve(createSigV4Authenticator({ client: aws.dynamodb, tableName: deps.tableName, rootKey: deps.rootKey }));
    open = await serve(openAuthenticator);
  });
  afterAll(async () => {
    await enforced?.close();
    await open?.close();
    await aws?.stop();
  });

  const client = (endpoint: string, credentials: { accessKeyId: string; secretAccessKey: string }, extra: Partial<ConstructorParameters<typeof KMSClient>[0]> = {}) =>
    new KMSClient({ endpoint, region: 'eu-west-2', credentials, maxAttempts: 1, ...extra });
  const issuedCredentials = () => ({ accessKeyId: issued.AccessKeyId, secretAccessKey: issued.SecretAccessKey });

  /** A raw POST to the enforcing server, signed (or not) by the caller. */
  async function post(headers: Record<string, string>, body: string) {
    const res = await fetch(`${enforced.endpoint}/`, { method: 'POST', headers, body });
    return { status: res.status, body: (await res.json()) as { __type: string; message: string } };
  }

  /** Signs a ListKeys request the way the SDK does; `tamper` then changes what is sent. */
  async function signed(secretAccessKey: string, body = '{}', signingDate = new Date(), unsignableHeaders?: Set<string>) {
    const url = new URL(enforced.endpoint);
    const signer = new SignatureV4({ service: 'kms', region: 'eu-west-2', credentials: { accessKeyId: issued.AccessKeyId, secretAccessKey }, sha256: Sha256 });
    const request = await signer.sign(
      {
        method: 'POST',
        protocol: 'http:',
        hostname: url.hostname,
        port: Number(url.port),
        path: '/',
        query: {},
        headers: { host: url.host, 'content-type': 'application/x-amz-json-1.1', 'x-amz-target': 'TrentService.ListKeys' },
        body,
      },
      { signingDate, ...(unsignableHeaders ? { unsignableHeaders } : {}) },
    );
    return request.headers as Record<string, string>;
  }

  test('issued credentials work, and the caller is the credential account in the signed Region', async () => {
    // GIVEN
    const kms = client(enforced.endpoint, issuedCredentials());
    // WHEN
    const { KeyMetadata } = await kms.send(new CreateKeyCommand({ Description: 'signed' }));
    // THEN
    expect(KeyMetadata?.Arn).toMatch(/^arn:aws:kms:eu-west-2:210987654321:key\//);
    const { KeyMetadata: described } = await kms.send(new DescribeKeyCommand({ KeyId: KeyMetadata!.KeyId }));
    expect(described?.Description).toBe('signed');
  });

  test('fails with InvalidSignatureException (400) when signed with a wrong secret', async () => {
    const kms = client(enforced.endpoint, { ...issuedCredentials(), secretAccessKey: 'x'.repeat(40) });
    await expect(kms.send(new ListKeysCommand({}))).rejects.toMatchObject({
      name: 'InvalidSignatureException',
      message: expect.stringContaining('The request signature we calculated does not match the signature you provided.'),
      $metadata: { httpStatusCode: 400 },
    });
  });

  test('fails with UnrecognizedClientException (400) for an access key id nobody issued', async () => {
    const kms = client(enforced.endpoint, { accessKeyId: 'BYOKAAAAAAAAAAAAAAAA', secretAccessKey: issued.SecretAccessKey });
    await expect(kms.send(new ListKeysCommand({}))).rejects.toMatchObject({
      name: 'UnrecognizedClientException',
      message: 'The security token included in the request is invalid.',
      $metadata: { httpStatusCode: 400 },
    });
  });

  test('fails with UnrecognizedClientException once the credential is revoked', async () => {
    // GIVEN
    const extra = await store.create('210987654321');
    const server = await serve(createSigV4Authenticator({ lookup: new CredentialStore(aws.dynamodb, deps.tableName, deps.rootKey, { cacheTtlMs: 0 }).lookup }));
    const kms = client(server.endpoint, { accessKeyId: extra.AccessKeyId, secretAccessKey: extra.SecretAccessKey });
    await kms.send(new ListKeysCommand({}));
    // WHEN
    expect(await store.revoke(extra.AccessKeyId)).toBe(true);
    // THEN
    await expect(kms.send(new ListKeysCommand({}))).rejects.toMatchObject({ name: 'UnrecognizedClientException' });
    await server.close();
  });

  test('fails with MissingAuthenticationTokenException (400) without an Authorization header', async () => {
    const res = await post({ 'content-type': 'application/x-amz-json-1.1', 'x-amz-target': 'TrentService.ListKeys' }, '{}');
    expect(res).toEqual({ status: 400, body: { __type: 'MissingAuthenticationTokenException', message: 'Missing Authentication Token' } });
  });

  test('fails with IncompleteSignatureException (400) for a malformed Authorization header', async () => {
    const headers = await signed(issued.SecretAccessKey);
    for (const authorization of ['AWS4-HMAC-SHA256 Credential=abc', 'Bearer token', headers.authorization!.replace(/SignedHeaders=[^,]*, /, '')]) {
      const res = await post({ ...headers, authorization }, '{}');
      expect(res.status).toBe(400);
      expect(res.body.__type).toBe('IncompleteSignatureException');
    }
    const noDate = { ...headers };
    delete noDate['x-amz-date'];
    expect((await post(noDate, '{}')).body.message).toContain("requires existence of either a 'X-Amz-Date' or a 'Date' header");
  });

  test('fails with InvalidSignatureException when the signing name is not kms', async () => {
    const headers = await signed(issued.SecretAccessKey);
    const res = await post({ ...headers, authorization: headers.authorization!.replace('/kms/', '/s3/') }, '{}');
    expect(res).toEqual({ status: 400, body: { __type: 'InvalidSignatureException', message: "Credential should be scoped to correct service: 'kms'. " } });
  });

  test('fails with InvalidSignatureException when the client clock is more than 15 minutes off', async () => {
    // GIVEN: an SDK client whose clock runs 20 minutes behind (no retry, so no skew correction)
    const late = client(enforced.endpoint, issuedCredentials(), { systemClockOffset: -20 * 60_000 });
    const early = client(enforced.endpoint, issuedCredentials(), { systemClockOffset: 20 * 60_000 });
    // WHEN / THEN
    await expect(late.send(new ListKeysCommand({}))).rejects.toMatchObject({ name: 'InvalidSignatureException', message: expect.stringMatching(/^Signature expired: \d{8}T\d{6}Z is now earlier than/) });
    await expect(early.send(new ListKeysCommand({}))).rejects.toMatchObject({ name: 'InvalidSignatureException', message: expect.stringMatching(/^Signature not yet current: /) });
    // but 10 minutes off is within AWS's tolerance
    await client(enforced.endpoint, issuedCredentials(), { systemClockOffset: -10 * 60_000 }).send(new ListKeysCommand({}));
  });

  test('fails with InvalidSignatureException when the body was changed after signing', async () => {
    // GIVEN
    const headers = await signed(issued.SecretAccessKey, '{"Limit":10}');
    expect((await post(headers, '{"Limit":10}')).status).toBe(200);
    // WHEN
    const res = await post(headers, '{"Limit":11}');
    // THEN
    expect(res.status).toBe(400);
    expect(res.body.__type).toBe('InvalidSignatureException');
  });

  test('fails with InvalidSignatureException when a signed header was changed after signing', async () => {
    const headers = await signed(issued.SecretAccessKey);
    const res = await post({ ...headers, 'x-amz-target': 'TrentService.ListAliases' }, '{}');
    expect(res.body.__type).toBe('InvalidSignatureException');
  });

  test('fails with InvalidSignatureException when the signature does not cover X-Amz-Target, also with the target swapped (D23)', async () => {
    // GIVEN a signature over everything but X-Amz-Target
    const headers = await signed(issued.SecretAccessKey, '{}', new Date(), new Set(['x-amz-target']));
    expect(headers.authorization).not.toContain('x-amz-target');
    const kms = client(enforced.endpoint, issuedCredentials());
    const keysBefore = (await kms.send(new ListKeysCommand({}))).Keys;
    // WHEN sent as signed, and with another action put in
    const responses = [await post(headers, '{}'), await post({ ...headers, 'x-amz-target': 'TrentService.CreateKey' }, '{}')];
    // THEN both are refused before any action runs: no key was created
    for (const res of responses) {
      expect(res).toEqual({ status: 400, body: { __type: 'InvalidSignatureException', message: "'X-Amz-Target' must be a 'SignedHeader' in the AWS Authorization." } });
    }
    expect((await kms.send(new ListKeysCommand({}))).Keys).toEqual(keysBefore);
  });

  test('open mode still accepts anything: no signature, unknown keys, wrong secrets', async () => {
    // unsigned
    const res = await fetch(`${open.endpoint}/`, {
      method: 'POST',
      headers: { 'content-type': 'application/x-amz-json-1.1', 'x-amz-target': 'TrentService.ListKeys' },
      body: '{}',
    });
    expect(res.status).toBe(200);
    // any credentials; a 12-digit access key id is the account
    const kms = client(open.endpoint, { accessKeyId: '123412341234', secretAccessKey: 'anything' });
    const { KeyMetadata } = await kms.send(new CreateKeyCommand({}));
    expect(KeyMetadata?.Arn).toMatch(/^arn:aws:kms:eu-west-2:123412341234:key\//);
  });
});
