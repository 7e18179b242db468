import { CfnOutput, Stack, type StackProps } from 'aws-cdk-lib';
import { type ITableV2, TableV2 } from 'aws-cdk-lib/aws-dynamodb';
import { type IKey, Key } from 'aws-cdk-lib/aws-kms';
import type { RetentionDays } from 'aws-cdk-lib/aws-logs';
import type { Construct } from 'constructs';
import type { AuthMode } from '../lambda/runtime/env-names';
import { AuditTrail } from './constructs/audit-trail';
import { ConsoleSite } from './constructs/console-site';
import { KeyTimers } from './constructs/key-timers';
import { KmsApi } from './constructs/kms-api';
import type { ExistingState, FrontDoor } from './stage-config';

export interface KmsServiceStackProps extends StackProps {
  /** From the stateful stack, or `existingState` instead. */
  readonly table?: ITableV2;
  readonly auditTable?: ITableV2;
  readonly rootKey?: IKey;
  /** The table's customer managed key, if it has one. */
  readonly tableKey?: IKey;
  /** A retained table and root key of an earlier deployment, used instead of a state stack. */
  readonly existingState?: ExistingState;
  readonly stageName: string;
  readonly auth: AuthMode;
  readonly logRetention: RetentionDays;
  /** @default 'http-api' */
  readonly frontDoor?: FrontDoor;
  readonly alarmEmail?: string;
}

/** The stateless stack: the API, the timers, the web console and their functions. Safe to destroy and redeploy. */
export class KmsServiceStack extends Stack {
  public readonly api: KmsApi;
  public readonly timers: KeyTimers;
  public readonly console: ConsoleSite;
  public readonly table: ITableV2;
  public readonly auditTable: ITableV2;
  public readonly rootKey: IKey;
  public readonly tableKey?: IKey;
  public readonly audit: AuditTrail;

  constructor(scope: Construct, id: string, props: KmsServiceStackProps) {
    super(scope, id, props);
    const existing = props.existingState;
    if (existing) {
      this.table = TableV2.fromTableName(this, 'ExistingTable', existing.tableName);
      this.auditTable = TableV2.fromTableName(this, 'ExistingAuditTable', existing.auditTableName);
      if (existing.tableKeyArn) this.tableKey = Key.fromKeyArn(this, 'ExistingTableKey', existing.tableKeyArn);
      this.rootKey = Key.fromKeyArn(this, 'ExistingRootKey', existing.rootKeyArn);
    } else {
      if (!props.table || !props.auditTable || !props.rootKey) throw new Error('KmsServiceStack needs table, auditTable and rootKey, or existingState');
      this.table = props.table;
      this.auditTable = props.auditTable;
      this.rootKey = props.rootKey;
      if (props.tableKey) this.tableKey = props.tableKey;
    }
    const tableKey = this.tableKey && { tableKey: this.tableKey };
    this.timers = new KeyTimers(this, 'Timers', {
      table: this.table,
      ...tableKey,
      rootKey: this.rootKey,
      groupName: `byok-kms-${props.stageName}-timers`,
      functionName: `byok-kms-${props.stageName}-timer`,
      logRetention: props.logRetention,
      ...(props.alarmEmail && { alarmEmail: props.alarmEmail }),
    });
    this.api = new KmsApi(this, 'Api', {
      table: this.table,
      ...tableKey,
      rootKey: this.rootKey,
      timers: this.timers,
      auth: props.auth,
      logRetention: props.logRetention,
      apiName: `byok-kms-${props.stageName}`,
      restStageName: props.stageName,
      ...(props.frontDoor && { frontDoor: props.frontDoor }),
    });
    this.console = new ConsoleSite(this, 'Console', {
      ...(this.api.httpApi ? { httpApi: this.api.httpApi } : { restApi: this.api.restApi! }),
      logRetention: props.logRetention,
    });
    // The REST API's URL ends in '/' already.
    const consoleUrl = this.api.httpApi ? `${this.api.endpointUrl}/console/` : `${this.api.endpointUrl}console/`;
    this.audit = new AuditTrail(this, 'Audit', { table: this.auditTable, eventBusName: `byok-kms-${props.stageName}-events` });
    this.audit.bindWriter(this.api.handler);
    this.audit.bindWriter(this.timers.handler);
    new CfnOutput(this, 'EndpointUrl', { value: this.api.endpointUrl, description: 'KMS endpoint: pass it as --endpoint-url' });
    new CfnOutput(this, 'ConsoleUrl', { value: consoleUrl, description: 'Web console: sign in with issued credentials in Settings' });
    new CfnOutput(this, 'TableName', { value: this.table.tableName, description: 'Key table: pass it to `npm run credentials -- --table`' });
    new CfnOutput(this, 'RootKeyArn', { value: this.rootKey.keyArn, description: 'Root key: pass it to `npm run credentials -- --root-key`' });
    new CfnOutput(this, 'ScheduleGroup', { value: this.timers.groupName, description: 'EventBridge Scheduler group of the timers' });
    new CfnOutput(this, 'TimerFunctionName', { value: this.timers.handler.functionName, description: 'The function the timers invoke' });
    new CfnOutput(this, 'AuditTableName', { value: this.audit.table.tableName, description: 'Audit trail (CloudTrail records, 90 days)' });
    new CfnOutput(this, 'EventBusName', { value: this.audit.eventBus.eventBusName, description: 'EventBridge bus of the KMS service events' });
    new CfnOutput(this, 'TimerDeadLetterQueueUrl', { value: this.timers.deadLetterQueue.queueUrl, description: 'Failed timer invocations' });
    new CfnOutput(this, 'AlarmTopicArn', { value: this.timers.alarmTopic.topicArn, description: 'SNS topic the timer dead-letter alarm notifies: subscribe to it' });
  }
}
