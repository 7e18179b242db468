/**
 * What a new user of the console sees first, in Debian's chromium against the real embedded server: after the
 * README's CLI quick start the console, on its first run, shows the keys the CLI made and says which account and
 * Region it looks at; another account's empty list says whose it is; when the service refuses the listing, or is
 * gone, the console shows the refusal as stated or names the endpoint it cannot reach, and never pretends there
 * are no keys.
 */
import { CloudTrailClient, LookupEventsCommand } from '@aws-sdk/client-cloudtrail';
import { afterAll, beforeAll, describe, expect, test } from 'vitest';
import type { LocalServer } from '../support/local-server';
import { awsEnv, tool } from '../support/tools';
import { seriousAxeViolations, type Browser } from './support/browser';
import type { ConsolePage } from './support/console-page';
import { startConsoleSession } from './support/console-session';

const POLL = { timeout: 30_000, interval: 200 };

let server: LocalServer;
let browser: Browser;
let c: ConsolePage;

beforeAll(async () => {
  ({ server, browser, c } = await startConsoleSession());
}, 240_000);

afterAll(async () => {
  await browser?.close();
  await server?.stop();
});

describe('the console on its first run', { timeout: 120_000 }, () => {
  test("shows the keys the README's CLI quick start created, and says which account and Region it looks at", async () => {
    // GIVEN a key made with the README's credentials (export AWS_ACCESS_KEY_ID=111122223333 …) and the AWS CLI
    const cli = await tool(
      'aws',
      ['kms', 'create-key', '--origin', 'EXTERNAL', '--description', 'made by the CLI', '--endpoint-url', server.endpoint, '--query', 'KeyMetadata.KeyId', '--output', 'text'],
      { env: { ...awsEnv('111122223333'), AWS_SECRET_ACCESS_KEY: 'local' } },
    );
    expect(cli.code, cli.stderr).toBe(0);
    const keyId = cli.stdout.trim();
    // WHEN the console opens in a browser that never saved settings
    await c.open('#/keys');
    // THEN the key is listed, and the console says where it is looking
    await c.keyRow(keyId).waitFor();
    await c.page.getByText('Account 111122223333 · us-east-1').filter({ visible: true }).first().waitFor();
    await c.page.getByRole('link', { name: `Account 111122223333 · us-east-1, endpoint ${server.endpoint}. Open settings` }).waitFor();
    expect(await c.page.getByText('Keys in account 111122223333, us-east-1.', { exact: false }).count()).toBeGreaterThan(0);
    // and the account link's accessible name contains what it shows (axe: label-content-name-mismatch)
    expect(await seriousAxeViolations(c.page)).toEqual([]);
  });

  test('an account without keys says whose list is empty and how the account is chosen', async () => {
    // GIVEN the credentials of another account (a non-numeric access key ID is account 000000000000 in open mode)
    await c.useCredentials('not-an-account');
    // WHEN the key list opens
    await c.open('#/keys');
    // THEN it is empty for that account, and says so
    await c.page.getByText('There are no keys in account 000000000000, us-east-1.').waitFor();
    await c.page.getByText(/In open mode a 12-digit access key ID is the account/).waitFor();
    // AND finding the account left no refused call in that account's audit trail (it reads the trail instead)
    const trail = new CloudTrailClient({ endpoint: server.endpoint, region: 'us-east-1', credentials: { accessKeyId: 'not-an-account', secretAccessKey: 'x' }, maxAttempts: 1 });
    const { Events } = await trail.send(new LookupEventsCommand({ LookupAttributes: [{ AttributeKey: 'EventName', AttributeValue: 'DescribeKey' }] }));
    expect(Events).toEqual([]);
    expect((await trail.send(new LookupEventsCommand({ LookupAttributes: [{ AttributeKey: 'EventName', AttributeValue: 'ListKeys' }] }))).Events?.length).toBeGreaterThan(0);
    // AND back on the defaults the key is there again
    await c.open('#/settings');
    await c.button('Reset to defaults').click();
    await c.button('Save').click();
    await c.open('#/keys');
    await c.page.getByText('Keys in account 111122223333, us-east-1.', { exact: false }).first().waitFor();
  });

  test('when the service refuses ListKeys, shows the refusal as stated and does not claim there are no keys', async () => {
    // GIVEN a server that checks signatures, and the console with its default (open-mode) credentials
    const { server: enforcing, browser: other, c: page } = await startConsoleSession({ inMemory: true, auth: 'enforce' });
    try {
      // WHEN the key list opens
      await page.open('#/keys');
      // THEN the refusal is shown with its name, and the table says the keys could not be listed
      const alert = page.page.getByRole('alert').filter({ hasText: 'UnrecognizedClientException' });
      await alert.waitFor();
      await page.page.getByText('Keys could not be listed').waitFor();
      expect(await page.page.getByText(/There are no keys/).count()).toBe(0);
      expect(other.pageErrors).toEqual([]);
    } finally {
      await other.close();
      await enforcing.stop();
    }
  });

  test('when the service is unreachable, names the endpoint and does not claim there are no keys', async () => {
    // GIVEN the console loaded, then the service stopped
    await c.open('#/keys');
    await c.page.getByText('Keys in account 111122223333, us-east-1.', { exact: false }).first().waitFor();
    expect(await server.stop()).toBe(0);
    // WHEN the user refreshes the list
    await c.button('Refresh keys').click();
    // THEN the error names the endpoint, and the table says the keys could not be listed
    const alert = c.page.getByRole('alert').filter({ hasText: 'EndpointUnreachable' });
    await alert.waitFor();
    expect(await alert.innerText()).toContain(`Cannot reach the KMS endpoint ${server.endpoint}`);
    await c.page.getByText('Keys could not be listed').waitFor();
    await expect.poll(() => c.page.getByText(/There are no keys/).count(), POLL).toBe(0);
    expect(browser.pageErrors).toEqual([]);
  });
});
