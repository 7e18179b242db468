import { describe, expect, test } from 'vitest';
import { checkPrincipalArn, principalOf, rootPrincipal } from '../../../lambda/core/model/principal';

describe('principalOf', () => {
  test.each([
    ['arn:aws:iam::111122223333:root', { type: 'Root', arn: 'arn:aws:iam::111122223333:root', principalArn: 'arn:aws:iam::111122223333:root' }],
    ['arn:aws:iam::111122223333:user/Alice', { type: 'IAMUser', arn: 'arn:aws:iam::111122223333:user/Alice', principalArn: 'arn:aws:iam::111122223333:user/Alice', name: 'Alice' }],
    ['arn:aws:iam::111122223333:user/division/team/Bob', { type: 'IAMUser', name: 'Bob', principalArn: 'arn:aws:iam::111122223333:user/division/team/Bob' }],
    [
      'arn:aws:iam::111122223333:role/app',
      { type: 'AssumedRole', arn: 'arn:aws:sts::111122223333:assumed-role/app/BYOKSESSION', principalArn: 'arn:aws:iam::111122223333:role/app', name: 'app', sessionName: 'BYOKSESSION' },
    ],
    [
      'arn:aws:iam::111122223333:role/service-role/app',
      { type: 'AssumedRole', arn: 'arn:aws:sts::111122223333:assumed-role/app/BYOKSESSION', principalArn: 'arn:aws:iam::111122223333:role/service-role/app' },
    ],
    [
      'arn:aws:sts::111122223333:assumed-role/app/ci-run',
      { type: 'AssumedRole', arn: 'arn:aws:sts::111122223333:assumed-role/app/ci-run', principalArn: 'arn:aws:iam::111122223333:role/app', sessionName: 'ci-run' },
    ],
    ['arn:aws-cn:iam::111122223333:user/Li', { type: 'IAMUser', partition: 'aws-cn', account: '111122223333' }],
  ])('%s', (arn, expected) => {
    expect(principalOf(arn, 'BYOKSESSION')).toMatchObject(expected);
  });

  test('the root principal of an account', () => {
    expect(rootPrincipal('aws-us-gov', '111122223333')).toEqual({
      type: 'Root',
      partition: 'aws-us-gov',
      account: '111122223333',
      arn: 'arn:aws-us-gov:iam::111122223333:root',
      principalArn: 'arn:aws-us-gov:iam::111122223333:root',
    });
  });
});

describe('checkPrincipalArn', () => {
  test.each([
    ['arn:aws:iam::111122223333:root'],
    ['arn:aws:iam::111122223333:user/Alice'],
    ['arn:aws:iam::111122223333:role/app'],
    ['arn:aws:sts::111122223333:assumed-role/app/session-1'],
  ])('accepts %s', (arn) => expect(checkPrincipalArn(arn)).toBeUndefined());

  test.each([
    ['111122223333', 'is not an ARN'],
    ['arn:aws:iam::1111:root', 'must be 12 digits'],
    ['arn:aws:iam:us-east-1:111122223333:root', 'has no Region'],
    ['arn:aws:iam::111122223333:group/admins', 'groups and other IAM resources cannot sign requests'],
    ['arn:aws:iam::111122223333:user/', 'invalid user name'],
    ['arn:aws:iam::111122223333:user/bad name', 'invalid user name'],
    ['arn:aws:sts::111122223333:assumed-role/app', 'invalid role or session name'],
    ['arn:aws:sts::111122223333:federated-user/bob', 'is not an assumed-role session ARN'],
    ['arn:aws:s3:::bucket', 'must be 12 digits'],
    ['arn:aws:kms:us-east-1:111122223333:key/1', 'has no Region'],
    ['arn:aws:lambda::111122223333:function', 'is not an IAM or STS ARN'],
    ['arn:other:iam::111122223333:root', 'unknown partition'],
  ])('refuses %s', (arn, reason) => expect(checkPrincipalArn(arn)).toContain(reason));
});

describe('principal ARNs at the edges of what is accepted', () => {
  const userOfLength = (resourceLength: number) => `arn:aws:iam::111122223333:user/${'p'.repeat(resourceLength - 70)}/${'n'.repeat(64)}`;

  test.each([
    ['xrn:aws:iam::111122223333:root', "'xrn:aws:iam::111122223333:root' is not an ARN (arn:aws:iam::<account>:<root|user/…|role/…>)"],
    ['arn:aws:iam::111122223333:root:extra', "'arn:aws:iam::111122223333:root:extra' is not an ARN (arn:aws:iam::<account>:<root|user/…|role/…>)"],
    ['arn:aws:iam::111122223333:user', "'arn:aws:iam::111122223333:user' is not a root, user or role ARN (groups and other IAM resources cannot sign requests)"],
    ['arn:aws:iam::111122223333:role', "'arn:aws:iam::111122223333:role' is not a root, user or role ARN (groups and other IAM resources cannot sign requests)"],
    ['arn:aws:sts::111122223333:assumed-role/app/ci-run/extra', "'arn:aws:sts::111122223333:assumed-role/app/ci-run/extra' is not an assumed-role session ARN (arn:aws:sts::<account>:assumed-role/<role>/<session>)"],
    [userOfLength(577), `'${userOfLength(577)}' has an invalid user name or path`],
  ])('refuses %s, saying why', (arn, reason) => {
    expect(checkPrincipalArn(arn)).toBe(reason);
    expect(() => principalOf(arn, 'BYOKSESSION')).toThrow(new Error(`not a principal ARN: ${reason}`));
  });

  test('a user ARN of 576 characters of resource (a 512-character path and a 64-character name) is accepted', () => {
    expect(checkPrincipalArn(userOfLength(576))).toBeUndefined();
    expect(principalOf(userOfLength(576), 'BYOKSESSION')).toMatchObject({ type: 'IAMUser', name: 'n'.repeat(64) });
  });
});
