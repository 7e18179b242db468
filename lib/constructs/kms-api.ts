import { RemovalPolicy } from 'aws-cdk-lib';
import { AccessLogFormat } from 'aws-cdk-lib/aws-apigateway';
import * as apigwv2 from 'aws-cdk-lib/aws-apigatewayv2';
import * as integrations from 'aws-cdk-lib/aws-apigatewayv2-integrations';
import type { ITableV2 } from 'aws-cdk-lib/aws-dynamodb';
import * as iam from 'aws-cdk-lib/aws-iam';
import type { IKey } from 'aws-cdk-lib/aws-kms';
import { LogGroup, type RetentionDays } from 'aws-cdk-lib/aws-logs';
import { Construct } from 'constructs';
import { type AuthMode, ENV } from '../../lambda/runtime/env-names';
import { type KeyTimers, TABLE_ACTIONS } from './key-timers';
import { ServiceFunction } from './service-function';

export interface KmsApiProps {
  readonly table: ITableV2;
  readonly rootKey: IKey;
  /** The API function arms and disarms timers in this group. */
  readonly timers: KeyTimers;
  readonly auth: AuthMode;
  readonly logRetention: RetentionDays;
  /** @default 100 requests per second, bursts of 200 */
  readonly throttle?: { readonly rateLimit: number; readonly burstLimit: number };
}

/**
 * The KMS API: an HTTP API whose only route is `POST /` (every KMS action; the function dispatches on
 * X-Amz-Target), in front of the one API function. API Gateway does no authorization: the function
 * verifies SigV4 itself (design decision 5), since KMS clients sign for `kms`, not `execute-api`.
 */
export class KmsApi extends Construct {
  public readonly api: apigwv2.HttpApi;
  public readonly handler: ServiceFunction;
  public readonly accessLogs: LogGroup;

  constructor(scope: Construct, id: string, props: KmsApiProps) {
    super(scope, id);
    this.handler = new ServiceFunction(this, 'Handler', {
      entryName: 'kms-api',
      description: 'byok-kms API: the KMS JSON 1.1 protocol (TrentService.*)',
      logRetention: props.logRetention,
      environment: { [ENV.AUTH_MODE]: props.auth },
    });
    props.table.grant(this.handler, ...TABLE_ACTIONS);
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
    this.api = new apigwv2.HttpApi(this, 'HttpApi', {
      description: 'byok-kms: the AWS KMS API (POST /, X-Amz-Target: TrentService.*)',
      createDefaultStage: false,
    });
    new apigwv2.HttpStage(this, 'Stage', {
      httpApi: this.api,
      stageName: '$default', // no stage prefix in the path: clients sign exactly the path they send
      autoDeploy: true,
      throttle,
      accessLogSettings: {
        destination: new apigwv2.LogGroupLogDestination(this.accessLogs),
        format: AccessLogFormat.custom(
          JSON.stringify({
            requestId: '$context.requestId',
            time: '$context.requestTime',
            ip: '$context.identity.sourceIp',
            method: '$context.httpMethod',
            path: '$context.path',
            status: '$context.status',
            latencyMs: '$context.responseLatency',
            integrationStatus: '$context.integrationStatus',
            error: '$context.integrationErrorMessage',
          }),
        ),
      },
    });
    this.api.addRoutes({
      path: '/',
      methods: [apigwv2.HttpMethod.POST],
      integration: new integrations.HttpLambdaIntegration('Integration', this.handler),
    });
  }

  /** `https://<id>.execute-api.<region>.amazonaws.com` — what clients pass as --endpoint-url. */
  public get endpointUrl(): string {
    return this.api.apiEndpoint;
  }
}
