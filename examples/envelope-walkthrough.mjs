// Envelope encryption on a key with imported material — the AWS documentation's story of
// deleting key material ("the volume"), against byok-kms. Run: node examples/envelope-walkthrough.mjs
import { constants, createCipheriv, createDecipheriv, createPublicKey, publicEncrypt, randomBytes } from 'node:crypto';
import {
  KMSClient, CreateKeyCommand, GetParametersForImportCommand, ImportKeyMaterialCommand,
  GenerateDataKeyCommand, DecryptCommand, DeleteImportedKeyMaterialCommand, DescribeKeyCommand,
} from '@aws-sdk/client-kms';

const kms = new KMSClient({
  endpoint: process.env.KMS_ENDPOINT ?? 'http://127.0.0.1:4599',
  region: 'us-east-1',
  credentials: { accessKeyId: '111122223333', secretAccessKey: 'local' },
});

// Wraps 32 bytes of material with the wrapping public key (RSAES_OAEP_SHA_256), as a client must.
async function importMaterial(keyId, material) {
  const p = await kms.send(new GetParametersForImportCommand({ KeyId: keyId, WrappingAlgorithm: 'RSAES_OAEP_SHA_256', WrappingKeySpec: 'RSA_2048' }));
  const publicKey = createPublicKey({ key: Buffer.from(p.PublicKey), format: 'der', type: 'spki' });
  const wrapped = publicEncrypt({ key: publicKey, padding: constants.RSA_PKCS1_OAEP_PADDING, oaepHash: 'sha256' }, material);
  return kms.send(new ImportKeyMaterialCommand({
    KeyId: keyId, ImportToken: p.ImportToken, EncryptedKeyMaterial: wrapped, ExpirationModel: 'KEY_MATERIAL_DOES_NOT_EXPIRE',
  }));
}
const state = async (keyId) => (await kms.send(new DescribeKeyCommand({ KeyId: keyId }))).KeyMetadata.KeyState;

// 1. An EXTERNAL key with your own 256-bit material.
const { KeyMetadata } = await kms.send(new CreateKeyCommand({ Origin: 'EXTERNAL', Description: 'volume key' }));
const keyId = KeyMetadata.KeyId;
const material = randomBytes(32); // keep this safe: it is the only way back after deletion
await importMaterial(keyId, material);
console.log('1. imported material, key is', await state(keyId));

// 2. A data key for "the volume"; only its encrypted form is stored.
const { CiphertextBlob: encryptedDataKey } = await kms.send(new GenerateDataKeyCommand({ KeyId: keyId, KeySpec: 'AES_256' }));

// 3. "Attach": decrypt the data key and encrypt data with it.
let { Plaintext: dataKey } = await kms.send(new DecryptCommand({ CiphertextBlob: encryptedDataKey }));
const iv = randomBytes(12);
const cipher = createCipheriv('aes-256-gcm', dataKey, iv);
const sealed = Buffer.concat([cipher.update('customer records'), cipher.final()]);
const tag = cipher.getAuthTag();
const read = (key) => {
  const d = createDecipheriv('aes-256-gcm', key, iv);
  d.setAuthTag(tag);
  return Buffer.concat([d.update(sealed), d.final()]).toString();
};

// 4. Delete the key material: the key is unusable, but the attached volume still reads.
await kms.send(new DeleteImportedKeyMaterialCommand({ KeyId: keyId }));
console.log('4. material deleted, key is', await state(keyId), '- attached data still reads:', read(dataKey));

// 5. "Detach": the plaintext data key is gone and the volume cannot be unlocked.
dataKey = undefined;
try {
  await kms.send(new DecryptCommand({ CiphertextBlob: encryptedDataKey }));
} catch (err) {
  console.log('5. detached, Decrypt fails:', err.name, '-', err.message);
}

// 6. Re-import the same material: the key and the data come back.
await importMaterial(keyId, material);
const { Plaintext: again } = await kms.send(new DecryptCommand({ CiphertextBlob: encryptedDataKey }));
console.log('6. re-imported, key is', await state(keyId), '- data reads:', read(again));

// 7. Different material is refused.
try {
  await importMaterial(keyId, randomBytes(32));
} catch (err) {
  console.log('7. different material refused:', err.name);
}
