import middy from '@middy/core';
import type { APIGatewayProxyEventV2, APIGatewayProxyStructuredResultV2, Context } from 'aws-lambda';
import type { Authenticator } from '../adapters/kms-json/authenticator';
import { encodeOutput } from '../adapters/kms-json/codec';
import { type KmsApiLogger, kmsCallOf, kmsJson } from '../adapters/kms-json/middleware';
import { kmsModel } from '../adapters/kms-json/model';
import { allOperations } from '../core/operations/registry';
import type { AnyOperation } from '../core/operations/types';
import type { Deps } from '../core/ports';

export interface KmsApiHandlerOptions {
  readonly authenticate: Authenticator;
  readonly logger: KmsApiLogger;
  /** The implemented actions; defaults to every operation registered in lambda/core/operations. */
  readonly operations?: ReadonlyMap<string, AnyOperation>;
}

export type KmsApiHandler = (event: APIGatewayProxyEventV2, context: Context) => Promise<APIGatewayProxyStructuredResultV2>;

/**
 * The KMS API (POST /, X-Amz-Target: TrentService.<Action>) for API Gateway HTTP API payload 2.0
 * events. The same handler serves Lambda and the embedded local server.
 */
export function makeKmsApiHandler(deps: Deps, options: KmsApiHandlerOptions): KmsApiHandler {
  const { authenticate, logger, operations = allOperations() } = options;
  return middy<APIGatewayProxyEventV2, APIGatewayProxyStructuredResultV2, Error, Context>()
    .use(kmsJson({ authenticate, logger, operations, model: kmsModel })) // the only middleware: renders every error
    .handler(async (event) => {
      const { operation, ctx, input, hasOutput } = kmsCallOf(event);
      const output: unknown = await operation(deps, ctx, input);
      return { statusCode: 200, body: hasOutput ? JSON.stringify(encodeOutput(output) ?? {}) : '' };
    });
}
