/**
 * Enforce mode covers every action (design decision 11): for each action in the registry (and
 * CloudTrail's LookupEvents), a caller the key policy does not name — or whose identity policy does
 * not allow an action on no key — is refused with AccessDeniedException in AWS's words, the refusal
 * changes nothing and is in the audit trail, and the same request from the key's administrator then
 * succeeds (so the refusal was authorization's, not a bad input's). The list of actions comes from the
 * registry: an action added there without a row here fails the first test.
 */
import { generateKeyPairSync } from 'node:crypto';
import { beforeEach, describe, expect, test } from 'vitest';
import { MemoryAuditTrail } from '../../../lambda/adapters/audit/memory-audit-trail';
import { ACCOUNT_ACTIONS } from '../../../lambda/core/authorization/access';
import { type Principal, principalOf } from '../../../lambda/core/model/principal';
import { cloudTrailOperations } from '../../../lambda/core/operations/cloudtrail/operations';
import { allOperations } from '../../../lambda/core/operations/registry';
import { enforceMode } from '../../support/enforce-mode';
import { type MemoryDeps, TEST_SCOPE } from '../../support/memory-deps';
import { wrapMaterial } from '../../support/wrap-material';

const ACCT = TEST_SCOPE.account;
const ADMIN = principalOf(`arn:aws:iam::${ACCT}:role/admin`, 'admin-session');
/** Not named by the key policies below, and with an identity policy that allows only DescribeKey. */
const APP = principalOf(`arn:aws:iam::${ACCT}:role/app`, 'app-session');
const APP_IDENTITY = { Version: '2012-10-17', Statement: [{ Effect: 'Allow', Action: 'kms:DescribeKey', Resource: '*' }] };
/** Key policy: the administrator may do everything; nobody else anything (no account statement). */
const ADMIN_ONLY = JSON.stringify({
  Version: '2012-10-17',
  Statement: [{ Sid: 'admin', Effect: 'Allow', Principal: { AWS: `arn:aws:iam::${ACCT}:role/admin` }, Action: 'kms:*', Resource: '*' }],
});

interface Env {
  call(principal: Principal, action: string, input: object): Promise<{ statusCode: number; json: Record<string, unknown> | undefined }>;
  /** Calls as the administrator and returns the output, failing the test on an error. */
  admin(action: string, input: object): Promise<Record<string, unknown>>;
  deps: MemoryDeps;
  audit: MemoryAuditTrail;
}

function environment(): Env {
  const env = enforceMode();
  const credentials = new Map([
    [ADMIN, env.credential(ADMIN)],
    [APP, env.credential(APP, APP_IDENTITY)],
  ]);
  const call: Env['call'] = (principal, action, input) => env.call(credentials.get(principal)!, action, input);
  const admin: Env['admin'] = async (action, input) => {
    const res = await call(ADMIN, action, input);
    if (res.statusCode !== 200) throw new Error(`${action} as the administrator failed: ${JSON.stringify(res.json)}`);
    return res.json ?? {};
  };
  return { call, admin, deps: env.deps, audit: env.audit };
}

const b64 = (bytes: Uint8Array) => Buffer.from(bytes).toString('base64');

async function adminKey(env: Env, extra: object = {}): Promise<string> {
  const { KeyMetadata } = (await env.admin('CreateKey', { Policy: ADMIN_ONLY, ...extra })) as { KeyMetadata: { Arn: string } };
  return KeyMetadata.Arn;
}

async function ciphertext(env: Env, keyArn: string): Promise<string> {
  return (await env.admin('Encrypt', { KeyId: keyArn, Plaintext: b64(new Uint8Array([1, 2, 3])) })).CiphertextBlob as string;
}

async function grantTo(env: Env, keyArn: string, grantee: string, operations: string[]): Promise<{ GrantId: string; GrantToken: string }> {
  return (await env.admin('CreateGrant', { KeyId: keyArn, GranteePrincipal: grantee, Operations: operations })) as { GrantId: string; GrantToken: string };
}

/** One row per action: the request (made valid by the set-up) and the resource the refusal names (default: the key). */
interface Row {
  readonly input: (env: Env) => Promise<{ input: object; resource?: string; key?: string }>;
  /** What the administrator gets instead of success, for an action this service refuses to everyone after authorization. */
  readonly adminError?: string;
}

const onKey = (extra: (key: string, env: Env) => object | Promise<object> = () => ({}), keyExtra: object = {}): Row => ({
  input: async (env) => {
    const key = await adminKey(env, keyExtra);
    return { input: { KeyId: key, ...(await extra(key, env)) }, key };
  },
});
const onNoKey = (input: object): Row => ({ input: async () => ({ input, resource: '*' }) });
const EXTERNAL = { Origin: 'EXTERNAL' };
const SIGNING = { KeySpec: 'ECC_NIST_P256', KeyUsage: 'SIGN_VERIFY' };
const MAC = { KeySpec: 'HMAC_256', KeyUsage: 'GENERATE_VERIFY_MAC' };
const MESSAGE = b64(new Uint8Array([4, 5, 6]));
/** A P-256 public key (SubjectPublicKeyInfo, base64) of the other party, for DeriveSharedSecret. */
const peerPublicKey = () => b64(generateKeyPairSync('ec', { namedCurve: 'prime256v1' }).publicKey.export({ type: 'spki', format: 'der' }));

const ROWS: Record<string, Row> = {
  // keys
  CreateKey: onNoKey({}),
  ListKeys: onNoKey({}),
  DescribeKey: {
    // APP's identity policy allows DescribeKey, but the key policy does not delegate to the account.
    input: async (env) => {
      const key = await adminKey(env);
      return { input: { KeyId: key }, key };
    },
  },
  EnableKey: onKey(),
  DisableKey: onKey(),
  UpdateKeyDescription: onKey(() => ({ Description: 'new' })),
  // import
  GetParametersForImport: onKey(() => ({ WrappingAlgorithm: 'RSAES_OAEP_SHA_256', WrappingKeySpec: 'RSA_2048' }), EXTERNAL),
  ImportKeyMaterial: onKey(async (key, env) => {
    const params = await env.admin('GetParametersForImport', { KeyId: key, WrappingAlgorithm: 'RSAES_OAEP_SHA_256', WrappingKeySpec: 'RSA_2048' });
    const wrapped = wrapMaterial(Buffer.from(params.PublicKey as string, 'base64'), 'RSAES_OAEP_SHA_256', new Uint8Array(32).fill(7));
    return { ImportToken: params.ImportToken, EncryptedKeyMaterial: b64(wrapped), ExpirationModel: 'KEY_MATERIAL_DOES_NOT_EXPIRE' };
  }, EXTERNAL),
  DeleteImportedKeyMaterial: onKey(async (key, env) => {
    const params = await env.admin('GetParametersForImport', { KeyId: key, WrappingAlgorithm: 'RSAES_OAEP_SHA_256', WrappingKeySpec: 'RSA_2048' });
    const wrapped = wrapMaterial(Buffer.from(params.PublicKey as string, 'base64'), 'RSAES_OAEP_SHA_256', new Uint8Array(32).fill(9));
    await env.admin('ImportKeyMaterial', { KeyId: key, ImportToken: params.ImportToken, EncryptedKeyMaterial: b64(wrapped), ExpirationModel: 'KEY_MATERIAL_DOES_NOT_EXPIRE' });
    return {};
  }, EXTERNAL),
  // rotation
  EnableKeyRotation: onKey(() => ({ RotationPeriodInDays: 90 })),
  DisableKeyRotation: onKey(),
  GetKeyRotationStatus: onKey(),
  ListKeyRotations: onKey(),
  RotateKeyOnDemand: onKey(),
  // deletion
  ScheduleKeyDeletion: onKey(() => ({ PendingWindowInDays: 7 })),
  CancelKeyDeletion: onKey(async (key, env) => {
    await env.admin('ScheduleKeyDeletion', { KeyId: key, PendingWindowInDays: 7 });
    return {};
  }),
  // cryptography
  Encrypt: onKey(() => ({ Plaintext: b64(new Uint8Array([1])) })),
  Decrypt: {
    input: async (env) => {
      const key = await adminKey(env);
      return { input: { CiphertextBlob: await ciphertext(env, key) }, key };
    },
  },
  ReEncrypt: {
    // The source key refuses first: ReEncryptFrom.
    input: async (env) => {
      const key = await adminKey(env);
      return { input: { CiphertextBlob: await ciphertext(env, key), DestinationKeyId: await adminKey(env) }, key };
    },
  },
  GenerateDataKey: onKey(() => ({ KeySpec: 'AES_256' })),
  GenerateDataKeyWithoutPlaintext: onKey(() => ({ KeySpec: 'AES_256' })),
  GenerateRandom: onNoKey({ NumberOfBytes: 8 }),
  GenerateDataKeyPair: onKey(() => ({ KeyPairSpec: 'ECC_NIST_P256' })),
  GenerateDataKeyPairWithoutPlaintext: onKey(() => ({ KeyPairSpec: 'ECC_NIST_P256' })),
  // signing, MAC, key agreement
  GetPublicKey: onKey(() => ({}), SIGNING),
  Sign: onKey(() => ({ Message: MESSAGE, SigningAlgorithm: 'ECDSA_SHA_256' }), SIGNING),
  Verify: onKey(async (key, env) => {
    const { Signature } = await env.admin('Sign', { KeyId: key, Message: MESSAGE, SigningAlgorithm: 'ECDSA_SHA_256' });
    return { Message: MESSAGE, SigningAlgorithm: 'ECDSA_SHA_256', Signature };
  }, SIGNING),
  GenerateMac: onKey(() => ({ Message: MESSAGE, MacAlgorithm: 'HMAC_SHA_256' }), MAC),
  VerifyMac: onKey(async (key, env) => {
    const { Mac } = await env.admin('GenerateMac', { KeyId: key, Message: MESSAGE, MacAlgorithm: 'HMAC_SHA_256' });
    return { Message: MESSAGE, MacAlgorithm: 'HMAC_SHA_256', Mac };
  }, MAC),
  DeriveSharedSecret: onKey(() => ({ KeyAgreementAlgorithm: 'ECDH', PublicKey: peerPublicKey() }), { KeySpec: 'ECC_NIST_P256', KeyUsage: 'KEY_AGREEMENT' }),
  // aliases: the identity policy on the alias refuses before the key is looked at
  CreateAlias: {
    input: async (env) => ({ input: { AliasName: 'alias/new', TargetKeyId: await adminKey(env) }, resource: `arn:aws:kms:us-east-1:${ACCT}:alias/new` }),
  },
  UpdateAlias: {
    input: async (env) => {
      await env.admin('CreateAlias', { AliasName: 'alias/moving', TargetKeyId: await adminKey(env) });
      return { input: { AliasName: 'alias/moving', TargetKeyId: await adminKey(env) }, resource: `arn:aws:kms:us-east-1:${ACCT}:alias/moving` };
    },
  },
  DeleteAlias: {
    input: async (env) => {
      await env.admin('CreateAlias', { AliasName: 'alias/doomed', TargetKeyId: await adminKey(env) });
      return { input: { AliasName: 'alias/doomed' }, resource: `arn:aws:kms:us-east-1:${ACCT}:alias/doomed` };
    },
  },
  ListAliases: onNoKey({}),
  // tags
  TagResource: onKey(() => ({ Tags: [{ TagKey: 'team', TagValue: 'a' }] })),
  UntagResource: onKey(() => ({ TagKeys: ['team'] }), { Tags: [{ TagKey: 'team', TagValue: 'a' }] }),
  ListResourceTags: onKey(),
  // policies
  GetKeyPolicy: onKey(() => ({ PolicyName: 'default' })),
  PutKeyPolicy: onKey(() => ({ PolicyName: 'default', Policy: ADMIN_ONLY })),
  ListKeyPolicies: onKey(),
  // grants
  CreateGrant: onKey(() => ({ GranteePrincipal: `arn:aws:iam::${ACCT}:role/other`, Operations: ['Decrypt'] })),
  ListGrants: onKey(),
  RevokeGrant: onKey(async (key, env) => ({ GrantId: (await grantTo(env, key, `arn:aws:iam::${ACCT}:role/other`, ['Decrypt'])).GrantId })),
  RetireGrant: {
    // Neither retiring principal nor grantee: the grant decides, not the key policy.
    input: async (env) => {
      const key = await adminKey(env);
      const { GrantId } = await grantTo(env, key, `arn:aws:iam::${ACCT}:role/other`, ['Decrypt']);
      return { input: { KeyId: key, GrantId }, key };
    },
  },
  ListRetirableGrants: onNoKey({ RetiringPrincipal: `arn:aws:iam::${ACCT}:role/other` }),
  // CloudTrail on the same endpoint
  LookupEvents: onNoKey({}),
};

/** Every stored record: a refusal must leave all of them as they were. */
function snapshot(deps: MemoryDeps): string {
  const keys = deps.keys as unknown as { keys: Map<string, unknown>; aliases: Map<string, unknown>; grants: Map<string, unknown> };
  const entries = (m: Map<string, unknown>) => [...m.entries()].sort(([a], [b]) => (a < b ? -1 : 1));
  return JSON.stringify({ keys: entries(keys.keys), aliases: entries(keys.aliases), grants: entries(keys.grants) }, (_k, v: unknown) =>
    v instanceof Uint8Array ? Buffer.from(v).toString('base64') : v,
  );
}

describe('enforce mode refuses every action to a caller it does not allow', () => {
  test('the table has one row per action the endpoint answers (registry and CloudTrail)', () => {
    const actions = [...allOperations().keys(), ...cloudTrailOperations(new MemoryAuditTrail()).keys()].sort();
    const missing = actions.filter((a) => !(a in ROWS));
    expect(missing, 'add a row for each new action to ROWS in test/unit/handlers/authorization.test.ts').toEqual([]);
    expect(Object.keys(ROWS).sort()).toEqual(actions);
  });

  let env: Env;
  beforeEach(() => {
    env = environment();
  });

  test.each(Object.keys(ROWS).sort())('%s', async (action) => {
    // GIVEN what the request needs, made by the key's administrator
    const { input, resource, key } = await ROWS[action]!.input(env);
    const before = snapshot(env.deps);

    // WHEN a caller the policies do not allow sends it
    const refused = await env.call(APP, action, input);

    // THEN AccessDeniedException names the caller, the action and the resource, in AWS's words (HTTP 400)
    const qualified = `${action === 'LookupEvents' ? 'cloudtrail' : 'kms'}:${action === 'ReEncrypt' ? 'ReEncryptFrom' : action}`;
    const on = resource ?? key!;
    // Actions on no key and aliases are the identity policy's; RetireGrant's issuing account needs it too (spec §3.6).
    const reason = ACCOUNT_ACTIONS.has(qualified) || on.includes(':alias/') || action === 'RetireGrant' ? 'no identity-based policy' : 'no resource-based policy';
    expect(refused).toEqual({
      statusCode: 400,
      json: {
        __type: 'AccessDeniedException',
        Message: `User: ${APP.arn} is not authorized to perform: ${qualified} on resource: ${on} because ${reason} allows the ${qualified} action`,
      },
    });
    // and changed nothing
    expect(snapshot(env.deps)).toBe(before);
    // and is in the audit trail (except LookupEvents, which is not recorded: D106)
    if (action !== 'LookupEvents') {
      expect(await eventsOf(env, APP)).toEqual([
        expect.objectContaining({ eventName: action, errorCode: 'AccessDeniedException', errorMessage: (refused.json as { Message: string }).Message }),
      ]);
    }

    // AND the same request from the administrator succeeds: the refusal was authorization's
    const allowed = await env.call(ADMIN, action, input);
    const adminError = ROWS[action]!.adminError;
    expect(allowed.json?.__type).toBe(adminError);
    expect(allowed.statusCode).toBe(adminError === undefined ? 200 : 400);
  });
});

/** The CloudTrail records of one caller's calls. */
async function eventsOf(env: Env, principal: Principal): Promise<Record<string, unknown>[]> {
  const out: Record<string, unknown>[] = [];
  for await (const { entry } of env.audit.read(TEST_SCOPE, { from: new Date(0), to: new Date(Date.now() + 86_400_000) })) {
    const event = JSON.parse(entry.cloudTrailEvent) as { userIdentity?: { arn?: string } } & Record<string, unknown>;
    if (event.userIdentity?.arn === principal.arn) out.push(event);
  }
  return out;
}
