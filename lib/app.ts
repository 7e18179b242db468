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
  /** Absent when the stage names an `existingState` (the retained table and root key of an earlier deployment). */
  readonly state?: KeyStateStack;
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
  const state = stage.existingState
    ? undefined
    : new KeyStateStack(app, `ByokKms-${stage.name}-State`, {
        stackName: `byok-kms-${stage.name}-state`,
        description: 'byok-kms stateful resources: key table, audit table and root key (retained on delete)',
        deletionProtection: stage.deletionProtection,
        // Termination protection: `cdk destroy` of this stack fails until it is turned off (README, "Destroy").
        terminationProtection: stage.deletionProtection,
        tableKey: stage.tableKey,
      });
  const service = new KmsServiceStack(app, `ByokKms-${stage.name}-Service`, {
    stackName: `byok-kms-${stage.name}-service`,
    description: 'byok-kms stateless resources: KMS API (API Gateway + Lambda), timers (EventBridge Scheduler + Lambda), web console (Lambda)',
    ...(state ? { table: state.table, auditTable: state.auditTable, rootKey: state.rootKey, ...(state.tableKey && { tableKey: state.tableKey }) } : { existingState: stage.existingState! }),
    stageName: stage.name,
    auth: stage.auth,
    logRetention: stage.logRetention,
    frontDoor: stage.frontDoor,
    ...(stage.alarmEmail && { alarmEmail: stage.alarmEmail }),
  });
  if (state) service.addStackDependency(state);
  if (options.acknowledge ?? true) acknowledgeFindings(service);
  if (options.nag ?? true) Validations.of(app).addPlugins(new AwsSolutionsChecks(app, { verbose: true }));
  return { stage, ...(state && { state }), service };
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
  const sigV4 =
    'KMS clients sign with SigV4 for the service name `kms`, which API Gateway IAM authorization (execute-api) or a Cognito authorizer cannot verify; the API function verifies every signature against credentials the service issued (design decision 5).';
  const publicFiles =
    'The console routes serve public static files (the same for everyone, no secrets); the console signs its KMS calls with credentials the user enters, and the API function verifies them.';
  acknowledge(service.api.api, 'AwsSolutions-APIG4', sigV4);
  for (const route of service.console.routes) acknowledge(route, 'AwsSolutions-APIG4', publicFiles);
  if (service.api.restApi) {
    // The REST API front door (LocalStack's free plan) is checked by more rules than the HTTP API.
    acknowledge(service.api.restApi, 'AwsSolutions-COG4', sigV4);
    for (const route of service.console.routes) acknowledge(route, 'AwsSolutions-COG4', publicFiles);
    acknowledge(
      service.api.restApi,
      'AwsSolutions-APIG2',
      'Every request is validated by the API function against the KMS service model (members, types, ranges: ValidationException as AWS words it); a gateway model would duplicate it with other messages.',
    );
    acknowledge(
      service.api.restApi,
      'AwsSolutions-APIG6',
      'Execution logging needs the account-wide API Gateway CloudWatch role, which this app does not create (@aws-cdk/aws-apigateway:disableCloudWatchRole); the stage writes access logs and the function logs every failure.',
    );
    acknowledge(
      service.api.restApi,
      'AwsSolutions-APIG3',
      'No WAF web ACL (a fixed monthly charge, and the HTTP API front door cannot have one either): every request is authenticated by SigV4 in the function and the stage is throttled.',
    );
  }
}
