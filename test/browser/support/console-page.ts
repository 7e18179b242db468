/** What a user does and reads in the console, in the console's own words (roles and labels, not CSS). */
import { readFileSync } from 'node:fs';
import type { Locator, Page } from 'playwright-core';

export class ConsolePage {
  constructor(readonly page: Page, readonly endpoint: string) {}

  /** Loads the console afresh (no state kept from before) at a route, e.g. '#/keys' or '#/keys/alias%2Fdemo'. */
  async open(route = '#/keys'): Promise<void> {
    // A hash-only change would keep the page (and its selection); leave it first.
    await this.page.goto('about:blank');
    await this.page.goto(`${this.endpoint}/console/${route}`);
    await this.page.getByRole('heading', { level: 1 }).first().waitFor();
  }

  /** Saves credentials on the Settings page, as a user switching account does. */
  async useCredentials(accessKeyId: string, secretAccessKey?: string): Promise<void> {
    await this.open('#/settings');
    await this.page.getByLabel('Access key ID').fill(accessKeyId);
    if (secretAccessKey !== undefined) await this.page.getByLabel('Secret access key').fill(secretAccessKey);
    await this.button('Save').click();
  }

  heading(name: string | RegExp): Locator {
    return this.page.getByRole('heading', { name });
  }

  button(name: string | RegExp): Locator {
    return this.page.getByRole('button', { name, exact: typeof name === 'string' });
  }

  /** The keys table row that names the key (alias or key ID). */
  keyRow(name: string): Locator {
    return this.page.getByRole('row').filter({ has: this.page.getByRole('checkbox', { name: `Select key ${name}` }) });
  }

  async selectKey(name: string): Promise<void> {
    await this.page.getByRole('checkbox', { name: `Select key ${name}` }).check();
  }

  menuItem(name: string): Locator {
    return this.page.getByRole('menuitem', { name, exact: true });
  }

  /** Opens Key actions (the one in the page header) and chooses `action`. */
  async keyAction(action: string): Promise<void> {
    await this.button('Key actions').click();
    await this.menuItem(action).click();
  }

  dialog(): Locator {
    return this.page.getByRole('dialog');
  }

  /** The value shown next to `label` in a key-value section (General configuration, Key material). */
  value(label: string): Locator {
    return this.page.locator('dl > div')
      .filter({ has: this.page.locator('dt', { hasText: new RegExp(`^${label.replace(/[()]/g, '\\$&')}$`) }) })
      .locator('dd');
  }

  /** The notification bar at the top of the page. */
  notifications(): Locator {
    return this.page.getByRole('region', { name: 'Notifications' });
  }

  /** Waits for the key detail page of `name` to be loaded. */
  async waitForKeyDetail(name: string): Promise<void> {
    await this.page.getByRole('heading', { level: 1, name }).waitFor();
    await this.page.getByRole('heading', { name: 'General configuration' }).waitFor();
  }

  /** Clicks a button that downloads a file and returns the file's bytes. */
  async download(buttonName: string): Promise<{ name: string; bytes: Buffer }> {
    const [download] = await Promise.all([this.page.waitForEvent('download'), this.button(buttonName).click()]);
    const path = await download.path();
    return { name: download.suggestedFilename(), bytes: readFileSync(path) };
  }

  /** The file inputs of the current wizard step, in page order. */
  fileInput(index = 0): Locator {
    return this.page.locator('input[type=file]').nth(index);
  }
}
