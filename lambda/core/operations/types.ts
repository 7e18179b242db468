import type { Deps, RequestContext } from '../ports';

/**
 * Every KMS action is one function of (deps, caller, input) → output. Inputs and outputs use the KMS
 * member names (PascalCase); blobs are Uint8Array and timestamps Date — base64 and epoch seconds are
 * the protocol adapter's business. Optional output members are left undefined, never null.
 */
export type Operation<I, O> = (deps: Deps, ctx: RequestContext, input: I) => Promise<O>;

// eslint-disable-next-line @typescript-eslint/no-explicit-any -- the registry holds operations of every shape
export type AnyOperation = Operation<any, any>;
