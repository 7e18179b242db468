/**
 * `npm run bench`: throughput and latency of the hot KMS operations against the embedded server,
 * through the real SDK over loopback. Bounded: a fixed number of requests per row, a fixed concurrency.
 * Prints one table; nothing here asserts timings (that belongs to no test).
 */
import { randomBytes } from 'node:crypto';
import { availableParallelism } from 'node:os';
import {
  CreateKeyCommand,
  DecryptCommand,
  DescribeKeyCommand,
  EncryptCommand,
  GenerateDataKeyCommand,
  GetParametersForImportCommand,
  ImportKeyMaterialCommand,
  type KMSClient,
} from '@aws-sdk/client-kms';
import { startLocalServer } from '../test/support/local-server';
import { wrapMaterial } from '../test/support/wrap-material';

process.env.AWS_SDK_JS_NODE_VERSION_SUPPORT_WARNING_DISABLED ??= 'true';

const REQUESTS = Number(process.env.BENCH_REQUESTS ?? 2000);
const CONCURRENCY = Number(process.env.BENCH_CONCURRENCY ?? 16);

interface Row {
  readonly name: string;
  readonly requests: number;
  readonly seconds: number;
  readonly p50: number;
  readonly p99: number;
}

async function measure(name: string, requests: number, concurrency: number, call: (i: number) => Promise<unknown>): Promise<Row> {
  const latencies: number[] = [];
  let next = 0;
  const started = process.hrtime.bigint();
  await Promise.all(
    Array.from({ length: concurrency }, async () => {
      while (next < requests) {
        const i = next++;
        const t0 = process.hrtime.bigint();
        await call(i);
        latencies.push(Number(process.hrtime.bigint() - t0) / 1e6);
      }
    }),
  );
  const seconds = Number(process.hrtime.bigint() - started) / 1e9;
  latencies.sort((a, b) => a - b);
  const at = (q: number) => latencies[Math.min(latencies.length - 1, Math.floor(q * latencies.length))] ?? 0;
  return { name, requests, seconds, p50: at(0.5), p99: at(0.99) };
}

async function importedKey(kms: KMSClient): Promise<string> {
  const { KeyMetadata } = await kms.send(new CreateKeyCommand({ Origin: 'EXTERNAL' }));
  const keyId = KeyMetadata!.KeyId!;
  const params = await kms.send(new GetParametersForImportCommand({ KeyId: keyId, WrappingAlgorithm: 'RSAES_OAEP_SHA_256', WrappingKeySpec: 'RSA_2048' }));
  await kms.send(
    new ImportKeyMaterialCommand({
      KeyId: keyId,
      ImportToken: params.ImportToken,
      EncryptedKeyMaterial: wrapMaterial(params.PublicKey!, 'RSAES_OAEP_SHA_256', randomBytes(32)),
      ExpirationModel: 'KEY_MATERIAL_DOES_NOT_EXPIRE',
    }),
  );
  return keyId;
}

async function main(): Promise<void> {
  const storage = process.argv.includes('--disk') ? 'disk' : 'memory';
  const server = await startLocalServer({ inMemory: storage === 'memory' });
  try {
    const kms = server.kms();
    const keyId = await importedKey(kms);
    const plaintext = randomBytes(256);
    const { CiphertextBlob } = await kms.send(new EncryptCommand({ KeyId: keyId, Plaintext: plaintext }));
    // Warm-up: JIT, connection pool and the material cache, so the first row is not penalised.
    await measure('warm-up', 500, CONCURRENCY, () => kms.send(new EncryptCommand({ KeyId: keyId, Plaintext: plaintext })));
    const rows: Row[] = [];
    rows.push(await measure('DescribeKey', REQUESTS, CONCURRENCY, () => kms.send(new DescribeKeyCommand({ KeyId: keyId }))));
    rows.push(await measure('Encrypt (256 B)', REQUESTS, CONCURRENCY, () => kms.send(new EncryptCommand({ KeyId: keyId, Plaintext: plaintext }))));
    rows.push(await measure('Decrypt (256 B)', REQUESTS, CONCURRENCY, () => kms.send(new DecryptCommand({ CiphertextBlob }))));
    rows.push(await measure('GenerateDataKey AES_256', REQUESTS, CONCURRENCY, () => kms.send(new GenerateDataKeyCommand({ KeyId: keyId, KeySpec: 'AES_256' }))));
    // The same calls as raw JSON over HTTP, without the SDK's own work: what the server itself sustains.
    const raw = (target: string, body: unknown) => async () => {
      const res = await fetch(server.endpoint, {
        method: 'POST',
        headers: { 'content-type': 'application/x-amz-json-1.1', 'x-amz-target': `TrentService.${target}` },
        body: JSON.stringify(body),
      });
      if (res.status !== 200) throw new Error(`${target} answered ${res.status}: ${await res.text()}`);
      await res.arrayBuffer();
    };
    const plaintextB64 = plaintext.toString('base64');
    rows.push(await measure('DescribeKey (raw HTTP)', REQUESTS, CONCURRENCY, raw('DescribeKey', { KeyId: keyId })));
    rows.push(await measure('Encrypt 256 B (raw HTTP)', REQUESTS, CONCURRENCY, raw('Encrypt', { KeyId: keyId, Plaintext: plaintextB64 })));
    rows.push(await measure('CreateKey EXTERNAL', Math.ceil(REQUESTS / 4), CONCURRENCY, () => kms.send(new CreateKeyCommand({ Origin: 'EXTERNAL' }))));
    rows.push(await measure('GetParametersForImport RSA_2048', 40, 2, () => kms.send(new GetParametersForImportCommand({ KeyId: keyId, WrappingAlgorithm: 'RSAES_OAEP_SHA_256', WrappingKeySpec: 'RSA_2048' }))));
    rows.push(await measure('create + import (full BYOK)', 40, 2, () => importedKey(kms)));

    console.log(`\nbyok-kms benchmark — embedded server (${storage} storage), @aws-sdk/client-kms over loopback, concurrency ${CONCURRENCY}`);
    console.log(`(client and server share this machine's ${availableParallelism()} cores; latencies include the SDK's own work)\n`);
    const header = ['operation', 'requests', 'req/s', 'p50 ms', 'p99 ms'];
    const lines = rows.map((r) => [r.name, String(r.requests), (r.requests / r.seconds).toFixed(0), r.p50.toFixed(2), r.p99.toFixed(2)]);
    const widths = header.map((h, i) => Math.max(h.length, ...lines.map((l) => l[i]!.length)));
    const fmt = (cells: string[]) => `| ${cells.map((c, i) => (i === 0 ? c.padEnd(widths[i]!) : c.padStart(widths[i]!))).join(' | ')} |`;
    console.log(fmt(header));
    console.log(`|${widths.map((w, i) => (i === 0 ? '-'.repeat(w + 2) : `${'-'.repeat(w + 1)}:`)).join('|')}|`);
    for (const l of lines) console.log(fmt(l));
  } finally {
    await server.stop();
  }
}

await main();
