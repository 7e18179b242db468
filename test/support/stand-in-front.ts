/**
 * For unit tests of the local server (lambda/local): a stand-in for the KMS front serveLocally is given.
 * Each request it is handed is recorded in `seen` (when given), then answered by `answer`.
 */
import type { KmsHttpAnswer, KmsHttpRequest } from '../../lambda/adapters/kms-json/middleware';
import type { LocalApi } from '../../lambda/local/server';

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
