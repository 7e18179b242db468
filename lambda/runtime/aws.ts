/**
 * The AWS runtime: reads the environment once per cold start, builds the SDK clients and adapters
 * once, and fails fast (at init, before any request) when a variable is missing. Variable names are
 * in env-names.ts, written by lib/ and read only here.
 */
import { setTimeout as sleep } from 'node:timers/promises';
import { Logger } from '@aws-lambda-powertools/logger';
import { DynamoDBClient } from '@aws-sdk/client-dynamodb';
import { EventBridgeClient } from '@aws-sdk/client-eventbridge';
import { KMSClient } from '@aws-sdk/client-kms';
import { SchedulerClient } from '@aws-sdk/client-scheduler';
import { AuditEventSink } from '../adapters/audit/audit-event-sink';
import { DynamoAuditTrail } from '../adapters/audit/dynamo-audit-trail';
import { DynamoKeyStore } from '../adapters/dynamodb/key-store';
import { EventBridgeServiceEvents } from '../adapters/eventbridge/kms-service-events';
import { KmsRootKey } from '../adapters/kms-root-key/kms-root-key';
import { type Authenticator, openAuthenticator } from '../adapters/kms-json/authenticator';
import { SchedulerTimers } from '../adapters/scheduler/scheduler-timers';
import { CredentialStore } from '../adapters/sigv4/credential-store';
import { createSigV4Authenticator } from '../adapters/sigv4';
import { MaterialCache } from '../core/crypto/material-cache';
import { retryingKeyWrites } from '../core/key-writes';
import type { AuditTrail, Deps, EventSink, KeyWrites, RandomBytes } from '../core/ports';
import { AUTH_MODES, type AuthMode, ENV } from './env-names';
import { pooledRandomBytes } from './random';

export type Env = Readonly<Record<string, string | undefined>>;

export interface AwsRuntime {
  readonly deps: Deps;
  readonly logger: Logger;
  readonly dynamodb: DynamoDBClient;
  readonly tableName: string;
  /** The audit trail: the API function records every call in it and answers LookupEvents from it. */
  readonly audit: AuditTrail;
}

export interface AwsApiRuntime extends AwsRuntime {
  readonly authenticate: Authenticator;
}

/** Deps for a Lambda container: one set of clients, one material cache, structured JSON logs. */
export function awsRuntime(env: Env): AwsRuntime {
  const tableName = required(env, ENV.KEY_TABLE);
  const timerConfig = {
    groupName: required(env, ENV.TIMER_GROUP),
    targetArn: required(env, ENV.TIMER_TARGET_ARN),
    roleArn: required(env, ENV.TIMER_ROLE_ARN),
    deadLetterArn: required(env, ENV.TIMER_DLQ_ARN),
  };
  const rootKeyArn = required(env, ENV.ROOT_KEY_ARN);
  const auditTable = required(env, ENV.AUDIT_TABLE);
  const eventBus = required(env, ENV.EVENT_BUS);
  const logger = new Logger(); // service name and level from POWERTOOLS_* variables set by lib/
  const dynamodb = new DynamoDBClient({});
  const random = pooledRandomBytes();
  const audit = new DynamoAuditTrail(dynamodb, auditTable);
  const published = new EventBridgeServiceEvents(new EventBridgeClient({}), eventBus, (message, attributes) => logger.warn(message, attributes));
  const deps: Deps = {
    keys: new DynamoKeyStore(dynamodb, tableName),
    timers: new SchedulerTimers(new SchedulerClient({}), timerConfig),
    rootKey: new KmsRootKey(new KMSClient({}), rootKeyArn),
    clock: { now: () => new Date() },
    random,
    events: new AuditEventSink(audit, [loggedEvents(logger), published]),
    materialCache: new MaterialCache(),
    keyWrites: deployedKeyWrites(logger, random),
  };
  return { deps, logger, dynamodb, tableName, audit };
}

/** The API function's runtime: the deps plus the authenticator the stage asks for. */
export function awsApiRuntime(env: Env): AwsApiRuntime {
  const runtime = awsRuntime(env);
  const mode = authMode(env);
  const authenticate =
    mode === 'open'
      ? openAuthenticator
      : createSigV4Authenticator({ lookup: new CredentialStore(runtime.dynamodb, runtime.tableName, runtime.deps.rootKey).lookup });
  return { ...runtime, authenticate };
}

/** Structurally compatible with the Powertools Logger. */
export interface ConflictLogger {
  debug(message: string, attributes: Record<string, unknown>): void;
  warn(message: string, attributes: Record<string, unknown>): void;
}

/**
 * Many instances write one table: a lost race backs off with jitter and retries, and finally answers
 * ThrottlingException (D91). Conflicts are routine: debug lines while retrying, a warning on giving up.
 */
export function deployedKeyWrites(logger: ConflictLogger, random: RandomBytes): KeyWrites {
  return retryingKeyWrites({
    sleep: (ms) => sleep(ms),
    random,
    log: {
      retrying: (event) => logger.debug('key write conflict; retrying', { ...event }),
      gaveUp: (event) => logger.warn('key write conflict on every attempt; answered ThrottlingException', { ...event }),
    },
  });
}

/** Service events (AWS logs them to CloudTrail) as structured log lines: ids and times only. */
function loggedEvents(logger: Logger): EventSink {
  return {
    record: ({ eventTime, ...fields }) => logger.info('service event', { ...fields, eventTime: eventTime.toISOString() }),
  };
}

function authMode(env: Env): AuthMode {
  const value = env[ENV.AUTH_MODE] ?? 'enforce';
  if (!(AUTH_MODES as readonly string[]).includes(value)) {
    throw new Error(`environment variable ${ENV.AUTH_MODE} must be one of ${AUTH_MODES.join(', ')}, got '${value}'`);
  }
  return value as AuthMode;
}

function required(env: Env, name: string): string {
  const value = env[name];
  if (!value) throw new Error(`environment variable ${name} is not set`);
  return value;
}
