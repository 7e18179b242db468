/**
 * For unit tests of the local server (lambda/local): a stand-in for the KMS front serveLocally is given.
 * Each request it is handed is recorded in `seen` (when given), then answered by `answer`.
 */
import { afterEach } from 'vitest';
import type { KmsHttpAnswer, KmsHttpRequest } from '../../lambda/adapters/kms-json/middleware';
import type { LocalApi, RunningServer } from '../../lambda/local/server';

export function standInApi(answer: (request: KmsHttpRequest) => Promise<KmsHttpAnswer>, seen?: KmsHttpRequest[]): LocalApi {
  return {
    front: {
      exchange: (request) => ({
        answer: () => {
          seen?.push(request);
          return answer(request);
        },
        fail: () => Promise.reject(new Error('fail() is Lambda-only')),
      }),
    },
  };
}

/**
 * The server a test file's tests start (`under.running`), closed after each test, and the requests its stand-in
 * front saw (`under.seen`), forgotten then. A test that closes the server itself sets `under.running` to undefined.
 */
export function serverUnderTest(): { running: RunningServer | undefined; readonly seen: KmsHttpRequest[] } {
  const under = { running: undefined as RunningServer | undefined, seen: [] as KmsHttpRequest[] };
  afterEach(async () => {
    await under.running?.close();
    under.running = undefined;
    under.seen.length = 0;
  });
  return under;
}
