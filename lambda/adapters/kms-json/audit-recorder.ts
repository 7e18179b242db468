/**
 * Turns a finished KMS call into its CloudTrail record and appends it to the audit trail, before
 * the response is sent (design decision 12). Principal ids are stable stand-ins (AWS's are opaque
 * unique ids): `AIDA`/`AROA` and 17 base32 characters of a hash of the user's or role's ARN.
 */
import { createHash, randomUUID } from 'node:crypto';
import { type AuditCaller, type AuditResource, apiCallEntry } from '../../core/audit/cloudtrail-event';
import type { Scope } from '../../core/model/key';
import type { AuditTrail, Clock } from '../../core/ports';
import { callFields, isReadOnly } from './audit-fields';
import type { KmsModel } from './model';

export interface FinishedCall {
  readonly model: KmsModel;
  readonly action: string;
  readonly scope: Scope;
  readonly caller: AuditCaller;
  readonly requestId: string;
  readonly sourceIp: string;
  readonly userAgent: string;
  /** The decoded input; undefined when the request failed before it was decoded. */
  readonly input?: Record<string, unknown>;
  readonly succeeded: boolean;
  readonly output?: unknown;
  readonly error?: { readonly code: string; readonly message: string };
  readonly keys: readonly AuditResource[];
}

export interface AuditRecorder {
  record(call: FinishedCall): Promise<void>;
}

const BASE32 = 'ABCDEFGHIJKLMNOPQRSTUVWXYZ234567';

export function stablePrincipalId(arn: string, prefix: string): string {
  const digest = createHash('sha256').update(arn).digest();
  let id = prefix;
  for (let i = 0; i < 17; i++) id += BASE32[digest[i]! & 31];
  return id;
}

export function auditRecorder(trail: AuditTrail, clock: Clock, newId: () => string = randomUUID): AuditRecorder {
  return {
    record: async (call) => {
      const modelled = call.model.operations.get(call.action);
      const fields = callFields({
        model: call.model,
        action: call.action,
        scope: call.scope,
        ...(modelled?.input !== undefined && { inputShape: modelled.input }),
        ...(modelled?.output !== undefined && { outputShape: modelled.output }),
        ...(call.input !== undefined && { input: call.input }),
        succeeded: call.succeeded,
        output: call.output,
        keys: call.keys,
      });
      const entry = apiCallEntry(
        {
          scope: call.scope,
          caller: call.caller,
          eventName: call.action,
          eventTime: clock.now(),
          eventId: newId(),
          requestId: call.requestId,
          sourceIp: call.sourceIp,
          userAgent: call.userAgent,
          readOnly: isReadOnly(call.action),
          ...fields,
          ...(call.error && { error: call.error }),
        },
        stablePrincipalId,
      );
      await trail.append(entry);
    },
  };
}
