/**
 * The web console in a real browser (Debian chromium driven by playwright-core) against the real embedded
 * server: the documented console flow for deleting imported key material (checkbox + Key actions, and from the
 * key detail page), import through the wizard (wrapped in the browser, and wrapped with node:crypto like a user
 * would), the Pending import → Enabled round trip, scheduled deletion, API errors, keyboard use and axe-core.
 * The tests run in order and follow one key through its life, as a user would.
 */
import { createPublicKey, randomBytes } from 'node:crypto';
import { mkdirSync } from 'node:fs';
import { Agent } from 'node:http';
import { dirname, join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import {
  CreateAliasCommand, CreateKeyCommand, DescribeKeyCommand, GetParametersForImportCommand, ImportKeyMaterialCommand,
  type KMSClient,
} from '@aws-sdk/client-kms';
import { afterAll, beforeAll, describe, expect, test } from 'vitest';
import { startLocalServer, type LocalServer } from '../support/local-server';
import { wrapMaterial, type WrappingAlgorithm } from '../support/wrap-material';
import { launchBrowser, requireChromium, seriousAxeViolations, settledScreenshot, type Browser } from './support/browser';
import { buildConsoleOnce } from './support/console-build';
import { ConsolePage } from './support/console-page';

const ROOT = resolve(dirname(fileURLToPath(import.meta.url)), '..', '..');
const ARTIFACTS = join(ROOT, 'test-artifacts');
const ALIAS = 'alias/console-demo';
/** Waits for an outcome; the bound only names a hang, below the tests' own timeout. */
const POLL = { timeout: 90_000, interval: 200 };
/** An endpoint nothing answers on, for the settings test; the browser refuses it like any outside address. */
const DEAD_ENDPOINT = 'http://127.0.0.1:9';

let server: LocalServer;
let kms: KMSClient;
let browser: Browser;
let c: ConsolePage;
/** The 32 raw bytes the demo key holds; a user keeps them to re-import after a delete. */
const material = randomBytes(32);
let keyId = '';

async function stateOf(id: string): Promise<string | undefined> {
  return (await kms.send(new DescribeKeyCommand({ KeyId: id }))).KeyMetadata?.KeyState;
}

async function screenshot(name: string): Promise<void> {
  await settledScreenshot(c.page, join(ARTIFACTS, name));
}

/** Presses `key` until the focused element's accessible name (aria-label, else text) is `name`. */
async function pressUntilFocused(key: string, name: string, maxPresses: number): Promise<void> {
  const focusedName = () => c.page.evaluate(() => {
    // Runs in the page; this project's TypeScript has no DOM types.
    const active = (globalThis as unknown as { document: { activeElement: { getAttribute(n: string): string | null; textContent: string | null } | null } }).document.activeElement;
    return (active?.getAttribute('aria-label') ?? active?.textContent ?? '').trim();
  });
  for (let i = 0; i < maxPresses; i++) {
    if ((await focusedName()) === name) return;
    await c.page.keyboard.press(key);
  }
  expect(await focusedName(), `focus after ${maxPresses} × ${key}`).toBe(name);
}

async function expectNoSeriousAxeViolations(where: string): Promise<void> {
  const violations = await seriousAxeViolations(c.page);
  expect(violations, `axe-core on ${where}`).toEqual([]);
}

type MaterialChoice =
  | { raw: Buffer }
  | { wrap: (publicKey: Buffer) => Buffer; uploadToken: boolean };

/** Walks the Import key material wizard, which must be open, up to and including the click on Import. */
async function importThroughWizard(options: {
  algorithm?: WrappingAlgorithm;
  spec?: 'RSA_2048' | 'RSA_3072' | 'RSA_4096';
  material: MaterialChoice;
  expiry: 'never' | Date;
}): Promise<void> {
  const { page } = c;
  await c.heading('Choose wrapping settings').waitFor();
  if (options.spec) {
    await page.getByRole('button', { name: /^Wrapping key spec/ }).click();
    await page.getByRole('option', { name: options.spec }).click();
  }
  await page.getByRole('radio', { name: options.algorithm ?? 'RSAES_OAEP_SHA_256', exact: true }).check();
  await c.button('Next').click();

  await c.heading('Download wrapping public key and import token').waitFor();
  const publicKey = await c.download('Download wrapping public key');
  const token = await c.download('Download import token');
  expect(publicKey.name).toBe('WrappingPublicKey.bin');
  expect(token.name).toBe('ImportToken.bin');
  // What a user gets is a DER SubjectPublicKeyInfo that openssl / node:crypto read as an RSA key.
  expect(createPublicKey({ key: publicKey.bytes, format: 'der', type: 'spki' }).asymmetricKeyType).toBe('rsa');
  await c.button('Next').click();

  await c.heading('Upload key material').waitFor();
  if ('raw' in options.material) {
    await page.getByRole('radio', { name: 'Wrap raw key material in this browser' }).check();
    await c.fileInput(0).setInputFiles({ name: 'PlaintextKeyMaterial.bin', mimeType: 'application/octet-stream', buffer: options.material.raw });
  } else {
    await page.getByRole('radio', { name: 'Upload wrapped key material' }).check();
    const wrapped = options.material.wrap(publicKey.bytes);
    await c.fileInput(0).setInputFiles({ name: 'EncryptedKeyMaterial.bin', mimeType: 'application/octet-stream', buffer: wrapped });
    if (options.material.uploadToken) {
      await c.fileInput(1).setInputFiles({ name: 'ImportToken.bin', mimeType: 'application/octet-stream', buffer: token.bytes });
    }
  }
  await c.button('Next').click();

  await c.heading('Set expiration and import').waitFor();
  if (options.expiry === 'never') {
    await page.getByRole('radio', { name: 'Key material does not expire' }).check();
  } else {
    await page.getByRole('radio', { name: 'Key material expires' }).check();
    const iso = options.expiry.toISOString();
    await page.getByPlaceholder('YYYY/MM/DD').fill(iso.slice(0, 10).replaceAll('-', '/'));
    await page.getByPlaceholder('hh:mm:ss').fill(iso.slice(11, 19));
  }
  await c.button('Import key material').click();
}

beforeAll(async () => {
  // GIVEN the console built the way `npm start` builds it, the real server, and a fresh chromium
  requireChromium(); // before the slow build: a missing browser fails at once
  mkdirSync(ARTIFACTS, { recursive: true });
  await buildConsoleOnce();
  server = await startLocalServer({ inMemory: true, clockControl: true });
  // A fresh connection per call: between browser steps the client idles longer than the server's keep-alive,
  // and reusing a socket the server is closing fails with "socket hang up".
  // The console's default credentials are the README's: account 111122223333.
  kms = server.kms({ accessKeyId: '111122223333', config: { requestHandler: { httpAgent: new Agent({ keepAlive: false }) } } });
  browser = await launchBrowser(server.endpoint, [`${DEAD_ENDPOINT}/`]);
  c = new ConsolePage(browser.page, server.endpoint);
});

afterAll(async () => {
  await browser?.close();
  await server?.stop();
});

describe('web console', () => {
  test('creates an External key and imports material wrapped in the browser with WebCrypto', async () => {
    // GIVEN the Create key page
    await c.open('#/create');
    await expectNoSeriousAxeViolations('Create key');
    // WHEN the user creates an External key with an alias
    await c.page.getByRole('radio', { name: 'External (Import key material)' }).check();
    await c.page.getByLabel('Alias').fill(ALIAS);
    await c.button('Create key').click();
    // THEN the import wizard opens for the new key, which waits in Pending import
    await c.heading('Choose wrapping settings').waitFor();
    keyId = decodeURIComponent(/#\/keys\/([^/]+)\/import/.exec(c.page.url())?.[1] ?? '');
    expect(await stateOf(keyId)).toBe('PendingImport');
    await expectNoSeriousAxeViolations('the import wizard');

    // WHEN the raw 32 bytes are wrapped by the browser and imported without expiry
    await importThroughWizard({ material: { raw: material }, expiry: 'never' });

    // THEN the key detail shows it Enabled with the material imported
    await c.waitForKeyDetail(ALIAS);
    await expect.poll(() => c.value('Status').innerText(), POLL).toBe('Enabled');
    expect(await c.value('Key material state').innerText()).toBe('Imported');
    expect(await c.value('Expiration model').innerText()).toBe('Key material does not expire');
    const described = (await kms.send(new DescribeKeyCommand({ KeyId: keyId }))).KeyMetadata;
    expect(described?.KeyState).toBe('Enabled');
    expect(await c.value('Current key material ID').innerText()).toBe(described?.CurrentKeyMaterialId);
    expect(await c.value('ARN').innerText()).toContain(described?.Arn);
    await expect.poll(() => c.notifications().innerText(), POLL).toContain(`Key material imported into ${ALIAS}`);
  });

  test('lists keys with their alias, ID, state, origin and material expiry; filters by text, state, origin and region', async () => {
    // GIVEN a key generated by KMS and an External key still waiting for its material
    const generated = (await kms.send(new CreateKeyCommand({ Description: 'generated by KMS' }))).KeyMetadata!;
    await kms.send(new CreateAliasCommand({ AliasName: 'alias/console-kms', TargetKeyId: generated.KeyId }));
    const waiting = (await kms.send(new CreateKeyCommand({ Origin: 'EXTERNAL', Description: 'no material yet' }))).KeyMetadata!;
    await kms.send(new CreateAliasCommand({ AliasName: 'alias/console-pending', TargetKeyId: waiting.KeyId }));
    // WHEN the list opens
    await c.open('#/keys');
    const row = c.keyRow(ALIAS);
    await row.waitFor();
    // THEN each key shows its columns
    const text = await row.innerText();
    expect(text).toContain(keyId);
    expect(text).toContain('Enabled');
    expect(text).toContain('External');
    expect(text).toContain('Never');
    expect(await c.keyRow('alias/console-kms').innerText()).toContain('AWS KMS');
    expect(await c.keyRow('alias/console-pending').innerText()).toContain('Pending import');
    await expectNoSeriousAxeViolations('the key list');

    // WHEN filtering by origin External THEN only the External keys are left
    const rows = () => c.page.getByRole('checkbox', { name: /^Select key / }).count();
    await c.button(/^Origin/).click();
    await c.page.getByRole('option', { name: 'External' }).click();
    await expect.poll(rows, POLL).toBe(2);
    await c.keyRow(ALIAS).waitFor();
    await c.button(/^Origin/).click();
    await c.page.getByRole('option', { name: 'Any' }).click();
    // WHEN filtering by state Pending import THEN only the key without material is left
    await c.button(/^Key state/).click();
    await c.page.getByRole('option', { name: 'Pending import' }).click();
    await expect.poll(rows, POLL).toBe(1);
    await c.keyRow('alias/console-pending').waitFor();
    // AND with origin AWS KMS too, nothing matches
    await c.button(/^Origin/).click();
    await c.page.getByRole('option', { name: 'AWS KMS' }).click();
    await c.page.getByText('No key matches the filters.').waitFor();
    await c.button(/^Origin/).click();
    await c.page.getByRole('option', { name: 'Any' }).click();
    await c.button(/^Key state/).click();
    await c.page.getByRole('option', { name: 'Any' }).click();
    // WHEN filtering by text THEN only the matching key is left
    await c.page.getByRole('searchbox').fill('generated by');
    await expect.poll(rows, POLL).toBe(1);
    await c.keyRow('alias/console-kms').waitFor();
    await c.page.getByRole('searchbox').fill('');

    // WHEN another region is chosen THEN its (empty) key list shows, and the keys come back in us-east-1
    await c.button(/^Region/).click();
    await c.page.getByRole('option', { name: 'eu-west-1' }).click();
    await c.page.getByText('There are no keys in account 111122223333, eu-west-1.').waitFor();
    await c.button(/^Region/).click();
    await c.page.getByRole('option', { name: 'us-east-1' }).click();
    await c.keyRow(ALIAS).waitFor();
  });

  test('documented flow: checkbox, Key actions → Delete key material, confirm → Pending import', async () => {
    // GIVEN the key is selected in the list
    await c.open('#/keys');
    await c.selectKey(ALIAS);
    // WHEN the user chooses Key actions → Delete key material
    await c.keyAction('Delete key material');
    // THEN a dialog explains the consequence and waits for confirmation
    const dialog = c.dialog();
    await dialog.getByRole('heading', { name: 'Delete key material' }).waitFor();
    const explanation = await dialog.innerText();
    expect(explanation).toContain('Pending import');
    expect(explanation).toContain('the same key material');
    expect(explanation).toContain(ALIAS);
    expect(await dialog.getByRole('button', { name: 'Delete key material' }).isDisabled()).toBe(true);
    await screenshot('console-delete-key-material-dialog.png');
    await expectNoSeriousAxeViolations('the Delete key material dialog');
    await dialog.getByRole('checkbox').check();
    await dialog.getByRole('button', { name: 'Delete key material' }).click();

    // THEN the key state in the list changes to Pending import
    await expect.poll(() => c.keyRow(ALIAS).innerText(), POLL).toContain('Pending import');
    expect(await stateOf(keyId)).toBe('PendingImport');
    // AND Key actions offer only what a Pending import key allows
    await c.button('Key actions').click();
    const disabled = async (name: string) => (await c.menuItem(name).getAttribute('aria-disabled')) === 'true';
    expect(await disabled('Enable')).toBe(true);
    expect(await disabled('Disable')).toBe(true);
    expect(await disabled('Delete key material')).toBe(true);
    expect(await disabled('Cancel key deletion')).toBe(true);
    expect(await disabled('Schedule key deletion')).toBe(false);
    await c.page.keyboard.press('Escape');
  });

  test('fails to import different material and shows the error as the API states it', async () => {
    // GIVEN the API's own answer to a different material for this key
    const other = randomBytes(32);
    const params = await kms.send(new GetParametersForImportCommand({ KeyId: keyId, WrappingAlgorithm: 'RSAES_OAEP_SHA_256', WrappingKeySpec: 'RSA_2048' }));
    const apiError = await kms.send(new ImportKeyMaterialCommand({
      KeyId: keyId, ImportToken: params.ImportToken, ExpirationModel: 'KEY_MATERIAL_DOES_NOT_EXPIRE',
      EncryptedKeyMaterial: wrapMaterial(params.PublicKey!, 'RSAES_OAEP_SHA_256', other),
    })).then(() => undefined, (e: Error) => e);
    expect(apiError?.name).toBe('IncorrectKeyMaterialException');

    // WHEN the user imports that material through the console
    await c.open(`#/keys/${encodeURIComponent(ALIAS)}`);
    await c.waitForKeyDetail(ALIAS);
    await c.button('Import key material').click();
    await importThroughWizard({ material: { raw: other }, expiry: 'never' });

    // THEN the wizard shows the exception name and message exactly, and the key stays Pending import
    const alert = c.page.getByRole('alert').filter({ hasText: 'IncorrectKeyMaterialException' });
    await alert.waitFor();
    expect(await alert.innerText()).toContain(apiError!.message);
    expect(await stateOf(keyId)).toBe('PendingImport');
    await screenshot('console-import-error.png');
  });

  test('re-imports the same material wrapped with node:crypto (RSA_AES_KEY_WRAP) and the key is Enabled again', async () => {
    // GIVEN the key opened by its alias from the list
    await c.open('#/keys');
    await c.page.getByRole('link', { name: ALIAS }).click();
    await c.waitForKeyDetail(ALIAS);
    expect(await c.value('Status').innerText()).toBe('Pending import');
    await c.button('Import key material').click();

    // WHEN the user picks RSA_AES_KEY_WRAP_SHA_256, wraps the material offline and uploads it with the token file
    const validTo = new Date(Math.ceil((Date.now() + 30 * 86_400_000) / 1000) * 1000);
    await importThroughWizard({
      algorithm: 'RSA_AES_KEY_WRAP_SHA_256',
      spec: 'RSA_3072',
      material: {
        wrap: (publicKey) => Buffer.from(wrapMaterial(publicKey, 'RSA_AES_KEY_WRAP_SHA_256', material)),
        uploadToken: true,
      },
      expiry: validTo,
    });

    // THEN the key is Enabled, expires at the chosen time, and the countdown runs
    await c.waitForKeyDetail(ALIAS);
    await expect.poll(() => c.value('Status').innerText(), POLL).toBe('Enabled');
    expect(await stateOf(keyId)).toBe('Enabled');
    expect(await c.value('Expiration model').innerText()).toBe('Key material expires');
    const expiry = await c.value('Expiration date (ValidTo)').innerText();
    expect(expiry).toContain(`${validTo.toISOString().slice(0, 19).replace('T', ' ')} UTC`);
    expect(expiry).toMatch(/Expires in (29|30) d \d\d h \d\d m \d\d s/);
    const before = await c.page.getByTestId('material-countdown').innerText();
    await expect.poll(() => c.page.getByTestId('material-countdown').innerText(), POLL).not.toBe(before);
    await screenshot('console-key-detail.png');
    await expectNoSeriousAxeViolations('the key detail');
    // AND the list shows the expiry next to the other keys' states
    await c.open('#/keys');
    await expect.poll(() => c.keyRow(ALIAS).innerText(), POLL).toContain(`${validTo.toISOString().slice(0, 19).replace('T', ' ')} UTC`);
    await screenshot('console-keys-list.png');
  });

  test('explains why RSA_AES_KEY_WRAP material cannot be wrapped in the browser', async () => {
    // GIVEN the wizard with RSA_AES_KEY_WRAP_SHA_1 chosen
    await c.open(`#/keys/${encodeURIComponent(keyId)}/import`);
    await c.heading('Choose wrapping settings').waitFor();
    await c.page.getByRole('radio', { name: 'RSA_AES_KEY_WRAP_SHA_1', exact: true }).check();
    await c.button('Next').click();
    await c.heading('Download wrapping public key and import token').waitFor();
    await c.button('Next').click();
    await c.heading('Upload key material').waitFor();
    // THEN in-browser wrapping is disabled, with the reason
    expect(await c.page.getByRole('radio', { name: 'Wrap raw key material in this browser' }).isDisabled()).toBe(true);
    expect(await c.page.innerText('body')).toContain('AES key wrap with padding (RFC 5649), which browsers do not provide');
    await expectNoSeriousAxeViolations('the wizard key material step');
    await c.button('Cancel').click();
    await c.waitForKeyDetail(ALIAS);
  });

  test('deletes key material from the key detail page, then re-imports it (OAEP SHA-1, wrapped in the browser)', async () => {
    // GIVEN the detail page of the Enabled key
    await c.open(`#/keys/${encodeURIComponent(ALIAS)}`);
    await c.waitForKeyDetail(ALIAS);
    // WHEN the user chooses Delete key material and confirms
    await c.button('Delete key material').click();
    const dialog = c.dialog();
    await dialog.getByRole('checkbox').check();
    await dialog.getByRole('button', { name: 'Delete key material' }).click();
    // THEN the key is Pending import, on the page and in the API
    await expect.poll(() => c.value('Status').innerText(), POLL).toBe('Pending import');
    expect(await c.value('Key material state').innerText()).toBe('Pending import');
    expect(await stateOf(keyId)).toBe('PendingImport');

    // WHEN the same material is imported again
    await c.button('Import key material').click();
    await importThroughWizard({ algorithm: 'RSAES_OAEP_SHA_1', material: { raw: material }, expiry: 'never' });
    // THEN it is Enabled again
    await c.waitForKeyDetail(ALIAS);
    await expect.poll(() => c.value('Status').innerText(), POLL).toBe('Enabled');
    expect(await stateOf(keyId)).toBe('Enabled');
  });

  test('shows several key materials in a table, and deletes the one pending rotation without changing the key state', async () => {
    // GIVEN new material imported through the wizard with Import type NEW_KEY_MATERIAL
    const newMaterial = randomBytes(32);
    await c.open(`#/keys/${encodeURIComponent(keyId)}/import`);
    await c.heading('Choose wrapping settings').waitFor();
    await c.button('Next').click();
    await c.heading('Download wrapping public key and import token').waitFor();
    await c.button('Next').click();
    await c.heading('Upload key material').waitFor();
    await c.page.getByRole('radio', { name: 'Wrap raw key material in this browser' }).check();
    await c.fileInput(0).setInputFiles({ name: 'NewKeyMaterial.bin', mimeType: 'application/octet-stream', buffer: newMaterial });
    await c.page.getByText('Advanced: import type and description').click();
    await c.button(/^Import type/).click();
    await c.page.getByRole('option', { name: /^NEW_KEY_MATERIAL/ }).click();
    await c.page.getByLabel(/^Key material description/).fill('next material');
    await c.button('Next').click();
    await c.page.getByRole('radio', { name: 'Key material does not expire' }).check();
    await c.button('Import key material').click();
    await c.waitForKeyDetail(ALIAS);

    // THEN the detail lists both materials, the new one pending rotation, and the key stays Enabled
    const table = c.page.getByRole('table', { name: 'Key materials' });
    await table.waitFor();
    const pendingRow = table.getByRole('row').filter({ hasText: 'PENDING_ROTATION' });
    expect(await pendingRow.innerText()).toContain('next material');
    expect(await table.getByRole('cell', { name: 'CURRENT', exact: true }).count()).toBe(1);
    expect(await c.value('Status').innerText()).toBe('Enabled');
    await screenshot('console-key-materials.png');

    // WHEN that material is selected and deleted
    await pendingRow.getByRole('radio').check();
    await c.button('Delete selected key material').click();
    const dialog = c.dialog();
    expect(await dialog.innerText()).toContain('pending rotation');
    await dialog.getByRole('checkbox').check();
    await dialog.getByRole('button', { name: 'Delete key material' }).click();

    // THEN only the current material is left and the key is still Enabled
    await table.waitFor({ state: 'detached' });
    expect(await c.value('Status').innerText()).toBe('Enabled');
    expect(await stateOf(keyId)).toBe('Enabled');
  });

  test('schedules key deletion with a typed confirmation, shows an API refusal as stated, and cancels it', async () => {
    // GIVEN the key selected in the list, and Schedule key deletion chosen
    await c.open('#/keys');
    await c.selectKey(ALIAS);
    await c.keyAction('Schedule key deletion');
    const dialog = c.dialog();
    await dialog.getByRole('heading', { name: 'Schedule key deletion' }).waitFor();
    await expectNoSeriousAxeViolations('the Schedule key deletion dialog');
    const schedule = dialog.getByRole('button', { name: 'Schedule deletion' });

    // WHEN a window outside 7..30 days is confirmed THEN the API's ValidationException is shown as stated
    await dialog.getByLabel('Waiting period (in days)').fill('5');
    await dialog.getByLabel(/To confirm the deletion/).fill('confirm');
    await schedule.click();
    const refusal = c.notifications();
    await expect.poll(() => refusal.innerText(), POLL).toContain('ValidationException');
    expect(await refusal.innerText()).toContain("Value '5' at 'pendingWindowInDays' failed to satisfy constraint");
    expect(await stateOf(keyId)).toBe('Enabled');

    // WHEN 7 days are chosen, the button waits for the typed word, then schedules
    expect(await c.page.getByRole('checkbox', { name: `Select key ${ALIAS}` }).isChecked()).toBe(true);
    await c.keyAction('Schedule key deletion');
    await dialog.getByLabel('Waiting period (in days)').fill('7');
    expect(await schedule.isDisabled()).toBe(true);
    await dialog.getByLabel(/To confirm the deletion/).fill('confirm');
    const clickedAt = await server.clockNow();
    await schedule.click();
    // THEN the key is Pending deletion, 7 days from the moment it was scheduled (on the service clock)
    await expect.poll(() => c.keyRow(ALIAS).innerText(), POLL).toContain('Pending deletion');
    const scheduledBy = await server.clockNow();
    expect(await stateOf(keyId)).toBe('PendingDeletion');
    const deletionDate = (await kms.send(new DescribeKeyCommand({ KeyId: keyId }))).KeyMetadata?.DeletionDate?.getTime();
    expect(deletionDate).toBeGreaterThanOrEqual(Math.floor(clickedAt * 1000) + 7 * 86_400_000);
    expect(deletionDate).toBeLessThanOrEqual(Math.ceil(scheduledBy * 1000) + 7 * 86_400_000);

    // WHEN Cancel key deletion is chosen THEN the key (its material present) is Disabled, and can be enabled
    await c.keyAction('Cancel key deletion');
    await expect.poll(() => c.keyRow(ALIAS).innerText(), POLL).toContain('Disabled');
    expect(await stateOf(keyId)).toBe('Disabled');
    await c.keyAction('Enable');
    await expect.poll(() => c.keyRow(ALIAS).innerText(), POLL).toContain('Enabled');
    expect(await stateOf(keyId)).toBe('Enabled');
  });

  test('works with the keyboard: Tab to the checkbox, Space, Key actions with Enter and arrows, confirm in the dialog', async () => {
    // GIVEN the list, loaded afresh
    await c.open('#/keys');
    await c.keyRow(ALIAS).waitFor();
    // WHEN the user tabs to the key's checkbox and selects it with Space
    await pressUntilFocused('Tab', `Select key ${ALIAS}`, 60);
    await c.page.keyboard.press('Space');
    expect(await c.page.getByRole('checkbox', { name: `Select key ${ALIAS}` }).isChecked()).toBe(true);
    // AND goes back to Key actions with Shift+Tab, opens it with Enter, moves to Disable with the arrow keys
    await pressUntilFocused('Shift+Tab', 'Key actions', 30);
    await c.page.keyboard.press('Enter');
    await c.menuItem('Disable').waitFor();
    await pressUntilFocused('ArrowDown', 'Disable', 6);
    await c.page.keyboard.press('Enter');
    // AND confirms the dialog with Tab and Enter
    await c.dialog().getByRole('heading', { name: 'Disable key' }).waitFor();
    await pressUntilFocused('Tab', 'Disable key', 10);
    await c.page.keyboard.press('Enter');
    // THEN the key is Disabled
    await expect.poll(() => c.keyRow(ALIAS).innerText(), POLL).toContain('Disabled');
    expect(await stateOf(keyId)).toBe('Disabled');
    // AND Enable (no dialog) brings it back
    await c.keyAction('Enable');
    await expect.poll(() => c.keyRow(ALIAS).innerText(), POLL).toContain('Enabled');
  });

  test('material that expires: the countdown, then Pending import once the service clock passes ValidTo', async () => {
    // GIVEN the material re-imported with an expiry one hour after the service's now
    const serviceNow = (await server.clockNow()) * 1000;
    const validTo = new Date(Math.ceil((serviceNow + 3600_000) / 1000) * 1000);
    await c.open(`#/keys/${encodeURIComponent(keyId)}/import`);
    await importThroughWizard({ material: { raw: material }, expiry: validTo });
    await c.waitForKeyDetail(ALIAS);
    await expect.poll(() => c.value('Expiration model').innerText(), POLL).toBe('Key material expires');
    expect(await c.page.getByTestId('material-countdown').innerText()).toMatch(/^Expires in 00 h 5\d m \d\d s$/);
    // WHEN the service clock moves past ValidTo
    await server.advanceClock(2 * 3600);
    await c.button('Refresh key').click();
    // THEN the key is Pending import and shows no expiry any more
    await expect.poll(() => c.value('Status').innerText(), POLL).toBe('Pending import');
    expect(await stateOf(keyId)).toBe('PendingImport');
    expect(await c.value('Expiration date (ValidTo)').innerText()).toBe('-');
  });

  test('settings: saved in the browser, a wrong endpoint shows the error, and the defaults talk to this server', async () => {
    await c.open('#/settings');
    await expectNoSeriousAxeViolations('Settings');
    await c.page.getByLabel('KMS endpoint').fill(DEAD_ENDPOINT);
    await c.button('Test connection').click();
    await c.page.getByRole('alert').filter({ hasText: 'The connection test failed' }).filter({ hasText: `refuses ${DEAD_ENDPOINT}` }).waitFor();
    await c.button('Reset to defaults').click();
    await c.button('Test connection').click();
    await c.page.getByText(/^Connected: ListKeys answered for account 111122223333 in us-east-1/).waitFor();
    await c.button('Save').click();
    const stored = await c.page.evaluate(() => (globalThis as unknown as { localStorage: { getItem(k: string): string | null } }).localStorage.getItem('byok-kms-console.settings'));
    expect(JSON.parse(stored ?? '{}')).toMatchObject({ endpoint: '', region: 'us-east-1' });
  });

  test('the page fetched nothing from outside the service, threw no errors and needed nothing its CSP refuses', () => {
    expect(browser.outsideRequests).toEqual([]);
    expect(browser.pageErrors).toEqual([]);
    // The settings test points the console at another origin on purpose: connect-src 'self' refuses that.
    expect(browser.cspViolations.filter((v) => !(v.startsWith('connect-src ') && v.includes(DEAD_ENDPOINT)))).toEqual([]);
  });
});
