/**
 * The Activity view in Debian's chromium against the real embedded server: the audit trail (CloudTrail
 * LookupEvents on the service's own endpoint) for the account and for one key, with who, what, when and the
 * outcome, new rows appearing as calls happen (the test makes a call and waits for its row; nothing is clicked to
 * refresh), and a refused call shown as the API states it. axe-core checks each new view.
 */
import { mkdtempSync, rmSync } from 'node:fs';
import { Agent } from 'node:http';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { CloudTrailClient, LookupEventsCommand } from '@aws-sdk/client-cloudtrail';
import { CreateKeyCommand, DescribeKeyCommand, EncryptCommand, GenerateDataKeyCommand, type KMSClient } from '@aws-sdk/client-kms';
import { afterAll, beforeAll, describe, expect, test } from 'vitest';
import type { LocalServer } from '../support/local-server';
import { tool } from '../support/tools';
import { seriousAxeViolations, type Browser } from './support/browser';
import type { ConsolePage } from './support/console-page';
import { startConsoleSession } from './support/console-session';

/** The README's account: the SDK below and the console both use it. */
const ACCOUNT = '111122223333';

async function apiError(call: Promise<unknown>): Promise<Error> {
  return call.then(() => { throw new Error('the API accepted the call'); }, (e: Error) => e);
}

/** The activity table's row for an event, found by its event name and a text only that event's row has. */
function eventRow(c: ConsolePage, eventName: string, text: string) {
  return c.page.getByRole('table', { name: 'Activity' }).getByRole('row')
    .filter({ has: c.page.getByRole('link', { name: new RegExp(`^${eventName} at `) }) })
    .filter({ hasText: text });
}

const shownTime = (date: Date) => `${date.toISOString().slice(0, 19).replace('T', ' ')} UTC`;

describe('Activity, open mode', () => {
  let server: LocalServer;
  let kms: KMSClient;
  let trail: CloudTrailClient;
  let browser: Browser;
  let c: ConsolePage;

  beforeAll(async () => {
    // GIVEN the console built as `npm start` builds it, the real server, chromium, and the console on the README's account
    ({ server, browser, c } = await startConsoleSession());
    kms = server.kms({ accessKeyId: ACCOUNT, config: { requestHandler: { httpAgent: new Agent({ keepAlive: false }) } } });
    trail = new CloudTrailClient({ endpoint: server.endpoint, region: 'us-east-1', credentials: { accessKeyId: ACCOUNT, secretAccessKey: 'x' }, maxAttempts: 1 });
    await c.useCredentials(ACCOUNT);
  });

  afterAll(async () => {
    await browser?.close();
    await server?.stop();
  });

  test('the account view shows each call with who, what, when and outcome as it happens, and its record', async () => {
    // GIVEN the Activity page, opened from the side navigation
    await c.open('#/keys');
    await c.page.getByRole('navigation').getByRole('link', { name: 'Activity', exact: true }).click();
    await c.page.getByRole('heading', { level: 1, name: /^Activity/ }).waitFor();
    // (loaded: the keys list's own ListKeys call is listed, so what follows can only arrive by refreshing)
    await eventRow(c, 'ListKeys', 'Succeeded').first().waitFor();
    expect(await seriousAxeViolations(c.page), 'axe-core on the Activity page').toEqual([]);

    // WHEN calls are made through the SDK while the page is open: one that succeeds, one that fails
    const { KeyMetadata } = await kms.send(new CreateKeyCommand({ Description: 'activity' }));
    const keyId = KeyMetadata!.KeyId!;
    const missing = `arn:aws:kms:us-east-1:${ACCOUNT}:key/00000000-0000-0000-0000-000000000000`;
    const refusal = await apiError(kms.send(new DescribeKeyCommand({ KeyId: missing })));

    // THEN their rows appear without a click: who called, what, when, and how it ended as the caller saw it
    const failed = eventRow(c, 'DescribeKey', `${refusal.name}: ${refusal.message}`);
    await failed.waitFor();
    const created = eventRow(c, 'CreateKey', keyId);
    await created.waitFor();
    const { Events } = await trail.send(new LookupEventsCommand({ LookupAttributes: [{ AttributeKey: 'ResourceName', AttributeValue: KeyMetadata!.Arn! }] }));
    const createEvent = Events!.find((e) => e.EventName === 'CreateKey')!;
    const createdText = await created.innerText();
    for (const shown of [`arn:aws:iam::${ACCOUNT}:root`, 'Succeeded', shownTime(createEvent.EventTime!), ACCOUNT]) expect(createdText).toContain(shown);
    expect(await failed.innerText()).toContain(`arn:aws:iam::${ACCOUNT}:root`);

    // WHEN the user opens the event THEN its CloudTrail record is shown as LookupEvents returned it
    await created.getByRole('link', { name: /^CreateKey at / }).click();
    const record = c.dialog().getByLabel('Event record');
    await record.waitFor();
    expect(JSON.parse((await record.textContent())!)).toEqual(JSON.parse(createEvent.CloudTrailEvent!));
    expect(await seriousAxeViolations(c.page), 'axe-core on an event record').toEqual([]);
    await c.dialog().getByRole('button', { name: 'Close', exact: true }).click();
    await c.dialog().waitFor({ state: 'detached' });

    // WHEN the user looks events up by name THEN only that event's rows are left
    await c.page.getByLabel('Lookup attribute').click();
    await c.page.getByRole('option', { name: 'Event name' }).click();
    await c.page.getByLabel('Value').fill('DescribeKey');
    await c.button('Apply filter').click();
    await created.waitFor({ state: 'detached' });
    await failed.waitFor();
    const names = await c.page.getByRole('table', { name: 'Activity' }).getByRole('link', { name: / at \d{4}-/ }).allTextContents();
    expect(names.length).toBeGreaterThan(0);
    expect(new Set(names)).toEqual(new Set(['DescribeKey']));
  });

  test("a key's Activity tab shows that key's events only, as they happen", async () => {
    // GIVEN two keys, and the Activity tab of the first
    const mine = (await kms.send(new CreateKeyCommand({ Description: 'watched' }))).KeyMetadata!;
    const other = (await kms.send(new CreateKeyCommand({ Description: 'not watched' }))).KeyMetadata!;
    await c.open(`#/keys/${mine.KeyId}`);
    await c.page.getByRole('heading', { name: 'General configuration' }).waitFor();
    await c.page.getByRole('tab', { name: 'Activity', exact: true }).click();
    await eventRow(c, 'CreateKey', 'Succeeded').waitFor();
    expect(await seriousAxeViolations(c.page), "axe-core on a key's Activity tab").toEqual([]);

    // WHEN the other key encrypts, then this key encrypts and generates a data key
    await kms.send(new EncryptCommand({ KeyId: other.KeyId, Plaintext: Buffer.from('other') }));
    await kms.send(new EncryptCommand({ KeyId: mine.KeyId, Plaintext: Buffer.from('mine') }));
    await kms.send(new GenerateDataKeyCommand({ KeyId: mine.KeyId, KeySpec: 'AES_256' }));

    // THEN the newest call's row appears without a click, and the page that brought it holds one Encrypt: this key's
    await eventRow(c, 'GenerateDataKey', 'Succeeded').waitFor();
    expect(await c.page.getByRole('table', { name: 'Activity' }).getByRole('link', { name: /^Encrypt at / }).count()).toBe(1);
  });

  test('the page fetched nothing from outside the service and threw no errors', () => {
    expect(browser.outsideRequests).toEqual([]);
    expect(browser.pageErrors).toEqual([]);
  });
});

describe('access denied, enforce mode', () => {
  const dataDir = mkdtempSync(join(tmpdir(), 'byok-kms-console-enforce-'));
  let server: LocalServer;
  let browser: Browser;
  let c: ConsolePage;
  let user: { AccessKeyId: string; SecretAccessKey: string };

  beforeAll(async () => {
    // GIVEN a server enforcing authorization, and an IAM user whose identity policy lets it list keys and aliases only
    const listOnly = JSON.stringify({ Version: '2012-10-17', Statement: [{ Effect: 'Allow', Action: ['kms:ListKeys', 'kms:ListAliases'], Resource: '*' }] });
    const issued = await tool(process.execPath, [
      '--import', 'tsx', 'bin/credentials.ts', 'create', '--principal', `arn:aws:iam::${ACCOUNT}:user/Auditor`, '--policy', listOnly, '--data-dir', dataDir,
    ]);
    expect(issued.code).toBe(0);
    user = JSON.parse(issued.stdout) as { AccessKeyId: string; SecretAccessKey: string };
    ({ server, browser, c } = await startConsoleSession({ dataDir, auth: 'enforce' }));
    await c.useCredentials(user.AccessKeyId, user.SecretAccessKey);
  });

  afterAll(async () => {
    await browser?.close();
    await server?.stop();
    rmSync(dataDir, { recursive: true, force: true });
  });

  test('the Activity page shows the AccessDeniedException exactly as the API states it; what the user may do still works', async () => {
    const refusal = await apiError(new CloudTrailClient({
      endpoint: server.endpoint, region: 'us-east-1', credentials: { accessKeyId: user.AccessKeyId, secretAccessKey: user.SecretAccessKey }, maxAttempts: 1,
    }).send(new LookupEventsCommand({ MaxResults: 50 })));
    expect(refusal.name).toBe('AccessDeniedException');
    // WHEN the user opens the Activity page
    await c.open('#/activity');
    // THEN the API's exception and message are shown, word for word
    const alert = c.page.getByRole('alert').filter({ hasText: 'Could not read the activity' });
    await alert.waitFor();
    expect(await alert.innerText()).toContain(`${refusal.name}: ${refusal.message}`);
    expect(await seriousAxeViolations(c.page), 'axe-core on the Activity page with an access-denied error').toEqual([]);
    // AND the keys list, which the user's policy allows, loads without an error
    await c.open('#/keys');
    await c.page.getByText('No keys').first().waitFor();
    expect(await c.page.getByRole('alert').count()).toBe(0);
  });
});
