/** DynamoKeyStore on a moto server: a second, independent DynamoDB engine. */
import { afterAll, beforeAll, describe } from 'vitest';
import { keyStoreContract } from './key-store.contract';
import { type MotoServer, dynamoStoreOn, startMotoServer } from './support/dynamo-engines';

describe('moto server', () => {
  let moto: MotoServer;
  beforeAll(async () => {
    // DynamoDB's conditional writes are atomic; moto's are only when it serves one request at a time (startMotoServer).
    moto = await startMotoServer({ oneRequestAtATime: true });
  });
  afterAll(async () => moto?.stop());

  keyStoreContract('DynamoKeyStore on moto', () => dynamoStoreOn(moto.client));
});
