/** parseKeyRef: what a caller's KeyId names, and AWS's texts for the refs it refuses (spec §2.0). */
import { describe, expect, test } from 'vitest';
import { aliasArn, isKeyId, keyArn, parseKeyRef } from '../../../../lambda/core/model/arn';

const SCOPE = { partition: 'aws', account: '111122223333', region: 'us-east-1' };
const ID = '1234abcd-12ab-34cd-56ef-1234567890ab';
const MRK = 'mrk-1234abcd12ab34cd56ef1234567890ab';

describe('parseKeyRef', () => {
  test.each<[string, boolean, ReturnType<typeof parseKeyRef>]>([
    [ID, false, { kind: 'keyId', keyId: ID }],
    [MRK, false, { kind: 'keyId', keyId: MRK }],
    [`arn:aws:kms:us-east-1:111122223333:key/${ID}`, false, { kind: 'keyId', keyId: ID }],
    [`arn:aws:kms:eu-west-1:111122223333:key/${ID}`, false, { kind: 'invalid', message: 'Invalid arn eu-west-1' }],
    [`arn:aws-cn:kms:us-east-1:111122223333:key/${ID}`, false, { kind: 'invalid', message: 'Invalid arn us-east-1' }],
    [`arn:aws:kms:us-east-1:444455556666:key/${ID}`, false, { kind: 'invalid', message: `Invalid keyId 'arn:aws:kms:us-east-1:444455556666:key/${ID}'` }],
    ['arn:aws:kms:us-east-1:111122223333:key/not-an-id', false, { kind: 'invalid', message: "Invalid keyId 'arn:aws:kms:us-east-1:111122223333:key/not-an-id'" }],
    ['alias/app', true, { kind: 'alias', aliasName: 'alias/app' }],
    ['alias/app', false, { kind: 'invalid', message: "Invalid keyId 'alias/app'" }],
    ['arn:aws:kms:us-east-1:111122223333:alias/app', true, { kind: 'alias', aliasName: 'alias/app' }],
    ['arn:aws:kms:us-east-1:111122223333:alias/app', false, { kind: 'invalid', message: "Invalid keyId 'arn:aws:kms:us-east-1:111122223333:alias/app'" }],
    ['arn:aws:kms:eu-west-1:111122223333:alias/app', true, { kind: 'invalid', message: 'Invalid arn eu-west-1' }],
    ['arn:aws-us-gov:kms:us-east-1:111122223333:alias/app', true, { kind: 'invalid', message: 'Invalid arn us-east-1' }],
    ['arn:aws:kms:us-east-1:444455556666:alias/app', true, { kind: 'invalid', message: "Invalid keyId 'arn:aws:kms:us-east-1:444455556666:alias/app'" }],
    ['app', true, { kind: 'invalid', message: "Invalid keyId 'app'" }],
  ])('%s (aliases %s)', (value, allowAlias, ref) => expect(parseKeyRef(SCOPE, value, allowAlias)).toStrictEqual(ref));
});

describe('ARNs and key ids', () => {
  test('keyArn and aliasArn in the scope; isKeyId takes UUIDs and multi-Region ids only', () => {
    expect(keyArn(SCOPE, ID)).toBe(`arn:aws:kms:us-east-1:111122223333:key/${ID}`);
    expect(aliasArn(SCOPE, 'alias/app')).toBe('arn:aws:kms:us-east-1:111122223333:alias/app');
    expect([ID, MRK, ID.toUpperCase(), `${ID}0`, 'mrk-1234'].map(isKeyId)).toEqual([true, true, false, false, false]);
  });
});
