/**
 * ReEncrypt (re-encrypt.ts) and Decrypt's DryRun paths (decrypt.ts) beyond crypto.test.ts: under enforce mode
 * the source key is checked for kms:ReEncryptFrom and the destination for kms:ReEncryptTo (spec §2.4: ReEncrypt
 * has no permission of its own), on every path that reads them; IGNORE_CIPHERTEXT without DryRun changes nothing.
 */
import { describe, expect, test } from 'vitest';
import { newAccess } from '../../../../lambda/core/authorization/access';
import { principalOf } from '../../../../lambda/core/model/principal';
import { decrypt } from '../../../../lambda/core/operations/cryptography/decrypt';
import { encrypt } from '../../../../lambda/core/operations/cryptography/encrypt';
import { reEncrypt, type ReEncryptInput } from '../../../../lambda/core/operations/cryptography/re-encrypt';
import type { RequestContext } from '../../../../lambda/core/ports';
import { memoryDeps, TEST_CTX, TEST_SCOPE } from '../../../support/memory-deps';
import { bytes, failure, newKey, text } from './helpers';

const ROLE = `arn:aws:iam::${TEST_SCOPE.account}:role/Mover`;

/** Two symmetric keys with the default key policy (the account's IAM policies decide) and a ciphertext under the first. */
async function twoKeys() {
  const deps = memoryDeps();
  const source = await newKey(deps);
  const destination = await newKey(deps);
  const { CiphertextBlob } = await encrypt(deps, TEST_CTX, { KeyId: source.KeyId, Plaintext: bytes('moved') });
  return { deps, source, destination, CiphertextBlob };
}

/** A role session whose identity policy allows kms:ReEncryptFrom on one key and kms:ReEncryptTo on another, nothing else. */
function mover(from: string, to: string, input: ReEncryptInput): RequestContext {
  const identityPolicy = {
    Version: '2012-10-17',
    Statement: [
      { Effect: 'Allow', Action: 'kms:ReEncryptFrom', Resource: from },
      { Effect: 'Allow', Action: 'kms:ReEncryptTo', Resource: to },
    ],
  };
  const principal = principalOf(ROLE, 'mover-session');
  return { scope: TEST_SCOPE, access: newAccess({ principal, identityPolicy, service: 'kms', action: 'ReEncrypt', input: { ...input } }) };
}

describe('ReEncrypt under enforce mode: kms:ReEncryptFrom on the source, kms:ReEncryptTo on the destination', () => {
  test.each([
    ['the source named by the ciphertext', false],
    ['the source named by SourceKeyId', true],
  ])('re-encrypts with exactly those two permissions, %s', async (_, named) => {
    const { deps, source, destination, CiphertextBlob } = await twoKeys();
    const input: ReEncryptInput = { CiphertextBlob, DestinationKeyId: destination.KeyId, ...(named && { SourceKeyId: source.KeyId }) };
    const out = await reEncrypt(deps, mover(source.Arn, destination.Arn, input), input);
    expect(out).toMatchObject({ SourceKeyId: source.Arn, KeyId: destination.Arn });
    expect(text((await decrypt(deps, TEST_CTX, { CiphertextBlob: out.CiphertextBlob })).Plaintext)).toBe('moved');
  });

  test('a DryRun with IGNORE_CIPHERTEXT checks the same two permissions: DryRunOperationException', async () => {
    const { deps, source, destination } = await twoKeys();
    const input: ReEncryptInput = { SourceKeyId: source.KeyId, DestinationKeyId: destination.KeyId, DryRun: true, DryRunModifiers: ['IGNORE_CIPHERTEXT'] };
    expect(await failure(reEncrypt(deps, mover(source.Arn, destination.Arn, input), input))).toMatchObject({ name: 'DryRunOperationException' });
  });

  test.each([
    ['the ciphertext names a source the caller may not re-encrypt from', (s: string, d: string): [string, string] => [d, s], 'ReEncryptFrom', 'source'],
    ['the destination is one the caller may not re-encrypt to', (s: string, _d: string): [string, string] => [s, s], 'ReEncryptTo', 'destination'],
  ] as const)('AccessDeniedException when %s, naming that permission and key', async (_, grantsOn, permission, side) => {
    const { deps, source, destination, CiphertextBlob } = await twoKeys();
    const input: ReEncryptInput = { CiphertextBlob, DestinationKeyId: destination.KeyId };
    const [from, to] = grantsOn(source.Arn, destination.Arn);
    const denied = side === 'source' ? source.Arn : destination.Arn;
    expect(await failure(reEncrypt(deps, mover(from, to, input), input))).toMatchObject({
      name: 'AccessDeniedException',
      message: `User: arn:aws:sts::${TEST_SCOPE.account}:assumed-role/Mover/mover-session is not authorized to perform: kms:${permission} on resource: ${denied} because no identity-based policy allows the kms:${permission} action`,
    });
  });
});

describe('Decrypt with IGNORE_CIPHERTEXT', () => {
  test('without DryRun the modifier changes nothing: the ciphertext is decrypted', async () => {
    const { deps, source, CiphertextBlob } = await twoKeys();
    const out = await decrypt(deps, TEST_CTX, { CiphertextBlob, KeyId: source.KeyId, DryRunModifiers: ['IGNORE_CIPHERTEXT'] });
    expect(text(out.Plaintext)).toBe('moved');
  });

  test('with DryRun it needs a KeyId: ValidationException with its text', async () => {
    const { deps, CiphertextBlob } = await twoKeys();
    expect(await failure(decrypt(deps, TEST_CTX, { CiphertextBlob, DryRun: true, DryRunModifiers: ['IGNORE_CIPHERTEXT'] }))).toMatchObject({
      name: 'ValidationException',
      message: 'KeyId is required when DryRunModifiers includes IGNORE_CIPHERTEXT.',
    });
  });
});

describe('Decrypt with a Recipient', () => {
  test('UnsupportedOperationException with its text: Nitro Enclaves attestation is not offered here', async () => {
    const { deps, CiphertextBlob } = await twoKeys();
    const Recipient = { KeyEncryptionAlgorithm: 'RSAES_OAEP_SHA_256' as const, AttestationDocument: new Uint8Array(8) };
    expect(await failure(decrypt(deps, TEST_CTX, { CiphertextBlob, Recipient }))).toMatchObject({
      name: 'UnsupportedOperationException',
      message: 'The Recipient parameter (AWS Nitro Enclaves attestation) is not supported by this service.',
    });
  });
});
