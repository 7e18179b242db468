/**
 * Who a request acts as, for what key policies and grants record (IssuingAccount, the lockout check).
 * No caller identity is established yet: open mode has none and enforce mode's credentials belong to an
 * account, so every caller acts as its account's root user. The authorization work replaces `callerArn`.
 */
import type { RequestContext } from '../ports';
import type { Scope } from './key';

/** `arn:<partition>:iam::<account>:root`: the account principal, as key policies and grants name it. */
export function accountRootArn(scope: Pick<Scope, 'partition' | 'account'>): string {
  return `arn:${scope.partition}:iam::${scope.account}:root`;
}

/** The ARN of the principal making the request. */
export function callerArn(ctx: RequestContext): string {
  return accountRootArn(ctx.scope);
}
