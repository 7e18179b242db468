import type { ITableV2 } from 'aws-cdk-lib/aws-dynamodb';
import { EventBus } from 'aws-cdk-lib/aws-events';
import type * as iam from 'aws-cdk-lib/aws-iam';
import { Construct } from 'constructs';
import { ENV } from '../../lambda/runtime/env-names';

export interface AuditTrailProps {
  /** The audit table (in the stateful stack: lib/constructs/key-state.ts), or a retained one of an earlier deployment. */
  readonly table: ITableV2;
  /**
   * Name of the EventBridge bus that receives the KMS service events (material expiry, key
   * deletion, rotation).
   *
   * @default - a name CloudFormation generates
   */
  readonly eventBusName?: string;
}

/** A function that records to the audit trail and publishes service events (the API and timer functions). */
interface AuditWriter extends iam.IGrantable {
  addEnvironment(key: string, value: string): unknown;
}

/**
 * The audit trail's stateless half (design decision 12): the EventBridge bus KMS service events go
 * to (D107), and the functions' access to the audit table (D104), which lives with the key state.
 */
export class AuditTrail extends Construct {
  public readonly table: ITableV2;
  public readonly eventBus: EventBus;

  constructor(scope: Construct, id: string, props: AuditTrailProps) {
    super(scope, id);
    this.table = props.table;
    this.eventBus = new EventBus(this, 'Bus', props.eventBusName === undefined ? {} : { eventBusName: props.eventBusName });
  }

  /** Lets `fn` append records (PutItem), read them (Query, for LookupEvents) and publish service events. */
  public bindWriter(fn: AuditWriter): void {
    this.table.grant(fn, 'dynamodb:PutItem', 'dynamodb:Query');
    this.eventBus.grantPutEventsTo(fn);
    fn.addEnvironment(ENV.AUDIT_TABLE, this.table.tableName);
    fn.addEnvironment(ENV.EVENT_BUS, this.eventBus.eventBusName);
  }
}
