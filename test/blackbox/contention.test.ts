/**
 * Concurrent changes to one key (field finding: 16 writers on one key made 63 % of calls fail with
 * HTTP 500 after five immediate retries). The embedded server is the only writer of its store and
 * runs the changes of one key one after another (design decision 10), so no caller ever sees a
 * conflict: every call succeeds on its first attempt and no change is lost.
 */
import { KMSClient, ListResourceTagsCommand, TagResourceCommand, UpdateKeyDescriptionCommand } from '@aws-sdk/client-kms';
import { expect, test } from 'vitest';
import { DUMMY_CREDENTIALS } from '../support/local-server';
import { createKey, describeKey, useLocalServer } from './helpers';

const WRITERS = 16;
const ROUNDS = 10;

const used = useLocalServer();

test('16 SDK clients with default settings changing one key at once all succeed, first time, and no change is lost', async () => {
  // GIVEN one key, and one client per writer as separate applications would have
  const key = await createKey(used.kms);
  const clients = Array.from({ length: WRITERS }, () => new KMSClient({ endpoint: used.server.endpoint, region: 'us-east-1', credentials: DUMMY_CREDENTIALS }));
  try {
    // WHEN every writer tags the key and rewrites its description, round after round, all at once
    const attempts = await Promise.all(
      clients.map(async (kms, writer) => {
        const seen: number[] = [];
        for (let round = 0; round < ROUNDS; round++) {
          const tagged = await kms.send(new TagResourceCommand({ KeyId: key.KeyId, Tags: [{ TagKey: `writer-${writer}`, TagValue: `round-${round}` }] }));
          const described = await kms.send(new UpdateKeyDescriptionCommand({ KeyId: key.KeyId, Description: `writer ${writer} round ${round}` }));
          seen.push(tagged.$metadata.attempts!, described.$metadata.attempts!);
        }
        return seen;
      }),
    );

    // THEN no call needed a retry, every writer's last tag is there, and the description is one writer's last
    expect(attempts.flat()).toEqual(Array(WRITERS * ROUNDS * 2).fill(1));
    const { Tags } = await used.kms.send(new ListResourceTagsCommand({ KeyId: key.KeyId, Limit: 50 }));
    expect(Object.fromEntries(Tags!.map((t) => [t.TagKey, t.TagValue]))).toEqual(
      Object.fromEntries(Array.from({ length: WRITERS }, (_, writer) => [`writer-${writer}`, `round-${ROUNDS - 1}`])),
    );
    expect((await describeKey(used.kms, key.KeyId!)).Description).toMatch(new RegExp(`^writer \\d+ round ${ROUNDS - 1}$`));
    expect(used.server.output().stderr).not.toMatch(/ERROR|conflict|Internal/i);
  } finally {
    for (const kms of clients) kms.destroy();
  }
});
