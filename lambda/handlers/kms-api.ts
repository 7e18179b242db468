import { randomUUID } from 'node:crypto';
import middy from '@middy/core';
import type { APIGatewayProxyEventV2, APIGatewayProxyStructuredResultV2, Context } from 'aws-lambda';
import { auditRecorder } from '../adapters/kms-json/audit-recorder';
import type { Authenticator } from '../adapters/kms-json/authenticator';
import { type KmsApiLogger, type KmsExchange, type KmsHttpAnswer, type KmsJsonFront, kmsJsonFront, requestOfEvent } from '../adapters/kms-json/middleware';
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

export type KmsApiHandler = ((event: APIGatewayProxyEventV2, context: Context) => Promise<APIGatewayProxyStructuredResultV2>) & {
  /** The same API without an API Gateway event: what the local server calls (D99). */
  readonly front: KmsJsonFront;
};

/** The KMS front of `deps`: one for both runtimes. */
export function makeKmsApiFront(deps: Deps, options: KmsApiHandlerOptions): KmsJsonFront {
  const { authenticate, logger, operations = allOperations(), audit } = options;
  const trail = audit && {
    audit: auditRecorder(audit, deps.clock),
    services: [{ model: cloudTrailModel, operations: cloudTrailOperations(audit), audited: false }],
  };
  return kmsJsonFront({
    authenticate,
    logger,
    operations,
    model: kmsModel,
    ...trail,
    execute: ({ operation, ctx, input }) => {
      authorizeRequest(deps, ctx); // actions on no key; keys are checked as operations read them
      // No async function of its own: a throw here reaches the front's await as the rejection did.
      return operation(deps, ctx, input).then((output: unknown) => {
        assertAuthorized(ctx);
        return output;
      });
    },
  });
}

/**
 * The KMS API (POST /, X-Amz-Target: TrentService.<Action>) for API Gateway HTTP API payload 2.0
 * events, and CloudTrail's LookupEvents on the same endpoint. Lambda runs it behind middy, whose early
 * timeout is answered like any other internal error; the embedded local server calls `front` directly.
 */
export function makeKmsApiHandler(deps: Deps, options: KmsApiHandlerOptions): KmsApiHandler {
  const front = makeKmsApiFront(deps, options);
  const exchanges = new WeakMap<APIGatewayProxyEventV2, KmsExchange>();
  const exchangeOf = (event: APIGatewayProxyEventV2, context: Context): KmsExchange => {
    let exchange = exchanges.get(event);
    if (!exchange) {
      context.awsRequestId ||= randomUUID(); // one id for the response header and the logs
      exchange = front.exchange(requestOfEvent(event, context.awsRequestId));
      exchanges.set(event, exchange);
    }
    return exchange;
  };
  const handler = middy<APIGatewayProxyEventV2, APIGatewayProxyStructuredResultV2, Error, Context>()
    .use({
      onError: async (request) => {
        request.response = proxyResult(await exchangeOf(request.event, request.context).fail(request.error));
      },
    })
    .handler(async (event, context) => proxyResult(await exchangeOf(event, context).answer()));
  return Object.assign(handler, { front });
}

function proxyResult(answer: KmsHttpAnswer): APIGatewayProxyStructuredResultV2 {
  return { statusCode: answer.statusCode, headers: { ...answer.headers }, body: answer.body };
}
