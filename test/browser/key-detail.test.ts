/**
 * The key detail page's tabs in Debian's chromium against the real embedded server, as a user works with them:
 * the key policy viewed and edited; grants listed and revoked; tags added, changed and removed; aliases deleted;
 * automatic rotation with its period and next date, Rotate now and the rotations table; the cryptographic
 * configuration; and Create key (key type, then usage, then spec; an optional key policy). Every outcome is checked through the
 * API as well as on the page, every API refusal is shown as the API states it, and axe-core checks each new view.
 */
import { randomBytes } from 'node:crypto';
import { Agent } from 'node:http';
import { join } from 'node:path';
import {
  CreateAliasCommand, CreateGrantCommand, CreateKeyCommand, DeleteAliasCommand, DescribeKeyCommand, EnableKeyRotationCommand, GetKeyPolicyCommand,
  GetKeyRotationStatusCommand,
  GetParametersForImportCommand, ImportKeyMaterialCommand, ListAliasesCommand, ListGrantsCommand, ListKeyRotationsCommand,
  ListResourceTagsCommand, PutKeyPolicyCommand, RotateKeyOnDemandCommand, type ImportType, type KMSClient,
} from '@aws-sdk/client-kms';
import { afterAll, beforeAll, describe, expect, test } from 'vitest';
import type { LocalServer } from '../support/local-server';
import { wrapMaterial } from '../support/wrap-material';
import { seriousAxeViolations, settledScreenshot, type Browser } from './support/browser';
import type { ConsolePage } from './support/console-page';
import { startConsoleSession } from './support/console-session';

/** The README's account: the SDK below and the console both use it. */
const ACCOUNT = '111122223333';
/** Waits for an outcome; the bound only names a hang, below the tests' own timeout. */
const POLL = { timeout: 90_000, interval: 200 };
const ARTIFACTS = join(import.meta.dirname, '..', '..', 'test-artifacts');

let server: LocalServer;
let kms: KMSClient;
let browser: Browser;
let c: ConsolePage;

async function expectNoSeriousAxeViolations(where: string): Promise<void> {
  expect(await seriousAxeViolations(c.page), `axe-core on ${where}`).toEqual([]);
}

async function apiError(call: Promise<unknown>): Promise<Error> {
  return call.then(() => { throw new Error('the API accepted the call'); }, (e: Error) => e);
}

/** Opens a key's detail page on one tab, by clicking the tab as a user does. */
async function openTab(keyRef: string, tab: string): Promise<void> {
  await c.open(`#/keys/${encodeURIComponent(keyRef)}`);
  await c.page.getByRole('heading', { name: 'General configuration' }).waitFor();
  await c.page.getByRole('tab', { name: tab, exact: true }).click();
  await expect.poll(() => c.page.getByRole('tab', { name: tab, exact: true }).getAttribute('aria-selected'), POLL).toBe('true');
}

async function tagsOf(keyId: string): Promise<Record<string, string>> {
  const { Tags } = await kms.send(new ListResourceTagsCommand({ KeyId: keyId }));
  return Object.fromEntries((Tags ?? []).map((t) => [t.TagKey, t.TagValue]));
}

/** Imports 32 bytes into an External key through the API, as a script would. */
async function importMaterial(keyId: string, material: Buffer, importType?: ImportType): Promise<string> {
  const params = await kms.send(new GetParametersForImportCommand({ KeyId: keyId, WrappingAlgorithm: 'RSAES_OAEP_SHA_256', WrappingKeySpec: 'RSA_2048' }));
  const out = await kms.send(new ImportKeyMaterialCommand({
    KeyId: keyId, ImportToken: params.ImportToken, ExpirationModel: 'KEY_MATERIAL_DOES_NOT_EXPIRE',
    EncryptedKeyMaterial: wrapMaterial(params.PublicKey!, 'RSAES_OAEP_SHA_256', material), ...(importType ? { ImportType: importType } : {}),
  }));
  return out.KeyMaterialId!;
}

beforeAll(async () => {
  // GIVEN the console built as `npm start` builds it, the real server, chromium, and the console on the README's account
  ({ server, browser, c } = await startConsoleSession());
  kms = server.kms({ accessKeyId: ACCOUNT, config: { requestHandler: { httpAgent: new Agent({ keepAlive: false }) } } });
  await c.useCredentials(ACCOUNT);
});

afterAll(async () => {
  await browser?.close();
  await server?.stop();
});

describe('key detail tabs', () => {
  test('key policy: shows the document as the API returns it, shows a refusal as stated, saves an edit', async () => {
    // GIVEN a key created without a policy: it has AWS's default key policy, and its detail page opens on it
    const { KeyMetadata } = await kms.send(new CreateKeyCommand({ Description: 'policy' }));
    const keyId = KeyMetadata!.KeyId!;
    const { Policy: defaultPolicy } = await kms.send(new GetKeyPolicyCommand({ KeyId: keyId }));
    await c.open(`#/keys/${keyId}`);
    const shown = c.page.getByLabel('Key policy document');
    await shown.waitFor();
    expect(await c.page.getByRole('tab', { name: 'Key policy', exact: true }).getAttribute('aria-selected')).toBe('true');
    expect(await shown.textContent()).toBe(defaultPolicy);
    await expectNoSeriousAxeViolations('the Key policy tab');

    // WHEN the user saves a statement without an Effect
    const statements = (JSON.parse(defaultPolicy!) as { Statement: object[] }).Statement;
    const malformed = JSON.stringify({ Version: '2012-10-17', Statement: [{ Sid: 'NoEffect', Principal: '*', Action: 'kms:*', Resource: '*' }] });
    const refusal = await apiError(kms.send(new PutKeyPolicyCommand({ KeyId: keyId, Policy: malformed })));
    await c.button('Edit').click();
    await c.page.getByLabel('Policy document').fill(malformed);
    await c.button('Save changes').click();
    // THEN the API's exception and message are shown, and the policy is unchanged
    const alert = c.page.getByRole('alert').filter({ hasText: refusal.name });
    await alert.waitFor();
    expect(await alert.innerText()).toContain(refusal.message);
    await expectNoSeriousAxeViolations('the key policy editor with an error');
    expect((await kms.send(new GetKeyPolicyCommand({ KeyId: keyId }))).Policy).toBe(defaultPolicy);

    // WHEN the user saves a valid document with one more statement
    const edited = JSON.stringify({ Version: '2012-10-17', Statement: [...statements, {
      Sid: 'AllowAppDecrypt', Effect: 'Allow', Principal: { AWS: `arn:aws:iam::${ACCOUNT}:role/app` }, Action: 'kms:Decrypt', Resource: '*',
    }] }, null, 2);
    await c.page.getByLabel('Policy document').fill(edited);
    await c.button('Save changes').click();
    // THEN the key has exactly that document, and the tab shows it
    await expect.poll(() => shown.textContent(), POLL).toBe(edited);
    expect((await kms.send(new GetKeyPolicyCommand({ KeyId: keyId }))).Policy).toBe(edited);
  });

  test('grants: lists a grant with its grantee, operations and constraints, and revokes it', async () => {
    // GIVEN a key with a named grant for a role
    const { KeyMetadata } = await kms.send(new CreateKeyCommand({ Description: 'granted' }));
    const keyId = KeyMetadata!.KeyId!;
    const grantee = `arn:aws:iam::${ACCOUNT}:role/app`;
    const { GrantId } = await kms.send(new CreateGrantCommand({
      KeyId: keyId, GranteePrincipal: grantee, Operations: ['Encrypt', 'Decrypt'], Name: 'app-grant',
      Constraints: { EncryptionContextSubset: { tenant: 'blue' } },
    }));
    await openTab(keyId, 'Grants');
    // THEN the grants table shows it
    const row = c.page.getByRole('table', { name: 'Grants' }).getByRole('row').filter({ hasText: GrantId! });
    await row.waitFor();
    const text = await row.innerText();
    for (const expected of ['app-grant', grantee, 'Encrypt, Decrypt', 'tenant=blue']) expect(text).toContain(expected);
    await expectNoSeriousAxeViolations('the Grants tab');
    // WHEN the user selects it and revokes it
    await c.page.getByRole('radio', { name: 'Select grant app-grant' }).check();
    await c.button('Revoke grant').click();
    await c.dialog().getByRole('button', { name: 'Revoke grant' }).click();
    // THEN it is gone, from the table and from the API
    await c.page.getByText('No grants').waitFor();
    expect((await kms.send(new ListGrantsCommand({ KeyId: keyId }))).Grants).toEqual([]);
  });

  test('tags: adds one, changes a value and removes one in one dialog', async () => {
    // GIVEN a key with two tags
    const { KeyMetadata } = await kms.send(new CreateKeyCommand({
      Description: 'tagged', Tags: [{ TagKey: 'env', TagValue: 'dev' }, { TagKey: 'team', TagValue: 'payments' }],
    }));
    const keyId = KeyMetadata!.KeyId!;
    await openTab(keyId, 'Tags');
    const table = c.page.getByRole('table', { name: 'Tags' });
    await table.getByRole('cell', { name: 'payments', exact: true }).waitFor();

    // WHEN the user changes env to prod, removes team and adds owner=alice
    await c.button('Manage tags').click();
    const dialog = c.dialog();
    await dialog.getByRole('heading', { name: 'Manage tags' }).waitFor();
    const env = dialog.getByRole('group', { name: 'Key env' });
    await env.getByRole('combobox', { name: /^Value/ }).fill('prod');
    await dialog.getByRole('button', { name: 'Remove team' }).click();
    await dialog.getByRole('button', { name: 'Add new tag' }).click();
    const added = dialog.getByRole('group').last();
    await added.getByRole('combobox', { name: 'Key', exact: true }).fill('owner');
    await added.getByRole('combobox', { name: /^Value/ }).fill('alice');
    await expectNoSeriousAxeViolations('the Manage tags dialog');
    await dialog.getByRole('button', { name: 'Save changes' }).click();

    // THEN the table and the API show the new tags
    await table.getByRole('cell', { name: 'alice', exact: true }).waitFor();
    expect(await tagsOf(keyId)).toEqual({ env: 'prod', owner: 'alice' });
    expect(await table.innerText()).not.toContain('payments');
    expect(await table.getByRole('cell', { name: 'prod', exact: true }).count()).toBe(1);
    await expectNoSeriousAxeViolations('the Tags tab');
  });

  test('aliases: deletes the selected alias and leaves the key and its other alias; a refusal is shown as stated', async () => {
    // GIVEN a key with two aliases
    const { KeyMetadata } = await kms.send(new CreateKeyCommand({ Description: 'two aliases' }));
    const keyId = KeyMetadata!.KeyId!;
    await kms.send(new CreateAliasCommand({ AliasName: 'alias/detail-keep', TargetKeyId: keyId }));
    await kms.send(new CreateAliasCommand({ AliasName: 'alias/detail-drop', TargetKeyId: keyId }));
    await openTab(keyId, 'Aliases');

    // WHEN the user selects one alias and deletes it
    await c.page.getByRole('checkbox', { name: 'Select alias alias/detail-drop' }).check();
    await c.button('Delete').click();
    const dialog = c.dialog();
    await dialog.getByRole('heading', { name: 'Delete alias' }).waitFor();
    expect(await dialog.getByRole('list', { name: 'Aliases to delete' }).innerText()).toBe('alias/detail-drop');
    await expectNoSeriousAxeViolations('the Delete alias dialog');
    await dialog.getByRole('button', { name: 'Delete', exact: true }).click();

    // THEN only the other alias is left, in the table and in the API, and the key is unchanged
    const table = c.page.getByRole('table', { name: 'Aliases' });
    await expect.poll(() => table.innerText(), POLL).not.toContain('alias/detail-drop');
    expect(await table.innerText()).toContain('alias/detail-keep');
    const { Aliases } = await kms.send(new ListAliasesCommand({ KeyId: keyId }));
    expect(Aliases?.map((a) => a.AliasName)).toEqual(['alias/detail-keep']);
    expect((await kms.send(new DescribeKeyCommand({ KeyId: keyId }))).KeyMetadata?.KeyState).toBe('Enabled');

    // WHEN the last alias is deleted by someone else before the user confirms
    await c.page.getByRole('checkbox', { name: 'Select alias alias/detail-keep' }).check();
    await c.button('Delete').click();
    await dialog.getByRole('heading', { name: 'Delete alias' }).waitFor();
    await kms.send(new DeleteAliasCommand({ AliasName: 'alias/detail-keep' }));
    const refusal = await apiError(kms.send(new DeleteAliasCommand({ AliasName: 'alias/detail-keep' })));
    await dialog.getByRole('button', { name: 'Delete', exact: true }).click();
    // THEN the dialog shows the API's own answer
    const alert = dialog.getByRole('alert').filter({ hasText: refusal.name });
    await alert.waitFor();
    expect(await alert.innerText()).toContain(refusal.message);
  });

  test('key rotation: Rotate now rotates a KMS key on demand and lists the rotation', async () => {
    // GIVEN a symmetric key whose material KMS generated, never rotated
    const { KeyMetadata } = await kms.send(new CreateKeyCommand({ Description: 'rotates' }));
    const keyId = KeyMetadata!.KeyId!;
    await openTab(keyId, 'Key rotation');
    await c.page.getByText('This key has not been rotated.').waitFor();
    expect(await c.value('Automatic rotation').innerText()).toBe('Disabled');
    expect(await c.value('On-demand rotations').innerText()).toBe('0 of 25 used');

    // WHEN the user chooses Rotate now and confirms
    await c.button('Rotate now').click();
    const dialog = c.dialog();
    await dialog.getByRole('heading', { name: 'Rotate key now' }).waitFor();
    await expectNoSeriousAxeViolations('the Rotate key now dialog');
    await dialog.getByRole('button', { name: 'Rotate key' }).click();

    // THEN the rotations table lists one on-demand rotation to the key's new current material
    const table = c.page.getByRole('table', { name: 'Key rotations' });
    await table.getByRole('cell', { name: 'On demand', exact: true }).waitFor();
    const { Rotations } = await kms.send(new ListKeyRotationsCommand({ KeyId: keyId }));
    expect(Rotations).toHaveLength(1);
    const current = (await kms.send(new DescribeKeyCommand({ KeyId: keyId }))).KeyMetadata?.CurrentKeyMaterialId;
    expect(Rotations?.[0]).toMatchObject({ RotationType: 'ON_DEMAND', KeyMaterialId: current, KeyMaterialState: 'CURRENT' });
    const row = table.getByRole('row').filter({ hasText: current! });
    expect(await row.innerText()).toContain(Rotations![0]!.RotationDate!.toISOString().slice(0, 19).replace('T', ' '));
    await expect.poll(() => c.value('On-demand rotations').innerText(), POLL).toBe('1 of 25 used');
    await settledScreenshot(c.page, join(ARTIFACTS, 'console-key-rotation.png'));
    await expectNoSeriousAxeViolations('the Key rotation tab');
  });

  test('key rotation: automatic rotation enabled with a period shows the period and the next date; a refused period is shown as stated', async () => {
    // GIVEN a KMS key without automatic rotation, on its Key rotation tab
    const { KeyMetadata } = await kms.send(new CreateKeyCommand({ Description: 'rotates automatically' }));
    const keyId = KeyMetadata!.KeyId!;
    await openTab(keyId, 'Key rotation');
    await expect.poll(() => c.value('Automatic rotation').innerText(), POLL).toBe('Disabled');
    expect(await c.value('Next rotation date').innerText()).toBe('-');

    // WHEN the user turns it on with a period KMS refuses
    await c.page.getByRole('heading', { name: 'Automatic key rotation' }).waitFor();
    await c.button('Edit').click();
    const dialog = c.dialog();
    await dialog.getByRole('heading', { name: 'Automatic key rotation' }).waitFor();
    await dialog.getByLabel('Rotate this key automatically').check();
    const period = dialog.getByLabel('Rotation period (in days)');
    await period.fill('30');
    const refusal = await apiError(kms.send(new EnableKeyRotationCommand({ KeyId: keyId, RotationPeriodInDays: 30 })));
    await dialog.getByRole('button', { name: 'Save', exact: true }).click();
    // THEN the API's refusal is shown and rotation stays off
    const alert = dialog.getByRole('alert').filter({ hasText: refusal.name });
    await alert.waitFor();
    expect(await alert.innerText()).toContain(refusal.message);
    await expectNoSeriousAxeViolations('the automatic rotation dialog with an error');
    expect((await kms.send(new GetKeyRotationStatusCommand({ KeyId: keyId }))).KeyRotationEnabled).toBe(false);

    // WHEN the user saves a period of 180 days
    await period.fill('180');
    await dialog.getByRole('button', { name: 'Save', exact: true }).click();
    // THEN the key rotates every 180 days, and the tab shows the period and the next date the API reports
    await expect.poll(() => c.value('Automatic rotation').innerText(), POLL).toBe('Enabled');
    const status = await kms.send(new GetKeyRotationStatusCommand({ KeyId: keyId }));
    expect(status).toMatchObject({ KeyRotationEnabled: true, RotationPeriodInDays: 180 });
    expect(await c.value('Rotation period').innerText()).toBe('180 days');
    expect(await c.value('Next rotation date').innerText()).toBe(`${status.NextRotationDate!.toISOString().slice(0, 19).replace('T', ' ')} UTC`);

    // WHEN the user turns it off again THEN the API reports it off and the tab says so
    await c.button('Edit').click();
    await dialog.getByLabel('Rotate this key automatically').uncheck();
    await dialog.getByRole('button', { name: 'Save', exact: true }).click();
    await expect.poll(() => c.value('Automatic rotation').innerText(), POLL).toBe('Disabled');
    expect((await kms.send(new GetKeyRotationStatusCommand({ KeyId: keyId }))).KeyRotationEnabled).toBe(false);
    expect(await c.value('Next rotation date').innerText()).toBe('-');
  });

  test('key rotation: Rotate now on an imported key without material pending rotation shows the API refusal as stated', async () => {
    // GIVEN an External key that never received material, and what the API answers to rotating it
    const { KeyMetadata } = await kms.send(new CreateKeyCommand({ Origin: 'EXTERNAL', Description: 'nothing to rotate to' }));
    const keyId = KeyMetadata!.KeyId!;
    const refusal = await apiError(kms.send(new RotateKeyOnDemandCommand({ KeyId: keyId })));
    await openTab(keyId, 'Key rotation');
    // THEN automatic rotation is explained as unavailable for imported material
    await c.page.getByText('Automatic rotation is not available for keys with imported key material.', { exact: false }).waitFor();
    // WHEN the user tries Rotate now
    await c.button('Rotate now').click();
    const dialog = c.dialog();
    await dialog.getByRole('button', { name: 'Rotate key' }).click();
    // THEN the API's exception and message are shown, and nothing rotated
    const alert = dialog.getByRole('alert').filter({ hasText: refusal.name });
    await alert.waitFor();
    expect(await alert.innerText()).toContain(refusal.message);
    expect((await kms.send(new ListKeyRotationsCommand({ KeyId: keyId }))).Rotations).toEqual([]);
  });

  test('key rotation: Rotate now makes the imported material pending rotation current', async () => {
    // GIVEN an External key with its first material, and new material imported for rotation
    const { KeyMetadata } = await kms.send(new CreateKeyCommand({ Origin: 'EXTERNAL', Description: 'imported rotation' }));
    const keyId = KeyMetadata!.KeyId!;
    const first = await importMaterial(keyId, randomBytes(32));
    const next = await importMaterial(keyId, randomBytes(32), 'NEW_KEY_MATERIAL');
    await openTab(keyId, 'Key rotation');
    await c.page.getByText('This key has not been rotated.').waitFor();
    // WHEN the user rotates now
    await c.button('Rotate now').click();
    await c.dialog().getByRole('button', { name: 'Rotate key' }).click();
    // THEN the new material is current, on the page and in the API, and the first one stays for decryption
    const table = c.page.getByRole('table', { name: 'Key rotations' });
    await table.getByRole('row').filter({ hasText: next }).waitFor();
    expect(await table.getByRole('row').filter({ hasText: next }).innerText()).toContain('On demand');
    expect((await kms.send(new DescribeKeyCommand({ KeyId: keyId }))).KeyMetadata?.CurrentKeyMaterialId).toBe(next);
    await c.page.getByRole('tab', { name: 'Key material', exact: true }).click();
    await expect.poll(() => c.value('Current key material ID').innerText(), POLL).toBe(next);
    const materials = c.page.getByRole('table', { name: 'Key materials' });
    expect(await materials.getByRole('row').filter({ hasText: first }).innerText()).toContain('NON_CURRENT');
  });

  test('cryptographic configuration lists the key type, spec, usage and algorithms as DescribeKey reports them', async () => {
    const { KeyMetadata } = await kms.send(new CreateKeyCommand({ Description: 'crypto config' }));
    await openTab(KeyMetadata!.KeyId!, 'Cryptographic configuration');
    expect(await c.value('Key type').innerText()).toBe('Symmetric');
    expect(await c.value('Origin').innerText()).toBe('AWS KMS');
    expect(await c.value('Key spec').innerText()).toBe(KeyMetadata!.KeySpec);
    expect(await c.value('Key usage').innerText()).toBe(`Encrypt and decrypt (${KeyMetadata!.KeyUsage})`);
    expect(await c.value('Encryption algorithms').innerText()).toBe(KeyMetadata!.EncryptionAlgorithms!.join(', '));
    await expectNoSeriousAxeViolations('the Cryptographic configuration tab');
  });
});

describe('Create key', () => {
  test('offers key type, then key usage, then key spec, as the AWS console does', async () => {
    await c.open('#/create');
    const radios = (group: string) => c.page.getByRole('radiogroup', { name: group }).getByRole('radio');
    const labels = async (group: string) => (await radios(group).evaluateAll((els) => els.map((e) => e.getAttribute('value'))));
    // GIVEN Symmetric, the default: Encrypt and decrypt needs no spec choice
    expect(await c.page.getByRole('radio', { name: 'Symmetric', exact: true }).isChecked()).toBe(true);
    expect(await labels('Key usage')).toEqual(['ENCRYPT_DECRYPT', 'GENERATE_VERIFY_MAC']);
    expect(await c.page.getByRole('radiogroup', { name: 'Key spec' }).count()).toBe(0);
    // WHEN Generate and verify MAC is chosen THEN the HMAC specs are offered
    await c.page.getByRole('radio', { name: 'Generate and verify MAC' }).check();
    expect(await labels('Key spec')).toEqual(['HMAC_224', 'HMAC_256', 'HMAC_384', 'HMAC_512']);
    // WHEN Asymmetric is chosen THEN its three usages are offered, and each lists the specs AWS allows for it
    await c.page.getByRole('radio', { name: 'Asymmetric', exact: true }).check();
    expect(await labels('Key usage')).toEqual(['ENCRYPT_DECRYPT', 'SIGN_VERIFY', 'KEY_AGREEMENT']);
    expect(await labels('Key spec')).toEqual(['RSA_2048', 'RSA_3072', 'RSA_4096']);
    await c.page.getByRole('radio', { name: 'Sign and verify' }).check();
    expect(await labels('Key spec')).toEqual([
      'RSA_2048', 'RSA_3072', 'RSA_4096', 'ECC_NIST_P256', 'ECC_NIST_P384', 'ECC_NIST_P521', 'ECC_SECG_P256K1',
      'ECC_NIST_EDWARDS25519', 'ML_DSA_44', 'ML_DSA_65', 'ML_DSA_87',
    ]);
    await c.page.getByRole('radio', { name: 'Key agreement' }).check();
    expect(await labels('Key spec')).toEqual(['ECC_NIST_P256', 'ECC_NIST_P384', 'ECC_NIST_P521']);
    await expectNoSeriousAxeViolations('Create key with Asymmetric chosen');
    await settledScreenshot(c.page, join(ARTIFACTS, 'console-create-key.png'));

    // WHEN the user goes back to Symmetric and creates a KMS key
    await c.page.getByRole('radio', { name: 'Symmetric', exact: true }).check();
    await c.page.getByRole('radio', { name: 'KMS', exact: true }).check();
    await c.page.getByLabel('Alias').fill('alias/created-symmetric');
    await c.button('Create key').click();
    // THEN its detail page opens and DescribeKey agrees with the choice
    await c.waitForKeyDetail('alias/created-symmetric');
    const { KeyMetadata } = await kms.send(new DescribeKeyCommand({ KeyId: 'alias/created-symmetric' }));
    expect(KeyMetadata).toMatchObject({ KeySpec: 'SYMMETRIC_DEFAULT', KeyUsage: 'ENCRYPT_DECRYPT', Origin: 'AWS_KMS' });
    await c.page.getByRole('tab', { name: 'Cryptographic configuration' }).click();
    expect(await c.value('Key spec').innerText()).toBe('SYMMETRIC_DEFAULT');
  });

  test('creates a key with the key policy the user wrote; a malformed one is refused as the API states it', async () => {
    const policy = JSON.stringify({ Version: '2012-10-17', Statement: [{
      Sid: 'Enable IAM User Permissions', Effect: 'Allow', Principal: { AWS: `arn:aws:iam::${ACCOUNT}:root` }, Action: 'kms:*', Resource: '*',
    }] }, null, 2);
    const malformed = '{"Statement": "not a list"}';
    const refusal = await apiError(kms.send(new CreateKeyCommand({ Policy: malformed })));
    // GIVEN the Create key page with its Key policy section open
    await c.open('#/create');
    await c.page.getByRole('radio', { name: 'KMS', exact: true }).check();
    await c.page.getByText('Key policy - optional').click();
    const document = c.page.getByLabel('Key policy document (JSON)');
    await document.waitFor();
    await expectNoSeriousAxeViolations('Create key with its Key policy section open');
    // WHEN a malformed document is sent THEN the API's refusal is shown and nothing is created
    await document.fill(malformed);
    await c.button('Create key').click();
    await c.page.getByText(`${refusal.name}: ${refusal.message}`, { exact: true }).waitFor();
    // WHEN a valid one is sent THEN the key has exactly that policy
    await document.fill(policy);
    await c.page.getByLabel('Alias').fill('alias/created-with-policy');
    await c.button('Create key').click();
    await c.waitForKeyDetail('alias/created-with-policy');
    expect((await kms.send(new GetKeyPolicyCommand({ KeyId: (await kms.send(new DescribeKeyCommand({ KeyId: 'alias/created-with-policy' }))).KeyMetadata!.KeyId! }))).Policy).toBe(policy);
    expect(await c.page.getByLabel('Key policy document').textContent()).toBe(policy);
  });

  test('the page fetched nothing from outside the service and threw no errors', () => {
    expect(browser.outsideRequests).toEqual([]);
    expect(browser.pageErrors).toEqual([]);
  });
});
