/**
 * Who a request acts as, for what key policies and grants record (IssuingAccount, the issuing
 * principal). In enforce mode it is the verified caller (design decision 11); in open mode nothing is
 * verified and every caller acts as its account's root user.
 */
import type { RequestContext } from '../ports';
import type { Scope } from './key';
import { accountRootArn as rootArnOf } from './principal';

/** `arn:<partition>:iam::<account>:root`: the account principal, as key policies and grants name it. */
export function accountRootArn(scope: Pick<Scope, 'partition' | 'account'>): string {
  return rootArnOf(scope.partition, scope.account);
}

/** The ARN of the principal making the request. */
export function callerArn(ctx: RequestContext): string {
  return ctx.access?.principal.arn ?? accountRootArn(ctx.scope);
}
