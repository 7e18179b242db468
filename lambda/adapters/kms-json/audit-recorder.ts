/**
 * Turns a finished KMS call into the facts of its CloudTrail record and appends them to the audit
 * trail, before the response is sent (design decision 12); the trail renders the record (D140).
 */
import { randomUUID } from 'node:crypto';
import type { AuditCaller, AuditResource } from '../../core/audit/cloudtrail-event';
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
  /** Undefined when the trail kept the record at once (D130); a rejection or a throw means it was not written. */
  record(call: FinishedCall): Promise<void> | undefined;
}

export function auditRecorder(trail: AuditTrail, clock: Clock, newId: () => string = randomUUID): AuditRecorder {
  return {
    record: (call) => {
      const modelled = call.model.operations.get(call.action);
      const { requestParameters, responseElements, resources } = callFields({
        model: call.model,
        action: call.action,
        scope: call.scope,
        inputShape: modelled?.input,
        outputShape: modelled?.output,
        input: call.input,
        succeeded: call.succeeded,
        output: call.output,
        keys: call.keys,
      });
      // Every member assigned, absent ones as undefined, which no trail tells from a missing one: one object shape for every call.
      const written = trail.append({
        eventType: 'AwsApiCall',
        call: {
          scope: call.scope,
          caller: call.caller,
          eventName: call.action,
          eventTime: clock.now(),
          eventId: newId(),
          requestId: call.requestId,
          sourceIp: call.sourceIp,
          userAgent: call.userAgent,
          readOnly: isReadOnly(call.action),
          requestParameters,
          responseElements,
          resources,
          error: call.error,
        },
      });
      return written === undefined ? undefined : written;
    },
  };
}
