/**
 * The LocalStack profile (`npm run test:localstack`) up to `docker compose up`, run for real here:
 * no container engine is needed for these steps, and they are where the profile used to stop. The
 * environment is the one scripts/localstack/env.sh sets for the script (cdklocal with the pinned CDK
 * CLI, `cdklocal synth` and the bootstrap template under exactly that environment), the services
 * LocalStack is told to load are derived from the synthesized templates' resource types, and the
 * compose file pins an image tag of LocalStack's version shape. What needs the container (LocalStack
 * itself, the deployment, the suites against it) cannot run here: see the README.
 */
import { execFile } from 'node:child_process';
import { readFileSync, rmSync } from 'node:fs';
import { join } from 'node:path';
import { promisify } from 'node:util';
import { afterAll, beforeAll, describe, expect, test } from 'vitest';
import { PROJECT_ROOT } from '../../lib/constructs/service-function';
import {
  type CfnTemplate,
  normaliseEndpointUrl,
  profileOutputs,
  requiredServices,
  serviceOfResourceType,
  synthesizedTemplates,
  withoutContainerAssets,
} from '../../scripts/localstack/profile';

const run = promisify(execFile);
const OUT = join(PROJECT_ROOT, 'cdk.out', `localstack-test-${process.pid}`);
/** A shell environment as a user might have it: a profile and a session token that must not leak into LocalStack calls. */
const USER_ENV = { ...process.env, AWS_PROFILE: 'someone-elses', AWS_SESSION_TOKEN: 'stale', AWS_REGION: 'eu-west-1', LOCALSTACK_OUT: OUT };

/** The environment the script runs its commands in: env.sh sourced over the user's shell. */
async function scriptEnvironment(): Promise<Record<string, string>> {
  const { stdout } = await run('bash', ['-c', 'source scripts/localstack/env.sh && env -0'], { cwd: PROJECT_ROOT, env: USER_ENV });
  return Object.fromEntries(stdout.split('\0').filter(Boolean).map((line) => [line.slice(0, line.indexOf('=')), line.slice(line.indexOf('=') + 1)]));
}

describe('the LocalStack profile before `docker compose up`', () => {
  let services: string[];
  let templates: CfnTemplate[];
  let bootstrap: CfnTemplate;
  beforeAll(async () => {
    // WHEN the script runs every step that needs no container engine (bootstrap template, cdklocal synth, services)
    const { stdout } = await run('bash', ['scripts/test-localstack.sh', '--synth-only'], { cwd: PROJECT_ROOT, env: USER_ENV, maxBuffer: 16 * 1024 * 1024 });
    services = stdout.trim().split('\n').at(-1)!.split(',');
    templates = synthesizedTemplates(join(OUT, 'cloud'));
    bootstrap = JSON.parse(readFileSync(join(OUT, 'bootstrap.json'), 'utf8')) as CfnTemplate;
  });
  afterAll(() => rmSync(OUT, { recursive: true, force: true }));

  test('the environment satisfies cdklocal: both endpoints, the Region kept through its allow-list, no profile or session token', async () => {
    const env = await scriptEnvironment();
    expect(env).toMatchObject({
      AWS_ENDPOINT_URL: 'http://localhost.localstack.cloud:4566',
      AWS_ENDPOINT_URL_S3: 'http://s3.localhost.localstack.cloud:4566',
      AWS_REGION: 'eu-west-1',
      AWS_DEFAULT_REGION: 'eu-west-1',
      AWS_ACCESS_KEY_ID: 'test',
      STAGE: 'localstack',
    });
    expect(env.AWS_ENVAR_ALLOWLIST!.split(',')).toEqual(expect.arrayContaining(['AWS_REGION', 'AWS_DEFAULT_REGION']));
    expect(env.AWS_PROFILE).toBeUndefined();
    expect(env.AWS_SESSION_TOKEN).toBeUndefined();
  });

  test('cdklocal synthesized the localstack stage: both stacks, the API behind a REST API', () => {
    expect(templates).toHaveLength(2);
    const types = templates.flatMap((t) => Object.values(t.Resources ?? {}).map((r) => r.Type));
    expect(types).toContain('AWS::ApiGateway::RestApi');
    expect(types.filter((t) => t.startsWith('AWS::ApiGatewayV2::'))).toEqual([]); // HTTP APIs need LocalStack's Base plan
  });

  test('without AWS_ENDPOINT_URL_S3, as the script used to run it, cdklocal refuses to start', async () => {
    const env = { ...(await scriptEnvironment()) };
    delete env.AWS_ENDPOINT_URL_S3;
    const failed = await run('npx', ['cdklocal', 'ls', '-c', 'stage=localstack', '--app', join(OUT, 'cloud')], { cwd: PROJECT_ROOT, env }).catch((err: Error & { stderr: string }) => err);
    expect(String((failed as { stderr?: string }).stderr)).toContain("If specifying 'AWS_ENDPOINT_URL' then 'AWS_ENDPOINT_URL_S3' must be specified");
  });

  test('the bootstrap template is CDK\'s own without the ECR repository (LocalStack\'s Base plan) and what refers to it', () => {
    const types = Object.values(bootstrap.Resources ?? {}).map((r) => r.Type);
    expect(types).toEqual(expect.arrayContaining(['AWS::S3::Bucket', 'AWS::IAM::Role', 'AWS::SSM::Parameter']));
    expect(types).not.toContain('AWS::ECR::Repository');
    expect(JSON.stringify([bootstrap.Resources, bootstrap.Outputs])).not.toMatch(/"ContainerAssetsRepository"|\$\{ContainerAssetsRepository[.}]/);
    expect(bootstrap.Outputs).toHaveProperty('BucketName');
    expect(bootstrap.Outputs).toHaveProperty('BootstrapVersion');
  });

  test('LocalStack is told to load every service the templates use, and the ones the profile calls; nothing of the Base plan', () => {
    for (const template of [...templates, bootstrap]) {
      for (const { Type } of Object.values(template.Resources ?? {})) {
        const service = serviceOfResourceType(Type);
        if (service) expect(services, Type).toContain(service);
      }
    }
    expect(services).toEqual(expect.arrayContaining(['apigateway', 'lambda', 'dynamodb', 'kms', 'scheduler', 'sqs', 'sns', 'cloudwatch', 'logs', 'iam', 's3', 'ssm', 'sts', 'cloudformation']));
    expect(services).not.toContain('apigatewayv2');
    expect(services).not.toContain('ecr');
    expect(services).toEqual([...services].sort());
  });

  test('docker-compose.yml loads exactly the derived services, pins a LocalStack calendar-version tag, and ignores the functions\' architecture', () => {
    const compose = readFileSync(join(PROJECT_ROOT, 'docker-compose.yml'), 'utf8');
    expect(compose).toMatch(/^\s+SERVICES: \$\{LOCALSTACK_SERVICES:\?/m);
    expect(compose).toMatch(/^\s+LAMBDA_IGNORE_ARCHITECTURE: "1"$/m);
    const image = /image: \$\{LOCALSTACK_IMAGE:-([^}]+)\}/.exec(compose)?.[1];
    // YYYY.MM.patch, the month zero-padded (2026.06.1, never 2026.6.1)
    expect(image).toMatch(/^localstack\/localstack:20\d\d\.(0[1-9]|1[0-2])\.\d+$/);
  });
});

describe('profile helpers', () => {
  test('resource types map to LocalStack service names; custom resources run on Lambda; CDK metadata on nothing', () => {
    expect(serviceOfResourceType('AWS::ApiGatewayV2::Api')).toBe('apigatewayv2');
    expect(serviceOfResourceType('AWS::Events::EventBus')).toBe('events');
    expect(serviceOfResourceType('Custom::LogRetention')).toBe('lambda');
    expect(serviceOfResourceType('AWS::CDK::Metadata')).toBeUndefined();
    expect(() => serviceOfResourceType('Nonsense')).toThrow('not a CloudFormation resource type');
    expect(requiredServices([{ Resources: { Bus: { Type: 'AWS::Events::EventBus' } } }])).toContain('events');
  });

  test('withoutContainerAssets removes the ECR repository, everything that refers to it, transitively, and its outputs', () => {
    const template = {
      Resources: {
        Repo: { Type: 'AWS::ECR::Repository' },
        Policy: { Type: 'AWS::IAM::Policy', Properties: { Resource: { 'Fn::GetAtt': ['Repo', 'Arn'] } } },
        SubPolicy: { Type: 'AWS::IAM::Policy', Properties: { Resource: { 'Fn::Sub': '${Repo.Arn}/*' } } },
        NotIt: { Type: 'AWS::IAM::Policy', Properties: { Resource: { 'Fn::Sub': '${RepoName}' } } },
        UsesPolicy: { Type: 'AWS::IAM::Role', DependsOn: ['Policy'] },
        Bucket: { Type: 'AWS::S3::Bucket' },
      },
      Outputs: { ImageRepositoryName: { Value: { Ref: 'Repo' } }, BucketName: { Value: { Ref: 'Bucket' } } },
    };
    const result = withoutContainerAssets(template);
    expect(Object.keys(result.Resources!)).toEqual(['NotIt', 'Bucket']);
    expect(Object.keys(result.Outputs!)).toEqual(['BucketName']);
  });

  test('EndpointUrl outputs become the host-based URL on LocalStack\'s edge, whatever form LocalStack renders', () => {
    const edge = 'http://localhost.localstack.cloud:4566';
    expect(normaliseEndpointUrl('abc123.execute-api.localhost.localstack.cloud:4566', edge)).toBe('http://abc123.execute-api.localhost.localstack.cloud:4566');
    expect(normaliseEndpointUrl('https://abc123.execute-api.us-east-1.localhost.localstack.cloud/localstack/', edge)).toBe(
      'http://abc123.execute-api.localhost.localstack.cloud:4566/localstack/',
    );
    expect(normaliseEndpointUrl(' abc123.execute-api.us-east-1.amazonaws.com/localstack ', edge)).toBe('http://abc123.execute-api.localhost.localstack.cloud:4566/localstack/');
    expect(() => normaliseEndpointUrl('localhost:4566', edge)).toThrow('not an API Gateway URL');
  });

  test('the outputs file gives the endpoint, table, root key, schedule group and timer function of the service stack', () => {
    const outputs = {
      'ByokKms-localstack-State': { TableName: 'keys', RootKeyArn: 'arn:aws:kms:us-east-1:000000000000:key/k' },
      'ByokKms-localstack-Service': {
        EndpointUrl: 'abc.execute-api.localhost.localstack.cloud/localstack/',
        TableName: 'keys',
        RootKeyArn: 'arn:aws:kms:us-east-1:000000000000:key/k',
        ScheduleGroup: 'byok-kms-localstack-timers',
        TimerFunctionName: 'byok-kms-localstack-timer',
      },
    };
    expect(profileOutputs(outputs, 'http://localhost.localstack.cloud:4566')).toEqual({
      endpoint: 'http://abc.execute-api.localhost.localstack.cloud:4566/localstack/',
      table: 'keys',
      rootKeyArn: 'arn:aws:kms:us-east-1:000000000000:key/k',
      scheduleGroup: 'byok-kms-localstack-timers',
      timerFunction: 'byok-kms-localstack-timer',
    });
    expect(() => profileOutputs({ s: { EndpointUrl: 'x.execute-api.y' } }, 'http://localhost.localstack.cloud:4566')).toThrow('no TableName output');
  });
});
