import { describe, expect, test } from 'vitest';
import { type AuthRequest, openAuthenticator, partitionOf } from '../../../../lambda/adapters/kms-json/authenticator';

const request = (authorization?: string): AuthRequest => ({
  method: 'POST',
  path: '/',
  headers: authorization === undefined ? {} : { authorization },
  body: '{}',
});
const signed = (akid: string, region: string) =>
  `AWS4-HMAC-SHA256 Credential=${akid}/20260101/${region}/kms/aws4_request, SignedHeaders=host;x-amz-date, Signature=abc`;

describe('openAuthenticator', () => {
  test('takes the account from a 12-digit access key id and the Region from the credential scope', async () => {
    expect(await openAuthenticator(request(signed('111122223333', 'eu-central-1')))).toEqual({
      scope: { partition: 'aws', account: '111122223333', region: 'eu-central-1' },
      principal: { type: 'Root', partition: 'aws', account: '111122223333', arn: 'arn:aws:iam::111122223333:root', principalArn: 'arn:aws:iam::111122223333:root' },
      accessKeyId: '111122223333',
      verified: false,
    });
  });

  test('uses account 000000000000 for any other access key id', async () => {
    expect(await openAuthenticator(request(signed('AKIAIOSFODNN7EXAMPLE', 'us-west-2')))).toMatchObject({
      scope: { partition: 'aws', account: '000000000000', region: 'us-west-2' },
      principal: { type: 'Root', arn: 'arn:aws:iam::000000000000:root' },
      accessKeyId: 'AKIAIOSFODNN7EXAMPLE',
      verified: false,
    });
  });

  test('derives the partition from the Region', async () => {
    expect((await openAuthenticator(request(signed('111122223333', 'cn-north-1')))).scope.partition).toBe('aws-cn');
    expect((await openAuthenticator(request(signed('111122223333', 'us-gov-west-1')))).principal.arn).toBe('arn:aws-us-gov:iam::111122223333:root');
  });

  test('treats a request without a usable Authorization header as account 000000000000 in us-east-1', async () => {
    const fallback = {
      scope: { partition: 'aws', account: '000000000000', region: 'us-east-1' },
      principal: expect.objectContaining({ arn: 'arn:aws:iam::000000000000:root' }),
      verified: false,
    };
    expect(await openAuthenticator(request())).toEqual(fallback);
    expect(await openAuthenticator(request('Bearer token'))).toEqual(fallback);
    expect(await openAuthenticator(request(signed('111122223333', 'US_EAST_1')))).toEqual(fallback);
  });

  test('gives each access key id and Region its own caller, the same for every request, also past a thousand key ids', async () => {
    // Callers are made once per key id and Region (the table is emptied when full): the answer never depends on what came before.
    const expected = (akid: string, region: string, account = akid) => ({
      scope: { partition: partitionOf(region), account, region },
      principal: { type: 'Root', partition: partitionOf(region), account, arn: `arn:${partitionOf(region)}:iam::${account}:root`, principalArn: `arn:${partitionOf(region)}:iam::${account}:root` },
      accessKeyId: akid,
      verified: false,
    });
    for (let round = 0; round < 2; round++) {
      expect(await openAuthenticator(request(signed('111122223333', 'eu-west-1')))).toStrictEqual(expected('111122223333', 'eu-west-1'));
      expect(await openAuthenticator(request(signed('111122223333', 'cn-north-1')))).toStrictEqual(expected('111122223333', 'cn-north-1'));
      expect(await openAuthenticator(request(signed('444455556666', 'eu-west-1')))).toStrictEqual(expected('444455556666', 'eu-west-1'));
      expect(await openAuthenticator(request(signed('AKIDEXAMPLE', 'eu-west-1')))).toStrictEqual(expected('AKIDEXAMPLE', 'eu-west-1', '000000000000'));
      for (let i = 0; i < 1100; i++) {
        const akid = String(100000000000 + i);
        expect((await openAuthenticator(request(signed(akid, 'us-west-2')))).scope).toStrictEqual({ partition: 'aws', account: akid, region: 'us-west-2' });
      }
    }
  });
});

describe('partitionOf', () => {
  test.each([
    ['us-east-1', 'aws'],
    ['eu-west-3', 'aws'],
    ['cn-northwest-1', 'aws-cn'],
    ['us-gov-east-1', 'aws-us-gov'],
  ])('%s is in %s', (region, partition) => expect(partitionOf(region)).toBe(partition));
});
