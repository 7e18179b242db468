/** Importing a private key or HMAC bytes through the SDK, and private keys made by openssl. */
import { readFileSync } from 'node:fs';
import { ImportKeyMaterialCommand, type KMSClient, type WrappingKeySpec } from '@aws-sdk/client-kms';
import { wrapMaterial, type WrappingAlgorithm } from '../../support/wrap-material';
import { getParameters, rememberSecret } from '../helpers';
import type { OpensslDir } from './outside';

/**
 * GetParametersForImport, wrap, ImportKeyMaterial without expiry. An RSA_2048 wrapping key by default: it
 * is quick to generate, and every spec can be wrapped under it with RSA_AES_KEY_WRAP (P-521 only so).
 */
export async function importWrapped(
  kms: KMSClient,
  keyId: string,
  material: Uint8Array,
  algorithm: WrappingAlgorithm,
  wrappingKeySpec: WrappingKeySpec = 'RSA_2048',
): Promise<void> {
  const params = await getParameters(kms, keyId, algorithm, wrappingKeySpec);
  await kms.send(
    new ImportKeyMaterialCommand({
      KeyId: keyId,
      ImportToken: params.ImportToken,
      EncryptedKeyMaterial: wrapMaterial(params.PublicKey, algorithm, material),
      ExpirationModel: 'KEY_MATERIAL_DOES_NOT_EXPIRE',
    }),
  );
}

/** A private key from `openssl genpkey` (kept as `<name>.pem`), as DER PKCS#8, remembered as a secret. */
export async function opensslPrivateKey(dir: OpensslDir, name: string, genpkeyArgs: readonly string[]): Promise<Buffer> {
  await dir.run(['genpkey', ...genpkeyArgs, '-out', `${name}.pem`]);
  await dir.run(['pkcs8', '-topk8', '-nocrypt', '-in', `${name}.pem`, '-outform', 'DER', '-out', `${name}.p8.der`]);
  const der = readFileSync(`${dir.dir}/${name}.p8.der`);
  rememberSecret(der);
  return der;
}
