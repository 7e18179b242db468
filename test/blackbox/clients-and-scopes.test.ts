/**
 * Other real clients against the running server (AWS CLI v1, boto3), and the account/Region scoping
 * of open mode (design decision 5): a 12-digit access key id is the account, the SigV4 scope is the
 * Region, and one scope never sees another's keys.
 */
import { CreateKeyCommand, DescribeKeyCommand, type KMSClient, ListKeysCommand } from '@aws-sdk/client-kms';
import { describe, expect, test } from 'vitest';
import { awsEnv, tool } from '../support/tools';
import { useLocalServer } from './helpers';

const local = useLocalServer();

const keyIdsOf = async (kms: KMSClient) => ((await kms.send(new ListKeysCommand({ Limit: 1000 }))).Keys ?? []).map((k) => k.KeyId);

describe('other clients', () => {
  test('the AWS CLI v1 creates and lists keys', async () => {
    // GIVEN
    const env = awsEnv('210987654321', 'eu-west-1');
    // WHEN
    const created = await tool('aws', ['kms', 'create-key', '--origin', 'EXTERNAL', '--description', 'from the cli', '--endpoint-url', local.server.endpoint, '--output', 'json'], { env });
    const listed = await tool('aws', ['kms', 'list-keys', '--endpoint-url', local.server.endpoint, '--output', 'json'], { env });
    // THEN
    expect(created.stderr).toBe('');
    const metadata = JSON.parse(created.stdout).KeyMetadata;
    expect(metadata).toMatchObject({ AWSAccountId: '210987654321', KeyState: 'PendingImport', Origin: 'EXTERNAL', Description: 'from the cli' });
    expect(metadata.Arn).toBe(`arn:aws:kms:eu-west-1:210987654321:key/${metadata.KeyId}`);
    expect(JSON.parse(listed.stdout).Keys).toEqual([{ KeyId: metadata.KeyId, KeyArn: metadata.Arn }]);
  });

  test('the AWS CLI v1 shows a KMS error with its code and message', async () => {
    const result = await tool('aws', ['kms', 'describe-key', '--key-id', 'alias/none', '--endpoint-url', local.server.endpoint], { env: awsEnv() });
    expect(result.code).not.toBe(0);
    expect(result.stderr).toContain('An error occurred (NotFoundException) when calling the DescribeKey operation');
  });

  test('boto3 creates, describes and lists keys, and reads the request id', async () => {
    // GIVEN
    const script = [
      'import boto3, json, sys',
      'kms = boto3.client("kms", endpoint_url=sys.argv[1])',
      'key = kms.create_key(Description="from boto3")["KeyMetadata"]',
      'described = kms.describe_key(KeyId=key["Arn"])',
      'listed = kms.list_keys()',
      'try:',
      '    kms.generate_random(NumberOfBytes=1025)  # botocore checks minimums, not maximums',
      '    error = None',
      'except kms.exceptions.ClientError as e:',
      '    error = e.response["Error"]',
      'print(json.dumps({"key": key["KeyId"], "state": described["KeyMetadata"]["KeyState"],',
      '  "created": described["KeyMetadata"]["CreationDate"].isoformat(),',
      '  "requestId": described["ResponseMetadata"]["RequestId"],',
      '  "listed": [k["KeyId"] for k in listed["Keys"]], "error": error}))',
    ].join('\n');
    // WHEN
    const result = await tool('python3', ['-c', script, local.server.endpoint], { env: awsEnv('135791357913', 'ap-southeast-2') });
    // THEN
    expect(result.stderr).toBe('');
    const out = JSON.parse(result.stdout);
    expect(out.state).toBe('Enabled');
    expect(out.requestId).toMatch(/^[0-9a-f-]{36}$/);
    expect(Date.parse(out.created)).toBeGreaterThan(Date.parse('2020-01-01'));
    expect(out.listed).toEqual([out.key]);
    expect(out.error).toEqual({
      Code: 'ValidationException',
      Message: "1 validation error detected: Value '1025' at 'numberOfBytes' failed to satisfy constraint: Member must have value less than or equal to 1024",
    });
  });
});

describe('account and Region scoping (open mode)', () => {
  test("keys of 111122223333 in us-east-1 are invisible to another account and another Region", async () => {
    // GIVEN
    const owner = local.server.kms({ accessKeyId: '111122223333', region: 'us-east-1' });
    const otherAccount = local.server.kms({ accessKeyId: '444455556666', region: 'us-east-1' });
    const otherRegion = local.server.kms({ accessKeyId: '111122223333', region: 'us-west-2' });
    // WHEN
    const { KeyMetadata } = await owner.send(new CreateKeyCommand({ Description: 'scoped' }));
    // THEN
    expect(KeyMetadata?.Arn).toBe(`arn:aws:kms:us-east-1:111122223333:key/${KeyMetadata?.KeyId}`);
    expect(await keyIdsOf(owner)).toContain(KeyMetadata?.KeyId);
    expect(await keyIdsOf(otherAccount)).not.toContain(KeyMetadata?.KeyId);
    expect(await keyIdsOf(otherRegion)).not.toContain(KeyMetadata?.KeyId);
    for (const [client, ref] of [
      [otherAccount, KeyMetadata!.KeyId!],
      [otherAccount, KeyMetadata!.Arn!],
      [otherRegion, KeyMetadata!.KeyId!],
      [otherRegion, KeyMetadata!.Arn!],
    ] as const) {
      await expect(client.send(new DescribeKeyCommand({ KeyId: ref }))).rejects.toMatchObject({ name: 'NotFoundException' });
    }
  });

  test('an access key id that is not 12 digits is account 000000000000', async () => {
    const kms = local.server.kms({ accessKeyId: 'AKIAIOSFODNN7EXAMPLE', region: 'eu-north-1' });
    const { KeyMetadata } = await kms.send(new CreateKeyCommand({}));
    expect(KeyMetadata?.AWSAccountId).toBe('000000000000');
    expect(KeyMetadata?.Arn).toMatch(/^arn:aws:kms:eu-north-1:000000000000:key\//);
  });

  test('the Region picks the partition of the ARN', async () => {
    const china = local.server.kms({ accessKeyId: '111122223333', region: 'cn-north-1' });
    const { KeyMetadata } = await china.send(new CreateKeyCommand({}));
    expect(KeyMetadata?.Arn).toMatch(/^arn:aws-cn:kms:cn-north-1:111122223333:key\//);
  });

  test('an unsigned request is account 000000000000 in us-east-1', async () => {
    // GIVEN a key made through an unsigned request
    const res = await fetch(local.server.endpoint, {
      method: 'POST',
      headers: { 'content-type': 'application/x-amz-json-1.1', 'x-amz-target': 'TrentService.CreateKey' },
      body: '{"Description":"unsigned"}',
    });
    const { KeyMetadata } = (await res.json()) as { KeyMetadata: { KeyId: string; Arn: string } };
    // THEN
    expect(KeyMetadata.Arn).toBe(`arn:aws:kms:us-east-1:000000000000:key/${KeyMetadata.KeyId}`);
    expect(await keyIdsOf(local.server.kms())).toContain(KeyMetadata.KeyId);
  });
});
