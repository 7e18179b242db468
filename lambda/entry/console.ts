// The console function's entry: lib/constructs/console-site.ts copies console/dist into `console/` beside this bundle.
import { fileURLToPath } from 'node:url';
import { acceptingRestApiEvents } from '../adapters/apigw/rest-api-event';
import { makeConsoleHandler } from '../handlers/console';

export const handler = acceptingRestApiEvents(makeConsoleHandler({ assetsDir: fileURLToPath(new URL('console', import.meta.url)) }));
