/** Builds the real CDK app (lib/app.ts) for template assertions, without bundling (no esbuild, no Docker). */
import { readFileSync } from 'node:fs';
import { App } from 'aws-cdk-lib';
import { Template } from 'aws-cdk-lib/assertions';
import { type BuildOptions, type ByokKmsStacks, buildApp } from '../../lib/app';

/** The context cdk.json gives the CLI, plus any overrides. */
export function cdkContext(overrides: Record<string, unknown> = {}): Record<string, unknown> {
  const { context } = JSON.parse(readFileSync(new URL('../../cdk.json', import.meta.url), 'utf8')) as { context: Record<string, unknown> };
  return { ...context, 'aws:cdk:bundling-stacks': [], ...overrides };
}

export interface Synthesized extends ByokKmsStacks {
  readonly app: App;
  /** Absent when the stage uses an existing table and root key (no state stack). */
  readonly stateTemplate?: Template;
  readonly serviceTemplate: Template;
}

/** Synthesizes both stacks (running cdk-nag unless told otherwise); throws what synthesis throws. */
export function synthesize(options: BuildOptions & { readonly context?: Record<string, unknown> } = {}): Synthesized {
  const app = new App({ context: cdkContext(options.context) });
  const stacks = buildApp(app, options);
  app.synth(); // runs the validation plugins (cdk-nag): throws ValidationFailed on any unacknowledged finding
  return { ...stacks, app, ...(stacks.state && { stateTemplate: Template.fromStack(stacks.state) }), serviceTemplate: Template.fromStack(stacks.service) };
}
