/**
 * The KMS API handler in enforce mode on in-memory ports, for unit tests of authorization: a request
 * is the JSON a client sends, signed (as far as the handler can tell) by one issued credential, and
 * the answer is what the client receives (status and body). Stands in for SigV4 (tested in
 * test/unit/adapters/sigv4 and test/aws/sigv4.test.ts): the event names the credential.
 *
 *   const env = enforceMode();
 *   const app = env.credential(principalOf('arn:aws:iam::111122223333:role/app', 's'), identityPolicy);
 *   const { statusCode, json } = await env.call(app, 'Encrypt', { KeyId, Plaintext });
 */
import type { APIGatewayProxyEventV2, Context } from 'aws-lambda';
import { MemoryAuditTrail } from '../../lambda/adapters/audit/memory-audit-trail';
import type { Authenticator, Caller } from '../../lambda/adapters/kms-json/authenticator';
import type { Principal } from '../../lambda/core/model/principal';
import type { AnyOperation } from '../../lambda/core/operations/types';
import { makeKmsApiHandler } from '../../lambda/handlers/kms-api';
import { type MemoryDeps, memoryDeps, TEST_SCOPE } from './memory-deps';

/** An issued credential: whose it is, and its identity policy (D108). */
export interface Credential {
  readonly id: string;
  readonly principal: Principal;
}

export interface Answer {
  readonly statusCode: number;
  readonly json: Record<string, unknown> | undefined;
}

export interface EnforceMode {
  readonly deps: MemoryDeps;
  readonly audit: MemoryAuditTrail;
  /** What the handler logged (internal errors). */
  readonly logged: { message: string; attributes: unknown }[];
  /** Issues a credential for `principal`, with an identity policy or without one (an administrator). */
  credential(principal: Principal, identityPolicy?: Readonly<Record<string, unknown>>): Credential;
  /** Sends `input` as `action` (KMS, or CloudTrail's LookupEvents) signed with `credential`, from `sourceIp`. */
  call(credential: Credential, action: string, input: object, sourceIp?: string): Promise<Answer>;
}

export function enforceMode(options: { operations?: ReadonlyMap<string, AnyOperation> } = {}): EnforceMode {
  const deps = memoryDeps();
  const audit = new MemoryAuditTrail();
  const logged: EnforceMode['logged'] = [];
  const callers = new Map<string, Caller>();
  const authenticate: Authenticator = async ({ headers }) => callers.get(headers['x-test-credential'] ?? '')!;
  const handler = makeKmsApiHandler(deps, {
    authenticate,
    logger: { error: (message, attributes) => void logged.push({ message, attributes }) },
    audit,
    ...(options.operations && { operations: options.operations }),
  });
  return {
    deps,
    audit,
    logged,
    credential(principal, identityPolicy) {
      const id = `CRED${callers.size}`;
      callers.set(id, { scope: TEST_SCOPE, principal, accessKeyId: id, ...(identityPolicy && { identityPolicy }), verified: true });
      return { id, principal };
    },
    async call(credential, action, input, sourceIp = '127.0.0.1') {
      const service = action === 'LookupEvents' ? 'com.amazonaws.cloudtrail.v20131101.CloudTrail_20131101' : 'TrentService';
      const event = {
        version: '2.0',
        routeKey: '$default',
        rawPath: '/',
        rawQueryString: '',
        headers: { 'x-amz-target': `${service}.${action}`, 'content-type': 'application/x-amz-json-1.1', 'x-test-credential': credential.id },
        requestContext: { http: { method: 'POST', path: '/', sourceIp }, stage: '$default' },
        body: JSON.stringify(input),
        isBase64Encoded: false,
      } as unknown as APIGatewayProxyEventV2;
      const result = await handler(event, {} as Context);
      return { statusCode: result.statusCode ?? 0, json: result.body ? (JSON.parse(result.body) as Record<string, unknown>) : undefined };
    },
  };
}
