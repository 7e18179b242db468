/**
 * What a browser can do to the local server from elsewhere (design decision 13), in Debian's chromium against the
 * real embedded server: the console's Content-Security-Policy (served, and obeyed by the console without one
 * violation), a page on another site that posts a form to /__sandbox/clock, and a DNS-rebound name (chromium's
 * resolver maps `rebind.test` to 127.0.0.1, as a rebinding DNS server would).
 */
import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { CreateAliasCommand, CreateKeyCommand, type KMSClient } from '@aws-sdk/client-kms';
import { afterAll, beforeAll, describe, expect, test } from 'vitest';
import { CONSOLE_CSP } from '../../lambda/adapters/static/static-files';
import { startLocalServer, type LocalServer } from '../support/local-server';
import { launchBrowser, requireChromium, type Browser } from './support/browser';
import { buildConsoleOnce } from './support/console-build';
import { ConsolePage } from './support/console-page';

const REBOUND = 'rebind.test';

let server: LocalServer;
let kms: KMSClient;
let browser: Browser;
let c: ConsolePage;
/** Another site: serves whatever page a test puts in `attackerPage`. */
let attacker: Server;
let attackerOrigin = '';
let attackerPage = '';

beforeAll(async () => {
  requireChromium();
  await buildConsoleOnce();
  server = await startLocalServer({ inMemory: true, clockControl: true });
  kms = server.kms({ accessKeyId: '111122223333' }); // the console's default account
  attacker = createServer((_req, res) => res.writeHead(200, { 'content-type': 'text/html; charset=utf-8' }).end(attackerPage));
  await new Promise<void>((done) => attacker.listen(0, '127.0.0.1', () => done()));
  attackerOrigin = `http://127.0.0.1:${(attacker.address() as AddressInfo).port}`;
  browser = await launchBrowser(server.endpoint, [], {
    otherOrigins: [attackerOrigin, `http://${REBOUND}:${server.port}`],
    // Chromium's own defence (Private Network Access) would stop the rebound page before the server sees it;
    // Firefox and Safari have none, so it is switched off to test the server's.
    args: [
      `--host-resolver-rules=MAP ${REBOUND} 127.0.0.1`,
      '--disable-features=BlockInsecurePrivateNetworkRequests,PrivateNetworkAccessSendPreflights,PrivateNetworkAccessRespectPreflightResults,LocalNetworkAccessChecks',
    ],
  });
  c = new ConsolePage(browser.page, server.endpoint);
}, 240_000);

afterAll(async () => {
  await browser?.close();
  await server?.stop();
  await new Promise((done) => attacker?.close(done));
});

describe('the local server against other sites', { timeout: 120_000 }, () => {
  test('serves the console with a strict Content-Security-Policy, and the console runs under it without a violation (D29)', async () => {
    // GIVEN keys to show
    const { KeyMetadata } = await kms.send(new CreateKeyCommand({ Origin: 'EXTERNAL', Description: 'csp' }));
    await kms.send(new CreateAliasCommand({ AliasName: 'alias/csp', TargetKeyId: KeyMetadata!.KeyId }));
    // WHEN the console's pages are opened
    const response = await c.page.goto(`${server.endpoint}/console/#/keys`);
    // THEN the page and its assets carry the policy
    expect(response?.headers()['content-security-policy']).toBe(CONSOLE_CSP);
    const assets: string[] = [];
    c.page.on('response', (res) => {
      if (res.url().includes('/console/assets/')) assets.push(res.headers()['content-security-policy'] ?? 'none');
    });
    await c.open('#/keys');
    await c.keyRow('alias/csp').waitFor();
    await c.open(`#/keys/${encodeURIComponent('alias/csp')}`);
    await c.waitForKeyDetail('alias/csp');
    await c.open(`#/keys/${encodeURIComponent('alias/csp')}/import`);
    await c.heading('Choose wrapping settings').waitFor();
    await c.open('#/create');
    await c.open('#/settings');
    await c.button('Test connection').click();
    await c.page.getByText(/^Connected: ListKeys answered/).waitFor();
    expect(assets.length).toBeGreaterThan(0);
    expect(new Set(assets)).toEqual(new Set([CONSOLE_CSP]));
    // AND the console needed nothing the policy refuses
    expect(browser.cspViolations).toEqual([]);
    expect(browser.pageErrors).toEqual([]);
  });

  test('a page on another site cannot move the service clock with a fetch or a form (D22)', async () => {
    // GIVEN the service time, and a page elsewhere
    const before = await server.clockNow();
    const clock = `${server.endpoint}/__sandbox/clock`;
    attackerPage = `<!doctype html><form id="f" method="POST" action="${clock}" enctype="text/plain">
      <input type="hidden" name='{"advanceSeconds":2592000,"x":"' value='"}'></form>`;
    await browser.page.goto(`${attackerOrigin}/`);
    // WHEN the page tries fetch, with the JSON content type (needs a CORS preflight) and without reading the answer
    const outcomes = await browser.page.evaluate(async (url) => {
      const body = JSON.stringify({ advanceSeconds: 2_592_000 });
      const tries = [
        fetch(url, { method: 'POST', headers: { 'content-type': 'application/json' }, body }).then((r) => `status ${r.status}`),
        fetch(url, { method: 'POST', mode: 'no-cors', headers: { 'content-type': 'application/json' }, body }).then((r) => `answered ${r.type}`),
      ];
      return Promise.all(tries.map((t) => t.catch((e: Error) => `refused: ${e.name}`)));
    }, clock);
    // THEN the preflight finds no CORS permission, and the opaque request was refused by the server
    expect(outcomes).toEqual(['refused: TypeError', 'answered opaque']);
    // WHEN the text/plain form is submitted (in a page of its own: the browser turns the JSON answer into a
    // download, and that page ends on an error page the other tests must not see)
    const formPage = await browser.context.newPage();
    try {
      await formPage.goto(`${attackerOrigin}/`);
      const [answer] = await Promise.all([
        formPage.waitForResponse((res) => res.url() === clock),
        formPage.evaluate(() => (globalThis as unknown as { document: { forms: { submit(): void }[] } }).document.forms[0]!.submit()),
      ]);
      // THEN it is refused as cross-origin
      expect(answer.status()).toBe(403);
    } finally {
      await formPage.close();
    }
    // AND the service time has not moved
    expect((await server.clockNow()) - before).toBeLessThan(60);
  });

  test('a DNS-rebound name gets neither the console nor the API (D21)', async () => {
    // GIVEN a page on the attacker's name, whose DNS answer then changes to 127.0.0.1: the page is served by the
    // attacker (fulfilled here), everything after it reaches the real server under the attacker's name
    const rebound = `http://${REBOUND}:${server.port}`;
    await browser.page.route(`${rebound}/attack.html`, (route) => route.fulfill({ contentType: 'text/html', body: '<!doctype html><title>rebound</title>' }));
    await browser.page.goto(`${rebound}/attack.html`);
    // WHEN the page calls the API and reads the console, same-origin as far as the browser knows
    const answers = await browser.page.evaluate(async () => {
      const api = await fetch('/', {
        method: 'POST',
        headers: { 'content-type': 'application/x-amz-json-1.1', 'x-amz-target': 'TrentService.GenerateDataKey' },
        body: JSON.stringify({ KeyId: 'alias/csp', KeySpec: 'AES_256' }),
      });
      const consolePage = await fetch('/console/');
      return [{ status: api.status, text: await api.text() }, { status: consolePage.status, text: await consolePage.text() }];
    });
    // THEN the server refuses both, KMS-shaped, and reveals nothing
    for (const answer of answers) {
      expect(answer.status).toBe(403);
      expect(JSON.parse(answer.text)).toEqual({
        __type: 'AccessDeniedException',
        Message: `Host '${REBOUND}:${server.port}' does not name this server; allow other names with --allow-host (KMS_ALLOWED_HOSTS).`,
      });
    }
  });
});
