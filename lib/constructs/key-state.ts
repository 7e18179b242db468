import { RemovalPolicy, Tags } from 'aws-cdk-lib';
import { AttributeType, Billing, type CfnGlobalTable, TableEncryptionV2, TableV2 } from 'aws-cdk-lib/aws-dynamodb';
import { CfnKey, Key } from 'aws-cdk-lib/aws-kms';
import { Construct } from 'constructs';
import { AUDIT_TABLE_PARTITION_KEY, AUDIT_TABLE_SORT_KEY, AUDIT_TTL_ATTRIBUTE } from '../../lambda/adapters/audit/audit-table-schema';
import { KEY_TABLE_PARTITION_KEY, KEY_TABLE_SORT_KEY } from '../../lambda/adapters/dynamodb/table-schema';
import type { TableKey } from '../stage-config';

/** Table tag naming the root key, so `npm run credentials -- --table <name>` finds the key to wrap secrets with. */
export const ROOT_KEY_TAG = 'byok-kms:root-key-arn';

export interface KeyStateProps {
  /**
   * DynamoDB deletion protection on the table. The table and the key are retained when the stack is
   * deleted in any case; this also refuses a DeleteTable call.
   *
   * @default false
   */
  readonly deletionProtection?: boolean;
  /**
   * `dynamodb-owned`: DynamoDB's own key, which costs nothing and makes no KMS requests (the AWS
   * managed `aws/dynamodb` key would add KMS request charges and protect nothing more here: every
   * key material in the table is wrapped by the root key already). `customer-managed`: a KMS key of
   * this stack (rotated, retained), for policies that demand one.
   *
   * @default 'dynamodb-owned'
   */
  readonly tableKey?: TableKey;
}

/**
 * Everything the service must not lose: the key table (keys, aliases, issued credentials; layout in
 * lambda/adapters/dynamodb/table-schema.ts), the KMS root key that wraps the material and secrets
 * stored in it, and the audit table (D104). All are retained when the stack is deleted: without the
 * root key, the key table is noise; the audit trail outlives a redeployment, as CloudTrail's does.
 */
export class KeyState extends Construct {
  public readonly table: TableV2;
  /** One CloudTrail record per call and service event, removed by TTL 90 days after the event (LookupEvents never returns older ones). */
  public readonly auditTable: TableV2;
  public readonly rootKey: Key;
  /** The table's customer managed key, when the stage asks for one. */
  public readonly tableKey?: Key;

  constructor(scope: Construct, id: string, props: KeyStateProps = {}) {
    super(scope, id);
    this.rootKey = new Key(this, 'RootKey', {
      description: 'byok-kms root key: wraps imported key material and credential secrets at rest',
      enableKeyRotation: true,
      removalPolicy: RemovalPolicy.RETAIN,
    });
    (this.rootKey.node.defaultChild as CfnKey).origin = 'AWS_KMS';

    if (props.tableKey === 'customer-managed') {
      this.tableKey = new Key(this, 'TableKey', {
        description: 'byok-kms key table encryption at rest',
        enableKeyRotation: true,
        removalPolicy: RemovalPolicy.RETAIN,
      });
    }
    this.table = this.stateTable('Table', { partitionKey: KEY_TABLE_PARTITION_KEY, sortKey: KEY_TABLE_SORT_KEY, deletionProtection: props.deletionProtection ?? false });
    this.auditTable = this.stateTable('AuditTable', {
      partitionKey: AUDIT_TABLE_PARTITION_KEY,
      sortKey: AUDIT_TABLE_SORT_KEY,
      deletionProtection: props.deletionProtection ?? false,
      timeToLiveAttribute: AUDIT_TTL_ATTRIBUTE,
    });
    Tags.of(this.table).add(ROOT_KEY_TAG, this.rootKey.keyArn);
  }

  /** An on-demand pk/sk table with point-in-time recovery, encrypted like the key table, retained. */
  private stateTable(id: string, props: { partitionKey: string; sortKey: string; deletionProtection: boolean; timeToLiveAttribute?: string }): TableV2 {
    const table = new TableV2(this, id, {
      partitionKey: { name: props.partitionKey, type: AttributeType.STRING },
      sortKey: { name: props.sortKey, type: AttributeType.STRING },
      billing: Billing.onDemand(),
      pointInTimeRecoverySpecification: { pointInTimeRecoveryEnabled: true },
      encryption: TableEncryptionV2.dynamoOwnedKey(),
      deletionProtection: props.deletionProtection,
      removalPolicy: RemovalPolicy.RETAIN,
      ...(props.timeToLiveAttribute && { timeToLiveAttribute: props.timeToLiveAttribute }),
    });
    if (this.tableKey) {
      // TableEncryptionV2.customerManagedKey() cannot render in an environment-agnostic stack (it
      // needs the Region for the replica's key), so the one replica gets its key here.
      const cfn = table.node.defaultChild as CfnGlobalTable;
      cfn.addPropertyOverride('SSESpecification', { SSEEnabled: true, SSEType: 'KMS' });
      cfn.addPropertyOverride('Replicas.0.SSESpecification', { KMSMasterKeyId: this.tableKey.keyArn });
    }
    return table;
  }
}
