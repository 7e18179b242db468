/**
 * The CDK app's composition, shared by bin/app.ts and the tests: the stage's two stacks, with
 * cdk-nag's AwsSolutions checks registered as a policy-validation plugin (cdk-nag v3). Every
 * acknowledged finding carries its reason here; synth fails on any other finding.
 */
import { type App, Validations } from 'aws-cdk-lib';
import type { IConstruct } from 'constructs';
import { AwsSolutionsChecks } from 'cdk-nag';
import { KeyStateStack } from './key-state-stack';
import { KmsServiceStack } from './kms-service-stack';
import { type StageConfig, stageConfig } from './stage-config';

export interface ByokKmsStacks {
  readonly stage: StageConfig;
  readonly state: KeyStateStack;
  readonly service: KmsServiceStack;
}

export interface BuildOptions {
  /** Register cdk-nag's AwsSolutions pack. @default true */
  readonly nag?: boolean;
  /** Acknowledge the accepted findings (tests turn this off to see that the pack really runs). @default true */
  readonly acknowledge?: boolean;
}

/** Adds the stage's stacks to `app` (environment-agnostic: `cdk synth` needs no account, network or lookup). */
export function buildApp(app: App, options: BuildOptions = {}): ByokKmsStacks {
  const stage = stageConfig(app.node);
  const state = new KeyStateStack(app, `ByokKms-${stage.name}-State`, {
    stackName: `byok-kms-${stage.name}-state`,
    description: 'byok-kms stateful resources: key table and root key (retained on delete)',
    deletionProtection: stage.deletionProtection,
    terminationProtection: stage.deletionProtection,
  });
  const service = new KmsServiceStack(app, `ByokKms-${stage.name}-Service`, {
    stackName: `byok-kms-${stage.name}-service`,
    description: 'byok-kms stateless resources: KMS API (API Gateway + Lambda), timers (EventBridge Scheduler + Lambda), web console (Lambda)',
    table: state.table,
    rootKey: state.rootKey,
    stageName: stage.name,
    auth: stage.auth,
    logRetention: stage.logRetention,
  });
  service.addStackDependency(state);
  if (options.acknowledge ?? true) acknowledgeFindings(service);
  if (options.nag ?? true) Validations.of(app).addPlugins(new AwsSolutionsChecks(app, { verbose: true }));
  return { stage, state, service };
}

function acknowledge(scope: IConstruct, id: string, reason: string): void {
  Validations.of(scope).acknowledge({ id, reason });
}

/** The findings this design accepts, each with the reason it is accepted. */
function acknowledgeFindings(service: KmsServiceStack): void {
  const scheduleArn = `Resource::arn:<AWS::Partition>:scheduler:<AWS::Region>:<AWS::AccountId>:schedule/${service.timers.groupName}/*`;
  for (const fn of [service.api.handler, service.timers.handler]) {
    acknowledge(
      fn.role!,
      `AwsSolutions-IAM5[${scheduleArn}]`,
      "Schedule names are made at run time (one per timer: del-/exp-<key id>-<due second>); the wildcard is confined to this stage's schedule group.",
    );
  }
  for (const fn of [service.api.handler, service.timers.handler, service.console.handler]) {
    acknowledge(fn, 'AwsSolutions-L1', 'The runtime is pinned to nodejs22.x on purpose: the version the project builds and tests against. Bump it deliberately.');
  }
  acknowledge(
    service.api.api,
    'AwsSolutions-APIG4',
    'KMS clients sign with SigV4 for the service name `kms`, which API Gateway IAM authorization (execute-api) cannot verify; the API function verifies every signature against credentials the service issued (design decision 5).',
  );
  for (const route of service.console.routes) {
    acknowledge(
      route,
      'AwsSolutions-APIG4',
      'The console routes serve public static files (the same for everyone, no secrets); the console signs its KMS calls with credentials the user enters, and the API function verifies them.',
    );
  }
}
