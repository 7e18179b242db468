/** cdk-nag really runs on the app, and every accepted finding is acknowledged with a reason; stage context is validated at synth. */
import { App } from 'aws-cdk-lib';
import { describe, expect, test } from 'vitest';
import { stageConfig } from '../../lib/stage-config';
import { cdkContext, synthesize } from './support';

describe('cdk-nag AwsSolutions', () => {
  test('fails synthesis with the findings the app acknowledges, when they are not acknowledged', () => {
    // GIVEN the app without its acknowledgements, WHEN it is synthesized, THEN cdk-nag reports each one
    let message = '';
    try {
      synthesize({ acknowledge: false });
    } catch (err) {
      message = String(err);
    }
    expect(message).toContain('ValidationFailed');
    for (const finding of ['AwsSolutions-IAM5[Resource::arn:<AWS::Partition>:scheduler:', 'AwsSolutions-L1', 'AwsSolutions-APIG4']) {
      expect(message).toContain(finding);
    }
    // the console's function (L1) and its two unauthenticated routes (APIG4) are reported, each acknowledged on its own
    for (const path of ['Service/Console/Handler/Resource', 'Service/Console/IndexRoute/Resource', 'Service/Console/FilesRoute/Resource']) {
      expect(message).toContain(path);
    }
    // and nothing else: no IAM4 (managed policies), APIG1 (access logs), DDB3 (PITR), KMS5 (rotation), SQS2/3/4
    expect(message).not.toMatch(/AwsSolutions-(IAM4|APIG1|DDB3|KMS5|SQS2|SQS3|SQS4)\b/);
  });
  // The acknowledged app synthesizes with the pack registered: see stacks.test.ts (its beforeAll would throw otherwise).
});

describe('stage settings from context', () => {
  const nodeWith = (overrides: Record<string, unknown>) => new App({ context: cdkContext(overrides) }).node;

  test('dev is the default stage', () => {
    expect(stageConfig(nodeWith({}))).toEqual({ name: 'dev', logRetention: 14, deletionProtection: false, auth: 'enforce' });
  });

  test('fails for an unknown stage, naming the missing context entry', () => {
    expect(() => stageConfig(nodeWith({ stage: 'qa' }))).toThrow("context 'stages.qa' is missing");
  });

  test('fails for a malformed stage name', () => {
    expect(() => stageConfig(nodeWith({ stage: 'Prod_1' }))).toThrow("context 'stage' must match");
  });

  test('fails listing every invalid setting', () => {
    const stages = { dev: { logRetentionDays: 15, deletionProtection: 'yes', auth: 'maybe', colour: 'blue' } };
    expect(() => stageConfig(nodeWith({ stages }))).toThrow(
      /unknown setting 'colour'.*'logRetentionDays' must be one of.*'deletionProtection' must be true or false.*'auth' must be one of enforce, open/,
    );
  });
});
