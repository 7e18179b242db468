import { Duration, RemovalPolicy } from 'aws-cdk-lib';
import * as apigw from 'aws-cdk-lib/aws-apigateway';
import * as apigwv2 from 'aws-cdk-lib/aws-apigatewayv2';
import * as integrations from 'aws-cdk-lib/aws-apigatewayv2-integrations';
import type { ITableV2 } from 'aws-cdk-lib/aws-dynamodb';
import * as iam from 'aws-cdk-lib/aws-iam';
import type { IKey } from 'aws-cdk-lib/aws-kms';
import { LogGroup, type RetentionDays } from 'aws-cdk-lib/aws-logs';
import { Construct, type IConstruct } from 'constructs';
import { type AuthMode, ENV } from '../../lambda/runtime/env-names';
import type { FrontDoor } from '../stage-config';
import { type KeyTimers, grantTableAccess } from './key-timers';
import { ServiceFunction } from './service-function';

export interface KmsApiProps {
  readonly table: ITableV2;
  /** The table's customer managed key, if it has one. */
  readonly tableKey?: IKey;
  readonly rootKey: IKey;
  /** The API function arms and disarms timers in this group. */
  readonly timers: KeyTimers;
  readonly auth: AuthMode;
  readonly logRetention: RetentionDays;
  /** The API's name (`byok-kms-<stage>`), so that it can be told apart in the console and in `get-apis`. */
  readonly apiName: string;
  /** @default 'http-api' */
  readonly frontDoor?: FrontDoor;
  /** The REST API's stage, part of its URL (`…/<stageName>/`). @default 'api' */
  readonly restStageName?: string;
  /** @default 100 requests per second, bursts of 200 */
  readonly throttle?: { readonly rateLimit: number; readonly burstLimit: number };
}

/**
 * Memory of the API function. Lambda gives CPU in proportion to memory (1,769 MB is one vCPU), and
 * the slowest operation is GetParametersForImport with RSA_4096: a fresh key pair per call, which
 * took p50 0.66 s and p90 1.37 s on one full core. At 512 MB (about 0.29 vCPU) its tail came near
 * a 10 s timeout; at 1,024 MB (about 0.58 vCPU) the p90 is about 2.4 s and even a 5× tail stays
 * far below the timeout. The fast calls (a few ms of CPU) get faster too, which pays for much of
 * the larger size.
 */
export const API_MEMORY_MB = 1024;
/** Under both front doors' integration caps (HTTP API 30 s, REST API 29 s), so the function's own limit is what a client meets. */
export const API_TIMEOUT = Duration.seconds(28);

/** What the access logs record of each request (API Gateway's `$context` variables; never bodies). */
const ACCESS_LOG_FIELDS = {
  requestId: '$context.requestId',
  time: '$context.requestTime',
  ip: '$context.identity.sourceIp',
  method: '$context.httpMethod',
  path: '$context.path',
  status: '$context.status',
  latencyMs: '$context.responseLatency',
  integrationStatus: '$context.integrationStatus',
  error: '$context.integrationErrorMessage',
};

/**
 * The KMS API: `POST /` (every KMS action; the function dispatches on X-Amz-Target) in front of the
 * one API function, on an HTTP API (`$default` stage: no path prefix) or, for LocalStack's free plan,
 * a REST API (the same function and routes, under `/<stage>/`). API Gateway does no authorization:
 * the function verifies SigV4 itself (design decision 5), since KMS clients sign for `kms`, not
 * `execute-api`.
 */
export class KmsApi extends Construct {
  public readonly frontDoor: FrontDoor;
  public readonly handler: ServiceFunction;
  public readonly accessLogs: LogGroup;
  /** The HTTP API (front door `http-api`). */
  public readonly httpApi?: apigwv2.HttpApi;
  /** The REST API (front door `rest-api`). */
  public readonly restApi?: apigw.RestApi;
  /** The construct cdk-nag reports API-level findings on. */
  public readonly api: IConstruct;
  /** `https://<id>.execute-api.<region>.amazonaws.com` (HTTP API) or `…/<stage>/` (REST API) — what clients pass as --endpoint-url. */
  public readonly endpointUrl: string;

  constructor(scope: Construct, id: string, props: KmsApiProps) {
    super(scope, id);
    this.frontDoor = props.frontDoor ?? 'http-api';
    this.handler = new ServiceFunction(this, 'Handler', {
      entryName: 'kms-api',
      description: 'byok-kms API: the KMS JSON 1.1 protocol (TrentService.*)',
      logRetention: props.logRetention,
      memorySize: API_MEMORY_MB,
      timeout: API_TIMEOUT,
      environment: { [ENV.AUTH_MODE]: props.auth },
    });
    grantTableAccess(props.table, props.tableKey, this.handler);
    this.handler.addEnvironment(ENV.KEY_TABLE, props.table.tableName);
    // Wrap and unwrap, and only with an encryption context that names its purpose (every WrapContext does).
    this.handler.addToRolePolicy(
      new iam.PolicyStatement({
        actions: ['kms:Encrypt', 'kms:Decrypt'],
        resources: [props.rootKey.keyArn],
        conditions: { Null: { 'kms:EncryptionContext:purpose': 'false' } },
      }),
    );
    this.handler.addEnvironment(ENV.ROOT_KEY_ARN, props.rootKey.keyArn);
    props.timers.bindArmer(this.handler);

    this.accessLogs = new LogGroup(this, 'AccessLogs', { retention: props.logRetention, removalPolicy: RemovalPolicy.DESTROY });
    const throttle = props.throttle ?? { rateLimit: 100, burstLimit: 200 };
    const description = 'byok-kms: the AWS KMS API (POST /, X-Amz-Target: TrentService.*)';
    if (this.frontDoor === 'http-api') {
      this.httpApi = new apigwv2.HttpApi(this, 'HttpApi', { apiName: props.apiName, description, createDefaultStage: false });
      new apigwv2.HttpStage(this, 'Stage', {
        httpApi: this.httpApi,
        stageName: '$default', // no stage prefix in the path: clients sign exactly the path they send
        autoDeploy: true,
        throttle,
        accessLogSettings: {
          destination: new apigwv2.LogGroupLogDestination(this.accessLogs),
          format: apigw.AccessLogFormat.custom(JSON.stringify(ACCESS_LOG_FIELDS)),
        },
      });
      this.httpApi.addRoutes({ path: '/', methods: [apigwv2.HttpMethod.POST], integration: new integrations.HttpLambdaIntegration('Integration', this.handler) });
      this.api = this.httpApi;
      this.endpointUrl = this.httpApi.apiEndpoint;
    } else {
      this.restApi = new apigw.RestApi(this, 'RestApi', {
        restApiName: props.apiName,
        description,
        endpointTypes: [apigw.EndpointType.REGIONAL],
        cloudWatchRole: false,
        // Bodies and responses pass through as base64 (the console serves binary files; the KMS handler decodes).
        binaryMediaTypes: ['*/*'],
        deployOptions: {
          stageName: props.restStageName ?? 'api',
          throttlingRateLimit: throttle.rateLimit,
          throttlingBurstLimit: throttle.burstLimit,
          accessLogDestination: new apigw.LogGroupLogDestination(this.accessLogs),
          accessLogFormat: apigw.AccessLogFormat.custom(JSON.stringify(ACCESS_LOG_FIELDS)),
        },
      });
      this.restApi.root.addMethod('POST', new apigw.LambdaIntegration(this.handler));
      this.api = this.restApi;
      // The URL ends in '/': clients sign the path with the stage in it, and the handler strips the stage.
      this.endpointUrl = this.restApi.url;
    }
  }
}
