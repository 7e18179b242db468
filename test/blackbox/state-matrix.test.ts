/**
 * The operation × key-state matrix of spec §1.3 for an EXTERNAL key, table-driven, through the real
 * SDK: every cell either succeeds (and leaves the key in the expected state) or fails with the exact
 * error name and message, leaving the key as it was.
 */
import { generateKeyPairSync, randomBytes, type KeyObject } from 'node:crypto';
import {
  CancelKeyDeletionCommand,
  CreateAliasCommand,
  DecryptCommand,
  DeleteAliasCommand,
  DeleteImportedKeyMaterialCommand,
  DeriveSharedSecretCommand,
  DescribeKeyCommand,
  DisableKeyCommand,
  EnableKeyCommand,
  EncryptCommand,
  GenerateDataKeyCommand,
  GenerateDataKeyWithoutPlaintextCommand,
  GenerateMacCommand,
  GetKeyRotationStatusCommand,
  GetParametersForImportCommand,
  GetPublicKeyCommand,
  ListAliasesCommand,
  ListKeyRotationsCommand,
  ListResourceTagsCommand,
  ReEncryptCommand,
  RotateKeyOnDemandCommand,
  ScheduleKeyDeletionCommand,
  SignCommand,
  TagResourceCommand,
  UntagResourceCommand,
  UpdateAliasCommand,
  UpdateKeyDescriptionCommand,
  VerifyCommand,
  VerifyMacCommand,
  type KeyState,
} from '@aws-sdk/client-kms';
import { beforeAll, describe, expect, test } from 'vitest';
import {
  createExternalKey,
  createImportedKey,
  describeKey,
  expectKmsError,
  getParameters,
  importMaterial,
  newMaterial,
  rememberSecret,
  uniqueAlias,
  type ImportedKey,
  type ImportParameters,
  useLocalServer,
} from './helpers';
import type { WrappingAlgorithm } from '../support/wrap-material';
import { importWrapped } from './support/import-material';

const local = useLocalServer();
/** An Enabled key that is never touched by the matrix: the other end of ReEncrypt and UpdateAlias. */
let healthy: ImportedKey & { ciphertext: Uint8Array };

beforeAll(async () => {
  const key = await createImportedKey(local.kms);
  const { CiphertextBlob } = await local.kms.send(new EncryptCommand({ KeyId: key.keyId, Plaintext: Buffer.from('healthy plaintext') }));
  healthy = { ...key, ciphertext: CiphertextBlob! };
  prepareFixtures();
});

type State = 'Enabled' | 'Disabled' | 'PendingDeletion' | 'PendingImport';
const STATES: readonly State[] = ['Enabled', 'Disabled', 'PendingDeletion', 'PendingImport'];

/** A key brought into a state, with what the cells need that can only be made while it is Enabled. */
interface Fixture extends ImportedKey {
  /** Made while Enabled, under the first material. */
  readonly ciphertext: Uint8Array;
  /** Point at the key; created while Enabled: one to resolve, one to delete, one to move away. */
  readonly alias: string;
  readonly aliasToDelete: string;
  readonly aliasToMove: string;
  /** Import parameters fetched while Enabled (a token may be reused, D13). */
  readonly params: ImportParameters;
  /** A second material staged as NEW (PENDING_ROTATION) while Enabled. */
  readonly stagedId: string;
}

async function fixture(state: State): Promise<Fixture> {
  const meta = await createExternalKey(local.kms);
  const keyId = meta.KeyId!;
  const params = await getParameters(local.kms, keyId);
  const material = newMaterial();
  const first = await importMaterial(local.kms, keyId, material, { params });
  const key: ImportedKey = { keyId, arn: meta.Arn!, material, keyMaterialId: first.KeyMaterialId! };
  const staged = await importMaterial(local.kms, keyId, newMaterial(), { params, importType: 'NEW_KEY_MATERIAL' });
  const { CiphertextBlob } = await local.kms.send(new EncryptCommand({ KeyId: keyId, Plaintext: Buffer.from('matrix plaintext') }));
  const [alias, aliasToDelete, aliasToMove] = [uniqueAlias(`matrix-${state}`), uniqueAlias('to-delete'), uniqueAlias('to-move')];
  for (const AliasName of [alias, aliasToDelete, aliasToMove]) await local.kms.send(new CreateAliasCommand({ AliasName, TargetKeyId: keyId }));
  if (state === 'Disabled') await local.kms.send(new DisableKeyCommand({ KeyId: key.keyId }));
  if (state === 'PendingDeletion') await local.kms.send(new ScheduleKeyDeletionCommand({ KeyId: key.keyId, PendingWindowInDays: 7 }));
  if (state === 'PendingImport') await local.kms.send(new DeleteImportedKeyMaterialCommand({ KeyId: key.keyId }));
  const fx = { ...key, ciphertext: CiphertextBlob!, alias, aliasToDelete, aliasToMove, params, stagedId: staged.KeyMaterialId! };
  expect(await stateOf(fx.keyId)).toBe(state);
  return fx;
}

async function stateOf(keyId: string): Promise<KeyState | undefined> {
  return (await describeKey(local.kms, keyId)).KeyState;
}

/** What a cell expects: success (and the state after it), or an error whose message is built from the key ARN. */
type Outcome = { readonly ok: true; readonly after: State } | { readonly ok: false; readonly error: string; readonly message: (arn: string) => string };

const ok = (after: State): Outcome => ({ ok: true, after });
const fails = (error: string, message: (arn: string) => string): Outcome => ({ ok: false, error, message });
const isDisabled = fails('DisabledException', (arn) => `${arn} is disabled.`);
const pendingDeletion = fails('KMSInvalidStateException', (arn) => `${arn} is pending deletion.`);
const pendingImport = fails('KMSInvalidStateException', (arn) => `${arn} is pending import.`);
const notPendingDeletion = fails('KMSInvalidStateException', (arn) => `${arn} is not pending deletion (or pending replica deletion).`);

/** Outcome per state; a state missing from `outcomes` means: succeeds and keeps the state. */
interface Row {
  readonly operation: string;
  readonly call: (fx: Fixture) => Promise<unknown>;
  readonly outcomes: Partial<Record<State, Outcome>>;
  /** Succeeding changes the key beyond its state (e.g. its materials), so the cell gets its own key. */
  readonly mutates?: boolean;
}

const CRYPTO: Partial<Record<State, Outcome>> = { Disabled: isDisabled, PendingDeletion: pendingDeletion, PendingImport: pendingImport };
const METADATA: Partial<Record<State, Outcome>> = { PendingDeletion: pendingDeletion };

const ROWS: readonly Row[] = [
  { operation: 'Encrypt', call: (fx) => local.kms.send(new EncryptCommand({ KeyId: fx.keyId, Plaintext: Buffer.from('cell') })), outcomes: CRYPTO },
  { operation: 'Decrypt', call: (fx) => local.kms.send(new DecryptCommand({ CiphertextBlob: fx.ciphertext })), outcomes: CRYPTO },
  { operation: 'Decrypt (KeyId by alias)', call: (fx) => local.kms.send(new DecryptCommand({ CiphertextBlob: fx.ciphertext, KeyId: fx.alias })), outcomes: CRYPTO },
  { operation: 'ReEncrypt (as source)', call: (fx) => local.kms.send(new ReEncryptCommand({ CiphertextBlob: fx.ciphertext, DestinationKeyId: healthy.keyId })), outcomes: CRYPTO },
  { operation: 'ReEncrypt (as destination)', call: (fx) => local.kms.send(new ReEncryptCommand({ CiphertextBlob: healthy.ciphertext, DestinationKeyId: fx.keyId })), outcomes: CRYPTO },
  { operation: 'GenerateDataKey', call: (fx) => local.kms.send(new GenerateDataKeyCommand({ KeyId: fx.keyId, KeySpec: 'AES_256' })), outcomes: CRYPTO },
  { operation: 'GenerateDataKeyWithoutPlaintext', call: (fx) => local.kms.send(new GenerateDataKeyWithoutPlaintextCommand({ KeyId: fx.keyId, NumberOfBytes: 32 })), outcomes: CRYPTO },
  { operation: 'DescribeKey (by alias)', call: (fx) => local.kms.send(new DescribeKeyCommand({ KeyId: fx.alias })), outcomes: {} },
  { operation: 'ListAliases', call: (fx) => local.kms.send(new ListAliasesCommand({ KeyId: fx.keyId })), outcomes: {} },
  { operation: 'ListResourceTags', call: (fx) => local.kms.send(new ListResourceTagsCommand({ KeyId: fx.keyId })), outcomes: {} },
  { operation: 'GetKeyRotationStatus', call: (fx) => local.kms.send(new GetKeyRotationStatusCommand({ KeyId: fx.keyId })), outcomes: {} },
  { operation: 'ListKeyRotations', call: (fx) => local.kms.send(new ListKeyRotationsCommand({ KeyId: fx.keyId, IncludeKeyMaterial: 'ALL_KEY_MATERIAL' })), outcomes: {} },
  { operation: 'DeleteAlias', call: (fx) => local.kms.send(new DeleteAliasCommand({ AliasName: fx.aliasToDelete })), outcomes: {} },
  { operation: 'CreateAlias', call: (fx) => local.kms.send(new CreateAliasCommand({ AliasName: uniqueAlias('cell'), TargetKeyId: fx.keyId })), outcomes: METADATA },
  {
    operation: 'UpdateAlias (key is the new target)',
    call: async (fx) => {
      const alias = uniqueAlias('to-cell');
      await local.kms.send(new CreateAliasCommand({ AliasName: alias, TargetKeyId: healthy.keyId }));
      return local.kms.send(new UpdateAliasCommand({ AliasName: alias, TargetKeyId: fx.keyId }));
    },
    outcomes: METADATA,
  },
  { operation: 'UpdateAlias (key is the old target)', call: (fx) => local.kms.send(new UpdateAliasCommand({ AliasName: fx.aliasToMove, TargetKeyId: healthy.keyId })), outcomes: {} },
  { operation: 'TagResource', call: (fx) => local.kms.send(new TagResourceCommand({ KeyId: fx.keyId, Tags: [{ TagKey: 'cell', TagValue: 'x' }] })), outcomes: METADATA },
  { operation: 'UntagResource', call: (fx) => local.kms.send(new UntagResourceCommand({ KeyId: fx.keyId, TagKeys: ['cell'] })), outcomes: METADATA },
  { operation: 'UpdateKeyDescription', call: (fx) => local.kms.send(new UpdateKeyDescriptionCommand({ KeyId: fx.keyId, Description: 'cell' })), outcomes: METADATA },
  {
    operation: 'EnableKey',
    call: (fx) => local.kms.send(new EnableKeyCommand({ KeyId: fx.keyId })),
    outcomes: { Disabled: ok('Enabled'), PendingDeletion: pendingDeletion, PendingImport: pendingImport },
      },
  {
    operation: 'DisableKey',
    call: (fx) => local.kms.send(new DisableKeyCommand({ KeyId: fx.keyId })),
    outcomes: { Enabled: ok('Disabled'), PendingDeletion: pendingDeletion, PendingImport: pendingImport },
      },
  {
    operation: 'ScheduleKeyDeletion',
    call: (fx) => local.kms.send(new ScheduleKeyDeletionCommand({ KeyId: fx.keyId, PendingWindowInDays: 7 })),
    outcomes: { Enabled: ok('PendingDeletion'), Disabled: ok('PendingDeletion'), PendingDeletion: pendingDeletion, PendingImport: ok('PendingDeletion') },
      },
  {
    operation: 'CancelKeyDeletion',
    call: (fx) => local.kms.send(new CancelKeyDeletionCommand({ KeyId: fx.keyId })),
    outcomes: { Enabled: notPendingDeletion, Disabled: notPendingDeletion, PendingDeletion: ok('Disabled'), PendingImport: notPendingDeletion },
      },
  {
    operation: 'GetParametersForImport',
    call: (fx) => local.kms.send(new GetParametersForImportCommand({ KeyId: fx.keyId, WrappingAlgorithm: 'RSAES_OAEP_SHA_256', WrappingKeySpec: 'RSA_2048' })),
    outcomes: { PendingDeletion: pendingDeletion },
  },
  {
    operation: 'ImportKeyMaterial (the same material again)',
    call: (fx) => importMaterial(local.kms, fx.keyId, fx.material, { params: fx.params }),
    outcomes: { Disabled: ok('Disabled'), PendingDeletion: pendingDeletion, PendingImport: ok('Enabled') },
      },
  {
    operation: 'DeleteImportedKeyMaterial',
    call: (fx) => local.kms.send(new DeleteImportedKeyMaterialCommand({ KeyId: fx.keyId })),
    outcomes: { Enabled: ok('PendingImport'), Disabled: ok('PendingImport'), PendingDeletion: ok('PendingDeletion'), PendingImport: ok('PendingImport') },
    mutates: true,
  },
  {
    operation: 'RotateKeyOnDemand (a material is staged)',
    call: (fx) => local.kms.send(new RotateKeyOnDemandCommand({ KeyId: fx.keyId })),
    outcomes: { Disabled: isDisabled, PendingDeletion: fails('KMSInvalidStateException', (arn) => `${arn} is pending deletion.`), PendingImport: pendingImport },
    mutates: true,
  },
];

const cells = ROWS.flatMap((row) =>
  STATES.map((state) => {
    const outcome = row.outcomes[state] ?? ok(state);
    const aState = `${/^[AEIOU]/.test(state) ? 'an' : 'a'} ${state}`;
    const name = outcome.ok
      ? `${row.operation} on ${aState} key succeeds${outcome.after === state ? '' : ` and leaves it ${outcome.after}`}`
      : `fails with ${outcome.error}: ${row.operation} on ${aState} key`;
    // a cell whose success changes the key gets its own key; the others share one key per state
    const ownKey = outcome.ok && (row.mutates === true || outcome.after !== state);
    return { name, row, state, outcome, ownKey };
  }),
);

/**
 * The keys are prepared up front and in parallel: generating the RSA wrapping keys on the server is
 * what takes time. Cells then run one after another.
 */
const fixtures = new Map<string, Promise<Fixture>>();
function prepareFixtures(): void {
  for (const state of STATES) fixtures.set(state, fixture(state));
  for (const cell of cells) if (cell.ownKey) fixtures.set(cell.name, fixture(cell.state));
  for (const f of fixtures.values()) f.catch(() => undefined); // reported by the cell that awaits it
}

describe('operation × key state (spec §1.3)', () => {
  test.each(cells)('$name', async ({ name, row, state, outcome, ownKey }) => {
    // GIVEN a key in the state (its own key when a success would change it)
    const fx = await fixtures.get(ownKey ? name : state)!;
    // WHEN / THEN
    if (outcome.ok) {
      await row.call(fx);
      expect(await stateOf(fx.keyId)).toBe(outcome.after);
    } else {
      await expectKmsError(row.call(fx), outcome.error, outcome.message(fx.arn));
      expect(await stateOf(fx.keyId)).toBe(state);
    }
  });

  test('a successful rotation in the Enabled state makes the staged material current', async () => {
    const fx = await fixture('Enabled');
    await local.kms.send(new RotateKeyOnDemandCommand({ KeyId: fx.keyId }));
    expect((await describeKey(local.kms, fx.keyId)).CurrentKeyMaterialId).toBe(fx.stagedId);
  });
});

/**
 * The same matrix for the operations of asymmetric and HMAC keys (spec kms-key-specs.md §12, D52): one
 * EXTERNAL key of each kind per state, imported through the SDK, with what the cells need made while Enabled.
 */
interface KindsFixture {
  readonly signing: { keyId: string; arn: string; signature: Uint8Array };
  readonly mac: { keyId: string; arn: string; mac: Uint8Array };
  readonly agreement: { keyId: string; arn: string };
  readonly rsa: { keyId: string; arn: string; ciphertext: Uint8Array };
}

const der = (key: KeyObject) => key.export({ type: 'pkcs8', format: 'der' });
const PEER = generateKeyPairSync('ec', { namedCurve: 'prime256v1' }).publicKey.export({ type: 'spki', format: 'der' });

async function importedOfKind(KeySpec: string, KeyUsage: string, material: Uint8Array, wrapping: WrappingAlgorithm) {
  const meta = await createExternalKey(local.kms, { KeySpec: KeySpec as never, KeyUsage: KeyUsage as never });
  rememberSecret(material);
  await importWrapped(local.kms, meta.KeyId!, material, wrapping);
  return { keyId: meta.KeyId!, arn: meta.Arn! };
}

async function kindsFixture(state: State): Promise<KindsFixture> {
  const signing = await importedOfKind('ECC_NIST_P384', 'SIGN_VERIFY', der(generateKeyPairSync('ec', { namedCurve: 'secp384r1' }).privateKey), 'RSAES_OAEP_SHA_256');
  const mac = await importedOfKind('HMAC_224', 'GENERATE_VERIFY_MAC', randomBytes(28), 'RSAES_OAEP_SHA_1');
  const agreement = await importedOfKind('ECC_NIST_P256', 'KEY_AGREEMENT', der(generateKeyPairSync('ec', { namedCurve: 'prime256v1' }).privateKey), 'RSAES_OAEP_SHA_256');
  const rsa = await importedOfKind('RSA_2048', 'ENCRYPT_DECRYPT', der(generateKeyPairSync('rsa', { modulusLength: 2048 }).privateKey), 'RSA_AES_KEY_WRAP_SHA_256');
  const { Signature } = await local.kms.send(new SignCommand({ KeyId: signing.keyId, Message: Buffer.from('m'), SigningAlgorithm: 'ECDSA_SHA_384' }));
  const { Mac } = await local.kms.send(new GenerateMacCommand({ KeyId: mac.keyId, Message: Buffer.from('m'), MacAlgorithm: 'HMAC_SHA_224' }));
  const { CiphertextBlob } = await local.kms.send(new EncryptCommand({ KeyId: rsa.keyId, Plaintext: Buffer.from('m'), EncryptionAlgorithm: 'RSAES_OAEP_SHA_256' }));
  for (const { keyId } of [signing, mac, agreement, rsa]) {
    if (state === 'Disabled') await local.kms.send(new DisableKeyCommand({ KeyId: keyId }));
    if (state === 'PendingDeletion') await local.kms.send(new ScheduleKeyDeletionCommand({ KeyId: keyId, PendingWindowInDays: 7 }));
    if (state === 'PendingImport') await local.kms.send(new DeleteImportedKeyMaterialCommand({ KeyId: keyId }));
    expect(await stateOf(keyId)).toBe(state);
  }
  return { signing: { ...signing, signature: Signature! }, mac: { ...mac, mac: Mac! }, agreement, rsa: { ...rsa, ciphertext: CiphertextBlob! } };
}

interface KindsRow {
  readonly operation: string;
  readonly call: (fx: KindsFixture) => { readonly keyId: string; readonly arn: string; readonly run: Promise<unknown> };
  readonly outcomes: Partial<Record<State, Outcome>>;
}

const GET_PUBLIC_KEY: Partial<Record<State, Outcome>> = { PendingDeletion: pendingDeletion, PendingImport: pendingImport };

const KINDS_ROWS: readonly KindsRow[] = [
  { operation: 'Sign', call: (fx) => ({ ...fx.signing, run: local.kms.send(new SignCommand({ KeyId: fx.signing.keyId, Message: Buffer.from('x'), SigningAlgorithm: 'ECDSA_SHA_384' })) }), outcomes: CRYPTO },
  {
    operation: 'Verify',
    call: (fx) => ({ ...fx.signing, run: local.kms.send(new VerifyCommand({ KeyId: fx.signing.keyId, Message: Buffer.from('m'), Signature: fx.signing.signature, SigningAlgorithm: 'ECDSA_SHA_384' })) }),
    outcomes: CRYPTO,
  },
  { operation: 'GetPublicKey (signing key)', call: (fx) => ({ ...fx.signing, run: local.kms.send(new GetPublicKeyCommand({ KeyId: fx.signing.keyId })) }), outcomes: GET_PUBLIC_KEY },
  { operation: 'GetPublicKey (key agreement key)', call: (fx) => ({ ...fx.agreement, run: local.kms.send(new GetPublicKeyCommand({ KeyId: fx.agreement.keyId })) }), outcomes: GET_PUBLIC_KEY },
  { operation: 'GenerateMac', call: (fx) => ({ ...fx.mac, run: local.kms.send(new GenerateMacCommand({ KeyId: fx.mac.keyId, Message: Buffer.from('x'), MacAlgorithm: 'HMAC_SHA_224' })) }), outcomes: CRYPTO },
  {
    operation: 'VerifyMac',
    call: (fx) => ({ ...fx.mac, run: local.kms.send(new VerifyMacCommand({ KeyId: fx.mac.keyId, Message: Buffer.from('m'), Mac: fx.mac.mac, MacAlgorithm: 'HMAC_SHA_224' })) }),
    outcomes: CRYPTO,
  },
  {
    operation: 'DeriveSharedSecret',
    call: (fx) => ({ ...fx.agreement, run: local.kms.send(new DeriveSharedSecretCommand({ KeyId: fx.agreement.keyId, KeyAgreementAlgorithm: 'ECDH', PublicKey: PEER })) }),
    outcomes: CRYPTO,
  },
  { operation: 'Encrypt (RSA)', call: (fx) => ({ ...fx.rsa, run: local.kms.send(new EncryptCommand({ KeyId: fx.rsa.keyId, Plaintext: Buffer.from('x'), EncryptionAlgorithm: 'RSAES_OAEP_SHA_1' })) }), outcomes: CRYPTO },
  {
    operation: 'Decrypt (RSA)',
    call: (fx) => ({ ...fx.rsa, run: local.kms.send(new DecryptCommand({ KeyId: fx.rsa.keyId, CiphertextBlob: fx.rsa.ciphertext, EncryptionAlgorithm: 'RSAES_OAEP_SHA_256' })) }),
    outcomes: CRYPTO,
  },
  {
    operation: 'ReEncrypt (RSA destination)',
    call: (fx) => ({
      ...fx.rsa,
      run: local.kms.send(new ReEncryptCommand({ CiphertextBlob: healthy.ciphertext, DestinationKeyId: fx.rsa.keyId, DestinationEncryptionAlgorithm: 'RSAES_OAEP_SHA_256' })),
    }),
    outcomes: CRYPTO,
  },
];

describe('operation × key state for asymmetric and HMAC keys (spec kms-key-specs.md §12)', () => {
  const kindFixtures = new Map<State, Promise<KindsFixture>>();
  const kindsIn = (state: State) => {
    if (!kindFixtures.has(state)) kindFixtures.set(state, kindsFixture(state));
    return kindFixtures.get(state)!;
  };
  const kindCells = KINDS_ROWS.flatMap((row) => STATES.map((state) => ({ row, state, outcome: row.outcomes[state] ?? ok(state) })));

  test.each(kindCells)('$row.operation on a $state key', async ({ row, state, outcome }) => {
    const { keyId, arn, run } = row.call(await kindsIn(state));
    if (outcome.ok) await run;
    else await expectKmsError(run, outcome.error, outcome.message(arn));
    expect(await stateOf(keyId)).toBe(state);
  });
});
