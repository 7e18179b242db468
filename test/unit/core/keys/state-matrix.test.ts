/**
 * Spec §1.3: what an EXTERNAL key does in each state, for the actions of the key operations.
 * Every cell is checked against a key brought into that state through the operations themselves:
 * CreateKey (Origin EXTERNAL), GetParametersForImport + ImportKeyMaterial, then DisableKey,
 * ScheduleKeyDeletion or DeleteImportedKeyMaterial. An allowed action is checked for its answer and
 * its effect; a refused one for its error and for leaving the key's state as it was.
 */
import {
  constants, createHmac, createPublicKey, diffieHellman, generateKeyPairSync, privateDecrypt, randomBytes, verify as cryptoVerify, type KeyObject,
} from 'node:crypto';
import { describe, expect, test } from 'vitest';
import { deriveSharedSecret } from '../../../../lambda/core/operations/key-agreement/derive-shared-secret';
import { generateMac } from '../../../../lambda/core/operations/mac/generate-mac';
import { verifyMac } from '../../../../lambda/core/operations/mac/verify-mac';
import { getPublicKey } from '../../../../lambda/core/operations/signing/get-public-key';
import { sign } from '../../../../lambda/core/operations/signing/sign';
import { verify } from '../../../../lambda/core/operations/signing/verify';
import { cancelKeyDeletion } from '../../../../lambda/core/operations/deletion/cancel-key-deletion';
import { createAlias } from '../../../../lambda/core/operations/aliases/create-alias';
import { decrypt } from '../../../../lambda/core/operations/cryptography/decrypt';
import { deleteAlias } from '../../../../lambda/core/operations/aliases/delete-alias';
import { deleteImportedKeyMaterial } from '../../../../lambda/core/operations/import/delete-imported-key-material';
import { describeKey } from '../../../../lambda/core/operations/keys/describe-key';
import { disableKey } from '../../../../lambda/core/operations/keys/disable-key';
import { enableKey } from '../../../../lambda/core/operations/keys/enable-key';
import { encrypt } from '../../../../lambda/core/operations/cryptography/encrypt';
import { generateDataKey } from '../../../../lambda/core/operations/cryptography/generate-data-key';
import { generateDataKeyWithoutPlaintext } from '../../../../lambda/core/operations/cryptography/generate-data-key-without-plaintext';
import { listAliases } from '../../../../lambda/core/operations/aliases/list-aliases';
import { listResourceTags } from '../../../../lambda/core/operations/tags/list-resource-tags';
import { reEncrypt } from '../../../../lambda/core/operations/cryptography/re-encrypt';
import { scheduleKeyDeletion } from '../../../../lambda/core/operations/deletion/schedule-key-deletion';
import { tagResource } from '../../../../lambda/core/operations/tags/tag-resource';
import { untagResource } from '../../../../lambda/core/operations/tags/untag-resource';
import { updateAlias } from '../../../../lambda/core/operations/aliases/update-alias';
import { updateKeyDescription } from '../../../../lambda/core/operations/keys/update-key-description';
import type { KeyState } from '../../../../lambda/core/model/key';
import { memoryDeps, TEST_CTX, type MemoryDeps } from '../../../support/memory-deps';
import { aMaterial, Importer } from '../import/helpers';
import { bytes, DAY, newKey, text } from './helpers';

interface Subject {
  readonly deps: MemoryDeps;
  readonly state: KeyState;
  readonly keyId: string;
  readonly arn: string;
  readonly materialId: string;
  /** Made while the key was Enabled. */
  readonly ciphertext: Uint8Array;
  /** An alias created while the key was Enabled, pointing at it. */
  readonly aliasName: string;
}

/** Tags the subject got while Enabled. */
const SUBJECT_TAGS = [
  { TagKey: 'kept', TagValue: 'k' },
  { TagKey: 't', TagValue: 'old' },
];

async function keyIn(state: KeyState): Promise<Subject> {
  const deps = memoryDeps();
  const { KeyId: keyId, Arn: arn } = await newKey(deps, { Origin: 'EXTERNAL' });
  const { KeyMaterialId: materialId } = await new Importer(deps, keyId).import(aMaterial());
  const { CiphertextBlob } = await encrypt(deps, TEST_CTX, { KeyId: keyId, Plaintext: bytes('secret') });
  await createAlias(deps, TEST_CTX, { AliasName: 'alias/subject', TargetKeyId: keyId });
  await tagResource(deps, TEST_CTX, { KeyId: keyId, Tags: SUBJECT_TAGS });
  if (state === 'Disabled') await disableKey(deps, TEST_CTX, { KeyId: keyId });
  if (state === 'PendingDeletion') await scheduleKeyDeletion(deps, TEST_CTX, { KeyId: keyId, PendingWindowInDays: 7 });
  if (state === 'PendingImport') await deleteImportedKeyMaterial(deps, TEST_CTX, { KeyId: keyId });
  expect((await describeKey(deps, TEST_CTX, { KeyId: keyId })).KeyMetadata.KeyState).toBe(state);
  return { deps, state, keyId, arn, materialId, ciphertext: CiphertextBlob, aliasName: 'alias/subject' };
}

const metadataOf = async (s: Subject) => (await describeKey(s.deps, TEST_CTX, { KeyId: s.keyId })).KeyMetadata;
const tagsOf = async (s: Subject) => (await listResourceTags(s.deps, TEST_CTX, { KeyId: s.keyId })).Tags;
const aliasNamesOf = async (s: Subject) => (await listAliases(s.deps, TEST_CTX, { KeyId: s.keyId })).Aliases.map((a) => a.AliasName);
const plaintextOf = async (s: Subject, blob: Uint8Array) => (await decrypt(s.deps, TEST_CTX, { CiphertextBlob: blob })).Plaintext;

type Action = (s: Subject) => Promise<unknown>;

/** Each action, and what a caller sees when it is allowed: its answer and its effect. */
const ACTIONS: Record<string, { run: Action; allowed: (s: Subject, result: never) => Promise<void> }> = {
  Encrypt: {
    run: (s) => encrypt(s.deps, TEST_CTX, { KeyId: s.keyId, Plaintext: bytes('x') }),
    allowed: async (s, out: Awaited<ReturnType<typeof encrypt>>) => {
      expect(out).toMatchObject({ KeyId: s.arn, EncryptionAlgorithm: 'SYMMETRIC_DEFAULT' });
      expect(text(await plaintextOf(s, out.CiphertextBlob))).toBe('x');
    },
  },
  Decrypt: {
    run: (s) => decrypt(s.deps, TEST_CTX, { CiphertextBlob: s.ciphertext }),
    allowed: async (s, out: Awaited<ReturnType<typeof decrypt>>) => {
      expect(out).toMatchObject({ KeyId: s.arn, EncryptionAlgorithm: 'SYMMETRIC_DEFAULT', KeyMaterialId: s.materialId });
      expect(text(out.Plaintext)).toBe('secret');
    },
  },
  ReEncrypt: {
    run: (s) => reEncrypt(s.deps, TEST_CTX, { CiphertextBlob: s.ciphertext, DestinationKeyId: s.keyId }),
    allowed: async (s, out: Awaited<ReturnType<typeof reEncrypt>>) => {
      expect(out).toMatchObject({ SourceKeyId: s.arn, KeyId: s.arn, SourceKeyMaterialId: s.materialId });
      expect(text(await plaintextOf(s, out.CiphertextBlob))).toBe('secret');
    },
  },
  GenerateDataKey: {
    run: (s) => generateDataKey(s.deps, TEST_CTX, { KeyId: s.keyId, KeySpec: 'AES_256' }),
    allowed: async (s, out: Awaited<ReturnType<typeof generateDataKey>>) => {
      expect(out).toMatchObject({ KeyId: s.arn, KeyMaterialId: s.materialId });
      expect(out.Plaintext).toHaveLength(32);
      expect(await plaintextOf(s, out.CiphertextBlob)).toEqual(out.Plaintext);
    },
  },
  GenerateDataKeyWithoutPlaintext: {
    run: (s) => generateDataKeyWithoutPlaintext(s.deps, TEST_CTX, { KeyId: s.keyId, NumberOfBytes: 16 }),
    allowed: async (s, out: Awaited<ReturnType<typeof generateDataKeyWithoutPlaintext>>) => {
      expect(out).toEqual({ KeyId: s.arn, KeyMaterialId: s.materialId, CiphertextBlob: expect.any(Uint8Array) });
      expect(await plaintextOf(s, out.CiphertextBlob)).toHaveLength(16);
    },
  },
  EnableKey: {
    run: (s) => enableKey(s.deps, TEST_CTX, { KeyId: s.keyId }),
    allowed: async (s, out) => {
      expect(out).toEqual({});
      expect(await metadataOf(s)).toMatchObject({ KeyState: 'Enabled', Enabled: true });
    },
  },
  DisableKey: {
    run: (s) => disableKey(s.deps, TEST_CTX, { KeyId: s.keyId }),
    allowed: async (s, out) => {
      expect(out).toEqual({});
      expect(await metadataOf(s)).toMatchObject({ KeyState: 'Disabled', Enabled: false });
    },
  },
  ScheduleKeyDeletion: {
    run: (s) => scheduleKeyDeletion(s.deps, TEST_CTX, { KeyId: s.keyId, PendingWindowInDays: 10 }),
    allowed: async (s, out) => {
      const deletionDate = new Date(s.deps.clock.now().getTime() + 10 * DAY * 1000);
      expect(out).toEqual({ KeyId: s.arn, KeyState: 'PendingDeletion', PendingWindowInDays: 10, DeletionDate: deletionDate });
      expect(await metadataOf(s)).toMatchObject({ KeyState: 'PendingDeletion', Enabled: false, DeletionDate: deletionDate });
    },
  },
  CancelKeyDeletion: {
    run: (s) => cancelKeyDeletion(s.deps, TEST_CTX, { KeyId: s.keyId }),
    allowed: async (s, out) => {
      expect(out).toEqual({ KeyId: s.arn });
      const after = await metadataOf(s);
      expect(after).toMatchObject({ KeyState: 'Disabled', Enabled: false }); // its material is there (D1)
      expect(after.DeletionDate).toBeUndefined();
    },
  },
  TagResource: {
    run: (s) => tagResource(s.deps, TEST_CTX, { KeyId: s.keyId, Tags: [{ TagKey: 't', TagValue: 'v' }] }),
    allowed: async (s, out) => {
      expect(out).toEqual({});
      expect(await tagsOf(s)).toEqual([{ TagKey: 'kept', TagValue: 'k' }, { TagKey: 't', TagValue: 'v' }]);
    },
  },
  UntagResource: {
    run: (s) => untagResource(s.deps, TEST_CTX, { KeyId: s.keyId, TagKeys: ['t'] }),
    allowed: async (s, out) => {
      expect(out).toEqual({});
      expect(await tagsOf(s)).toEqual([{ TagKey: 'kept', TagValue: 'k' }]);
    },
  },
  CreateAlias: {
    run: (s) => createAlias(s.deps, TEST_CTX, { AliasName: 'alias/another', TargetKeyId: s.keyId }),
    allowed: async (s, out) => {
      expect(out).toEqual({});
      expect(await aliasNamesOf(s)).toEqual(['alias/another', 'alias/subject']);
    },
  },
  UpdateAliasToThisKey: {
    run: async (s) => {
      const other = await newKey(s.deps);
      await createAlias(s.deps, TEST_CTX, { AliasName: 'alias/moving', TargetKeyId: other.KeyId });
      return updateAlias(s.deps, TEST_CTX, { AliasName: 'alias/moving', TargetKeyId: s.keyId });
    },
    allowed: async (s, out) => {
      expect(out).toEqual({});
      expect(await aliasNamesOf(s)).toEqual(['alias/moving', 'alias/subject']);
    },
  },
  UpdateAliasAwayFromThisKey: {
    run: async (s) => {
      const other = await newKey(s.deps);
      return updateAlias(s.deps, TEST_CTX, { AliasName: s.aliasName, TargetKeyId: other.KeyId });
    },
    allowed: async (s, out) => {
      expect(out).toEqual({});
      expect(await aliasNamesOf(s)).toEqual([]);
      expect((await describeKey(s.deps, TEST_CTX, { KeyId: s.aliasName })).KeyMetadata.KeyId).not.toBe(s.keyId);
    },
  },
  DeleteAlias: {
    run: (s) => deleteAlias(s.deps, TEST_CTX, { AliasName: s.aliasName }),
    allowed: async (s, out) => {
      expect(out).toEqual({});
      expect(await aliasNamesOf(s)).toEqual([]);
    },
  },
  UpdateKeyDescription: {
    run: (s) => updateKeyDescription(s.deps, TEST_CTX, { KeyId: s.keyId, Description: 'd' }),
    allowed: async (s, out) => {
      expect(out).toEqual({});
      expect((await metadataOf(s)).Description).toBe('d');
    },
  },
  DescribeKey: {
    run: (s) => describeKey(s.deps, TEST_CTX, { KeyId: s.keyId }),
    allowed: async (s, out: Awaited<ReturnType<typeof describeKey>>) => {
      expect(out.KeyMetadata).toMatchObject({ KeyId: s.keyId, Arn: s.arn, KeyState: s.state, Enabled: s.state === 'Enabled', Origin: 'EXTERNAL' });
    },
  },
  ListResourceTags: {
    run: (s) => listResourceTags(s.deps, TEST_CTX, { KeyId: s.keyId }),
    allowed: async (_s, out: Awaited<ReturnType<typeof listResourceTags>>) => {
      expect(out).toEqual({ Tags: SUBJECT_TAGS, Truncated: false });
    },
  },
  ListAliases: {
    run: (s) => listAliases(s.deps, TEST_CTX, { KeyId: s.keyId }),
    allowed: async (s, out: Awaited<ReturnType<typeof listAliases>>) => {
      expect(out).toMatchObject({ Aliases: [{ AliasName: s.aliasName, TargetKeyId: s.keyId }], Truncated: false });
    },
  },
};

const STATES: readonly KeyState[] = ['Enabled', 'Disabled', 'PendingDeletion', 'PendingImport'];
type Outcome = 'OK' | 'disabled' | 'pending deletion' | 'pending import' | 'not pending deletion';

const CRYPTO: Outcome[] = ['OK', 'disabled', 'pending deletion', 'pending import'];
const ENABLE_DISABLE: Outcome[] = ['OK', 'OK', 'pending deletion', 'pending import'];
const METADATA: Outcome[] = ['OK', 'OK', 'pending deletion', 'OK'];
const ALWAYS: Outcome[] = ['OK', 'OK', 'OK', 'OK'];

const MATRIX: Record<keyof typeof ACTIONS, Outcome[]> = {
  Encrypt: CRYPTO,
  Decrypt: CRYPTO,
  ReEncrypt: CRYPTO,
  GenerateDataKey: CRYPTO,
  GenerateDataKeyWithoutPlaintext: CRYPTO,
  EnableKey: ENABLE_DISABLE,
  DisableKey: ENABLE_DISABLE,
  ScheduleKeyDeletion: ['OK', 'OK', 'pending deletion', 'OK'],
  CancelKeyDeletion: ['not pending deletion', 'not pending deletion', 'OK', 'not pending deletion'],
  TagResource: METADATA,
  UntagResource: METADATA,
  CreateAlias: METADATA,
  UpdateAliasToThisKey: METADATA,
  UpdateAliasAwayFromThisKey: ALWAYS,
  DeleteAlias: ALWAYS,
  UpdateKeyDescription: METADATA,
  DescribeKey: ALWAYS,
  ListResourceTags: ALWAYS,
  ListAliases: ALWAYS,
};

const cells = Object.entries(MATRIX).flatMap(([action, outcomes]) => STATES.map((state, i) => [action, state, outcomes[i]!] as const));

describe('operation × state matrix for an EXTERNAL key (spec §1.3)', () => {
  test.each(cells)('%s on a %s key: %s', async (action, state, outcome) => {
    // GIVEN
    const subject = await keyIn(state);
    // WHEN
    const result = ACTIONS[action]!.run(subject);
    // THEN
    if (outcome === 'OK') {
      await ACTIONS[action]!.allowed(subject, (await result) as never);
      return;
    }
    if (outcome === 'disabled') {
      await expect(result).rejects.toMatchObject({ name: 'DisabledException', message: `${subject.arn} is disabled.` });
    } else if (outcome === 'not pending deletion') {
      await expect(result).rejects.toMatchObject({
        name: 'KMSInvalidStateException',
        message: `${subject.arn} is not pending deletion (or pending replica deletion).`,
      });
    } else {
      await expect(result).rejects.toMatchObject({ name: 'KMSInvalidStateException', message: `${subject.arn} is ${outcome}.` });
    }
    // and a refused action changes nothing a caller can see
    expect((await metadataOf(subject)).KeyState).toBe(state);
    expect(await tagsOf(subject)).toEqual(SUBJECT_TAGS);
    expect(await aliasNamesOf(subject)).toEqual([subject.aliasName]);
  });
});

describe('state transitions through EnableKey and DisableKey', () => {
  test('Enabled → Disabled → Enabled, idempotent both ways', async () => {
    const s = await keyIn('Enabled');
    const state = async () => (await describeKey(s.deps, TEST_CTX, { KeyId: s.keyId })).KeyMetadata;
    await disableKey(s.deps, TEST_CTX, { KeyId: s.keyId });
    await disableKey(s.deps, TEST_CTX, { KeyId: s.arn });
    expect(await state()).toMatchObject({ KeyState: 'Disabled', Enabled: false });
    await enableKey(s.deps, TEST_CTX, { KeyId: s.keyId });
    await enableKey(s.deps, TEST_CTX, { KeyId: s.arn });
    expect(await state()).toMatchObject({ KeyState: 'Enabled', Enabled: true });
  });

  test.each(['EnableKey', 'DisableKey', 'ScheduleKeyDeletion', 'CancelKeyDeletion', 'TagResource', 'UntagResource', 'ListResourceTags'])(
    'fails with NotFoundException when %s is given an alias (D18)',
    async (action) => {
      const s = await keyIn('Enabled');
      const { run } = ACTIONS[action]!;
      await expect(run({ ...s, keyId: s.aliasName })).rejects.toMatchObject({ name: 'NotFoundException', message: `Invalid keyId '${s.aliasName}'` });
    },
  );
});

/** One EXTERNAL key of each non-symmetric kind, imported and then brought into a state through the operations. */
interface KindsSubject {
  readonly deps: MemoryDeps;
  readonly signing: { keyId: string; arn: string; signature: Uint8Array; privateKey: KeyObject };
  readonly mac: { keyId: string; arn: string; mac: Uint8Array; material: Uint8Array };
  readonly agreement: { keyId: string; arn: string; privateKey: KeyObject };
  readonly rsa: { keyId: string; arn: string; ciphertext: Uint8Array; privateKey: KeyObject };
  readonly peer: KeyObject;
}

async function importedKey(deps: MemoryDeps, spec: string, usage: string, material: Uint8Array, algorithm: 'RSAES_OAEP_SHA_256' | 'RSA_AES_KEY_WRAP_SHA_256') {
  const md = await newKey(deps, { KeySpec: spec, KeyUsage: usage, Origin: 'EXTERNAL' });
  await new Importer(deps, md.KeyId, algorithm, 'RSA_2048').importOther(material);
  return { keyId: md.KeyId, arn: md.Arn };
}

const pkcs8 = (key: KeyObject) => new Uint8Array(key.export({ type: 'pkcs8', format: 'der' }));
const spki = (key: KeyObject) => new Uint8Array(createPublicKey(key).export({ type: 'spki', format: 'der' }));

async function kindsIn(state: KeyState): Promise<KindsSubject> {
  const deps = memoryDeps();
  const signingPrivate = generateKeyPairSync('ec', { namedCurve: 'prime256v1' }).privateKey;
  const macMaterial = new Uint8Array(randomBytes(32));
  const agreementPrivate = generateKeyPairSync('ec', { namedCurve: 'secp384r1' }).privateKey;
  const rsaPrivate = generateKeyPairSync('rsa', { modulusLength: 2048 }).privateKey;
  const signingKey = await importedKey(deps, 'ECC_NIST_P256', 'SIGN_VERIFY', pkcs8(signingPrivate), 'RSAES_OAEP_SHA_256');
  const macKey = await importedKey(deps, 'HMAC_256', 'GENERATE_VERIFY_MAC', macMaterial, 'RSAES_OAEP_SHA_256');
  const agreement = await importedKey(deps, 'ECC_NIST_P384', 'KEY_AGREEMENT', pkcs8(agreementPrivate), 'RSAES_OAEP_SHA_256');
  const rsaKey = await importedKey(deps, 'RSA_2048', 'ENCRYPT_DECRYPT', pkcs8(rsaPrivate), 'RSA_AES_KEY_WRAP_SHA_256');
  const { Signature } = await sign(deps, TEST_CTX, { KeyId: signingKey.keyId, Message: bytes('m'), SigningAlgorithm: 'ECDSA_SHA_256' });
  const { Mac } = await generateMac(deps, TEST_CTX, { KeyId: macKey.keyId, Message: bytes('m'), MacAlgorithm: 'HMAC_SHA_256' });
  const { CiphertextBlob } = await encrypt(deps, TEST_CTX, { KeyId: rsaKey.keyId, Plaintext: bytes('m'), EncryptionAlgorithm: 'RSAES_OAEP_SHA_256' });
  for (const { keyId } of [signingKey, macKey, agreement, rsaKey]) {
    if (state === 'Disabled') await disableKey(deps, TEST_CTX, { KeyId: keyId });
    if (state === 'PendingDeletion') await scheduleKeyDeletion(deps, TEST_CTX, { KeyId: keyId, PendingWindowInDays: 7 });
    if (state === 'PendingImport') await deleteImportedKeyMaterial(deps, TEST_CTX, { KeyId: keyId });
    expect((await describeKey(deps, TEST_CTX, { KeyId: keyId })).KeyMetadata.KeyState).toBe(state);
  }
  return {
    deps,
    signing: { ...signingKey, signature: Signature, privateKey: signingPrivate },
    mac: { ...macKey, mac: Mac, material: macMaterial },
    agreement: { ...agreement, privateKey: agreementPrivate },
    rsa: { ...rsaKey, ciphertext: CiphertextBlob, privateKey: rsaPrivate },
    peer: generateKeyPairSync('ec', { namedCurve: 'secp384r1' }).privateKey,
  };
}

/** An action on one of the subject's keys, and what a caller sees when it is allowed, checked with node:crypto. */
interface KindsAction {
  readonly arn: string;
  readonly run: Promise<unknown>;
  readonly allowed: (out: never) => void;
}

const oaep = (key: KeyObject, hash: string) => ({ key, padding: constants.RSA_PKCS1_OAEP_PADDING, oaepHash: hash });

const KIND_ACTIONS: Record<string, (s: KindsSubject) => KindsAction> = {
  Sign: (s) => ({
    arn: s.signing.arn,
    run: sign(s.deps, TEST_CTX, { KeyId: s.signing.keyId, Message: bytes('x'), SigningAlgorithm: 'ECDSA_SHA_256' }),
    allowed: (out: Awaited<ReturnType<typeof sign>>) => {
      expect(out).toMatchObject({ KeyId: s.signing.arn, SigningAlgorithm: 'ECDSA_SHA_256' });
      expect(cryptoVerify('sha256', bytes('x'), createPublicKey(s.signing.privateKey), out.Signature)).toBe(true);
    },
  }),
  Verify: (s) => ({
    arn: s.signing.arn,
    run: verify(s.deps, TEST_CTX, { KeyId: s.signing.keyId, Message: bytes('m'), Signature: s.signing.signature, SigningAlgorithm: 'ECDSA_SHA_256' }),
    allowed: (out: Awaited<ReturnType<typeof verify>>) => {
      expect(out).toEqual({ KeyId: s.signing.arn, SignatureValid: true, SigningAlgorithm: 'ECDSA_SHA_256' });
    },
  }),
  'GetPublicKey (signing key)': (s) => ({
    arn: s.signing.arn,
    run: getPublicKey(s.deps, TEST_CTX, { KeyId: s.signing.keyId }),
    allowed: (out: Awaited<ReturnType<typeof getPublicKey>>) => {
      expect(out).toMatchObject({ KeyId: s.signing.arn, KeySpec: 'ECC_NIST_P256', KeyUsage: 'SIGN_VERIFY', SigningAlgorithms: ['ECDSA_SHA_256'] });
      expect(out.PublicKey).toEqual(spki(s.signing.privateKey));
    },
  }),
  'GetPublicKey (RSA encryption key)': (s) => ({
    arn: s.rsa.arn,
    run: getPublicKey(s.deps, TEST_CTX, { KeyId: s.rsa.keyId }),
    allowed: (out: Awaited<ReturnType<typeof getPublicKey>>) => {
      expect(out).toMatchObject({ KeyId: s.rsa.arn, KeySpec: 'RSA_2048', KeyUsage: 'ENCRYPT_DECRYPT' });
      expect(out.PublicKey).toEqual(spki(s.rsa.privateKey));
    },
  }),
  GenerateMac: (s) => ({
    arn: s.mac.arn,
    run: generateMac(s.deps, TEST_CTX, { KeyId: s.mac.keyId, Message: bytes('x'), MacAlgorithm: 'HMAC_SHA_256' }),
    allowed: (out: Awaited<ReturnType<typeof generateMac>>) => {
      expect(out).toMatchObject({ KeyId: s.mac.arn, MacAlgorithm: 'HMAC_SHA_256' });
      expect(out.Mac).toEqual(new Uint8Array(createHmac('sha256', s.mac.material).update('x').digest()));
    },
  }),
  VerifyMac: (s) => ({
    arn: s.mac.arn,
    run: verifyMac(s.deps, TEST_CTX, { KeyId: s.mac.keyId, Message: bytes('m'), Mac: s.mac.mac, MacAlgorithm: 'HMAC_SHA_256' }),
    allowed: (out: Awaited<ReturnType<typeof verifyMac>>) => {
      expect(out).toEqual({ KeyId: s.mac.arn, MacValid: true, MacAlgorithm: 'HMAC_SHA_256' });
    },
  }),
  DeriveSharedSecret: (s) => ({
    arn: s.agreement.arn,
    run: deriveSharedSecret(s.deps, TEST_CTX, { KeyId: s.agreement.keyId, KeyAgreementAlgorithm: 'ECDH', PublicKey: spki(s.peer) }),
    allowed: (out: Awaited<ReturnType<typeof deriveSharedSecret>>) => {
      expect(out).toMatchObject({ KeyId: s.agreement.arn, KeyAgreementAlgorithm: 'ECDH' });
      expect(out.SharedSecret).toEqual(new Uint8Array(diffieHellman({ privateKey: s.peer, publicKey: createPublicKey(s.agreement.privateKey) })));
    },
  }),
  'Encrypt (RSA)': (s) => ({
    arn: s.rsa.arn,
    run: encrypt(s.deps, TEST_CTX, { KeyId: s.rsa.keyId, Plaintext: bytes('x'), EncryptionAlgorithm: 'RSAES_OAEP_SHA_1' }),
    allowed: (out: Awaited<ReturnType<typeof encrypt>>) => {
      expect(out).toMatchObject({ KeyId: s.rsa.arn, EncryptionAlgorithm: 'RSAES_OAEP_SHA_1' });
      expect(text(privateDecrypt(oaep(s.rsa.privateKey, 'sha1'), out.CiphertextBlob))).toBe('x');
    },
  }),
  'Decrypt (RSA)': (s) => ({
    arn: s.rsa.arn,
    run: decrypt(s.deps, TEST_CTX, { KeyId: s.rsa.keyId, CiphertextBlob: s.rsa.ciphertext, EncryptionAlgorithm: 'RSAES_OAEP_SHA_256' }),
    allowed: (out: Awaited<ReturnType<typeof decrypt>>) => {
      expect(out).toMatchObject({ KeyId: s.rsa.arn, EncryptionAlgorithm: 'RSAES_OAEP_SHA_256' });
      expect(text(out.Plaintext)).toBe('m');
    },
  }),
  'ReEncrypt (RSA source)': (s) => ({
    arn: s.rsa.arn,
    run: reEncrypt(s.deps, TEST_CTX, { CiphertextBlob: s.rsa.ciphertext, SourceKeyId: s.rsa.keyId, SourceEncryptionAlgorithm: 'RSAES_OAEP_SHA_256', DestinationKeyId: s.rsa.keyId, DestinationEncryptionAlgorithm: 'RSAES_OAEP_SHA_1' }),
    allowed: (out: Awaited<ReturnType<typeof reEncrypt>>) => {
      expect(out).toMatchObject({ SourceKeyId: s.rsa.arn, KeyId: s.rsa.arn, SourceEncryptionAlgorithm: 'RSAES_OAEP_SHA_256', DestinationEncryptionAlgorithm: 'RSAES_OAEP_SHA_1' });
      expect(text(privateDecrypt(oaep(s.rsa.privateKey, 'sha1'), out.CiphertextBlob))).toBe('m');
    },
  }),
};

const GET_PUBLIC_KEY: Outcome[] = ['OK', 'OK', 'pending deletion', 'pending import'];
const KIND_MATRIX: Record<keyof typeof KIND_ACTIONS, Outcome[]> = {
  Sign: CRYPTO,
  Verify: CRYPTO,
  'GetPublicKey (signing key)': GET_PUBLIC_KEY,
  'GetPublicKey (RSA encryption key)': GET_PUBLIC_KEY,
  GenerateMac: CRYPTO,
  VerifyMac: CRYPTO,
  DeriveSharedSecret: CRYPTO,
  'Encrypt (RSA)': CRYPTO,
  'Decrypt (RSA)': CRYPTO,
  'ReEncrypt (RSA source)': CRYPTO,
};

describe('operation × state matrix for EXTERNAL asymmetric and HMAC keys (spec kms-key-specs.md §12, D52)', () => {
  const subjects = new Map<KeyState, Promise<KindsSubject>>();
  const subject = (state: KeyState) => {
    if (!subjects.has(state)) subjects.set(state, kindsIn(state));
    return subjects.get(state)!;
  };
  const kindCells = Object.entries(KIND_MATRIX).flatMap(([action, outcomes]) => STATES.map((state, i) => [action, state, outcomes[i]!] as const));

  test.each(kindCells)('%s on a %s key: %s', async (action, state, outcome) => {
    const { arn, run, allowed } = KIND_ACTIONS[action]!(await subject(state));
    if (outcome === 'OK') allowed((await run) as never);
    else if (outcome === 'disabled') await expect(run).rejects.toMatchObject({ name: 'DisabledException', message: `${arn} is disabled.` });
    else await expect(run).rejects.toMatchObject({ name: 'KMSInvalidStateException', message: `${arn} is ${outcome}.` });
  });
});
