/**
 * Debian's chromium driven by playwright-core, for the console tests: a fresh profile per launch, nothing
 * fetched from outside the service under test, axe-core injected from node_modules.
 */
import { existsSync, mkdtempSync, rmSync } from 'node:fs';
import { createRequire } from 'node:module';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { chromium, type BrowserContext, type Page } from 'playwright-core';

export const CHROMIUM = process.env.CHROMIUM_PATH ?? '/usr/bin/chromium';

export interface Browser {
  readonly context: BrowserContext;
  readonly page: Page;
  /** Requests the page tried to make to anywhere but the service under test (all were refused). */
  readonly outsideRequests: string[];
  /** Uncaught exceptions in the page. */
  readonly pageErrors: string[];
  close(): Promise<void>;
}

/** Fails, saying what to install, when chromium is missing. */
export function requireChromium(): void {
  if (!existsSync(CHROMIUM)) {
    throw new Error(`chromium is not installed at ${CHROMIUM}; the console tests need it: apt-get install chromium`);
  }
}

/**
 * Launches headless chromium allowed to talk to `origin` only; other requests are refused and recorded, except
 * those a test makes on purpose (`expectedRefusals`). Fails, naming the package, when chromium is missing.
 */
export async function launchBrowser(origin: string, expectedRefusals: readonly string[] = []): Promise<Browser> {
  requireChromium();
  const profile = mkdtempSync(join(tmpdir(), 'byok-kms-chromium-'));
  const context = await chromium.launchPersistentContext(profile, {
    executablePath: CHROMIUM,
    headless: true,
    args: [
      '--headless', '--no-sandbox', '--disable-gpu', '--disable-background-networking', '--disable-component-update',
      '--disable-sync', '--no-first-run',
    ],
    viewport: { width: 1440, height: 960 },
    acceptDownloads: true,
    locale: 'en-US',
    timezoneId: 'UTC',
  });
  const outsideRequests: string[] = [];
  const pageErrors: string[] = [];
  await context.route('**/*', (route) => {
    const url = route.request().url();
    if (url.startsWith(`${origin}/`) || url.startsWith('data:') || url.startsWith('blob:')) return route.continue();
    if (!expectedRefusals.includes(url)) outsideRequests.push(url);
    return route.abort();
  });
  const page = context.pages()[0] ?? (await context.newPage());
  page.on('pageerror', (error) => pageErrors.push(error.message));
  page.setDefaultTimeout(30_000);
  return {
    context,
    page,
    outsideRequests,
    pageErrors,
    close: async () => {
      await context.close();
      rmSync(profile, { recursive: true, force: true });
    },
  };
}

const AXE_SOURCE = createRequire(import.meta.url).resolve('axe-core/axe.min.js');

export interface AxeViolation {
  id: string;
  impact: string | null;
  help: string;
  targets: string[];
}

/** Runs axe-core on the current page; returns the serious and critical violations. */
export async function seriousAxeViolations(page: Page): Promise<AxeViolation[]> {
  // The callbacks run in the page; this project's TypeScript has no DOM types, hence globalThis.
  const loaded = await page.evaluate(() => 'axe' in globalThis);
  if (!loaded) await page.addScriptTag({ path: AXE_SOURCE });
  return page.evaluate(async () => {
    type Result = { violations: { id: string; impact: string | null; help: string; nodes: { target: unknown[] }[] }[] };
    const axe = (globalThis as unknown as { axe: { run: (options: object) => Promise<Result> } }).axe;
    const result = await axe.run({ resultTypes: ['violations'] });
    return result.violations
      .filter((v) => v.impact === 'serious' || v.impact === 'critical')
      .map((v) => ({ id: v.id, impact: v.impact, help: v.help, targets: v.nodes.map((n) => n.target.join(' ')) }));
  });
}
