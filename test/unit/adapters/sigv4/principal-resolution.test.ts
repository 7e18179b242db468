/**
 * The SigV4 authenticator resolves a verified request to the principal its credential belongs to
 * (D100): the stored principal ARN, with the partition of the Region signed for; a role credential
 * is its own session, named after its access key id; a credential without a principal is the root.
 */
import { Sha256 } from '@aws-crypto/sha256-js';
import { SignatureV4 } from '@smithy/signature-v4';
import { describe, expect, test } from 'vitest';
import type { AuthRequest } from '../../../../lambda/adapters/kms-json/authenticator';
import { createSigV4Authenticator, type SecretLookup } from '../../../../lambda/adapters/sigv4';

const SECRET = 'c2VjcmV0LXNlY3JldC1zZWNyZXQtc2VjcmV0LXNlYw==';
const CREATED = new Date('2026-01-02T03:04:05Z');

async function signedRequest(accessKeyId: string, region: string): Promise<AuthRequest> {
  const body = '{}';
  const signer = new SignatureV4({ service: 'kms', region, credentials: { accessKeyId, secretAccessKey: SECRET }, sha256: Sha256 });
  const signed = await signer.sign({
    method: 'POST',
    protocol: 'http:',
    hostname: '127.0.0.1',
    path: '/',
    headers: { host: '127.0.0.1', 'content-type': 'application/x-amz-json-1.1', 'x-amz-target': 'TrentService.ListKeys' },
    body,
  });
  const headers = Object.fromEntries(Object.entries(signed.headers).map(([k, v]) => [k.toLowerCase(), String(v)]));
  return { method: 'POST', path: '/', query: '', headers, body };
}

const lookup: SecretLookup = async (accessKeyId) =>
  ({
    BYOKROOT: { secretAccessKey: SECRET, account: '111122223333' },
    BYOKROLE: { secretAccessKey: SECRET, account: '111122223333', principal: 'arn:aws:iam::111122223333:role/app', issuedAt: CREATED },
    BYOKUSER: { secretAccessKey: SECRET, account: '111122223333', principal: 'arn:aws:iam::111122223333:user/Alice' },
    BYOKSESS: { secretAccessKey: SECRET, account: '111122223333', principal: 'arn:aws:sts::111122223333:assumed-role/app/ci-run' },
  })[accessKeyId];

describe('createSigV4Authenticator resolves the principal', () => {
  const authenticate = createSigV4Authenticator({ lookup });

  test('a role credential signs as its own session of that role', async () => {
    const caller = await authenticate(await signedRequest('BYOKROLE', 'eu-west-1'));
    expect(caller).toEqual({
      scope: { partition: 'aws', account: '111122223333', region: 'eu-west-1' },
      principal: {
        type: 'AssumedRole',
        partition: 'aws',
        account: '111122223333',
        arn: 'arn:aws:sts::111122223333:assumed-role/app/BYOKROLE',
        principalArn: 'arn:aws:iam::111122223333:role/app',
        name: 'app',
        sessionName: 'BYOKROLE',
      },
      accessKeyId: 'BYOKROLE',
      issuedAt: CREATED,
      verified: true,
    });
  });

  test('a user credential signs as the user, a session credential as that session', async () => {
    expect((await authenticate(await signedRequest('BYOKUSER', 'us-east-1'))).principal).toMatchObject({ type: 'IAMUser', arn: 'arn:aws:iam::111122223333:user/Alice' });
    expect((await authenticate(await signedRequest('BYOKSESS', 'us-east-1'))).principal).toMatchObject({
      type: 'AssumedRole',
      arn: 'arn:aws:sts::111122223333:assumed-role/app/ci-run',
    });
  });

  test('a credential without a principal is the root of its account, in the partition signed for', async () => {
    expect((await authenticate(await signedRequest('BYOKROOT', 'cn-north-1'))).principal).toMatchObject({ type: 'Root', arn: 'arn:aws-cn:iam::111122223333:root' });
    expect((await authenticate(await signedRequest('BYOKUSER', 'us-gov-west-1'))).principal.arn).toBe('arn:aws-us-gov:iam::111122223333:user/Alice');
  });
});
