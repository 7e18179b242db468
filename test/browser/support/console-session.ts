/** The set-up most browser files share: the console built as `npm start` builds it, a real server, and chromium on it. */
import { startLocalServer, type LocalServer, type LocalServerOptions } from '../../support/local-server';
import { launchBrowser, requireChromium, type Browser } from './browser';
import { buildConsoleOnce } from './console-build';
import { ConsolePage } from './console-page';

export interface ConsoleSession {
  readonly server: LocalServer;
  readonly browser: Browser;
  readonly c: ConsolePage;
}

export async function startConsoleSession(
  serverOptions: LocalServerOptions = { inMemory: true },
  launchOptions: { readonly expectedRefusals?: readonly string[]; readonly otherOrigins?: readonly string[] } = {},
): Promise<ConsoleSession> {
  requireChromium(); // before the slow build: a missing browser fails at once
  await buildConsoleOnce();
  const server = await startLocalServer(serverOptions);
  const browser = await launchBrowser(server.endpoint, launchOptions.expectedRefusals, { otherOrigins: launchOptions.otherOrigins });
  return { server, browser, c: new ConsolePage(browser.page, server.endpoint) };
}
