/**
 * Stage settings, from cdk.json context (or `-c` on the command line), validated at synth time so a
 * typo fails `cdk synth` with a message instead of deploying something unexpected.
 *
 *   "context": {
 *     "stage": "dev",
 *     "stages": { "dev": { "logRetentionDays": 14, "deletionProtection": false, "auth": "enforce" } }
 *   }
 *
 * `npx cdk deploy -c stage=prod` picks another entry of `stages`.
 */
import { RetentionDays } from 'aws-cdk-lib/aws-logs';
import type { Node } from 'constructs';
import { AUTH_MODES, type AuthMode } from '../lambda/runtime/env-names';

export interface StageConfig {
  /** Lower-case letters, digits and dashes; part of every stack and resource name. */
  readonly name: string;
  readonly logRetention: RetentionDays;
  /** DynamoDB deletion protection on the key table (the table is retained on stack deletion regardless). */
  readonly deletionProtection: boolean;
  /** `enforce` verifies SigV4 against issued credentials; `open` accepts any request (sandboxes only). */
  readonly auth: AuthMode;
}

const STAGE_NAME = /^[a-z][a-z0-9-]{0,19}$/;
const RETENTION_DAYS = new Set<number>(Object.values(RetentionDays).filter((v): v is number => typeof v === 'number' && v > 0));

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
  const known = new Set(['logRetentionDays', 'deletionProtection', 'auth']);
  for (const key of Object.keys(s)) if (!known.has(key)) problems.push(`unknown setting '${key}'`);
  if (typeof s.logRetentionDays !== 'number' || !RETENTION_DAYS.has(s.logRetentionDays)) {
    problems.push(`'logRetentionDays' must be one of CloudWatch's retention periods (${[...RETENTION_DAYS].sort((a, b) => a - b).join(', ')})`);
  }
  if (typeof s.deletionProtection !== 'boolean') problems.push(`'deletionProtection' must be true or false`);
  if (typeof s.auth !== 'string' || !(AUTH_MODES as readonly string[]).includes(s.auth)) {
    problems.push(`'auth' must be one of ${AUTH_MODES.join(', ')}`);
  }
  if (problems.length > 0) throw new Error(`context 'stages.${name}' is invalid: ${problems.join('; ')}`);
  return {
    name,
    logRetention: s.logRetentionDays as RetentionDays,
    deletionProtection: s.deletionProtection as boolean,
    auth: s.auth as AuthMode,
  };
}
