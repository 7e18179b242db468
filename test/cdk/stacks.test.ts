/**
 * Template assertions for both stacks of the dev stage, synthesized once with cdk-nag's
 * AwsSolutions pack registered: if any finding were not acknowledged, synthesis would throw.
 */
import { Match, type Template } from 'aws-cdk-lib/assertions';
import { beforeAll, describe, expect, test } from 'vitest';
import { ROOT_KEY_TAG } from '../../lib/constructs/key-state';
import { ENV } from '../../lambda/runtime/env-names';
import { type Synthesized, synthesize } from './support';

type Resources = Record<string, { Type: string; Properties?: Record<string, unknown>; DeletionPolicy?: string; UpdateReplacePolicy?: string }>;
type Statement = { Effect: string; Action: string | string[]; Resource: unknown; Condition?: unknown };

let dev: Synthesized;
beforeAll(() => {
  dev = synthesize();
});

const resources = (t: Template, type: string) => t.findResources(type) as Resources;
const only = (t: Template, type: string) => {
  const found = Object.entries(resources(t, type));
  expect(found).toHaveLength(1);
  return found[0]!;
};
/** A table of the stateful stack, by logical id (`KeyStateTable…` holds keys, `KeyStateAuditTable…` the audit trail). */
const tableOf = (t: Template, idPrefix: string) => {
  const found = Object.entries(resources(t, 'AWS::DynamoDB::GlobalTable')).filter(([id]) => id.startsWith(idPrefix));
  expect(found).toHaveLength(1);
  return found[0]!;
};
const actions = (s: Statement) => (Array.isArray(s.Action) ? s.Action : [s.Action]);

/** Policy statements attached to the role whose logical id starts with `rolePrefix`. */
function statementsOf(t: Template, rolePrefix: string): Statement[] {
  return Object.values(resources(t, 'AWS::IAM::Policy'))
    .filter((p) => JSON.stringify((p.Properties as { Roles: unknown }).Roles).includes(rolePrefix))
    .flatMap((p) => (p.Properties as { PolicyDocument: { Statement: Statement[] } }).PolicyDocument.Statement);
}

/** The integration a route targets (`integrations/<ref>`). */
function integrationOf(t: Template, route: { Properties?: Record<string, unknown> }): Record<string, unknown> | undefined {
  const ref = JSON.stringify(route.Properties?.Target).match(/"Ref":"([^"]+)"/)?.[1];
  return ref ? resources(t, 'AWS::ApiGatewayV2::Integration')[ref]?.Properties : undefined;
}

function functionNamed(t: Template, entryDescription: RegExp) {
  const found = Object.entries(resources(t, 'AWS::Lambda::Function')).find(([, r]) => entryDescription.test(String(r.Properties?.Description)));
  expect(found).toBeDefined();
  return found!;
}

describe('stateful stack', () => {
  /** A table of the stateful stack: on demand, pk/sk, point-in-time recovery, DynamoDB's own key, retained. */
  const expectStateTable = (idPrefix: string) => {
    const [, table] = tableOf(dev.stateTemplate!, idPrefix);
    expect(table.DeletionPolicy).toBe('Retain');
    expect(table.UpdateReplacePolicy).toBe('Retain');
    expect(table.Properties).toMatchObject({
      BillingMode: 'PAY_PER_REQUEST',
      KeySchema: [
        { AttributeName: 'pk', KeyType: 'HASH' },
        { AttributeName: 'sk', KeyType: 'RANGE' },
      ],
      // SSEEnabled false is DynamoDB's owned key (still encrypted at rest): no KMS requests, no charge
      SSESpecification: { SSEEnabled: false },
      Replicas: [{ DeletionProtectionEnabled: false, PointInTimeRecoverySpecification: { PointInTimeRecoveryEnabled: true } }],
    });
    return table;
  };

  test('the key table: on demand, pk/sk, point-in-time recovery, encrypted with DynamoDB\'s own key, retained, deletion protection from the stage', () => {
    expect(Object.keys(resources(dev.stateTemplate!, 'AWS::DynamoDB::GlobalTable'))).toHaveLength(2);
    const table = expectStateTable('KeyStateTable');
    // the credentials CLI finds the root key through this tag
    expect(JSON.stringify(table.Properties)).toContain(ROOT_KEY_TAG);
  });

  test('the audit table: like the key table (on demand, pk/sk, point-in-time recovery, DynamoDB\'s own key, retained), plus a TTL on expiresAt', () => {
    const table = expectStateTable('KeyStateAuditTable');
    expect(table.Properties).toMatchObject({ TimeToLiveSpecification: { AttributeName: 'expiresAt', Enabled: true } });
    expect((dev.stateTemplate!.toJSON().Outputs as Record<string, unknown>).AuditTableName).toBeDefined();
  });

  test('the root key: AWS_KMS origin, symmetric, rotation enabled, retained', () => {
    const [, key] = only(dev.stateTemplate!, 'AWS::KMS::Key');
    expect(key.DeletionPolicy).toBe('Retain');
    expect(key.Properties).toMatchObject({ Origin: 'AWS_KMS', EnableKeyRotation: true });
    expect(key.Properties?.KeySpec ?? 'SYMMETRIC_DEFAULT').toBe('SYMMETRIC_DEFAULT');
  });

  test('deletion protection is switched on by the stage context', () => {
    const prod = synthesize({ context: { stage: 'prod' }, nag: false });
    for (const prefix of ['KeyStateTable', 'KeyStateAuditTable']) {
      expect(tableOf(prod.stateTemplate!, prefix)[1].Properties, prefix).toMatchObject({ Replicas: [{ DeletionProtectionEnabled: true }] });
    }
    expect(prod.state!.terminationProtection).toBe(true);
    expect(prod.state!.stackName).toBe('byok-kms-prod-state');
  });
});

describe('stateless stack', () => {
  test('three functions (API, timers, console), all nodejs22.x on arm64 with source maps, each with its own log group', () => {
    const functions = Object.values(resources(dev.serviceTemplate, 'AWS::Lambda::Function'));
    expect(functions).toHaveLength(3);
    for (const fn of functions) {
      expect(fn.Properties).toMatchObject({
        Runtime: 'nodejs22.x',
        Architectures: ['arm64'],
        Handler: 'index.handler',
        LoggingConfig: { LogGroup: { Ref: expect.any(String) } },
        Environment: { Variables: expect.objectContaining({ NODE_OPTIONS: '--enable-source-maps', POWERTOOLS_SERVICE_NAME: 'byok-kms' }) },
      });
    }
    const groups = Object.values(resources(dev.serviceTemplate, 'AWS::Logs::LogGroup'));
    expect(groups).toHaveLength(4); // three functions and the API's access log
    for (const g of groups) expect(g.Properties).toMatchObject({ RetentionInDays: 14 });
  });

  test('the API function gets its configuration from the environment, with enforced SigV4', () => {
    const [, api] = functionNamed(dev.serviceTemplate, /byok-kms API/);
    const vars = (api.Properties as { Environment: { Variables: Record<string, unknown> } }).Environment.Variables;
    for (const name of [ENV.KEY_TABLE, ENV.ROOT_KEY_ARN, ENV.TIMER_GROUP, ENV.TIMER_TARGET_ARN, ENV.TIMER_ROLE_ARN, ENV.TIMER_DLQ_ARN, ENV.AUDIT_TABLE, ENV.EVENT_BUS]) {
      expect(vars[name], name).toBeDefined();
    }
    expect(vars[ENV.AUTH_MODE]).toBe('enforce');
    expect(vars[ENV.TIMER_GROUP]).toBe('byok-kms-dev-timers');
  });

  test('an HTTP API whose only POST route, POST /, is proxied to the API function on the $default stage with access logs', () => {
    const [, api] = only(dev.serviceTemplate, 'AWS::ApiGatewayV2::Api');
    expect(api.Properties).toMatchObject({ ProtocolType: 'HTTP' });
    const routes = Object.values(resources(dev.serviceTemplate, 'AWS::ApiGatewayV2::Route'));
    expect(routes.map((r) => r.Properties?.RouteKey).sort()).toEqual(['GET /console', 'GET /console/{proxy+}', 'POST /']);
    const route = routes.find((r) => r.Properties?.RouteKey === 'POST /')!;
    expect(route.Properties?.AuthorizationType ?? 'NONE').toBe('NONE'); // SigV4 is verified in the function
    const [apiFnId] = functionNamed(dev.serviceTemplate, /byok-kms API/);
    const integration = integrationOf(dev.serviceTemplate, route);
    expect(integration).toMatchObject({ IntegrationType: 'AWS_PROXY', PayloadFormatVersion: '2.0', IntegrationUri: { 'Fn::GetAtt': [apiFnId, 'Arn'] } });
    const [, stage] = only(dev.serviceTemplate, 'AWS::ApiGatewayV2::Stage');
    expect(stage.Properties).toMatchObject({
      StageName: '$default',
      AutoDeploy: true,
      AccessLogSettings: { DestinationArn: expect.anything(), Format: expect.stringContaining('$context.requestId') },
      DefaultRouteSettings: { ThrottlingRateLimit: 100, ThrottlingBurstLimit: 200 },
    });
  });

  test('a schedule group, and a timer function with a fixed name that retries twice, then dead-letters', () => {
    expect(only(dev.serviceTemplate, 'AWS::Scheduler::ScheduleGroup')[1].Properties).toEqual({ Name: 'byok-kms-dev-timers' });
    const [, timer] = functionNamed(dev.serviceTemplate, /byok-kms timers/);
    const [queueId] = only(dev.serviceTemplate, 'AWS::SQS::Queue');
    expect(timer.Properties).toMatchObject({
      FunctionName: 'byok-kms-dev-timer',
      DeadLetterConfig: { TargetArn: { 'Fn::GetAtt': [queueId, 'Arn'] } },
    });
    dev.serviceTemplate.hasResourceProperties('AWS::Lambda::EventInvokeConfig', { MaximumRetryAttempts: 2, MaximumEventAgeInSeconds: 21_600 });
  });

  test('the dead-letter queue is encrypted, TLS-only, and alarmed on', () => {
    const [queueId, queue] = only(dev.serviceTemplate, 'AWS::SQS::Queue');
    expect(queue.Properties).toMatchObject({ SqsManagedSseEnabled: true, MessageRetentionPeriod: 14 * 86_400 });
    dev.serviceTemplate.hasResourceProperties('AWS::SQS::QueuePolicy', {
      PolicyDocument: { Statement: Match.arrayWith([Match.objectLike({ Effect: 'Deny', Condition: { Bool: { 'aws:SecureTransport': 'false' } } })]) },
    });
    const [, alarm] = only(dev.serviceTemplate, 'AWS::CloudWatch::Alarm');
    expect(alarm.Properties).toMatchObject({
      MetricName: 'ApproximateNumberOfMessagesVisible',
      Namespace: 'AWS/SQS',
      Threshold: 1,
      ComparisonOperator: 'GreaterThanOrEqualToThreshold',
      Dimensions: [{ Name: 'QueueName', Value: { 'Fn::GetAtt': [queueId, 'QueueName'] } }],
    });
  });

  test('outputs: the endpoint URL, the console URL, the table name and the schedule group', () => {
    const outputs = dev.serviceTemplate.toJSON().Outputs as Record<string, { Value: unknown }>;
    expect(Object.keys(outputs)).toEqual(expect.arrayContaining(['EndpointUrl', 'ConsoleUrl', 'TableName', 'ScheduleGroup']));
    expect(outputs.ConsoleUrl?.Value).toEqual({ 'Fn::Join': ['', [{ 'Fn::GetAtt': [expect.stringMatching(/^ApiHttpApi/), 'ApiEndpoint'] }, '/console/']] });
    expect(outputs.ScheduleGroup?.Value).toBe('byok-kms-dev-timers');
    expect(JSON.stringify(outputs.EndpointUrl?.Value)).toContain('ApiEndpoint');
  });
});

describe('web console', () => {
  test('GET /console and GET /console/{proxy+} on the KMS API, both proxied (payload 2.0) to the console function, no authorizer', () => {
    const [consoleFnId, fn] = functionNamed(dev.serviceTemplate, /byok-kms console/);
    expect(fn.Properties).toMatchObject({ MemorySize: 256, Timeout: 10 });
    const [apiId] = only(dev.serviceTemplate, 'AWS::ApiGatewayV2::Api');
    const routes = Object.values(resources(dev.serviceTemplate, 'AWS::ApiGatewayV2::Route')).filter((r) => String(r.Properties?.RouteKey).startsWith('GET '));
    expect(routes).toHaveLength(2);
    for (const route of routes) {
      expect(route.Properties).toMatchObject({ ApiId: { Ref: apiId }, AuthorizationType: 'NONE' });
      expect(integrationOf(dev.serviceTemplate, route)).toMatchObject({
        IntegrationType: 'AWS_PROXY',
        PayloadFormatVersion: '2.0',
        IntegrationUri: { 'Fn::GetAtt': [consoleFnId, 'Arn'] },
      });
    }
  });

  test('API Gateway may invoke the console function for the console routes only', () => {
    const [consoleFnId] = functionNamed(dev.serviceTemplate, /byok-kms console/);
    const permissions = Object.values(resources(dev.serviceTemplate, 'AWS::Lambda::Permission')).filter(
      (p) => JSON.stringify(p.Properties?.FunctionName) === JSON.stringify({ 'Fn::GetAtt': [consoleFnId, 'Arn'] }),
    );
    expect(permissions.map((p) => JSON.stringify(p.Properties?.SourceArn).match(/"\/\*\/\*(\/[^"]*)"/)?.[1]).sort()).toEqual(['/console', '/console/{proxy+}']);
    for (const p of permissions) expect(p.Properties).toMatchObject({ Action: 'lambda:InvokeFunction', Principal: 'apigateway.amazonaws.com' });
  });

  test('the console function has no configuration and no permission beyond writing its own logs', () => {
    const [consoleFnId, fn] = functionNamed(dev.serviceTemplate, /byok-kms console/);
    expect(Object.keys((fn.Properties as { Environment: { Variables: Record<string, unknown> } }).Environment.Variables).sort()).toEqual([
      'NODE_OPTIONS',
      'POWERTOOLS_LOG_LEVEL',
      'POWERTOOLS_SERVICE_NAME',
    ]);
    const logGroupId = (fn.Properties as { LoggingConfig: { LogGroup: { Ref: string } } }).LoggingConfig.LogGroup.Ref;
    expect(statementsOf(dev.serviceTemplate, 'ConsoleHandlerRole')).toEqual([
      { Effect: 'Allow', Action: ['logs:CreateLogStream', 'logs:PutLogEvents'], Resource: { 'Fn::GetAtt': [logGroupId, 'Arn'] } },
    ]);
    const [, role] = Object.entries(resources(dev.serviceTemplate, 'AWS::IAM::Role')).find(([id]) => id.startsWith('ConsoleHandlerRole'))!;
    expect(role.Properties).toMatchObject({
      AssumeRolePolicyDocument: { Statement: [{ Action: 'sts:AssumeRole', Effect: 'Allow', Principal: { Service: 'lambda.amazonaws.com' } }] },
    });
    expect(role.Properties?.ManagedPolicyArns).toBeUndefined();
    expect(role.Properties?.Policies).toBeUndefined();
    expect(consoleFnId).toMatch(/^ConsoleHandler/);
  });
});

describe('least privilege', () => {
  const schedulesOfGroup = { 'Fn::Join': ['', ['arn:', { Ref: 'AWS::Partition' }, ':scheduler:', { Ref: 'AWS::Region' }, ':', { Ref: 'AWS::AccountId' }, ':schedule/byok-kms-dev-timers/*']] };
  const timerArn = { 'Fn::Join': ['', ['arn:', { Ref: 'AWS::Partition' }, ':lambda:', { Ref: 'AWS::Region' }, ':', { Ref: 'AWS::AccountId' }, ':function:byok-kms-dev-timer']] };

  test('the scheduler role is assumed only by EventBridge Scheduler of this account, and may only invoke the timer function (and dead-letter)', () => {
    const [roleId, role] = Object.entries(resources(dev.serviceTemplate, 'AWS::IAM::Role')).find(([id]) => id.startsWith('TimersInvokeRole'))!;
    expect(role.Properties).toMatchObject({
      AssumeRolePolicyDocument: {
        Statement: [{ Action: 'sts:AssumeRole', Effect: 'Allow', Principal: { Service: 'scheduler.amazonaws.com' }, Condition: { StringEquals: { 'aws:SourceAccount': { Ref: 'AWS::AccountId' } } } }],
      },
    });
    expect(role.Properties?.ManagedPolicyArns).toBeUndefined();
    const [queueId] = only(dev.serviceTemplate, 'AWS::SQS::Queue');
    expect(statementsOf(dev.serviceTemplate, roleId)).toEqual([
      { Effect: 'Allow', Action: 'lambda:InvokeFunction', Resource: timerArn },
      { Effect: 'Allow', Action: 'sqs:SendMessage', Resource: { 'Fn::GetAtt': [queueId, 'Arn'] } },
    ]);
  });

  for (const [name, rolePrefix] of [['API', 'ApiHandlerRole'], ['timer', 'TimersHandlerRole']] as const) {
    test(`the ${name} function may create/delete schedules only in its group and pass only the scheduler role`, () => {
      const statements = statementsOf(dev.serviceTemplate, rolePrefix);
      const scheduler = statements.filter((s) => actions(s).some((a) => a.startsWith('scheduler:')));
      expect(scheduler).toEqual([{ Effect: 'Allow', Action: ['scheduler:CreateSchedule', 'scheduler:DeleteSchedule'], Resource: schedulesOfGroup }]);
      const passRole = statements.filter((s) => actions(s).includes('iam:PassRole'));
      expect(passRole).toEqual([
        {
          Effect: 'Allow',
          Action: 'iam:PassRole',
          Resource: { 'Fn::GetAtt': [expect.stringMatching(/^TimersInvokeRole/), 'Arn'] },
          Condition: { StringEquals: { 'iam:PassedToService': 'scheduler.amazonaws.com' } },
        },
      ]);
      const dynamo = statements.filter((s) => actions(s).some((a) => a.startsWith('dynamodb:')));
      expect(dynamo).toHaveLength(2);
      // both tables' ARNs are imported from the stateful stack
      const keyTable = dynamo.find((s) => /ExportsOutputFnGetAttKeyStateTable/.test(JSON.stringify(s.Resource)))!;
      expect(actions(keyTable).sort()).toEqual(['dynamodb:DeleteItem', 'dynamodb:GetItem', 'dynamodb:PutItem', 'dynamodb:Query']);
      expect(JSON.stringify(keyTable.Resource)).not.toContain('*');
      // the audit trail: append and read records, nothing else; publish to the stack's own bus
      const audit = dynamo.find((s) => s !== keyTable)!;
      expect(actions(audit).sort()).toEqual(['dynamodb:PutItem', 'dynamodb:Query']);
      expect(JSON.stringify(audit.Resource)).toMatch(/^\{"Fn::ImportValue":"[^"*]*ExportsOutputFnGetAttKeyStateAuditTable[^"*]*"\}$/);
      const events = statements.filter((s) => actions(s).some((a) => a.startsWith('events:')));
      expect(events).toEqual([{ Effect: 'Allow', Action: 'events:PutEvents', Resource: { 'Fn::GetAtt': [expect.stringMatching(/^AuditBus/), 'Arn'] } }]);
    });
  }

  test('the root key: the API function wraps/unwraps with a purpose in the encryption context; the timer function only prepares rotation material', () => {
    const kms = (rolePrefix: string) => statementsOf(dev.serviceTemplate, rolePrefix).filter((s) => actions(s).some((a) => a.startsWith('kms:')));
    expect(kms('ApiHandlerRole')).toEqual([
      { Effect: 'Allow', Action: ['kms:Decrypt', 'kms:Encrypt'], Resource: expect.anything(), Condition: { Null: { 'kms:EncryptionContext:purpose': 'false' } } },
    ]);
    expect(kms('TimersHandlerRole')).toEqual([
      { Effect: 'Allow', Action: 'kms:Decrypt', Resource: expect.anything(), Condition: { StringEquals: { 'kms:EncryptionContext:purpose': 'material-id-key' } } },
      { Effect: 'Allow', Action: 'kms:Encrypt', Resource: expect.anything(), Condition: { StringEquals: { 'kms:EncryptionContext:purpose': 'key-material' } } },
    ]);
  });

  test('nobody gets * on *: no wildcard action, no wildcard resource, no managed policy', () => {
    for (const template of [dev.stateTemplate!, dev.serviceTemplate]) {
      for (const policy of Object.values(resources(template, 'AWS::IAM::Policy'))) {
        for (const s of (policy.Properties as { PolicyDocument: { Statement: Statement[] } }).PolicyDocument.Statement) {
          expect(actions(s).filter((a) => a === '*' || a.endsWith(':*'))).toEqual([]);
          expect(s.Resource).not.toBe('*');
        }
      }
      for (const role of Object.values(resources(template, 'AWS::IAM::Role'))) expect(role.Properties?.ManagedPolicyArns).toBeUndefined();
    }
  });
});
