/**
 * Enforce mode as a client sees it (access.ts): requests through the KMS API handler, signed by issued
 * credentials, answered 200 or AccessDeniedException in AWS's words (D110). Here: what the checks are
 * asked — the request's source address and members as condition keys, kms:TagResource for a tagged
 * CreateKey, the encryption context each half of ReEncrypt brings to its grant, the child grant a
 * CreateGrant asks for —, when the key's grants are read (D112), and the lockout check of PutKeyPolicy
 * and CreateKey through the same procedure (D113). test/unit/handlers/authorization.test.ts refuses
 * every action once; authorize.test.ts decides grants without the handler.
 */
import { beforeEach, describe, expect, test } from 'vitest';
import type { GrantRecord } from '../../../../lambda/core/model/grant';
import { type Principal, principalOf } from '../../../../lambda/core/model/principal';
import type { AnyOperation } from '../../../../lambda/core/operations/types';
import { type Answer, type Credential, type EnforceMode, enforceMode } from '../../../support/enforce-mode';
import { TEST_SCOPE } from '../../../support/memory-deps';

const ACCT = TEST_SCOPE.account;
const ROLE = `arn:aws:iam::${ACCT}:role/app`;
const ADMIN = principalOf(`arn:aws:iam::${ACCT}:role/admin`, 'admin-session');
const APP = principalOf(ROLE, 'app-session');
const policy = (...Statement: object[]) => ({ Version: '2012-10-17', Statement });
/** Key policy: the administrator may do everything; nobody else anything (no account statement). */
const ADMIN_ONLY = policy({ Sid: 'admin', Effect: 'Allow', Principal: { AWS: ADMIN.principalArn }, Action: 'kms:*', Resource: '*' });
const b64 = (bytes: number[]) => Buffer.from(bytes).toString('base64');
const PLAINTEXT = b64([1, 2, 3]);

/** AWS's refusal (D110), as the client receives it. */
const refusal = (principal: Principal, action: string, resource: string, because: string): Answer => ({
  statusCode: 400,
  json: { __type: 'AccessDeniedException', Message: `User: ${principal.arn} is not authorized to perform: ${action} on resource: ${resource} ${because}` },
});
const noResourcePolicy = (principal: Principal, action: string, resource: string) => refusal(principal, action, resource, `because no resource-based policy allows the ${action} action`);
const OK = { statusCode: 200 };

let env: EnforceMode;
let admin: Credential;

/** Calls as the administrator and returns the output, failing the test on an error. */
async function asAdmin(action: string, input: object): Promise<Record<string, unknown>> {
  const res = await env.call(admin, action, input);
  if (res.statusCode !== 200) throw new Error(`${action} as the administrator failed: ${JSON.stringify(res.json)}`);
  return res.json ?? {};
}

async function adminKey(keyPolicy: object = ADMIN_ONLY): Promise<string> {
  return ((await asAdmin('CreateKey', { Policy: JSON.stringify(keyPolicy) })).KeyMetadata as { Arn: string }).Arn;
}

beforeEach(() => {
  env = enforceMode();
  admin = env.credential(ADMIN);
});

describe('actions on no key: the identity policy decides, with the request as condition keys', () => {
  const createKeyOnly = policy({ Effect: 'Allow', Action: 'kms:CreateKey', Resource: '*' });
  const TAGS = [{ TagKey: 'team', TagValue: 'a' }];

  test('CreateKey with Tags needs kms:TagResource as well; without Tags (or with none) it does not', async () => {
    const app = env.credential(APP, createKeyOnly);
    expect(await env.call(app, 'CreateKey', {})).toMatchObject(OK);
    expect(await env.call(app, 'CreateKey', { Tags: [] })).toMatchObject(OK);
    expect(await env.call(app, 'CreateKey', { Tags: TAGS })).toEqual(refusal(APP, 'kms:TagResource', '*', 'because no identity-based policy allows the kms:TagResource action'));

    const tagger = env.credential(APP, policy({ Effect: 'Allow', Action: ['kms:CreateKey', 'kms:TagResource'], Resource: '*' }));
    expect(await env.call(tagger, 'CreateKey', { Tags: TAGS })).toMatchObject(OK);
  });

  test('aws:SourceIp is the address the request came from', async () => {
    const fromOffice = env.credential(APP, policy({ Effect: 'Allow', Action: 'kms:ListKeys', Resource: '*', Condition: { StringEquals: { 'aws:SourceIp': '10.1.2.3' } } }));
    expect(await env.call(fromOffice, 'ListKeys', {}, '10.1.2.3')).toMatchObject(OK);
    expect(await env.call(fromOffice, 'ListKeys', {}, '10.9.9.9')).toEqual(refusal(APP, 'kms:ListKeys', '*', 'because no identity-based policy allows the kms:ListKeys action'));
  });
});

describe('keys allowed by grants alone (the key policy names the caller nowhere)', () => {
  let app: Credential;
  beforeEach(() => {
    app = env.credential(APP);
  });

  test('a grant for Encrypt within its EncryptionContextSubset', async () => {
    const key = await adminKey();
    expect(await env.call(app, 'Encrypt', { KeyId: key, Plaintext: PLAINTEXT })).toEqual(noResourcePolicy(APP, 'kms:Encrypt', key));
    await asAdmin('CreateGrant', { KeyId: key, GranteePrincipal: ROLE, Operations: ['Encrypt'], Constraints: { EncryptionContextSubset: { Department: 'IT' } } });

    expect(await env.call(app, 'Encrypt', { KeyId: key, Plaintext: PLAINTEXT, EncryptionContext: { Department: 'IT', Project: 'A' } })).toMatchObject(OK);
    expect(await env.call(app, 'Encrypt', { KeyId: key, Plaintext: PLAINTEXT, EncryptionContext: { Department: 'HR' } })).toEqual(noResourcePolicy(APP, 'kms:Encrypt', key));
  });

  test('ReEncrypt: the source key\'s grant sees SourceEncryptionContext, the destination key\'s DestinationEncryptionContext', async () => {
    const source = await adminKey();
    const destination = await adminKey();
    const SOURCE = { side: 'source' };
    const DESTINATION = { side: 'destination' };
    const { CiphertextBlob } = await asAdmin('Encrypt', { KeyId: source, Plaintext: PLAINTEXT, EncryptionContext: SOURCE });
    await asAdmin('CreateGrant', { KeyId: source, GranteePrincipal: ROLE, Operations: ['ReEncryptFrom'], Constraints: { EncryptionContextEquals: SOURCE } });
    await asAdmin('CreateGrant', { KeyId: destination, GranteePrincipal: ROLE, Operations: ['ReEncryptTo'], Constraints: { EncryptionContextEquals: DESTINATION } });
    const reEncrypt = (sourceContext: object, destinationContext: object) =>
      env.call(app, 'ReEncrypt', { CiphertextBlob, SourceEncryptionContext: sourceContext, DestinationKeyId: destination, DestinationEncryptionContext: destinationContext });

    expect(await reEncrypt(SOURCE, DESTINATION)).toMatchObject(OK);
    // the source half is allowed, the destination half is decided too, by its own context
    expect(await reEncrypt(SOURCE, SOURCE)).toEqual(noResourcePolicy(APP, 'kms:ReEncryptTo', destination));
    expect(await reEncrypt(DESTINATION, DESTINATION)).toEqual(noResourcePolicy(APP, 'kms:ReEncryptFrom', source));
  });

  test('a grant allowing CreateGrant lets its grantee create only grants within it (spec §3.5)', async () => {
    const key = await adminKey();
    await asAdmin('CreateGrant', { KeyId: key, GranteePrincipal: ROLE, Operations: ['CreateGrant', 'Decrypt'], Constraints: { EncryptionContextSubset: { a: '1' } } });
    const child = (extra: object) => env.call(app, 'CreateGrant', { KeyId: key, GranteePrincipal: `arn:aws:iam::${ACCT}:role/child`, Operations: ['Decrypt'], ...extra });

    expect(await child({ Constraints: { EncryptionContextSubset: { a: '1', b: '2' } } })).toMatchObject(OK);
    expect(await child({ Constraints: { EncryptionContextEquals: { a: '1' } } })).toMatchObject(OK);
    expect(await child({})).toEqual(noResourcePolicy(APP, 'kms:CreateGrant', key));
    expect(await child({ Operations: ['Encrypt'], Constraints: { EncryptionContextSubset: { a: '1' } } })).toEqual(noResourcePolicy(APP, 'kms:CreateGrant', key));
  });

  test('the grant that allows may come after a thousand others (every page of the key\'s grants is read)', async () => {
    const key = await adminKey();
    const keyId = key.slice(key.lastIndexOf('/') + 1);
    const grant = (grantId: string, granteePrincipal: string): GrantRecord => ({
      scope: TEST_SCOPE, keyId, grantId, creationDate: new Date('2026-01-01T00:00:00Z'), granteePrincipal, operations: ['Encrypt'], issuingAccount: `arn:aws:iam::${ACCT}:root`, issuingPrincipal: ADMIN.arn,
    });
    for (let i = 0; i < 1000; i++) await env.deps.keys.createGrant(grant(i.toString(16).padStart(64, '0'), `arn:aws:iam::${ACCT}:role/other`));
    await env.deps.keys.createGrant(grant('f'.repeat(64), ROLE));
    expect(await env.call(app, 'Encrypt', { KeyId: key, Plaintext: PLAINTEXT })).toMatchObject(OK);
  });
});

describe('the key\'s grants are read only when the policies do not decide (D112)', () => {
  let grantReads: number;
  beforeEach(() => {
    grantReads = 0;
    const list = env.deps.keys.listGrants.bind(env.deps.keys);
    env.deps.keys.listGrants = (...args) => {
      grantReads++;
      return list(...args);
    };
  });

  /** A key whose policy is ADMIN_ONLY plus `statements`, with a grant of Encrypt and Decrypt to the app role. */
  async function grantedKey(...statements: object[]): Promise<string> {
    const key = await adminKey(policy(...ADMIN_ONLY.Statement, ...statements));
    await asAdmin('CreateGrant', { KeyId: key, GranteePrincipal: ROLE, Operations: ['Encrypt', 'Decrypt'] });
    grantReads = 0;
    return key;
  }

  test('allowed by a grant: the key\'s grants are read once', async () => {
    const key = await grantedKey();
    const app = env.credential(APP);
    const { CiphertextBlob } = await asAdmin('Encrypt', { KeyId: key, Plaintext: PLAINTEXT });
    grantReads = 0;
    expect(await env.call(app, 'Decrypt', { KeyId: key, CiphertextBlob })).toMatchObject(OK);
    expect(grantReads).toBe(1);
  });

  test.each<[string, object[], Record<string, unknown> | undefined, string]>([
    ['allowed by the key policy', [{ Effect: 'Allow', Principal: { AWS: ROLE }, Action: 'kms:Encrypt', Resource: '*' }], undefined, ''],
    ['refused by a Deny in the key policy', [{ Effect: 'Deny', Principal: { AWS: ROLE }, Action: 'kms:Encrypt', Resource: '*' }], undefined, 'with an explicit deny in a resource-based policy'],
    ['refused by a Deny in the identity policy', [], policy({ Effect: 'Deny', Action: 'kms:Encrypt', Resource: '*' }), 'with an explicit deny in an identity-based policy'],
  ])('%s: no grant is read', async (_name, statements, identityPolicy, refused) => {
    const key = await grantedKey(...statements);
    const answer = await env.call(env.credential(APP, identityPolicy), 'Encrypt', { KeyId: key, Plaintext: PLAINTEXT });
    expect(answer).toEqual(refused === '' ? expect.objectContaining(OK) : refusal(APP, 'kms:Encrypt', key, refused));
    expect(grantReads).toBe(0);
  });

  test('an action no grant can allow (DisableKey): refused without reading the grants', async () => {
    const key = await grantedKey();
    expect(await env.call(env.credential(APP), 'DisableKey', { KeyId: key })).toEqual(noResourcePolicy(APP, 'kms:DisableKey', key));
    expect(grantReads).toBe(0);
  });
});

describe('a stored key policy that does not parse allows nothing (a damaged record)', () => {
  test('AccessDeniedException, even for the principal the policy named', async () => {
    const key = await adminKey();
    const keyId = key.slice(key.lastIndexOf('/') + 1);
    const stored = (await env.deps.keys.getKey(TEST_SCOPE, keyId))!;
    await env.deps.keys.putKey({ ...stored, policy: '{"Statement": [' }, { expectedRevision: stored.revision });
    expect(await env.call(admin, 'Encrypt', { KeyId: key, Plaintext: PLAINTEXT })).toEqual(noResourcePolicy(ADMIN, 'kms:Encrypt', key));
  });
});

describe('a key policy is compiled once per document text (D135): the decision follows the stored policy', () => {
  test('PutKeyPolicy takes effect on the next call, and the earlier policy again when it comes back', async () => {
    const appMayEncrypt = policy(ADMIN_ONLY.Statement[0]!, { Effect: 'Allow', Principal: { AWS: ROLE }, Action: 'kms:Encrypt', Resource: '*' });
    const key = await adminKey(appMayEncrypt);
    const app = env.credential(APP);
    const encrypt = () => env.call(app, 'Encrypt', { KeyId: key, Plaintext: PLAINTEXT });
    expect(await encrypt()).toMatchObject(OK);
    await asAdmin('PutKeyPolicy', { KeyId: key, PolicyName: 'default', Policy: JSON.stringify(ADMIN_ONLY) });
    expect(await encrypt()).toEqual(noResourcePolicy(APP, 'kms:Encrypt', key));
    await asAdmin('PutKeyPolicy', { KeyId: key, PolicyName: 'default', Policy: JSON.stringify(appMayEncrypt) });
    expect(await encrypt()).toMatchObject(OK);
  });

  test('two keys with one policy text decide alike; a key without a policy of its own has its account\'s default', async () => {
    const first = await adminKey();
    const second = await adminKey();
    const app = env.credential(APP);
    for (const key of [first, second]) expect(await env.call(app, 'Encrypt', { KeyId: key, Plaintext: PLAINTEXT })).toEqual(noResourcePolicy(APP, 'kms:Encrypt', key));
    // The default policy delegates to the account: the role's identity policy (none: everything) decides.
    const byDefault = ((await asAdmin('CreateKey', {})).KeyMetadata as { Arn: string }).Arn;
    expect(await env.call(app, 'Encrypt', { KeyId: byDefault, Plaintext: PLAINTEXT })).toMatchObject(OK);
    const limited = env.credential(APP, policy({ Effect: 'Allow', Action: 'kms:Decrypt', Resource: '*' }));
    expect(await env.call(limited, 'Encrypt', { KeyId: byDefault, Plaintext: PLAINTEXT })).toEqual(
      refusal(APP, 'kms:Encrypt', byDefault, 'because no identity-based policy allows the kms:Encrypt action'),
    );
  });
  test('a policy decides alike after many large policies have pushed its compiled form out of the table', async () => {
    const appMayEncrypt = policy(ADMIN_ONLY.Statement[0]!, { Effect: 'Allow', Principal: { AWS: ROLE }, Action: 'kms:Encrypt', Resource: '*' });
    const first = await adminKey(appMayEncrypt);
    const app = env.credential(APP);
    const encrypt = (key: string) => env.call(app, 'Encrypt', { KeyId: key, Plaintext: PLAINTEXT });
    expect(await encrypt(first)).toMatchObject(OK);
    // 40 distinct policies near the 32,768-character limit: more text than the table keeps.
    for (let i = 0; i < 40; i++) {
      const padding = { Sid: `pad${i}`, Effect: 'Deny', Principal: { AWS: ROLE }, Action: 'kms:Decrypt', Resource: '*', Condition: { StringEquals: { 'kms:EncryptionContext:pad': 'x'.repeat(31_000) } } };
      const key = await adminKey(policy(ADMIN_ONLY.Statement[0]!, padding, { Effect: 'Allow', Principal: { AWS: ROLE }, Action: 'kms:Encrypt', Resource: '*' }));
      expect(await encrypt(key)).toMatchObject(OK);
    }
    expect(await encrypt(first)).toMatchObject(OK);
    await asAdmin('PutKeyPolicy', { KeyId: first, PolicyName: 'default', Policy: JSON.stringify(ADMIN_ONLY) });
    expect(await encrypt(first)).toEqual(noResourcePolicy(APP, 'kms:Encrypt', first));
  });
});

describe('the lockout safety check asks the same procedure about the caller\'s next PutKeyPolicy (D113)', () => {
  const LOCKOUT = { statusCode: 400, json: { __type: 'MalformedPolicyDocumentException', message: 'The new key policy will not allow you to update the key policy in the future.' } };
  /** A policy letting the administrator do everything but PutKeyPolicy, which `statement` decides. */
  const withPut = (statement: object) => JSON.stringify(policy({ Effect: 'Allow', Principal: { AWS: ADMIN.principalArn }, NotAction: 'kms:PutKeyPolicy', Resource: '*' }, statement));
  const put = (Condition?: object, Resource: string = '*') => ({ Effect: 'Allow', Principal: { AWS: ADMIN.principalArn }, Action: 'kms:PutKeyPolicy', Resource, ...(Condition && { Condition }) });

  test('aws:SourceIp: from the address the new policy allows, and from another', async () => {
    const key = await adminKey();
    const fromOffice = withPut(put({ StringEquals: { 'aws:SourceIp': '10.1.2.3' } }));
    expect(await env.call(admin, 'PutKeyPolicy', { KeyId: key, PolicyName: 'default', Policy: fromOffice }, '10.9.9.9')).toEqual(LOCKOUT);
    expect(await env.call(admin, 'PutKeyPolicy', { KeyId: key, PolicyName: 'default', Policy: fromOffice }, '10.1.2.3')).toMatchObject(OK);
  });

  test('kms:BypassPolicyLockoutSafetyCheck is the PutKeyPolicy request\'s: absent when not given (AWS\'s Null example)', async () => {
    // AWS's guide allows PutKeyPolicy "only when the request does not include the BypassPolicyLockoutSafetyCheck
    // parameter" with Null true; a Bool false on the absent key holds for no request without it (D109).
    const key = await adminKey();
    const onlyWithoutBypass = withPut(put({ Null: { 'kms:BypassPolicyLockoutSafetyCheck': 'true' } }));
    expect(await env.call(admin, 'PutKeyPolicy', { KeyId: key, PolicyName: 'default', Policy: onlyWithoutBypass })).toMatchObject(OK);
    expect(await env.call(admin, 'CreateKey', { Policy: onlyWithoutBypass })).toMatchObject(OK);
    const bypassFalse = withPut(put({ Bool: { 'kms:BypassPolicyLockoutSafetyCheck': 'false' } }));
    expect(await env.call(admin, 'PutKeyPolicy', { KeyId: key, PolicyName: 'default', Policy: bypassFalse })).toEqual(LOCKOUT);
    // a request that says false has the key, false (on a key whose policy lets it say so)
    expect(await env.call(admin, 'PutKeyPolicy', { KeyId: await adminKey(), PolicyName: 'default', Policy: bypassFalse, BypassPolicyLockoutSafetyCheck: false })).toMatchObject(OK);
  });

  test('PutKeyPolicy asks about this key: a statement naming its ARN counts, one naming another key does not', async () => {
    const key = await adminKey();
    // Another key's ARN: the last hex digit changed (a random key id may end in 0 already).
    const otherKey = `${key.slice(0, -1)}${key.endsWith('0') ? '1' : '0'}`;
    expect(await env.call(admin, 'PutKeyPolicy', { KeyId: key, PolicyName: 'default', Policy: withPut(put(undefined, key)) })).toMatchObject(OK);
    expect(await env.call(admin, 'PutKeyPolicy', { KeyId: key, PolicyName: 'default', Policy: withPut(put(undefined, otherKey)) })).toEqual(LOCKOUT);
  });

  test('CreateKey asks about a key of the account whose id is not known yet: a pattern any key id matches counts', async () => {
    expect(await env.call(admin, 'CreateKey', { Policy: withPut(put(undefined, `arn:aws:kms:us-east-1:${ACCT}:key/?*`)) })).toMatchObject(OK);
  });
});

describe('an operation that completed without any authorization decision (D112\'s backstop)', () => {
  test('answers KMSInternalException, and the log names the action', async () => {
    const undecided: AnyOperation = async () => undefined; // reads no key, so nothing decides
    env = enforceMode({ operations: new Map([['EnableKey', undecided]]) });
    const app = env.credential(APP);
    expect(await env.call(app, 'EnableKey', { KeyId: '1234abcd-12ab-34cd-56ef-1234567890ab' })).toEqual({
      statusCode: 500,
      json: { __type: 'KMSInternalException', message: 'An internal error occurred.' },
    });
    expect(JSON.stringify(env.logged)).toContain('kms:EnableKey completed without an authorization decision');
  });
});
