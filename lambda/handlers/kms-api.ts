import middy from '@middy/core';
import type { APIGatewayProxyEventV2, APIGatewayProxyStructuredResultV2, Context } from 'aws-lambda';
import { auditRecorder } from '../adapters/kms-json/audit-recorder';
import type { Authenticator } from '../adapters/kms-json/authenticator';
import { encodeOutput } from '../adapters/kms-json/codec';
import { type KmsApiLogger, kmsCallOf, kmsJson, recordOutput } from '../adapters/kms-json/middleware';
import { cloudTrailModel, kmsModel } from '../adapters/kms-json/model';
import { assertAuthorized, authorizeRequest } from '../core/authorization/access';
import { cloudTrailOperations } from '../core/operations/cloudtrail/operations';
import { allOperations } from '../core/operations/registry';
import type { AnyOperation } from '../core/operations/types';
import type { AuditTrail, Deps } from '../core/ports';

export interface KmsApiHandlerOptions {
  readonly authenticate: Authenticator;
  readonly logger: KmsApiLogger;
  /** The implemented actions; defaults to every operation registered in lambda/core/operations. */
  readonly operations?: ReadonlyMap<string, AnyOperation>;
  /**
   * The audit trail: every KMS call is recorded in it before its response is sent, and CloudTrail's
   * LookupEvents (same endpoint) reads it. Without one, nothing is recorded and LookupEvents is unknown.
   */
  readonly audit?: AuditTrail;
}

export type KmsApiHandler = (event: APIGatewayProxyEventV2, context: Context) => Promise<APIGatewayProxyStructuredResultV2>;

/**
 * The KMS API (POST /, X-Amz-Target: TrentService.<Action>) for API Gateway HTTP API payload 2.0
 * events, and CloudTrail's LookupEvents on the same endpoint. The same handler serves Lambda and
 * the embedded local server.
 */
export function makeKmsApiHandler(deps: Deps, options: KmsApiHandlerOptions): KmsApiHandler {
  const { authenticate, logger, operations = allOperations(), audit } = options;
  const trail = audit && {
    audit: auditRecorder(audit, deps.clock),
    services: [{ model: cloudTrailModel, operations: cloudTrailOperations(audit), audited: false }],
  };
  return middy<APIGatewayProxyEventV2, APIGatewayProxyStructuredResultV2, Error, Context>()
    .use(kmsJson({ authenticate, logger, operations, model: kmsModel, ...trail })) // the only middleware: renders every error
    .handler(async (event) => {
      const { operation, ctx, input, hasOutput } = kmsCallOf(event);
      authorizeRequest(deps, ctx); // actions on no key; keys are checked as operations read them
      const output: unknown = await operation(deps, ctx, input);
      assertAuthorized(ctx);
      recordOutput(event, output);
      return { statusCode: 200, body: hasOutput ? JSON.stringify(encodeOutput(output) ?? {}) : '' };
    });
}
