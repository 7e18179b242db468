/** DynamoKeyStore on a moto server: a second, independent DynamoDB engine. */
import { afterAll, beforeAll, describe } from 'vitest';
import { keyStoreContract } from './key-store.contract';
import { type MotoServer, dynamoStoreOn, startMotoServer } from './support/dynamo-engines';

describe('moto server', () => {
  let moto: MotoServer;
  beforeAll(async () => {
    moto = await startMotoServer();
  });
  afterAll(async () => moto?.stop());

  keyStoreContract('DynamoKeyStore on moto', () => dynamoStoreOn(moto.client));
});
