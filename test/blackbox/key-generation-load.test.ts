/**
 * Heavy key generation must not starve everything else (field finding: eight clients looping RSA_4096
 * GetParametersForImport held libuv's whole thread pool, and a DescribeKey waited 1.5 s for a thread).
 * Generation is bounded (D90), so calls that need the pool (LevelDB writes of an on-disk store) are
 * served while generations wait their turn. Asserted by order of outcomes, not by time: the other
 * calls all finish while most of the generations are still pending.
 */
import { randomBytes } from 'node:crypto';
import {
  DecryptCommand,
  DisableKeyCommand,
  EnableKeyCommand,
  EncryptCommand,
  GetParametersForImportCommand,
  TagResourceCommand,
} from '@aws-sdk/client-kms';
import { expect, test } from 'vitest';
import { createExternalKey, createKey, describeKey, useLocalServer } from './helpers';

const GENERATIONS = 10;

const used = useLocalServer({}); // on disk: LevelDB reads and writes go through libuv's thread pool

test('calls that need storage are served while RSA_4096 GetParametersForImport calls queue for key generation', async () => {
  // GIVEN a key to work on, and ten RSA_4096 wrapping key pairs asked for at once
  const kms = used.server.kms({ config: { maxAttempts: 1 } });
  const external = await createExternalKey(kms);
  const key = await createKey(kms);
  let generated = 0;
  const generations = Array.from({ length: GENERATIONS }, () =>
    kms
      .send(new GetParametersForImportCommand({ KeyId: external.KeyId, WrappingAlgorithm: 'RSAES_OAEP_SHA_256', WrappingKeySpec: 'RSA_4096' }))
      .then((out) => {
        generated++;
        return out;
      }),
  );
  // The first answer shows that the server is generating and has every request in hand.
  await Promise.race(generations);

  // WHEN state changes (each a LevelDB write) and crypto calls are made meanwhile
  const plaintext = randomBytes(64);
  const created = await createKey(kms, { Description: 'made during key generation' });
  await kms.send(new DisableKeyCommand({ KeyId: key.KeyId }));
  await kms.send(new EnableKeyCommand({ KeyId: key.KeyId }));
  await kms.send(new TagResourceCommand({ KeyId: key.KeyId, Tags: [{ TagKey: 'busy', TagValue: 'yes' }] }));
  const { CiphertextBlob } = await kms.send(new EncryptCommand({ KeyId: created.KeyId, Plaintext: plaintext }));
  const { Plaintext } = await kms.send(new DecryptCommand({ CiphertextBlob }));
  const described = await describeKey(kms, key.KeyId!);
  const generatedMeanwhile = generated;

  // THEN they were served while most generations still waited (unbounded, they would have waited
  // behind at least six of them for a thread), and every generation still completes
  expect(Buffer.from(Plaintext!)).toEqual(plaintext);
  expect(described.KeyState).toBe('Enabled');
  expect(generatedMeanwhile).toBeLessThanOrEqual(GENERATIONS / 2);
  const all = await Promise.all(generations);
  expect(all.map((p) => p.PublicKey!.length)).toEqual(Array(GENERATIONS).fill(all[0]!.PublicKey!.length));
});
