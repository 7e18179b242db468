/**
 * Names of the environment variables the Lambda functions read. Constants only: lib/ writes these
 * variables, lambda/runtime/aws.ts reads them, and nothing else touches either side.
 */
export const ENV = {
  /** DynamoDB table holding keys, aliases and issued credentials. */
  KEY_TABLE: 'KMS_KEY_TABLE',
  /** ARN of the KMS key that wraps stored key material and credential secrets. */
  ROOT_KEY_ARN: 'KMS_ROOT_KEY_ARN',
  /** EventBridge Scheduler group holding the one-shot timers. */
  TIMER_GROUP: 'KMS_TIMER_GROUP',
  /** ARN of the timer function, the target of every schedule. */
  TIMER_TARGET_ARN: 'KMS_TIMER_TARGET_ARN',
  /** ARN of the role EventBridge Scheduler assumes to invoke the timer function. */
  TIMER_ROLE_ARN: 'KMS_TIMER_ROLE_ARN',
  /** ARN of the SQS queue that receives timer invocations that failed after every retry. */
  TIMER_DLQ_ARN: 'KMS_TIMER_DLQ_ARN',
  /** DynamoDB table holding the audit trail (CloudTrail records, 90 days). */
  AUDIT_TABLE: 'KMS_AUDIT_TABLE',
  /** Name of the EventBridge bus that receives KMS service events. */
  EVENT_BUS: 'KMS_EVENT_BUS',
  /** `enforce` (SigV4 signatures verified against issued credentials) or `open` (anything accepted). */
  AUTH_MODE: 'KMS_AUTH_MODE',
} as const;

export type EnvName = (typeof ENV)[keyof typeof ENV];

export const AUTH_MODES = ['enforce', 'open'] as const;
export type AuthMode = (typeof AUTH_MODES)[number];
