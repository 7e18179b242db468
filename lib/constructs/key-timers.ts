import { ArnFormat, Duration, RemovalPolicy, Stack } from 'aws-cdk-lib';
import { Alarm, ComparisonOperator, TreatMissingData } from 'aws-cdk-lib/aws-cloudwatch';
import { SnsAction } from 'aws-cdk-lib/aws-cloudwatch-actions';
import type { ITableV2 } from 'aws-cdk-lib/aws-dynamodb';
import * as iam from 'aws-cdk-lib/aws-iam';
import type { IKey } from 'aws-cdk-lib/aws-kms';
import type { RetentionDays } from 'aws-cdk-lib/aws-logs';
import { CfnScheduleGroup } from 'aws-cdk-lib/aws-scheduler';
import { Topic } from 'aws-cdk-lib/aws-sns';
import { EmailSubscription } from 'aws-cdk-lib/aws-sns-subscriptions';
import { Queue, QueueEncryption } from 'aws-cdk-lib/aws-sqs';
import { Construct } from 'constructs';
import { ENV } from '../../lambda/runtime/env-names';
import { ServiceFunction } from './service-function';

/** DynamoDB actions the service's adapters use (DynamoKeyStore and the credential store); no Scan in Lambda. */
export const TABLE_ACTIONS = ['dynamodb:GetItem', 'dynamodb:PutItem', 'dynamodb:DeleteItem', 'dynamodb:Query'];

/** What DynamoDB asks KMS for on a caller's behalf when a table has a customer managed key. */
export const TABLE_KEY_ACTIONS = ['kms:Decrypt', 'kms:DescribeKey', 'kms:Encrypt', 'kms:GenerateDataKey'];

/**
 * Lets `fn` use the key table: TABLE_ACTIONS on it, and, when the table is encrypted with a customer
 * managed key (`tableKey`), that key for DynamoDB's requests only (kms:ViaService).
 */
export function grantTableAccess(table: ITableV2, tableKey: IKey | undefined, fn: ServiceFunction): void {
  table.grant(fn, ...TABLE_ACTIONS);
  if (tableKey) {
    fn.addToRolePolicy(
      new iam.PolicyStatement({
        actions: TABLE_KEY_ACTIONS,
        resources: [tableKey.keyArn],
        conditions: { StringEquals: { 'kms:ViaService': `dynamodb.${Stack.of(fn).region}.amazonaws.com` } },
      }),
    );
  }
}

export interface KeyTimersProps {
  /** Table holding key state; the timer function reads and updates it. */
  readonly table: ITableV2;
  /** The table's customer managed key, if it has one. */
  readonly tableKey?: IKey;
  /** The root key: its ARN is part of every function's configuration (the timer function never uses it). */
  readonly rootKey: IKey;
  /** Name of the EventBridge Scheduler group that holds the one-shot timers. */
  readonly groupName: string;
  /**
   * Name of the timer function. Fixed, so that its ARN is known without referring to the function
   * itself: the function arms timers whose target is itself (a reference would be circular).
   */
  readonly functionName: string;
  readonly logRetention: RetentionDays;
  /** Subscribed by e-mail to the alarm topic (AWS sends a confirmation message first). */
  readonly alarmEmail?: string;
}

/**
 * One-shot timers for key deletion and key-material expiry (design decision 2): the schedule group,
 * the timer function they invoke, the role Scheduler assumes to invoke it, and the dead-letter queue
 * for invocations that still fail after every retry, with an alarm that notifies an SNS topic.
 */
export class KeyTimers extends Construct {
  public readonly groupName: string;
  public readonly group: CfnScheduleGroup;
  /** Role EventBridge Scheduler assumes: it may invoke the timer function and send to the DLQ, nothing else. */
  public readonly invokeRole: iam.Role;
  public readonly handler: ServiceFunction;
  /** ARN of the timer function, the target of every schedule. */
  public readonly handlerArn: string;
  public readonly deadLetterQueue: Queue;
  public readonly deadLetterAlarm: Alarm;
  /** Notified when the dead-letter alarm fires (and when it returns to OK). */
  public readonly alarmTopic: Topic;

  constructor(scope: Construct, id: string, props: KeyTimersProps) {
    super(scope, id);
    this.groupName = props.groupName;
    this.group = new CfnScheduleGroup(this, 'Group', { name: this.groupName });

    this.deadLetterQueue = new Queue(this, 'DeadLetterQueue', {
      encryption: QueueEncryption.SQS_MANAGED,
      enforceSSL: true,
      retentionPeriod: Duration.days(14),
      removalPolicy: RemovalPolicy.DESTROY,
    });
    this.deadLetterAlarm = new Alarm(this, 'DeadLetterAlarm', {
      alarmDescription: 'A key-deletion or material-expiry timer failed after every retry; its event is in the dead-letter queue.',
      metric: this.deadLetterQueue.metricApproximateNumberOfMessagesVisible({ period: Duration.minutes(5), statistic: 'Maximum' }),
      threshold: 1,
      evaluationPeriods: 1,
      comparisonOperator: ComparisonOperator.GREATER_THAN_OR_EQUAL_TO_THRESHOLD,
      treatMissingData: TreatMissingData.NOT_BREACHING,
    });
    // Without an action the alarm would notify nobody: a failed erasure must reach a person. The topic
    // carries alarm states only (names, no key data); it has no KMS key, since CloudWatch cannot
    // publish to a topic encrypted with the AWS managed SNS key.
    this.alarmTopic = new Topic(this, 'AlarmTopic', { displayName: 'byok-kms timer failures', enforceSSL: true });
    if (props.alarmEmail) this.alarmTopic.addSubscription(new EmailSubscription(props.alarmEmail));
    const notify = new SnsAction(this.alarmTopic);
    this.deadLetterAlarm.addAlarmAction(notify);
    this.deadLetterAlarm.addOkAction(notify);

    // Scheduler invokes Lambda asynchronously: a function error is retried by Lambda, then lands
    // in the same queue as an invocation Scheduler itself could not deliver.
    this.handler = new ServiceFunction(this, 'Handler', {
      entryName: 'timer',
      functionName: props.functionName,
      description: 'byok-kms timers: erases expired key material, deletes keys past their deletion date, rotates keys automatically',
      logRetention: props.logRetention,
      timeout: Duration.seconds(30),
      deadLetterQueue: this.deadLetterQueue,
      retryAttempts: 2,
      maxEventAge: Duration.hours(6),
    });
    grantTableAccess(props.table, props.tableKey, this.handler);
    this.handler.addEnvironment(ENV.KEY_TABLE, props.table.tableName);
    this.handler.addEnvironment(ENV.ROOT_KEY_ARN, props.rootKey.keyArn);
    // An automatic rotation prepares the next material: unwrap the key's material-id key, wrap the new material.
    this.handler.addToRolePolicy(
      new iam.PolicyStatement({
        actions: ['kms:Decrypt'],
        resources: [props.rootKey.keyArn],
        conditions: { StringEquals: { 'kms:EncryptionContext:purpose': 'material-id-key' } },
      }),
    );
    this.handler.addToRolePolicy(
      new iam.PolicyStatement({
        actions: ['kms:Encrypt'],
        resources: [props.rootKey.keyArn],
        conditions: { StringEquals: { 'kms:EncryptionContext:purpose': 'key-material' } },
      }),
    );

    const stack = Stack.of(this);
    this.handlerArn = stack.formatArn({
      service: 'lambda',
      resource: 'function',
      resourceName: props.functionName,
      arnFormat: ArnFormat.COLON_RESOURCE_NAME,
    });
    this.invokeRole = new iam.Role(this, 'InvokeRole', {
      description: 'Assumed by EventBridge Scheduler to invoke the byok-kms timer function',
      assumedBy: new iam.ServicePrincipal('scheduler.amazonaws.com', {
        conditions: { StringEquals: { 'aws:SourceAccount': stack.account } },
      }),
    });
    this.invokeRole.addToPolicy(new iam.PolicyStatement({ actions: ['lambda:InvokeFunction'], resources: [this.handlerArn] }));
    this.invokeRole.addToPolicy(new iam.PolicyStatement({ actions: ['sqs:SendMessage'], resources: [this.deadLetterQueue.queueArn] }));

    this.bindArmer(this.handler); // a timer's write may disarm the timer that superseded it
  }

  /** Lets `fn` create and delete timers in this group (only there), pass only the invoke role, and tells it where timers go. */
  public bindArmer(fn: ServiceFunction): void {
    const stack = Stack.of(this);
    fn.addToRolePolicy(
      new iam.PolicyStatement({
        actions: ['scheduler:CreateSchedule', 'scheduler:DeleteSchedule'],
        resources: [stack.formatArn({ service: 'scheduler', resource: 'schedule', resourceName: `${this.groupName}/*` })],
      }),
    );
    fn.addToRolePolicy(
      new iam.PolicyStatement({
        actions: ['iam:PassRole'],
        resources: [this.invokeRole.roleArn],
        conditions: { StringEquals: { 'iam:PassedToService': 'scheduler.amazonaws.com' } },
      }),
    );
    fn.addEnvironment(ENV.TIMER_GROUP, this.groupName);
    fn.addEnvironment(ENV.TIMER_TARGET_ARN, this.handlerArn);
    fn.addEnvironment(ENV.TIMER_ROLE_ARN, this.invokeRole.roleArn);
    fn.addEnvironment(ENV.TIMER_DLQ_ARN, this.deadLetterQueue.queueArn);
  }
}
