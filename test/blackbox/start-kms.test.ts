/**
 * `startKms()` (issue 11 §4), the programmatic API a user's test suite starts the service with, through
 * what such a suite sees: an SDK client on `endpoint` with `region` and `credentials`, the service clock
 * moved by `advanceClock`, and `close()`. (test/package runs the README's examples against the packed
 * build of this same module.)
 */
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { CloudTrailClient, LookupEventsCommand } from '@aws-sdk/client-cloudtrail';
import { DecryptCommand, EncryptCommand, KMSClient, ListKeysCommand, ScheduleKeyDeletionCommand } from '@aws-sdk/client-kms';
import { afterAll, describe, expect, test } from 'vitest';
import { type RunningKms, startKms } from '../../lambda/local/start-kms';
import { DAY, createImportedKey, createKey, describeKey, expectKmsError } from './helpers';

const started: RunningKms[] = [];
afterAll(async () => {
  for (const kms of started) await kms.close();
});

async function start(options?: Parameters<typeof startKms>[0]): Promise<{ kms: RunningKms; client: KMSClient }> {
  const kms = await startKms(options);
  started.push(kms);
  return { kms, client: new KMSClient({ endpoint: kms.endpoint, region: kms.region, credentials: kms.credentials, maxAttempts: 1 }) };
}

describe('startKms', () => {
  test('defaults: in memory, a free loopback port, us-east-1, account 111122223333; two instances share nothing', async () => {
    const one = await start();
    const two = await start();
    for (const { kms } of [one, two]) {
      expect(kms.endpoint).toMatch(/^http:\/\/127\.0\.0\.1:\d+$/);
      expect(kms.region).toBe('us-east-1');
    }
    expect(one.kms.endpoint).not.toBe(two.kms.endpoint);
    const key = await createKey(one.client);
    expect(key.Arn).toMatch(/^arn:aws:kms:us-east-1:111122223333:key\//);
    const { CiphertextBlob } = await one.client.send(new EncryptCommand({ KeyId: key.KeyId, Plaintext: Buffer.from('kept in one') }));
    const { Plaintext } = await one.client.send(new DecryptCommand({ CiphertextBlob }));
    expect(Buffer.from(Plaintext!).toString()).toBe('kept in one');
    expect((await two.client.send(new ListKeysCommand({}))).Keys).toEqual([]);
  });

  test('advanceClock runs what fell due: imported material expires, a scheduled deletion happens, service events are reported', async () => {
    const events: string[] = [];
    const { kms, client } = await start({ region: 'eu-west-1', account: '210987654321', onServiceEvent: (line) => events.push(line) });
    const imported = await createImportedKey(client, { validTo: new Date(Date.now() + DAY * 1000) });
    const doomed = await createKey(client);
    await client.send(new ScheduleKeyDeletionCommand({ KeyId: doomed.KeyId, PendingWindowInDays: 7 }));

    const now = await kms.advanceClock(DAY + 3600);
    expect(now.getTime()).toBeGreaterThan(Date.now() + DAY * 1000);
    expect((await describeKey(client, imported.keyId)).KeyState).toBe('PendingImport');
    expect((await describeKey(client, doomed.KeyId!)).KeyState).toBe('PendingDeletion');

    await kms.advanceClock(7 * DAY);
    await expectKmsError(describeKey(client, doomed.KeyId!), 'NotFoundException');
    const reported = events.map((line) => JSON.parse(line) as { event: string; keyId?: string });
    expect(reported.map((e) => e.event).sort()).toEqual(['DeleteExpiredKeyMaterial', 'DeleteKey']);
    expect(imported.arn).toMatch(/^arn:aws:kms:eu-west-1:210987654321:key\//);
  });

  test('with dataDir, keys outlive close(); close() twice is harmless and the endpoint stops answering', async () => {
    const dataDir = mkdtempSync(join(tmpdir(), 'byok-kms-start-kms-'));
    try {
      const first = await startKms({ dataDir });
      const client = new KMSClient({ endpoint: first.endpoint, region: first.region, credentials: first.credentials, maxAttempts: 1 });
      const key = await createKey(client, { Description: 'kept on disk' });
      await first.close();
      await first.close();
      await expect(fetch(`${first.endpoint}/health`)).rejects.toThrow();

      const second = await startKms({ dataDir });
      try {
        const again = new KMSClient({ endpoint: second.endpoint, region: second.region, credentials: second.credentials, maxAttempts: 1 });
        expect((await describeKey(again, key.KeyId!)).Description).toBe('kept on disk');
      } finally {
        await second.close();
      }
    } finally {
      rmSync(dataDir, { recursive: true, force: true });
    }
  });

  test('the audit trail is read with CloudTrail LookupEvents on the endpoint; in memory it keeps the newest auditLimit records (D96)', async () => {
    const { kms, client } = await start({ auditLimit: 3 });
    const trail = new CloudTrailClient({ endpoint: kms.endpoint, region: kms.region, credentials: kms.credentials, maxAttempts: 1 });
    const key = await createKey(client);
    for (const call of ['1', '2', '3', '4']) {
      await kms.advanceClock(1); // each record a second apart: their order is their event time's
      await client.send(new EncryptCommand({ KeyId: key.KeyId, Plaintext: Buffer.from('audited'), EncryptionContext: { call } }));
    }
    const callOf = (event: { CloudTrailEvent?: string }) => (JSON.parse(event.CloudTrailEvent!) as { requestParameters: { encryptionContext: { call: string } } }).requestParameters.encryptionContext.call;

    const first = await trail.send(new LookupEventsCommand({ MaxResults: 2 }));
    expect(first.Events!.map(callOf)).toEqual(['4', '3']);
    const second = await trail.send(new LookupEventsCommand({ MaxResults: 2, NextToken: first.NextToken }));
    expect(second.Events!.map(callOf)).toEqual(['2']); // CreateKey and the first Encrypt are no longer kept
    expect(second.NextToken).toBeUndefined();
    expect((await trail.send(new LookupEventsCommand({}))).Events!.map((e) => e.EventName)).toEqual(['Encrypt', 'Encrypt', 'Encrypt']);
  });

  test('a malformed account is refused before anything starts', async () => {
    await expect(startKms({ account: '1234' })).rejects.toThrow("account must be 12 digits, got '1234'");
  });
});
