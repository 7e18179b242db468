/**
 * A KMS call's CloudTrail record (AwsApiCall) as a user compares it with AWS's: `userIdentity` per principal kind
 * (D100, D101), the record's fixed members, errors (D103), LookupEvents' Username and AccessKeyId; and the
 * AwsServiceEvent of a key deletion. The principal ids come from the caller's `principalId` function, here one that
 * shows what it was asked for.
 */
import { describe, expect, test } from 'vitest';
import { type ApiCallFacts, type AuditCaller, apiCallEntry, keyArnParts, lookupUsername, serviceEventEntry, userIdentity } from '../../../../lambda/core/audit/cloudtrail-event';
import { type Principal, principalOf, rootPrincipal } from '../../../../lambda/core/model/principal';

const ACCOUNT = '111122223333';
const SCOPE = { partition: 'aws', account: ACCOUNT, region: 'eu-west-1' };
const KEY_ARN = `arn:aws:kms:eu-west-1:${ACCOUNT}:key/1234abcd-12ab-34cd-56ef-1234567890ab`;
const ISSUED = new Date('2026-05-20T08:00:00.750Z');
const principalId = (arn: string, prefix: string) => `${prefix}<${arn}>`;

const root = rootPrincipal('aws', ACCOUNT);
const alice = principalOf(`arn:aws:iam::${ACCOUNT}:user/dev/Alice`, 'ignored');
/** A role credential: its own session, named after its access key id (D100). */
const roleSession = principalOf(`arn:aws:iam::${ACCOUNT}:role/app`, 'AKIAEXAMPLE0000ROLE1');
const namedSession = principalOf(`arn:aws:sts::${ACCOUNT}:assumed-role/app/ci-run`, 'AKIAEXAMPLE0000ROLE2');

function facts(caller: AuditCaller, extra: Partial<ApiCallFacts> = {}): ApiCallFacts {
  return {
    scope: SCOPE,
    caller,
    eventName: 'Encrypt',
    eventTime: new Date('2026-05-20T20:44:37.123Z'),
    eventId: '00000000-0000-4000-8000-000000000001',
    requestId: '00000000-0000-4000-8000-000000000002',
    sourceIp: '127.0.0.1',
    userAgent: 'aws-cli/1.44.0',
    readOnly: true,
    requestParameters: { keyId: 'alias/app', encryptionContext: { Department: 'IT' } },
    responseElements: null,
    resources: [{ type: 'AWS::KMS::Key', arn: KEY_ARN }],
    ...extra,
  };
}

const recordOf = (entry: { cloudTrailEvent: string }) => JSON.parse(entry.cloudTrailEvent) as Record<string, unknown>;

describe('apiCallEntry: userIdentity per principal kind', () => {
  test.each<[string, AuditCaller, Record<string, unknown>]>([
    [
      'the account root',
      { principal: root, accessKeyId: 'AKIAEXAMPLE00000ROOT' },
      { type: 'Root', principalId: ACCOUNT, arn: `arn:aws:iam::${ACCOUNT}:root`, accountId: ACCOUNT, accessKeyId: 'AKIAEXAMPLE00000ROOT' },
    ],
    [
      'an IAM user (with a path)',
      { principal: alice, accessKeyId: 'AKIAEXAMPLE000ALICE1' },
      {
        type: 'IAMUser',
        principalId: `AIDA<arn:aws:iam::${ACCOUNT}:user/dev/Alice>`,
        arn: `arn:aws:iam::${ACCOUNT}:user/dev/Alice`,
        accountId: ACCOUNT,
        accessKeyId: 'AKIAEXAMPLE000ALICE1',
        userName: 'Alice',
      },
    ],
    [
      "a role credential (its own session, named after the access key id), with the credential's issue time",
      { principal: roleSession, accessKeyId: 'AKIAEXAMPLE0000ROLE1', issuedAt: ISSUED },
      {
        type: 'AssumedRole',
        principalId: `AROA<arn:aws:iam::${ACCOUNT}:role/app>:AKIAEXAMPLE0000ROLE1`,
        arn: `arn:aws:sts::${ACCOUNT}:assumed-role/app/AKIAEXAMPLE0000ROLE1`,
        accountId: ACCOUNT,
        accessKeyId: 'AKIAEXAMPLE0000ROLE1',
        sessionContext: {
          sessionIssuer: { type: 'Role', principalId: `AROA<arn:aws:iam::${ACCOUNT}:role/app>`, arn: `arn:aws:iam::${ACCOUNT}:role/app`, accountId: ACCOUNT, userName: 'app' },
          attributes: { creationDate: '2026-05-20T08:00:00Z', mfaAuthenticated: 'false' },
        },
      },
    ],
    [
      'a named assumed-role session, issue time unknown: no creationDate',
      { principal: namedSession, accessKeyId: 'AKIAEXAMPLE0000ROLE2' },
      {
        type: 'AssumedRole',
        principalId: `AROA<arn:aws:iam::${ACCOUNT}:role/app>:ci-run`,
        arn: `arn:aws:sts::${ACCOUNT}:assumed-role/app/ci-run`,
        accountId: ACCOUNT,
        accessKeyId: 'AKIAEXAMPLE0000ROLE2',
        sessionContext: {
          sessionIssuer: { type: 'Role', principalId: `AROA<arn:aws:iam::${ACCOUNT}:role/app>`, arn: `arn:aws:iam::${ACCOUNT}:role/app`, accountId: ACCOUNT, userName: 'app' },
          attributes: { mfaAuthenticated: 'false' },
        },
      },
    ],
  ])('%s', (_, caller, identity) => {
    expect(recordOf(apiCallEntry(facts(caller), principalId)).userIdentity).toStrictEqual(identity);
  });

  test.each<[string, Principal, string]>([
    ['root', root, 'Root'],
    ['IAM user', alice, 'IAMUser'],
    ['role session', roleSession, 'AssumedRole'],
  ])('%s without an access key id (open mode sent none): no accessKeyId member, in the record or the entry', (_, principal, type) => {
    const identity = userIdentity({ principal }, principalId);
    expect(identity).toMatchObject({ type });
    expect(identity).not.toHaveProperty('accessKeyId');
    const entry = apiCallEntry(facts({ principal }), principalId);
    expect(recordOf(entry).userIdentity).not.toHaveProperty('accessKeyId');
    expect(entry).not.toHaveProperty('accessKeyId');
  });

  test('a principal the type admits without a name or session name (no authenticator makes one): empty strings, never absent', () => {
    const user: Principal = { type: 'IAMUser', partition: 'aws', account: ACCOUNT, arn: alice.arn, principalArn: alice.arn };
    const session: Principal = { type: 'AssumedRole', partition: 'aws', account: ACCOUNT, arn: roleSession.arn, principalArn: roleSession.principalArn };
    expect(userIdentity({ principal: user }, principalId)).toMatchObject({ userName: '' });
    const identity = userIdentity({ principal: session }, principalId);
    expect(identity).toMatchObject({ principalId: `AROA<${roleSession.principalArn}>:`, sessionContext: { sessionIssuer: { userName: '' } } });
    expect([lookupUsername(user), lookupUsername(session)]).toEqual(['', '']);
  });
});

describe('apiCallEntry: the record and the entry LookupEvents filters on', () => {
  test("a successful call: AWS's members in AWS's order, the facts passed through, Username and AccessKeyId for LookupEvents", () => {
    const entry = apiCallEntry(facts({ principal: alice, accessKeyId: 'AKIAEXAMPLE000ALICE1' }), principalId);
    expect(entry).toStrictEqual({
      scope: SCOPE,
      eventId: '00000000-0000-4000-8000-000000000001',
      eventTime: new Date('2026-05-20T20:44:37.123Z'),
      eventName: 'Encrypt',
      eventSource: 'kms.amazonaws.com',
      readOnly: true,
      username: 'Alice',
      accessKeyId: 'AKIAEXAMPLE000ALICE1',
      resources: [{ type: 'AWS::KMS::Key', arn: KEY_ARN }],
      cloudTrailEvent: expect.any(String),
    });
    const record = recordOf(entry);
    expect(Object.keys(record)).toEqual([
      'eventVersion', 'userIdentity', 'eventTime', 'eventSource', 'eventName', 'awsRegion', 'sourceIPAddress', 'userAgent',
      'requestParameters', 'responseElements', 'requestID', 'eventID', 'readOnly', 'resources', 'eventType', 'managementEvent',
      'recipientAccountId', 'eventCategory',
    ]);
    expect(record).toMatchObject({
      eventVersion: '1.11',
      eventTime: '2026-05-20T20:44:37Z',
      eventSource: 'kms.amazonaws.com',
      eventName: 'Encrypt',
      awsRegion: 'eu-west-1',
      sourceIPAddress: '127.0.0.1',
      userAgent: 'aws-cli/1.44.0',
      requestParameters: { keyId: 'alias/app', encryptionContext: { Department: 'IT' } },
      responseElements: null,
      requestID: '00000000-0000-4000-8000-000000000002',
      eventID: '00000000-0000-4000-8000-000000000001',
      readOnly: true,
      resources: [{ accountId: ACCOUNT, type: 'AWS::KMS::Key', ARN: KEY_ARN }],
      eventType: 'AwsApiCall',
      managementEvent: true,
      recipientAccountId: ACCOUNT,
      eventCategory: 'Management',
    });
  });

  test('a failed call carries errorCode and errorMessage after userAgent, as the caller saw them; an undecodable request has null requestParameters', () => {
    const error = { code: 'ValidationException', message: "1 validation error detected: Value at 'keyId' failed to satisfy constraint" };
    const record = recordOf(apiCallEntry(facts({ principal: root }, { eventName: 'CreateAlias', readOnly: false, requestParameters: null, resources: [], error }), principalId));
    expect(Object.keys(record).slice(7, 11)).toEqual(['userAgent', 'errorCode', 'errorMessage', 'requestParameters']);
    expect(record).toMatchObject({ eventName: 'CreateAlias', errorCode: error.code, errorMessage: error.message, requestParameters: null, readOnly: false, resources: [] });
  });

  test('a mutation with responseElements and an alias resource', () => {
    const aliasArn = `arn:aws:kms:eu-west-1:${ACCOUNT}:alias/app`;
    const entry = apiCallEntry(
      facts(
        { principal: root },
        {
          eventName: 'CreateAlias',
          readOnly: false,
          requestParameters: { aliasName: 'alias/app', targetKeyId: KEY_ARN },
          responseElements: { keyId: KEY_ARN },
          resources: [{ type: 'AWS::KMS::Key', arn: KEY_ARN }, { type: 'AWS::KMS::Alias', arn: aliasArn }],
        },
      ),
      principalId,
    );
    expect(entry).toMatchObject({ username: 'root', readOnly: false });
    expect(recordOf(entry)).toMatchObject({
      responseElements: { keyId: KEY_ARN },
      readOnly: false,
      resources: [{ accountId: ACCOUNT, type: 'AWS::KMS::Key', ARN: KEY_ARN }, { accountId: ACCOUNT, type: 'AWS::KMS::Alias', ARN: aliasArn }],
    });
  });

  test.each<[Principal, string]>([
    [root, 'root'],
    [alice, 'Alice'],
    [roleSession, 'AKIAEXAMPLE0000ROLE1'],
    [namedSession, 'ci-run'],
  ])("LookupEvents' Username of %j is %s (the user name, the role session name, or root)", (principal, username) => {
    expect(lookupUsername(principal)).toBe(username);
    expect(apiCallEntry(facts({ principal }), principalId).username).toBe(username);
  });
});

describe('serviceEventEntry: DeleteKey', () => {
  test('names the key ARN in responseElements and has no serviceEventDetails', () => {
    const entry = serviceEventEntry({ eventName: 'DeleteKey', keyArn: KEY_ARN, eventTime: new Date('2026-06-01T00:00:00Z') }, 'e1');
    expect(entry).not.toHaveProperty('username');
    expect(JSON.parse(entry.cloudTrailEvent)).toStrictEqual({
      eventVersion: '1.11',
      userIdentity: { accountId: ACCOUNT, invokedBy: 'AWS Internal' },
      eventTime: '2026-06-01T00:00:00Z',
      eventSource: 'kms.amazonaws.com',
      eventName: 'DeleteKey',
      awsRegion: 'eu-west-1',
      sourceIPAddress: 'AWS Internal',
      userAgent: 'AWS Internal',
      requestParameters: null,
      responseElements: { keyId: KEY_ARN },
      eventID: 'e1',
      readOnly: false,
      resources: [{ accountId: ACCOUNT, type: 'AWS::KMS::Key', ARN: KEY_ARN }],
      eventType: 'AwsServiceEvent',
      managementEvent: true,
      recipientAccountId: ACCOUNT,
      eventCategory: 'Management',
    });
  });

  test('the first rotation of a key has no previousKeyMaterialId', () => {
    const event = { eventName: 'RotateKey', keyArn: KEY_ARN, rotationType: 'AUTOMATIC', keyOrigin: 'AWS_KMS', currentKeyMaterialId: 'b'.repeat(64), eventTime: new Date() } as const;
    const details = JSON.parse(serviceEventEntry(event, 'e2').cloudTrailEvent).serviceEventDetails;
    expect(details).toStrictEqual({ keyId: '1234abcd-12ab-34cd-56ef-1234567890ab', rotationType: 'AUTOMATIC', keyOrigin: 'AWS_KMS', currentKeyMaterialId: 'b'.repeat(64) });
  });
});

describe('keyArnParts', () => {
  test.each([
    [KEY_ARN, { scope: SCOPE, keyId: '1234abcd-12ab-34cd-56ef-1234567890ab' }],
    [`arn:aws-cn:kms:cn-north-1:${ACCOUNT}:key/mrk-1234abcd12ab34cd56ef1234567890ab`, { scope: { partition: 'aws-cn', account: ACCOUNT, region: 'cn-north-1' }, keyId: 'mrk-1234abcd12ab34cd56ef1234567890ab' }],
    // Never a stored key's ARN; the parts it lacks are empty strings, never undefined.
    ['arn', { scope: { partition: '', account: '', region: '' }, keyId: '' }],
  ])('%s', (arn, parts) => expect(keyArnParts(arn)).toStrictEqual(parts));
});
