/**
 * Key policies, grants and rotation settings with the AWS CLI v1, as the AWS documentation shows them:
 * `--policy file://…`, JSON on stdout, errors on stderr with a non-zero exit code.
 */
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, test } from 'vitest';
import { awsEnv, tool } from '../support/tools';
import { DAY, type UsedServer, useLocalServer } from './helpers';

const local = useLocalServer();
let dir: string;

beforeAll(() => {
  dir = mkdtempSync(join(tmpdir(), 'byok-cli-mgmt-'));
});
afterAll(() => {
  if (dir) rmSync(dir, { recursive: true, force: true });
});

// Account 111122223333: a 12-digit access key id is the account in open mode.
const ACCOUNT = '111122223333';

/** `aws kms …` against `used`'s server, and the same expecting success and parsing its JSON. */
function cliOf(used: UsedServer) {
  const aws = (...args: string[]) => tool('aws', ['kms', ...args, '--endpoint-url', used.server.endpoint, '--output', 'json'], { env: awsEnv(ACCOUNT), cwd: dir });
  const awsJson = async (...args: string[]) => {
    const result = await aws(...args);
    expect(result.stderr, `aws kms ${args.join(' ')}`).toBe('');
    expect(result.code).toBe(0);
    return result.stdout.trim() ? JSON.parse(result.stdout) : {};
  };
  return { aws, awsJson };
}
const { aws, awsJson } = cliOf(local);

// Each AWS CLI v1 call starts a Python interpreter (about a second on these machines).
describe('AWS CLI v1', { timeout: 180_000 }, () => {
  test('put-key-policy --policy file://, get-key-policy, list-key-policies, and a refused policy', async () => {
    // GIVEN a key and a policy file as the documentation writes one
    const { KeyMetadata } = await awsJson('create-key', '--description', 'policy from the CLI');
    const keyId: string = KeyMetadata.KeyId;
    const policy = `{
    "Version": "2012-10-17",
    "Statement": [
        {
            "Sid": "Allow administration of the key",
            "Effect": "Allow",
            "Principal": {"AWS": "arn:aws:iam::${ACCOUNT}:root"},
            "Action": "kms:*",
            "Resource": "*"
        }
    ]
}
`;
    writeFileSync(join(dir, 'policy.json'), policy);
    // WHEN
    const put = await aws('put-key-policy', '--key-id', keyId, '--policy-name', 'default', '--policy', 'file://policy.json');
    // THEN the call prints nothing and the document comes back byte for byte
    expect(put).toMatchObject({ code: 0, stdout: '', stderr: '' });
    const got = await awsJson('get-key-policy', '--key-id', keyId, '--policy-name', 'default');
    expect(got).toEqual({ Policy: policy, PolicyName: 'default' });
    // the CLI pages through the result and drops Truncated
    expect(await awsJson('list-key-policies', '--key-id', keyId)).toEqual({ PolicyNames: ['default'] });

    // AND a policy that would lock the account out is refused, leaving the stored one
    writeFileSync(join(dir, 'locked-out.json'), policy.replace(`${ACCOUNT}:root`, `${ACCOUNT}:role/App`));
    const refused = await aws('put-key-policy', '--key-id', keyId, '--policy', 'file://locked-out.json');
    expect(refused.code).not.toBe(0);
    expect(refused.stderr).toContain(
      'An error occurred (MalformedPolicyDocumentException) when calling the PutKeyPolicy operation: The new key policy will not allow you to update the key policy in the future.',
    );
    expect((await awsJson('get-key-policy', '--key-id', keyId)).Policy).toBe(policy);
  });

  test('create-grant with constraints and a name, list-grants, list-retirable-grants, retire-grant by token, revoke-grant', async () => {
    // GIVEN a key
    const { KeyMetadata } = await awsJson('create-key', '--description', 'grants from the CLI');
    const keyId: string = KeyMetadata.KeyId;
    const arn: string = KeyMetadata.Arn;
    const grantee = `arn:aws:iam::${ACCOUNT}:role/App`;
    const retiring = `arn:aws:iam::${ACCOUNT}:role/Retirer`;
    // WHEN grants are created the way the documentation shows
    const first = await awsJson(
      'create-grant', '--key-id', keyId, '--grantee-principal', grantee, '--retiring-principal', retiring,
      '--operations', 'Encrypt', 'Decrypt', '--constraints', 'EncryptionContextSubset={Department=IT}', '--name', 'cli-grant',
    );
    const second = await awsJson('create-grant', '--key-id', arn, '--grantee-principal', grantee, '--operations', 'GenerateDataKey');
    // THEN both are listed with what was asked for
    expect(first.GrantId).toMatch(/^[0-9a-f]{64}$/);
    expect(first.GrantToken).toMatch(/^AQpA/);
    const { Grants } = await awsJson('list-grants', '--key-id', keyId);
    expect(Grants.map((g: { GrantId: string }) => g.GrantId).sort()).toEqual([first.GrantId, second.GrantId].sort());
    expect(Grants.find((g: { GrantId: string }) => g.GrantId === first.GrantId)).toEqual({
      KeyId: arn,
      GrantId: first.GrantId,
      Name: 'cli-grant',
      CreationDate: expect.any(Number),
      GranteePrincipal: grantee,
      RetiringPrincipal: retiring,
      IssuingAccount: `arn:aws:iam::${ACCOUNT}:root`,
      Operations: ['Encrypt', 'Decrypt'],
      Constraints: { EncryptionContextSubset: { Department: 'IT' } },
    });
    const retirable = await awsJson('list-retirable-grants', '--retiring-principal', retiring);
    expect(retirable.Grants.map((g: { GrantId: string }) => g.GrantId)).toEqual([first.GrantId]);

    // AND retire-grant with the token and revoke-grant with the id remove them
    expect(await aws('retire-grant', '--grant-token', first.GrantToken)).toMatchObject({ code: 0, stderr: '' });
    expect(await aws('revoke-grant', '--key-id', keyId, '--grant-id', second.GrantId)).toMatchObject({ code: 0, stderr: '' });
    expect((await awsJson('list-grants', '--key-id', keyId)).Grants).toEqual([]);
    const again = await aws('revoke-grant', '--key-id', keyId, '--grant-id', second.GrantId);
    expect(again.code).not.toBe(0);
    expect(again.stderr).toContain('An error occurred (NotFoundException) when calling the RevokeGrant operation');
  });

  test('enable-key-rotation --rotation-period-in-days, get-key-rotation-status, disable-key-rotation, and the refusal for an imported key', async () => {
    const { KeyMetadata } = await awsJson('create-key');
    const keyId: string = KeyMetadata.KeyId;
    expect(await awsJson('get-key-rotation-status', '--key-id', keyId)).toEqual({ KeyRotationEnabled: false, KeyId: KeyMetadata.Arn });
    expect(await aws('enable-key-rotation', '--key-id', keyId, '--rotation-period-in-days', '180')).toMatchObject({ code: 0, stdout: '', stderr: '' });
    const on = await awsJson('get-key-rotation-status', '--key-id', keyId);
    expect(on).toEqual({ KeyRotationEnabled: true, KeyId: KeyMetadata.Arn, RotationPeriodInDays: 180, NextRotationDate: expect.any(Number) });
    expect(on.NextRotationDate - Date.now() / 1000).toBeGreaterThan(179 * 86_400);
    expect(await aws('disable-key-rotation', '--key-id', keyId)).toMatchObject({ code: 0, stderr: '' });
    expect((await awsJson('get-key-rotation-status', '--key-id', keyId)).KeyRotationEnabled).toBe(false);

    const external = await awsJson('create-key', '--origin', 'EXTERNAL');
    const refused = await aws('enable-key-rotation', '--key-id', external.KeyMetadata.KeyId);
    expect(refused.code).not.toBe(0);
    expect(refused.stderr).toContain(
      `An error occurred (UnsupportedOperationException) when calling the EnableKeyRotation operation: ${external.KeyMetadata.Arn} origin is EXTERNAL which is not valid for this operation.`,
    );
  });
});

describe('AWS CLI v1 with clock control', { timeout: 180_000 }, () => {
  const clocked = useLocalServer({ inMemory: true, clockControl: true });
  const { awsJson } = cliOf(clocked);

  test('enable-key-rotation, then 365 days later list-key-rotations lists the AUTOMATIC rotation and decrypt still opens the first ciphertext', async () => {
    // GIVEN a key rotating yearly (the default period) and a ciphertext under its first material
    const { KeyMetadata } = await awsJson('create-key', '--description', 'rotating from the CLI');
    const keyId: string = KeyMetadata.KeyId;
    writeFileSync(join(dir, 'year-one.txt'), 'year one');
    const { CiphertextBlob } = await awsJson('encrypt', '--key-id', keyId, '--plaintext', 'fileb://year-one.txt');
    writeFileSync(join(dir, 'year-one.bin'), Buffer.from(CiphertextBlob, 'base64'));
    await awsJson('enable-key-rotation', '--key-id', keyId);
    const { NextRotationDate: due } = await awsJson('get-key-rotation-status', '--key-id', keyId);
    expect(await awsJson('list-key-rotations', '--key-id', keyId)).toEqual({ Rotations: [] });
    // WHEN the service clock moves a year on
    await clocked.server.advanceClock(365 * DAY + 1);
    // THEN the key has rotated at NextRotationDate, and the next rotation is a year after that
    const { KeyMetadata: after } = await awsJson('describe-key', '--key-id', keyId);
    expect(after.CurrentKeyMaterialId).not.toBe(KeyMetadata.CurrentKeyMaterialId);
    expect(await awsJson('list-key-rotations', '--key-id', keyId)).toEqual({
      Rotations: [{ KeyId: keyId, KeyMaterialId: after.CurrentKeyMaterialId, KeyMaterialState: 'CURRENT', RotationDate: due, RotationType: 'AUTOMATIC' }],
    });
    expect(await awsJson('get-key-rotation-status', '--key-id', keyId)).toEqual({
      KeyId: KeyMetadata.Arn,
      KeyRotationEnabled: true,
      RotationPeriodInDays: 365,
      NextRotationDate: due + 365 * DAY,
    });
    // AND the first ciphertext still decrypts, under the material it was made with
    const opened = await awsJson('decrypt', '--ciphertext-blob', 'fileb://year-one.bin');
    expect(Buffer.from(opened.Plaintext, 'base64').toString()).toBe('year one');
    expect(opened.KeyMaterialId).toBe(KeyMetadata.CurrentKeyMaterialId);
  });
});
