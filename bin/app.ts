#!/usr/bin/env node
// CDK composition only: the stage's stacks (stateful + stateless) with cdk-nag applied. See lib/app.ts.
// The console function's bundle carries console/dist, so the console is built first (incremental:
// nothing happens when console/dist is newer than its sources), unless this run bundles nothing.
import { execFileSync } from 'node:child_process';
import { join } from 'node:path';
import { App } from 'aws-cdk-lib';
import { buildApp } from '../lib/app';
import { PROJECT_ROOT } from '../lib/constructs/service-function';

const app = new App();
const bundling: unknown = app.node.tryGetContext('aws:cdk:bundling-stacks');
if (!Array.isArray(bundling) || bundling.length > 0) {
  try {
    // Its output goes to stderr: stdout belongs to the CDK CLI.
    execFileSync(process.execPath, [join(PROJECT_ROOT, 'scripts', 'build-console.mjs')], { cwd: PROJECT_ROOT, stdio: ['ignore', 2, 2] });
  } catch {
    process.stderr.write('byok-kms: the web console did not build (see above); the stack serves it from console/dist.\n');
    process.exit(1);
  }
}
buildApp(app);
