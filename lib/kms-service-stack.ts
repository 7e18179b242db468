import { CfnOutput, Stack, type StackProps } from 'aws-cdk-lib';
import type { ITableV2 } from 'aws-cdk-lib/aws-dynamodb';
import type { IKey } from 'aws-cdk-lib/aws-kms';
import type { RetentionDays } from 'aws-cdk-lib/aws-logs';
import type { Construct } from 'constructs';
import type { AuthMode } from '../lambda/runtime/env-names';
import { ConsoleSite } from './constructs/console-site';
import { KeyTimers } from './constructs/key-timers';
import { KmsApi } from './constructs/kms-api';

export interface KmsServiceStackProps extends StackProps {
  /** From the stateful stack. */
  readonly table: ITableV2;
  readonly rootKey: IKey;
  readonly stageName: string;
  readonly auth: AuthMode;
  readonly logRetention: RetentionDays;
}

/** The stateless stack: the API, the timers, the web console and their functions. Safe to destroy and redeploy. */
export class KmsServiceStack extends Stack {
  public readonly api: KmsApi;
  public readonly timers: KeyTimers;
  public readonly console: ConsoleSite;

  constructor(scope: Construct, id: string, props: KmsServiceStackProps) {
    super(scope, id, props);
    this.timers = new KeyTimers(this, 'Timers', {
      table: props.table,
      rootKey: props.rootKey,
      groupName: `byok-kms-${props.stageName}-timers`,
      functionName: `byok-kms-${props.stageName}-timer`,
      logRetention: props.logRetention,
    });
    this.api = new KmsApi(this, 'Api', {
      table: props.table,
      rootKey: props.rootKey,
      timers: this.timers,
      auth: props.auth,
      logRetention: props.logRetention,
    });
    this.console = new ConsoleSite(this, 'Console', { httpApi: this.api.api, logRetention: props.logRetention });
    new CfnOutput(this, 'EndpointUrl', { value: this.api.endpointUrl, description: 'KMS endpoint: pass it as --endpoint-url' });
    new CfnOutput(this, 'ConsoleUrl', { value: `${this.api.endpointUrl}/console/`, description: 'Web console: sign in with issued credentials in Settings' });
    new CfnOutput(this, 'TableName', { value: props.table.tableName, description: 'Key table: pass it to `npm run credentials -- --table`' });
    new CfnOutput(this, 'ScheduleGroup', { value: this.timers.groupName, description: 'EventBridge Scheduler group of the timers' });
    new CfnOutput(this, 'TimerDeadLetterQueueUrl', { value: this.timers.deadLetterQueue.queueUrl, description: 'Failed timer invocations' });
  }
}
