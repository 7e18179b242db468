/**
 * A root-key outage as a client of the deployed runtime sees it (issue 13 §1): the API handler on moto's
 * DynamoDB, Scheduler and KMS, its root key reached through a TCP path to moto that the test cuts
 * between GetParametersForImport and ImportKeyMaterial. Opening the import token then fails in the real
 * SDK (connection reset, after its own retries); the client must get the service's own fault
 * (KMSInternalException, HTTP 500, which SDKs retry), never InvalidImportTokenException, which tells it
 * to throw its token away. Once the path is back, the same token imports.
 *
 * Why a cut connection and not a disabled root key: moto's KMS Decrypt ignores the key's state (moto
 * 5.2.1 answers a disabled or pending-deletion key's Decrypt), so only the network can fail it here.
 */
import { type Server, type Socket, connect, createServer } from 'node:net';
import type { AddressInfo } from 'node:net';
import { KMSClient } from '@aws-sdk/client-kms';
import { afterAll, beforeAll, expect, test } from 'vitest';
import { openAuthenticator } from '../../lambda/adapters/kms-json/authenticator';
import { KmsRootKey } from '../../lambda/adapters/kms-root-key/kms-root-key';
import { makeKmsApiHandler } from '../../lambda/handlers/kms-api';
import { type RunningServer, serveLocally } from '../../lambda/local/server';
import { createExternalKey, describeKey, getParameters, importMaterial, kmsError, newMaterial } from '../blackbox/helpers';
import { type MotoAws, REGION, createRootKey, createScheduleGroup, motoDeps, startMotoAws } from './support/moto-aws';

/** A loopback TCP forwarder to `target` whose connections can be cut: while cut, it resets every connection. */
async function cuttablePath(target: URL) {
  const open = new Set<Socket>();
  let cut = false;
  const server: Server = createServer((inbound) => {
    if (cut) return void inbound.resetAndDestroy();
    const outbound = connect(Number(target.port), target.hostname);
    for (const socket of [inbound, outbound]) {
      open.add(socket);
      socket.on('close', () => open.delete(socket));
      socket.on('error', () => undefined);
    }
    inbound.pipe(outbound).pipe(inbound);
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  return {
    endpoint: `http://127.0.0.1:${(server.address() as AddressInfo).port}`,
    cut() {
      cut = true;
      for (const socket of open) socket.resetAndDestroy();
    },
    restore() {
      cut = false;
    },
    close: () => new Promise<void>((resolve) => server.close(() => resolve())),
  };
}

const CREDENTIALS = { accessKeyId: '111122223333', secretAccessKey: 'open' };

let aws: MotoAws;
let path: Awaited<ReturnType<typeof cuttablePath>>;
let rootKms: KMSClient;
let server: RunningServer;
const errors: { message: string; attributes: Record<string, unknown> }[] = [];

beforeAll(async () => {
  aws = await startMotoAws();
  path = await cuttablePath(new URL(aws.moto.endpoint));
  rootKms = new KMSClient({ endpoint: path.endpoint, region: REGION, credentials: { accessKeyId: 'moto', secretAccessKey: 'moto' } });
  const rootKeyArn = await createRootKey(aws.kms);
  const deps = { ...(await motoDeps(aws, { now: () => new Date() }, await createScheduleGroup(aws.scheduler), rootKeyArn)), rootKey: new KmsRootKey(rootKms, rootKeyArn) };
  const logger = { debug: () => undefined, warn: () => undefined, error: (message: string, attributes: Record<string, unknown> = {}) => void errors.push({ message, attributes }) };
  server = await serveLocally(makeKmsApiHandler(deps, { authenticate: openAuthenticator, logger }), { port: 0, host: '127.0.0.1', log: () => undefined });
});

afterAll(async () => {
  await server?.close();
  rootKms?.destroy();
  await path?.close();
  await aws?.stop();
});

test('ImportKeyMaterial while the root key is unreachable: KMSInternalException (500), the key unchanged, and the same token imports once it is back', async () => {
  // GIVEN an EXTERNAL key, its import parameters, and then no way to the root key
  const kms = new KMSClient({ endpoint: server.endpoint, region: REGION, credentials: CREDENTIALS });
  const key = await createExternalKey(kms);
  const params = await getParameters(kms, key.KeyId!);
  const material = newMaterial();
  path.cut();
  try {
    // WHEN
    const err = await kmsError(importMaterial(kms, key.KeyId!, material, { params }));
    // THEN the service's own fault, which the SDK treats as transient
    expect(err).toMatchObject({ name: 'KMSInternalException', message: 'An internal error occurred. Try again later.' });
    expect(err.$metadata.httpStatusCode).toBe(500);
    // and the operator's log says which call failed and what the client was told
    expect(errors.at(-1)).toMatchObject({ message: 'KMS API request failed', attributes: { action: 'ImportKeyMaterial', exposed: 'KMSInternalException' } });
    expect(await describeKey(kms, key.KeyId!)).toMatchObject({ KeyState: 'PendingImport' });
  } finally {
    path.restore();
  }
  // WHEN the root key is reachable again, THEN the token the client kept is still good
  const imported = await importMaterial(kms, key.KeyId!, material, { params });
  expect(imported.KeyMaterialId).toMatch(/^[0-9a-f]{64}$/);
  expect(await describeKey(kms, key.KeyId!)).toMatchObject({ KeyState: 'Enabled' });
  kms.destroy();
});
