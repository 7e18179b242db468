/**
 * Debian's chromium driven by playwright-core, for the console tests: a fresh profile per launch, nothing
 * fetched from outside the service under test, axe-core injected from node_modules.
 *
 * Motion is off (`prefers-reduced-motion: reduce`, which Cloudscape honours), and axe and screenshots wait for any
 * animation that still runs to end: on a loaded machine a dialog measured while fading in fails color-contrast.
 */
import { existsSync, mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { createRequire } from 'node:module';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { chromium, type BrowserContext, type Page } from 'playwright-core';

export const CHROMIUM = process.env.CHROMIUM_PATH ?? '/usr/bin/chromium';
/** Prefix of the console message a CSP violation is reported with. */
const CSP_MARK = 'csp-violation: ';

export interface Browser {
  readonly context: BrowserContext;
  readonly page: Page;
  /** Requests the page tried to make to anywhere but the service under test (all were refused). */
  readonly outsideRequests: string[];
  /** Uncaught exceptions in the page. */
  readonly pageErrors: string[];
  /** What the page's Content-Security-Policy refused: `<directive> <blocked URI>`. */
  readonly cspViolations: string[];
  close(): Promise<void>;
}

/** Fails, saying what to install, when chromium is missing. */
export function requireChromium(): void {
  if (!existsSync(CHROMIUM)) {
    throw new Error(`chromium is not installed at ${CHROMIUM}; the console tests need it: apt-get install chromium`);
  }
}

/**
 * Launches headless chromium allowed to talk to `origin` (and `otherOrigins`) only; other requests are refused and
 * recorded, except those a test makes on purpose (`expectedRefusals`). Fails, naming the package, when chromium
 * is missing.
 */
export async function launchBrowser(
  origin: string,
  expectedRefusals: readonly string[] = [],
  options: { readonly otherOrigins?: readonly string[]; readonly args?: readonly string[] } = {},
): Promise<Browser> {
  requireChromium();
  const profile = mkdtempSync(join(tmpdir(), 'byok-kms-chromium-'));
  const context = await chromium.launchPersistentContext(profile, {
    executablePath: CHROMIUM,
    headless: true,
    args: [
      '--headless', '--no-sandbox', '--disable-gpu', '--disable-background-networking', '--disable-component-update',
      '--disable-sync', '--no-first-run', ...(options.args ?? []),
    ],
    viewport: { width: 1440, height: 960 },
    acceptDownloads: true,
    locale: 'en-US',
    timezoneId: 'UTC',
    reducedMotion: 'reduce',
  });
  const outsideRequests: string[] = [];
  const pageErrors: string[] = [];
  await context.route('**/*', (route) => {
    const url = route.request().url();
    const allowed = [origin, ...(options.otherOrigins ?? [])].some((o) => url.startsWith(`${o}/`));
    if (allowed || url.startsWith('data:') || url.startsWith('blob:')) return route.continue();
    if (!expectedRefusals.includes(url)) outsideRequests.push(url);
    return route.abort();
  });
  const cspViolations: string[] = [];
  // Runs in every page before its own scripts; the report travels back as a console message.
  await context.addInitScript((mark: string) => {
    const doc = (globalThis as unknown as { document: { addEventListener(type: string, f: (e: { violatedDirective: string; blockedURI: string }) => void): void } }).document;
    doc.addEventListener('securitypolicyviolation', (e) => console.error(`${mark}${e.violatedDirective} ${e.blockedURI}`));
  }, CSP_MARK);
  const page = context.pages()[0] ?? (await context.newPage());
  page.on('pageerror', (error) => pageErrors.push(error.message));
  page.on('console', (message) => {
    if (message.text().startsWith(CSP_MARK)) cspViolations.push(message.text().slice(CSP_MARK.length));
  });
  // A bound for reporting a hang by name, below the tests' own timeout; every wait is for an outcome.
  page.setDefaultTimeout(90_000);
  return {
    context,
    page,
    outsideRequests,
    pageErrors,
    cspViolations,
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

/**
 * Resolves once no finite animation or transition runs in the page (an infinite one, e.g. a spinner, never ends and
 * is left alone). With reduced motion there is usually none; this covers any the console adds later.
 */
export async function animationsSettled(page: Page): Promise<void> {
  await page.evaluate(async () => {
    // Runs in the page; this project's TypeScript has no DOM types, hence the local shape.
    type Running = { playState: string; finished: Promise<unknown>; effect: { getComputedTiming(): { endTime?: number | string } } | null };
    const doc = (globalThis as unknown as { document: { getAnimations(): Running[] } }).document;
    const finite = (a: Running) => a.playState === 'running' && Number.isFinite(Number(a.effect?.getComputedTiming().endTime));
    // An animation that ends may start another (a dialog's content after its frame): wait until none is left.
    for (let running = doc.getAnimations().filter(finite); running.length > 0; running = doc.getAnimations().filter(finite)) {
      await Promise.all(running.map((a) => a.finished.catch(() => undefined))); // a cancelled one rejects
    }
  });
}

/** Screenshot of the whole page once animations have ended (and with any still running shown at their end). */
export async function settledScreenshot(page: Page, path: string): Promise<void> {
  await animationsSettled(page);
  await page.screenshot({ path, fullPage: true, animations: 'disabled' });
}

/** Runs axe-core on the current page once animations have ended; returns the serious and critical violations. */
export async function seriousAxeViolations(page: Page): Promise<AxeViolation[]> {
  await animationsSettled(page);
  // The callbacks run in the page; this project's TypeScript has no DOM types, hence globalThis.
  const loaded = await page.evaluate(() => 'axe' in globalThis);
  // Evaluated through the DevTools protocol: an injected <script> would be refused by the console's CSP.
  if (!loaded) await page.evaluate(readFileSync(AXE_SOURCE, 'utf8'));
  return page.evaluate(async () => {
    type Result = { violations: { id: string; impact: string | null; help: string; nodes: { target: unknown[] }[] }[] };
    const axe = (globalThis as unknown as { axe: { run: (options: object) => Promise<Result> } }).axe;
    const result = await axe.run({ resultTypes: ['violations'] });
    return result.violations
      .filter((v) => v.impact === 'serious' || v.impact === 'critical')
      .map((v) => ({ id: v.id, impact: v.impact, help: v.help, targets: v.nodes.map((n) => n.target.join(' ')) }));
  });
}
