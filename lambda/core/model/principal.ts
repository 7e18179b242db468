/**
 * Who signed a request (design decision 11): an IAM identity of one account, as AWS names it.
 * Issued credentials belong to one principal (D100):
 *
 *   arn:aws:iam::111122223333:root                        the account's root user
 *   arn:aws:iam::111122223333:user/[path/]Alice           an IAM user
 *   arn:aws:iam::111122223333:role/[path/]app             a role: each credential is its own session,
 *                                                         arn:aws:sts::111122223333:assumed-role/app/<AccessKeyId>
 *   arn:aws:sts::111122223333:assumed-role/app/ci-run     one named session of role app
 *
 * `arn` is what AWS shows for the caller (AccessDeniedException messages, CloudTrail's
 * userIdentity.arn); `principalArn` is the `aws:PrincipalArn` condition value, the role's ARN for a
 * session. Groups, federated users and service principals cannot sign requests here.
 */

export type PrincipalType = 'Root' | 'IAMUser' | 'AssumedRole';

export interface Principal {
  readonly type: PrincipalType;
  readonly partition: string;
  readonly account: string;
  /** The caller's ARN as AWS reports it: root, user, or assumed-role session ARN. */
  readonly arn: string;
  /** `aws:PrincipalArn`: the root or user ARN, or the role ARN of a session. */
  readonly principalArn: string;
  /** IAMUser: the user name; AssumedRole: the role name. */
  readonly name?: string;
  /** AssumedRole only. */
  readonly sessionName?: string;
}

const PARTITIONS = new Set(['aws', 'aws-cn', 'aws-us-gov']);
const ACCOUNT = /^\d{12}$/;
/** IAM names: letters, digits and `+=,.@_-`. */
const IAM_NAME = /^[\w+=,.@-]{1,64}$/;
/** A path is `/`-separated segments of printable ASCII without `/` (IAM allows up to 512 characters). */
const IAM_PATH_SEGMENT = /^[\x21-\x2e\x30-\x7e]+$/;
const SESSION_NAME = /^[\w+=,.@-]{2,64}$/;

export function rootPrincipal(partition: string, account: string): Principal {
  const arn = `arn:${partition}:iam::${account}:root`;
  return { type: 'Root', partition, account, arn, principalArn: arn };
}

/** The account principal's ARN, `arn:<partition>:iam::<account>:root`. */
export function accountRootArn(partition: string, account: string): string {
  return `arn:${partition}:iam::${account}:root`;
}

/** A credential's principal ARN, checked; returns the reason when it is not one this service issues credentials for. */
export function checkPrincipalArn(arn: string): string | undefined {
  // Stryker disable next-line StringLiteral: the session name only names a role's session, and a checked ARN's principal is discarded
  const parsed = parsePrincipalArn(arn, 'check');
  return typeof parsed === 'string' ? parsed : undefined;
}

/**
 * The principal a credential signs as. `sessionName` names the session of a role credential (the
 * credential's access key id); it is ignored for the other forms. Throws for an ARN
 * `checkPrincipalArn` refuses (stored credentials were checked when they were issued).
 */
export function principalOf(arn: string, sessionName: string): Principal {
  const parsed = parsePrincipalArn(arn, sessionName);
  if (typeof parsed === 'string') throw new Error(`not a principal ARN: ${parsed}`);
  return parsed;
}

function parsePrincipalArn(arn: string, sessionName: string): Principal | string {
  const parts = arn.split(':');
  if (parts.length !== 6 || parts[0] !== 'arn') return `'${arn}' is not an ARN (arn:aws:iam::<account>:<root|user/…|role/…>)`;
  // Stryker disable next-line StringLiteral: there are exactly six parts here, so no default is ever used
  const [, partition = '', service, region, account = '', resource = ''] = parts;
  if (!PARTITIONS.has(partition)) return `unknown partition '${partition}' in '${arn}'`;
  if (region !== '') return `an IAM principal ARN has no Region: '${arn}'`;
  if (!ACCOUNT.test(account)) return `the account in '${arn}' must be 12 digits`;
  if (service === 'iam') {
    if (resource === 'root') return rootPrincipal(partition, account);
    const slash = resource.indexOf('/');
    // Stryker disable next-line ConditionalExpression,EqualityOperator: `false` and `<=`: without a slash (or with one first) the ARN is refused below whatever kind says (`true`, killed by every user ARN, shares the name)
    const kind = slash < 0 ? resource : resource.slice(0, slash);
    // Stryker disable next-line MethodExpression,ArithmeticOperator: the kind (user or role) or a piece of it would be one more valid path segment, and the name is the last segment either way
    const segments = resource.slice(slash + 1).split('/');
    // Stryker disable next-line StringLiteral: split gives at least one element, so pop never answers undefined
    const name = segments.pop() ?? '';
    // Stryker disable next-line EqualityOperator: a slash at 0 leaves an empty kind, refused by the first half
    if ((kind !== 'user' && kind !== 'role') || slash < 0) {
      return `'${arn}' is not a root, user or role ARN (groups and other IAM resources cannot sign requests)`;
    }
    if (!IAM_NAME.test(name) || !segments.every((s) => IAM_PATH_SEGMENT.test(s)) || resource.length > 576) {
      return `'${arn}' has an invalid ${kind} name or path`;
    }
    if (kind === 'user') return { type: 'IAMUser', partition, account, arn, principalArn: arn, name };
    return session(partition, account, name, arn, sessionName);
  }
  if (service === 'sts') {
    // Stryker disable next-line StringLiteral: a missing role or session name fails its pattern whether empty or this text
    const [kind, role = '', session_ = '', ...rest] = resource.split('/');
    if (kind !== 'assumed-role' || rest.length > 0) return `'${arn}' is not an assumed-role session ARN (arn:aws:sts::<account>:assumed-role/<role>/<session>)`;
    if (!IAM_NAME.test(role) || !SESSION_NAME.test(session_)) return `'${arn}' has an invalid role or session name`;
    return session(partition, account, role, `arn:${partition}:iam::${account}:role/${role}`, session_);
  }
  return `'${arn}' is not an IAM or STS ARN`;
}

function session(partition: string, account: string, role: string, roleArn: string, sessionName: string): Principal {
  return {
    type: 'AssumedRole',
    partition,
    account,
    arn: `arn:${partition}:sts::${account}:assumed-role/${role}/${sessionName}`,
    principalArn: roleArn,
    name: role,
    sessionName,
  };
}
