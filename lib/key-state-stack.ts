import { CfnOutput, Stack, type StackProps } from 'aws-cdk-lib';
import type { ITableV2 } from 'aws-cdk-lib/aws-dynamodb';
import type { IKey } from 'aws-cdk-lib/aws-kms';
import type { Construct } from 'constructs';
import type { TableKey } from './stage-config';
import { KeyState } from './constructs/key-state';

export interface KeyStateStackProps extends StackProps {
  /** DynamoDB deletion protection on the key table. @default false */
  readonly deletionProtection?: boolean;
  /** @default 'dynamodb-owned' */
  readonly tableKey?: TableKey;
}

/** The stateful stack: the key table, the audit table and the root key, all retained when the stack is deleted. */
export class KeyStateStack extends Stack {
  public readonly table: ITableV2;
  public readonly auditTable: ITableV2;
  public readonly rootKey: IKey;
  public readonly tableKey?: IKey;

  constructor(scope: Construct, id: string, props: KeyStateStackProps = {}) {
    super(scope, id, props);
    const state = new KeyState(this, 'KeyState', { deletionProtection: props.deletionProtection ?? false, ...(props.tableKey && { tableKey: props.tableKey }) });
    this.table = state.table;
    this.auditTable = state.auditTable;
    this.rootKey = state.rootKey;
    if (state.tableKey) this.tableKey = state.tableKey;
    new CfnOutput(this, 'TableName', { value: state.table.tableName, description: 'The key table (keys, aliases, credentials)' });
    new CfnOutput(this, 'AuditTableName', { value: state.auditTable.tableName, description: 'The audit table (CloudTrail records, 90 days)' });
    new CfnOutput(this, 'RootKeyArn', { value: state.rootKey.keyArn, description: 'The KMS key that wraps stored material and secrets' });
  }
}
