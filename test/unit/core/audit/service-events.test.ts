/** Service events as CloudTrail records (AwsServiceEvent) and as EventBridge events, in AWS's shapes. */
import { describe, expect, test } from 'vitest';
import { cloudTrailDate, serviceEventEntry } from '../../../../lambda/core/audit/cloudtrail-event';
import { eventBridgeEntry } from '../../../../lambda/adapters/eventbridge/kms-service-events';
import type { ServiceEvent } from '../../../../lambda/core/ports';

const ARN = 'arn:aws:kms:eu-west-1:111122223333:key/1234abcd-12ab-34cd-56ef-1234567890ab';
const AT = new Date('2026-05-20T20:44:37.123Z');
const rotate: ServiceEvent = { eventName: 'RotateKey', keyArn: ARN, rotationType: 'ON_DEMAND', keyOrigin: 'AWS_KMS', previousKeyMaterialId: 'a'.repeat(64), currentKeyMaterialId: 'b'.repeat(64), eventTime: AT };
const expire: ServiceEvent = { eventName: 'DeleteExpiredKeyMaterial', keyArn: ARN, keyMaterialId: 'c'.repeat(64), eventTime: AT };

describe('serviceEventEntry', () => {
  test('RotateKey is an AwsServiceEvent with the rotation in serviceEventDetails', () => {
    const entry = serviceEventEntry(rotate, '00000000-0000-4000-8000-000000000001');
    expect(entry).toMatchObject({ eventName: 'RotateKey', readOnly: false, scope: { account: '111122223333', region: 'eu-west-1' }, resources: [{ type: 'AWS::KMS::Key', arn: ARN }] });
    expect(entry).not.toHaveProperty('username');
    expect(JSON.parse(entry.cloudTrailEvent)).toEqual({
      eventVersion: '1.11',
      userIdentity: { accountId: '111122223333', invokedBy: 'AWS Internal' },
      eventTime: '2026-05-20T20:44:37Z',
      eventSource: 'kms.amazonaws.com',
      eventName: 'RotateKey',
      awsRegion: 'eu-west-1',
      sourceIPAddress: 'AWS Internal',
      userAgent: 'AWS Internal',
      requestParameters: null,
      responseElements: null,
      eventID: '00000000-0000-4000-8000-000000000001',
      readOnly: false,
      resources: [{ accountId: '111122223333', type: 'AWS::KMS::Key', ARN }],
      eventType: 'AwsServiceEvent',
      managementEvent: true,
      recipientAccountId: '111122223333',
      serviceEventDetails: { keyId: '1234abcd-12ab-34cd-56ef-1234567890ab', rotationType: 'ON_DEMAND', keyOrigin: 'AWS_KMS', previousKeyMaterialId: 'a'.repeat(64), currentKeyMaterialId: 'b'.repeat(64) },
      eventCategory: 'Management',
    });
  });

  test('DeleteExpiredKeyMaterial names the key and the material', () => {
    expect(JSON.parse(serviceEventEntry(expire, 'x').cloudTrailEvent).serviceEventDetails).toEqual({ keyId: '1234abcd-12ab-34cd-56ef-1234567890ab', keyMaterialId: 'c'.repeat(64) });
  });
});

describe('eventBridgeEntry', () => {
  test.each([
    [rotate, 'KMS CMK Rotation', { 'key-id': '1234abcd-12ab-34cd-56ef-1234567890ab', 'key-origin': 'AWS_KMS', 'rotation-type': 'ON_DEMAND', 'previous-key-material-id': 'a'.repeat(64), 'current-key-material-id': 'b'.repeat(64) }],
    [expire, 'KMS Imported Key Material Expiration', { 'key-id': '1234abcd-12ab-34cd-56ef-1234567890ab', 'key-material-id': 'c'.repeat(64) }],
    [{ eventName: 'DeleteKey', keyArn: ARN, eventTime: AT } as ServiceEvent, 'KMS CMK Deletion', { 'key-id': '1234abcd-12ab-34cd-56ef-1234567890ab' }],
  ])('%#: %s', (event, detailType, detail) => {
    expect(eventBridgeEntry(event)).toEqual({ source: 'byok-kms', detailType, resources: [ARN], detail, time: AT });
  });
});

describe('cloudTrailDate', () => {
  test.each([
    ['2025-05-21T05:47:45Z', 'May 21, 2025, 5:47:45 AM'],
    ['2021-01-01T20:00:00Z', 'Jan 1, 2021, 8:00:00 PM'],
    ['2020-06-30T00:04:07Z', 'Jun 30, 2020, 12:04:07 AM'],
    ['2020-06-30T12:00:00Z', 'Jun 30, 2020, 12:00:00 PM'],
  ])('%s → %s', (iso, shown) => expect(cloudTrailDate(new Date(iso))).toBe(shown));
});
