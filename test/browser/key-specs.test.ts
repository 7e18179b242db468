/**
 * Keys of every type in the console, in Debian's chromium against the real embedded server: an RSA signing key
 * created with the key type chooser and imported end to end (material wrapped with the exact OpenSSL commands the
 * wizard shows, because browsers cannot do RFC 5649 key wrap), its public key copied and downloaded as PEM and
 * checked with openssl against a signature the service made; an ECC private key and HMAC bytes wrapped in the
 * browser; and refusals shown as the API states them.
 */
import { execFile } from 'node:child_process';
import { createHmac, createPrivateKey, createPublicKey, generateKeyPairSync, randomBytes } from 'node:crypto';
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { Agent } from 'node:http';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { promisify } from 'node:util';
import {
  CreateKeyCommand, DescribeKeyCommand, GenerateMacCommand, GetPublicKeyCommand, SignCommand, VerifyMacCommand,
  type KMSClient,
} from '@aws-sdk/client-kms';
import { afterAll, beforeAll, describe, expect, test } from 'vitest';
import type { LocalServer } from '../support/local-server';
import { seriousAxeViolations, settledScreenshot, type Browser } from './support/browser';
import type { ConsolePage } from './support/console-page';
import { startConsoleSession } from './support/console-session';

const run = promisify(execFile);
/** The README's account: the SDK below and the console both use it. */
const ACCOUNT = '111122223333';
const ARTIFACTS = join(import.meta.dirname, '..', '..', 'test-artifacts');

let server: LocalServer;
let kms: KMSClient;
let browser: Browser;
let c: ConsolePage;
let work: string;

async function expectNoSeriousAxeViolations(where: string): Promise<void> {
  expect(await seriousAxeViolations(c.page), `axe-core on ${where}`).toEqual([]);
}

async function apiError(call: Promise<unknown>): Promise<Error> {
  return call.then(() => { throw new Error('the API accepted the call'); }, (e: Error) => e);
}

/** Fills the Create key form: key type, usage and spec as a user picks them, External origin, an alias. */
async function createKey(type: 'Symmetric' | 'Asymmetric', usage: string, spec: string | undefined, alias: string): Promise<void> {
  await c.open('#/create');
  await c.page.getByRole('radio', { name: type, exact: true }).check();
  await c.page.getByRole('radio', { name: usage, exact: true }).check();
  if (spec) await c.page.getByRole('radiogroup', { name: 'Key spec' }).getByRole('radio', { name: spec, exact: true }).check();
  await c.page.getByRole('radio', { name: 'External (Import key material)' }).check();
  await c.page.getByLabel('Alias').fill(alias);
  await c.button('Create key').click();
}

/** The wizard's first two steps with the defaults the key's spec offers; returns the wrapping public key (DER). */
async function toMaterialStep(): Promise<Buffer> {
  await c.heading('Choose wrapping settings').waitFor();
  await c.button('Next').click();
  await c.heading('Download wrapping public key and import token').waitFor();
  const publicKey = await c.download('Download wrapping public key');
  await c.button('Next').click();
  await c.heading('Upload key material').waitFor();
  return publicKey.bytes;
}

async function finishImport(alias: string): Promise<void> {
  await c.button('Next').click();
  await c.heading('Set expiration and import').waitFor();
  await c.page.getByRole('radio', { name: 'Key material does not expire' }).check();
  await c.button('Import key material').click();
  await c.waitForKeyDetail(alias);
  await expect.poll(() => c.value('Status').innerText(), { timeout: 90_000 }).toBe('Enabled');
}

async function openTab(name: string): Promise<void> {
  await c.page.getByRole('tab', { name, exact: true }).click();
}

beforeAll(async () => {
  // GIVEN the console built as `npm start` builds it, the real server, chromium, and the console on the README's account
  ({ server, browser, c } = await startConsoleSession());
  kms = server.kms({ accessKeyId: ACCOUNT, config: { requestHandler: { httpAgent: new Agent({ keepAlive: false }) } } });
  await browser.context.grantPermissions(['clipboard-read', 'clipboard-write'], { origin: server.endpoint });
  work = mkdtempSync(join(tmpdir(), 'byok-kms-console-specs-'));
  await c.useCredentials(ACCOUNT);
});

afterAll(async () => {
  await browser?.close();
  await server?.stop();
  if (work) rmSync(work, { recursive: true, force: true });
});

describe('keys of every type', () => {
  test('an RSA signing key: created, imported with the OpenSSL commands the wizard shows, its public key verifies a signature', async () => {
    // GIVEN an RSA_2048 private key made with openssl, as a user has it
    const alias = 'alias/rsa-signing';
    await run('openssl', ['genpkey', '-algorithm', 'RSA', '-pkeyopt', 'rsa_keygen_bits:2048', '-out', 'private-key.pem'], { cwd: work });
    const expectedPem = (await run('openssl', ['pkey', '-in', 'private-key.pem', '-pubout'], { cwd: work })).stdout;

    // WHEN the user creates an asymmetric Sign and verify RSA_2048 key with External origin
    await createKey('Asymmetric', 'Sign and verify', 'RSA_2048', alias);
    // THEN the wizard offers only the algorithms that can carry an RSA private key
    await c.heading('Choose wrapping settings').waitFor();
    const offered = await c.page.getByRole('radiogroup').last().getByRole('radio').evaluateAll((els) => els.map((e) => e.getAttribute('value')));
    expect(offered).toEqual(['RSA_AES_KEY_WRAP_SHA_256', 'RSA_AES_KEY_WRAP_SHA_1']);
    await expectNoSeriousAxeViolations('the wizard for an RSA key');
    const wrappingKey = await toMaterialStep();

    // AND in-browser wrapping is refused with the reason, next to the exact OpenSSL commands
    expect(await c.page.getByRole('radio', { name: 'Wrap raw key material in this browser' }).isDisabled()).toBe(true);
    expect(await c.page.innerText('body')).toContain('AES key wrap with padding (RFC 5649), which browsers do not provide');
    const commands = await c.page.getByLabel('OpenSSL commands').textContent();
    // (the README shows the same commands, indented in its list)
    const readme = readFileSync(join(import.meta.dirname, '..', '..', 'README.md'), 'utf8').replaceAll('\n  ', '\n');
    expect(readme).toContain(commands);
    await settledScreenshot(c.page, join(ARTIFACTS, 'console-import-rsa-openssl.png'));
    await expectNoSeriousAxeViolations('the wizard material step for an RSA key');

    // WHEN the user runs those commands, as shown, where the wrapping public key and the private key are
    writeFileSync(join(work, 'WrappingPublicKey.bin'), wrappingKey);
    await run('bash', ['--norc', '-euo', 'pipefail', '-c', commands!], { cwd: work });
    // AND uploads the result and imports it
    await c.fileInput(0).setInputFiles({ name: 'EncryptedKeyMaterial.bin', mimeType: 'application/octet-stream', buffer: readFileSync(join(work, 'EncryptedKeyMaterial.bin')) });
    await finishImport(alias);

    // THEN the key is Enabled with the signing algorithms DescribeKey lists
    const { KeyMetadata } = await kms.send(new DescribeKeyCommand({ KeyId: alias }));
    expect(KeyMetadata).toMatchObject({ KeyState: 'Enabled', KeySpec: 'RSA_2048', KeyUsage: 'SIGN_VERIFY', Origin: 'EXTERNAL' });
    await openTab('Cryptographic configuration');
    expect(await c.value('Signing algorithms').innerText()).toBe(KeyMetadata!.SigningAlgorithms!.join(', '));
    expect(await c.value('Key type').innerText()).toBe('Asymmetric');

    // AND the Public key tab shows the public half of the imported key as PEM, to copy and to download
    await openTab('Public key');
    const pem = c.page.getByLabel('Public key (PEM)');
    await pem.waitFor();
    expect(await pem.textContent()).toBe(expectedPem);
    await expectNoSeriousAxeViolations('the Public key tab');
    await settledScreenshot(c.page, join(ARTIFACTS, 'console-public-key.png'));
    const downloaded = await c.download('Download');
    expect(downloaded.name).toBe('rsa-signing-public-key.pem');
    expect(downloaded.bytes.toString('utf8')).toBe(expectedPem);
    await c.button('Copy').click();
    await c.page.getByText('Public key copied').waitFor();
    expect(await c.page.evaluate(() => (globalThis as unknown as { navigator: { clipboard: { readText(): Promise<string> } } }).navigator.clipboard.readText())).toBe(expectedPem);

    // AND what the service signs with the imported key verifies with openssl and the downloaded PEM
    const message = Buffer.from('signed by byok-kms');
    const { Signature } = await kms.send(new SignCommand({ KeyId: alias, Message: message, SigningAlgorithm: 'RSASSA_PKCS1_V1_5_SHA_256' }));
    writeFileSync(join(work, 'message.txt'), message);
    writeFileSync(join(work, 'signature.bin'), Signature!);
    writeFileSync(join(work, 'public-key.pem'), downloaded.bytes);
    const verified = await run('openssl', ['dgst', '-sha256', '-verify', 'public-key.pem', '-signature', 'signature.bin', 'message.txt'], { cwd: work });
    expect(verified.stdout.trim()).toBe('Verified OK');
  });

  test('an ECC P-256 signing key: the PEM private key wrapped in the browser', async () => {
    // GIVEN a P-256 private key as a PKCS#8 PEM file
    const alias = 'alias/ecc-signing';
    const { privateKey } = generateKeyPairSync('ec', { namedCurve: 'P-256' });
    const pkcs8Pem = privateKey.export({ format: 'pem', type: 'pkcs8' }) as string;
    // WHEN the user creates the key and lets the browser wrap the PEM with RSA-OAEP
    await createKey('Asymmetric', 'Sign and verify', 'ECC_NIST_P256', alias);
    await toMaterialStep();
    await c.page.getByRole('radio', { name: 'Wrap raw key material in this browser' }).check();
    await c.fileInput(0).setInputFiles({ name: 'private-key.pem', mimeType: 'application/x-pem-file', buffer: Buffer.from(pkcs8Pem) });
    await finishImport(alias);
    // THEN the service holds that key: its public key is the PEM's public half
    const { PublicKey } = await kms.send(new GetPublicKeyCommand({ KeyId: alias }));
    const expected = createPublicKey(createPrivateKey(pkcs8Pem)).export({ format: 'der', type: 'spki' });
    expect(Buffer.from(PublicKey!)).toEqual(expected);
    await openTab('Public key');
    expect(await c.page.getByLabel('Public key (PEM)').textContent()).toBe(createPublicKey(createPrivateKey(pkcs8Pem)).export({ format: 'pem', type: 'spki' }));
  });

  test('an HMAC key: raw bytes wrapped in the browser; a file of the wrong size is refused with the rule', async () => {
    const alias = 'alias/hmac-256';
    await createKey('Symmetric', 'Generate and verify MAC', 'HMAC_256', alias);
    await toMaterialStep();
    await c.page.getByRole('radio', { name: 'Wrap raw key material in this browser' }).check();
    // WHEN the file is shorter than HMAC_256 allows THEN the step says what it must be
    await c.fileInput(0).setInputFiles({ name: 'short.bin', mimeType: 'application/octet-stream', buffer: randomBytes(16) });
    await c.button('Next').click();
    await c.page.getByText('HMAC_256 key material is 32 to 128 bytes of HMAC key; this file has 16 bytes.', { exact: true }).waitFor();
    // WHEN 48 bytes are chosen THEN they are imported, and a MAC made by the service verifies
    const hmacKey = randomBytes(48);
    await c.fileInput(0).setInputFiles({ name: 'hmac.bin', mimeType: 'application/octet-stream', buffer: hmacKey });
    await finishImport(alias);
    const { Mac } = await kms.send(new GenerateMacCommand({ KeyId: alias, Message: Buffer.from('m'), MacAlgorithm: 'HMAC_SHA_256' }));
    expect(Buffer.from(Mac!)).toEqual(createHmac('sha256', hmacKey).update('m').digest());
    expect((await kms.send(new VerifyMacCommand({ KeyId: alias, Message: Buffer.from('m'), Mac, MacAlgorithm: 'HMAC_SHA_256' }))).MacValid).toBe(true);
    await openTab('Cryptographic configuration');
    expect(await c.value('MAC algorithms').innerText()).toBe('HMAC_SHA_256');
    expect(await c.page.getByRole('tab', { name: 'Public key' }).count()).toBe(0);
  });

  test('Create key shows a refusal as the API states it (ML-DSA material cannot be imported)', async () => {
    const refusal = await apiError(kms.send(new CreateKeyCommand({ KeySpec: 'ML_DSA_44', KeyUsage: 'SIGN_VERIFY', Origin: 'EXTERNAL' })));
    await createKey('Asymmetric', 'Sign and verify', 'ML_DSA_44', 'alias/ml-dsa-external');
    await c.page.getByText(`${refusal.name}: ${refusal.message}`, { exact: true }).waitFor();
  });

  test('the page fetched nothing from outside the service and threw no errors', () => {
    expect(browser.outsideRequests).toEqual([]);
    expect(browser.pageErrors).toEqual([]);
  });
});
