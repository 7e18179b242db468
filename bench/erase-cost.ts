/**
 * `npx tsx bench/erase-cost.ts`: what the guaranteed erase (D32) costs. Measures DeleteImportedKeyMaterial
 * (each one rewrites the whole LevelDB database before it answers) against stores of growing size, and
 * DescribeKey beside it, one call at a time, through the real SDK against `npm start` on disk.
 * Sizes: ERASE_STORE_KEYS (comma-separated key counts, default 0,1000,5000). Asserts nothing.
 */
import { constants, createPublicKey, publicEncrypt, randomBytes } from 'node:crypto';
import {
  CreateKeyCommand,
  DeleteImportedKeyMaterialCommand,
  DescribeKeyCommand,
  GetParametersForImportCommand,
  ImportKeyMaterialCommand,
  type KMSClient,
} from '@aws-sdk/client-kms';
import { startLocalServer } from '../test/support/local-server';

process.env.AWS_SDK_JS_NODE_VERSION_SUPPORT_WARNING_DISABLED ??= 'true';

const SIZES = (process.env.ERASE_STORE_KEYS ?? '0,1000,5000').split(',').map(Number);
const ROUNDS = Number(process.env.ERASE_ROUNDS ?? 30);

const percentile = (sorted: number[], q: number) => sorted[Math.min(sorted.length - 1, Math.floor(q * sorted.length))]!;

async function timed(call: () => Promise<unknown>): Promise<number> {
  const t0 = process.hrtime.bigint();
  await call();
  return Number(process.hrtime.bigint() - t0) / 1e6;
}

async function main(): Promise<void> {
  console.log('| keys in the store | DeleteImportedKeyMaterial p50 / p95 (ms) | DescribeKey p50 (ms) | data directory (KiB) |');
  console.log('|---|---|---|---|');
  for (const size of SIZES) {
    const server = await startLocalServer();
    try {
      const kms: KMSClient = server.kms({ accessKeyId: '111122223333' });
      for (let i = 0; i < size; i += 50) {
        await Promise.all(Array.from({ length: Math.min(50, size - i) }, () => kms.send(new CreateKeyCommand({ Description: 'filler '.repeat(20) }))));
      }
      const { KeyMetadata } = await kms.send(new CreateKeyCommand({ Origin: 'EXTERNAL' }));
      const keyId = KeyMetadata!.KeyId!;
      const params = await kms.send(new GetParametersForImportCommand({ KeyId: keyId, WrappingAlgorithm: 'RSAES_OAEP_SHA_256', WrappingKeySpec: 'RSA_2048' }));
      const publicKey = createPublicKey({ key: Buffer.from(params.PublicKey!), format: 'der', type: 'spki' });
      const material = randomBytes(32);
      const deletes: number[] = [];
      const describes: number[] = [];
      for (let round = 0; round < ROUNDS; round++) {
        const wrapped = publicEncrypt({ key: publicKey, padding: constants.RSA_PKCS1_OAEP_PADDING, oaepHash: 'sha256' }, material);
        await kms.send(new ImportKeyMaterialCommand({ KeyId: keyId, ImportToken: params.ImportToken, EncryptedKeyMaterial: wrapped, ExpirationModel: 'KEY_MATERIAL_DOES_NOT_EXPIRE' }));
        describes.push(await timed(() => kms.send(new DescribeKeyCommand({ KeyId: keyId }))));
        deletes.push(await timed(() => kms.send(new DeleteImportedKeyMaterialCommand({ KeyId: keyId }))));
      }
      deletes.sort((a, b) => a - b);
      describes.sort((a, b) => a - b);
      const { execFileSync } = await import('node:child_process');
      const kib = execFileSync('du', ['-sk', server.dataDir!]).toString().split('\t')[0];
      console.log(`| ${size} | ${percentile(deletes, 0.5).toFixed(1)} / ${percentile(deletes, 0.95).toFixed(1)} | ${percentile(describes, 0.5).toFixed(1)} | ${kib} |`);
    } finally {
      await server.stop();
    }
  }
}

await main();
