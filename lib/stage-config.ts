/**
 * Stage settings, from cdk.json context (or `-c` on the command line), validated at synth time so a
 * typo fails `cdk synth` with a message instead of deploying something unexpected.
 *
 *   "context": {
 *     "stage": "dev",
 *     "stages": { "dev": { "logRetentionDays": 14, "deletionProtection": false, "auth": "enforce" } }
 *   }
 *
 * `npx cdk deploy -c stage=prod` picks another entry of `stages`. Optional settings: `frontDoor`,
 * `alarmEmail`, `tableKey` and `existingState` (see StageConfig and the README's "Stage settings").
 */
import { RetentionDays } from 'aws-cdk-lib/aws-logs';
import type { Node } from 'constructs';
import { AUTH_MODES, type AuthMode } from '../lambda/runtime/env-names';

/** What clients reach the API function through: an HTTP API (payload 2.0) or a REST API (payload 1.0; LocalStack's free plan has no HTTP APIs). */
export const FRONT_DOORS = ['http-api', 'rest-api'] as const;
export type FrontDoor = (typeof FRONT_DOORS)[number];

/** How the key table is encrypted at rest: DynamoDB's own key (no KMS requests, no charge), or a customer managed KMS key of the stage. */
export const TABLE_KEYS = ['dynamodb-owned', 'customer-managed'] as const;
export type TableKey = (typeof TABLE_KEYS)[number];

/** The state of an earlier deployment (retained after `destroy`) that a stage uses instead of creating its own. */
export interface ExistingState {
  readonly tableName: string;
  /** The retained audit table (the state stack's AuditTableName output). */
  readonly auditTableName: string;
  readonly rootKeyArn: string;
  /** The table's customer managed KMS key, when it has one (the functions need to use it). */
  readonly tableKeyArn?: string;
}

export interface StageConfig {
  /** Lower-case letters, digits and dashes; part of every stack and resource name. */
  readonly name: string;
  readonly logRetention: RetentionDays;
  /** DynamoDB deletion protection on the key table, and termination protection on the state stack (the table is retained on stack deletion regardless). */
  readonly deletionProtection: boolean;
  /** `enforce` verifies SigV4 against issued credentials; `open` accepts any request (sandboxes only). */
  readonly auth: AuthMode;
  /** @default 'http-api' */
  readonly frontDoor: FrontDoor;
  /** Subscribed (by e-mail, after confirmation) to the topic the timer dead-letter alarm notifies. */
  readonly alarmEmail?: string;
  /** @default 'dynamodb-owned' */
  readonly tableKey: TableKey;
  /** Use this table and root key (no state stack): how a stage gets its keys back after `destroy`. */
  readonly existingState?: ExistingState;
}

const STAGE_NAME = /^[a-z][a-z0-9-]{0,19}$/;
const RETENTION_DAYS = new Set<number>(Object.values(RetentionDays).filter((v): v is number => typeof v === 'number' && v > 0));
const EMAIL = /^[^\s@]+@[^\s@]+\.[^\s@]+$/;
const TABLE_NAME = /^[a-zA-Z0-9_.-]{3,255}$/;
const KMS_KEY_ARN = /^arn:aws[a-z-]*:kms:[a-z0-9-]+:\d{12}:key\/[0-9a-f-]{36}$/;
const KNOWN = new Set(['logRetentionDays', 'deletionProtection', 'auth', 'frontDoor', 'alarmEmail', 'tableKey', 'existingState']);

/** Reads and validates the selected stage; throws with every problem listed. */
export function stageConfig(node: Node): StageConfig {
  const name: unknown = node.tryGetContext('stage') ?? 'dev';
  const stages: unknown = node.tryGetContext('stages');
  const problems: string[] = [];
  if (typeof name !== 'string' || !STAGE_NAME.test(name)) {
    throw new Error(`context 'stage' must match ${STAGE_NAME} (got ${JSON.stringify(name)})`);
  }
  const raw = typeof stages === 'object' && stages !== null ? (stages as Record<string, unknown>)[name] : undefined;
  if (typeof raw !== 'object' || raw === null) {
    throw new Error(`context 'stages.${name}' is missing: add it to cdk.json (see the 'dev' entry)`);
  }
  const s = raw as Record<string, unknown>;
  for (const key of Object.keys(s)) if (!KNOWN.has(key)) problems.push(`unknown setting '${key}'`);
  if (typeof s.logRetentionDays !== 'number' || !RETENTION_DAYS.has(s.logRetentionDays)) {
    problems.push(`'logRetentionDays' must be one of CloudWatch's retention periods (${[...RETENTION_DAYS].sort((a, b) => a - b).join(', ')})`);
  }
  if (typeof s.deletionProtection !== 'boolean') problems.push(`'deletionProtection' must be true or false`);
  if (!oneOf(s.auth, AUTH_MODES)) problems.push(`'auth' must be one of ${AUTH_MODES.join(', ')}`);
  if (s.frontDoor !== undefined && !oneOf(s.frontDoor, FRONT_DOORS)) problems.push(`'frontDoor' must be one of ${FRONT_DOORS.join(', ')}`);
  if (s.alarmEmail !== undefined && (typeof s.alarmEmail !== 'string' || !EMAIL.test(s.alarmEmail))) problems.push(`'alarmEmail' must be an e-mail address`);
  if (s.tableKey !== undefined && !oneOf(s.tableKey, TABLE_KEYS)) problems.push(`'tableKey' must be one of ${TABLE_KEYS.join(', ')}`);
  const existingState = s.existingState === undefined ? undefined : existingStateOf(s.existingState, problems);
  if (existingState && s.tableKey !== undefined) problems.push(`'tableKey' applies to a table the stage creates; with 'existingState' give the table's key as 'existingState.tableKeyArn'`);
  if (problems.length > 0) throw new Error(`context 'stages.${name}' is invalid: ${problems.join('; ')}`);
  return {
    name,
    logRetention: s.logRetentionDays as RetentionDays,
    deletionProtection: s.deletionProtection as boolean,
    auth: s.auth as AuthMode,
    frontDoor: (s.frontDoor as FrontDoor | undefined) ?? 'http-api',
    ...(s.alarmEmail !== undefined && { alarmEmail: s.alarmEmail as string }),
    tableKey: (s.tableKey as TableKey | undefined) ?? 'dynamodb-owned',
    ...(existingState && { existingState }),
  };
}

function existingStateOf(value: unknown, problems: string[]): ExistingState | undefined {
  if (typeof value !== 'object' || value === null) {
    problems.push(`'existingState' must be an object: { "tableName": …, "auditTableName": …, "rootKeyArn": … }`);
    return undefined;
  }
  const v = value as Record<string, unknown>;
  const before = problems.length;
  for (const key of Object.keys(v)) if (!['tableName', 'auditTableName', 'rootKeyArn', 'tableKeyArn'].includes(key)) problems.push(`unknown setting 'existingState.${key}'`);
  if (typeof v.tableName !== 'string' || !TABLE_NAME.test(v.tableName)) problems.push(`'existingState.tableName' must be a DynamoDB table name`);
  if (typeof v.auditTableName !== 'string' || !TABLE_NAME.test(v.auditTableName)) problems.push(`'existingState.auditTableName' must be a DynamoDB table name (the retained audit table)`);
  if (typeof v.rootKeyArn !== 'string' || !KMS_KEY_ARN.test(v.rootKeyArn)) problems.push(`'existingState.rootKeyArn' must be a KMS key ARN (arn:aws:kms:<region>:<account>:key/<id>)`);
  if (v.tableKeyArn !== undefined && (typeof v.tableKeyArn !== 'string' || !KMS_KEY_ARN.test(v.tableKeyArn))) problems.push(`'existingState.tableKeyArn' must be a KMS key ARN`);
  if (problems.length > before) return undefined;
  return { tableName: v.tableName as string, auditTableName: v.auditTableName as string, rootKeyArn: v.rootKeyArn as string, ...(v.tableKeyArn !== undefined && { tableKeyArn: v.tableKeyArn as string }) };
}

function oneOf<T extends string>(value: unknown, allowed: readonly T[]): value is T {
  return typeof value === 'string' && (allowed as readonly string[]).includes(value);
}
