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
    expect(stageConfig(nodeWith({}))).toEqual({ name: 'dev', logRetention: 14, deletionProtection: false, auth: 'enforce', frontDoor: 'http-api', tableKey: 'dynamodb-owned' });
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

  test('fails listing every invalid optional setting: front door, alarm e-mail, table key, existing state', () => {
    const base = { logRetentionDays: 14, deletionProtection: false, auth: 'enforce' };
    const stages = { dev: { ...base, frontDoor: 'grpc', alarmEmail: 'ops', tableKey: 'mine', existingState: { tableName: 'k', rootKeyArn: 'key-1', extra: 1 } } };
    expect(() => stageConfig(nodeWith({ stages }))).toThrow(
      /'frontDoor' must be one of http-api, rest-api.*'alarmEmail' must be an e-mail address.*'tableKey' must be one of dynamodb-owned, customer-managed.*unknown setting 'existingState.extra'.*'existingState.tableName' must be a DynamoDB table name.*'existingState.auditTableName' must be a DynamoDB table name.*'existingState.rootKeyArn' must be a KMS key ARN/,
    );
    const adopted = { dev: { ...base, tableKey: 'customer-managed', existingState: { tableName: 'keys', auditTableName: 'audit', rootKeyArn: 'arn:aws:kms:eu-west-1:111122223333:key/00000000-0000-0000-0000-000000000000' } } };
    expect(() => stageConfig(nodeWith({ stages: adopted }))).toThrow(/'tableKey' applies to a table the stage creates; with 'existingState' give the table's key as 'existingState.tableKeyArn'/);
  });

  test('the localstack stage reaches the API through a REST API (LocalStack\'s free plan serves no HTTP APIs)', () => {
    expect(stageConfig(nodeWith({ stage: 'localstack' }))).toMatchObject({ name: 'localstack', frontDoor: 'rest-api' });
  });
});
