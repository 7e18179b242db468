/**
 * The deployed stack's runtime, alarm and cost edges (issue 12 §2), per stage setting: the API
 * function sized for RSA_4096 key generation, the dead-letter alarm notifying an SNS topic (with an
 * optional e-mail subscription), the key table on DynamoDB's own key unless a stage asks for a
 * customer key, a stage that uses the retained table and root key of an earlier deployment, the
 * API named after the stage, and the `rest-api` front door the LocalStack stage uses.
 */
import { Stack } from 'aws-cdk-lib';
import { Match, type Template } from 'aws-cdk-lib/assertions';
import { beforeAll, describe, expect, test } from 'vitest';
import { ENV } from '../../lambda/runtime/env-names';
import { type Synthesized, synthesize } from './support';

type Resource = { Type: string; Properties?: Record<string, unknown>; DeletionPolicy?: string };
type Statement = { Effect: string; Action: string | string[]; Resource: unknown; Condition?: unknown };
const resources = (t: Template, type: string) => t.findResources(type) as Record<string, Resource>;
const ofType = (t: Template, type: string) => Object.entries(resources(t, type));
const BASE = { logRetentionDays: 14, deletionProtection: false, auth: 'enforce' };
const ROOT_KEY_ARN = 'arn:aws:kms:eu-west-1:111122223333:key/11111111-2222-3333-4444-555555555555';
const TABLE_KEY_ARN = 'arn:aws:kms:eu-west-1:111122223333:key/66666666-7777-8888-9999-000000000000';

function fn(t: Template, description: RegExp): [string, Resource] {
  const found = ofType(t, 'AWS::Lambda::Function').find(([, r]) => description.test(String(r.Properties?.Description)));
  expect(found, String(description)).toBeDefined();
  return found!;
}
const vars = (r: Resource) => (r.Properties as { Environment: { Variables: Record<string, unknown> } }).Environment.Variables;
function statementsOf(t: Template, rolePrefix: string): Statement[] {
  return Object.values(resources(t, 'AWS::IAM::Policy'))
    .filter((p) => JSON.stringify((p.Properties as { Roles: unknown }).Roles).includes(rolePrefix))
    .flatMap((p) => (p.Properties as { PolicyDocument: { Statement: Statement[] } }).PolicyDocument.Statement);
}
const outputs = (t: Template) => t.toJSON().Outputs as Record<string, { Value: unknown }>;

let dev: Synthesized;
beforeAll(() => {
  dev = synthesize();
});

describe('the API function fits the slowest operation', () => {
  test('1,024 MB (about 0.58 vCPU) and 28 s: RSA_4096 generation with margin, under both front doors\' 29-30 s integration caps', () => {
    const [, api] = fn(dev.serviceTemplate, /byok-kms API/);
    expect(api.Properties).toMatchObject({ MemorySize: 1024, Timeout: 28 });
    const [, timer] = fn(dev.serviceTemplate, /byok-kms timers/);
    expect(timer.Properties).toMatchObject({ MemorySize: 512, Timeout: 30 });
  });
});

describe('a failed timer reaches a person', () => {
  test('the dead-letter alarm notifies an SNS topic (alarm and recovery), which accepts only TLS and is an output', () => {
    const [topicId] = ofType(dev.serviceTemplate, 'AWS::SNS::Topic')[0]!;
    const [, alarm] = ofType(dev.serviceTemplate, 'AWS::CloudWatch::Alarm')[0]!;
    expect(alarm.Properties).toMatchObject({ AlarmActions: [{ Ref: topicId }], OKActions: [{ Ref: topicId }] });
    dev.serviceTemplate.hasResourceProperties('AWS::SNS::TopicPolicy', {
      PolicyDocument: { Statement: [Match.objectLike({ Effect: 'Deny', Condition: { Bool: { 'aws:SecureTransport': 'false' } } })] },
    });
    expect(outputs(dev.serviceTemplate).AlarmTopicArn?.Value).toEqual({ Ref: topicId });
    expect(ofType(dev.serviceTemplate, 'AWS::SNS::Subscription')).toEqual([]); // no e-mail unless the stage gives one
  });

  test('a stage with alarmEmail subscribes that address to the topic', () => {
    const withEmail = synthesize({ context: { stages: { dev: { ...BASE, alarmEmail: 'ops@example.com' } } } });
    const [topicId] = ofType(withEmail.serviceTemplate, 'AWS::SNS::Topic')[0]!;
    const subscriptions = ofType(withEmail.serviceTemplate, 'AWS::SNS::Subscription');
    expect(subscriptions.map(([, s]) => s.Properties)).toEqual([{ Protocol: 'email', Endpoint: 'ops@example.com', TopicArn: { Ref: topicId } }]);
  });
});

describe('the key table\'s encryption at rest', () => {
  test('by default DynamoDB\'s own key: the only KMS key is the root key, and no function may use another', () => {
    expect(ofType(dev.stateTemplate!, 'AWS::KMS::Key')).toHaveLength(1);
    const kmsActions = [...statementsOf(dev.serviceTemplate, 'ApiHandlerRole'), ...statementsOf(dev.serviceTemplate, 'TimersHandlerRole')].filter((s) =>
      JSON.stringify(s.Action).includes('kms:'),
    );
    // the API function's root-key statement and the timer function's two for automatic rotation (stacks.test.ts)
    expect(kmsActions).toHaveLength(3);
    for (const s of kmsActions) expect(JSON.stringify(s.Resource)).not.toContain('TableKey');
  });

  test('tableKey "customer-managed": a retained, rotated key of the state stack, used by the API and timer functions through DynamoDB only', () => {
    const cmk = synthesize({ context: { stages: { dev: { ...BASE, tableKey: 'customer-managed' } } } });
    const keys = ofType(cmk.stateTemplate!, 'AWS::KMS::Key');
    expect(keys).toHaveLength(2);
    const [tableKeyId, tableKey] = keys.find(([, k]) => /table encryption/.test(String(k.Properties?.Description)))!;
    expect(tableKey).toMatchObject({ DeletionPolicy: 'Retain', Properties: { EnableKeyRotation: true } });
    const [, table] = ofType(cmk.stateTemplate!, 'AWS::DynamoDB::GlobalTable')[0]!; // a replacement-free change: SSE is updated in place
    expect(table.Properties).toMatchObject({
      SSESpecification: { SSEEnabled: true, SSEType: 'KMS' },
      Replicas: [{ SSESpecification: { KMSMasterKeyId: { 'Fn::GetAtt': [tableKeyId, 'Arn'] } } }],
    });
    for (const role of ['ApiHandlerRole', 'TimersHandlerRole']) {
      const viaDynamo = statementsOf(cmk.serviceTemplate, role).filter((s) => JSON.stringify(s.Condition ?? {}).includes('kms:ViaService'));
      expect(viaDynamo, role).toEqual([
        {
          Effect: 'Allow',
          Action: ['kms:Decrypt', 'kms:DescribeKey', 'kms:Encrypt', 'kms:GenerateDataKey'],
          Resource: expect.objectContaining({ 'Fn::ImportValue': expect.stringContaining('TableKey') }),
          Condition: { StringEquals: { 'kms:ViaService': { 'Fn::Join': ['', ['dynamodb.', { Ref: 'AWS::Region' }, '.amazonaws.com']] } } },
        },
      ]);
    }
  });
});

describe('a stage that uses the state of an earlier deployment (existingState)', () => {
  let adopted: Synthesized;
  beforeAll(() => {
    const existingState = { tableName: 'byok-kms-dev-state-KeyStateTable-1A2B3C', auditTableName: 'byok-kms-dev-state-KeyStateAuditTable-4D5E6F', rootKeyArn: ROOT_KEY_ARN, tableKeyArn: TABLE_KEY_ARN };
    adopted = synthesize({ context: { stages: { dev: { ...BASE, existingState } } } });
  });

  test('synthesizes no state stack: no table, no key is created', () => {
    expect(adopted.state).toBeUndefined();
    expect(adopted.app.node.children.filter((c) => c instanceof Stack).map((c) => c.node.id)).toEqual(['ByokKms-dev-Service']);
    expect(ofType(adopted.serviceTemplate, 'AWS::DynamoDB::GlobalTable')).toEqual([]);
    expect(ofType(adopted.serviceTemplate, 'AWS::KMS::Key')).toEqual([]);
  });

  test('the functions record to the named audit table', () => {
    for (const name of [/byok-kms API/, /byok-kms timers/]) {
      expect(vars(fn(adopted.serviceTemplate, name)[1])).toMatchObject({ [ENV.AUDIT_TABLE]: 'byok-kms-dev-state-KeyStateAuditTable-4D5E6F' });
    }
    const audit = statementsOf(adopted.serviceTemplate, 'ApiHandlerRole').find((s) => JSON.stringify(s.Resource).includes(':table/byok-kms-dev-state-KeyStateAuditTable-4D5E6F'));
    expect(audit?.Action).toEqual(['dynamodb:PutItem', 'dynamodb:Query']);
    expect(outputs(adopted.serviceTemplate)).toMatchObject({ AuditTableName: { Value: 'byok-kms-dev-state-KeyStateAuditTable-4D5E6F' } });
  });

  test('the functions use the named table and root key, and may use the table\'s key through DynamoDB', () => {
    const [, api] = fn(adopted.serviceTemplate, /byok-kms API/);
    expect(vars(api)).toMatchObject({ [ENV.KEY_TABLE]: 'byok-kms-dev-state-KeyStateTable-1A2B3C', [ENV.ROOT_KEY_ARN]: ROOT_KEY_ARN });
    const statements = statementsOf(adopted.serviceTemplate, 'ApiHandlerRole');
    expect(statements.find((s) => JSON.stringify(s.Action).includes('kms:Encrypt') && s.Resource === ROOT_KEY_ARN)).toBeDefined();
    expect(statements.find((s) => s.Resource === TABLE_KEY_ARN)?.Condition).toEqual({ StringEquals: { 'kms:ViaService': expect.anything() } });
    expect(JSON.stringify(statements.find((s) => JSON.stringify(s.Action).includes('dynamodb:GetItem'))?.Resource)).toContain(':table/byok-kms-dev-state-KeyStateTable-1A2B3C');
    expect(outputs(adopted.serviceTemplate)).toMatchObject({ TableName: { Value: 'byok-kms-dev-state-KeyStateTable-1A2B3C' }, RootKeyArn: { Value: ROOT_KEY_ARN } });
  });
});

describe('names and outputs', () => {
  test('the HTTP API is named after the stage; outputs give the root key and the timer function for the credentials and timer tools', () => {
    expect(ofType(dev.serviceTemplate, 'AWS::ApiGatewayV2::Api')[0]![1].Properties).toMatchObject({ Name: 'byok-kms-dev' });
    const o = outputs(dev.serviceTemplate);
    expect(JSON.stringify(o.RootKeyArn?.Value)).toContain('RootKey');
    expect(JSON.stringify(o.TimerFunctionName?.Value)).toContain('TimersHandler');
  });

  test('the prod stage has termination protection on its state stack (destroy fails until it is turned off)', () => {
    const prod = synthesize({ context: { stage: 'prod' }, nag: false });
    expect(prod.state?.terminationProtection).toBe(true);
    expect(prod.service.terminationProtection).toBe(false);
  });
});

describe('the rest-api front door (the localstack stage)', () => {
  let ls: Synthesized;
  beforeAll(() => {
    ls = synthesize({ context: { stage: 'localstack' } }); // with cdk-nag: throws on any unacknowledged finding
  });

  test('a REST API named after the stage, with no HTTP API; stage "localstack" with throttling and access logs', () => {
    expect(ofType(ls.serviceTemplate, 'AWS::ApiGatewayV2::Api')).toEqual([]);
    const [apiId, api] = ofType(ls.serviceTemplate, 'AWS::ApiGateway::RestApi')[0]!;
    expect(api.Properties).toMatchObject({ Name: 'byok-kms-localstack', BinaryMediaTypes: ['*/*'], EndpointConfiguration: { Types: ['REGIONAL'] } });
    const [, stage] = ofType(ls.serviceTemplate, 'AWS::ApiGateway::Stage')[0]!;
    expect(stage.Properties).toMatchObject({
      StageName: 'localstack',
      RestApiId: { Ref: apiId },
      AccessLogSetting: { DestinationArn: expect.anything(), Format: expect.stringContaining('$context.requestId') },
      MethodSettings: [expect.objectContaining({ ThrottlingRateLimit: 100, ThrottlingBurstLimit: 200 })],
    });
    expect(ofType(ls.serviceTemplate, 'AWS::ApiGateway::Account')).toEqual([]); // no account-wide CloudWatch role
  });

  test('the same routes, proxied to the same functions: POST / to the API function, GET /console and /console/{proxy+} to the console function', () => {
    const [apiFnId] = fn(ls.serviceTemplate, /byok-kms API/);
    const [consoleFnId] = fn(ls.serviceTemplate, /byok-kms console/);
    const pathOf = (method: Resource) => {
      const ref = JSON.stringify(method.Properties?.ResourceId);
      if (ref.includes('RootResourceId')) return '/';
      const id = /"Ref":"([^"]+)"/.exec(ref)![1]!;
      const parts: string[] = [];
      for (let r: Resource | undefined = resources(ls.serviceTemplate, 'AWS::ApiGateway::Resource')[id]; r; ) {
        parts.unshift(String(r.Properties?.PathPart));
        const parent = /"Ref":"([^"]+)"/.exec(JSON.stringify(r.Properties?.ParentId))?.[1];
        r = parent ? resources(ls.serviceTemplate, 'AWS::ApiGateway::Resource')[parent] : undefined;
      }
      return `/${parts.join('/')}`;
    };
    const methods = ofType(ls.serviceTemplate, 'AWS::ApiGateway::Method').map(([, m]) => ({
      route: `${String(m.Properties?.HttpMethod)} ${pathOf(m)}`,
      type: (m.Properties?.Integration as { Type: string }).Type,
      target: JSON.stringify((m.Properties?.Integration as { Uri: unknown }).Uri).includes(apiFnId) ? 'api' : JSON.stringify((m.Properties?.Integration as { Uri: unknown }).Uri).includes(consoleFnId) ? 'console' : '?',
      auth: m.Properties?.AuthorizationType,
    }));
    expect(methods.sort((a, b) => a.route.localeCompare(b.route))).toEqual([
      { route: 'GET /console', type: 'AWS_PROXY', target: 'console', auth: 'NONE' },
      { route: 'GET /console/{proxy+}', type: 'AWS_PROXY', target: 'console', auth: 'NONE' },
      { route: 'POST /', type: 'AWS_PROXY', target: 'api', auth: 'NONE' },
    ]);
  });

  test('the endpoint and console URLs are the REST API stage URL (ending in /) and its console/', () => {
    const o = outputs(ls.serviceTemplate);
    const endpoint = JSON.stringify(o.EndpointUrl?.Value);
    expect(endpoint).toContain('.execute-api.');
    expect(endpoint).toMatch(/\/",\{"Ref":"[^"]+"\},"\/"\]\]\}$/); // https://<id>.execute-api.<region>.<suffix>/<stage>/
    expect(JSON.stringify(o.ConsoleUrl?.Value)).toMatch(/"\/console\/"\]\]\}$/);
  });
});
