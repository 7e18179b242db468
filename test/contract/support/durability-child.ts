// Writes keys through embeddedDeps on the data dir given as argv[2], printing `ACK <keyId>` after each
// acknowledged write, until it is killed. Also prints `ROOT <hex>`: a secret wrapped by its root key.
import { embeddedDeps } from '../../../lambda/runtime/embedded';
import { SCOPE_A, bareKey } from './key-fixtures';

const dataDir = process.argv[2];
if (!dataDir) throw new Error('usage: durability-child.ts <dataDir>');
const { deps } = await embeddedDeps({ dataDir });
const wrapped = await deps.rootKey.wrap(new TextEncoder().encode('kept secret'), { purpose: 'durability' });
process.stdout.write(`ROOT ${Buffer.from(wrapped).toString('hex')}\n`);
for (let i = 0; ; i++) {
  const key = bareKey(SCOPE_A);
  await deps.keys.putKey(key, { expectedRevision: null });
  await deps.keys.putKey({ ...key, description: `updated ${i}` }, { expectedRevision: 1 });
  await deps.keys.createAlias({ scope: SCOPE_A, aliasName: `alias/k${i}`, targetKeyId: key.keyId, creationDate: new Date(), lastUpdatedDate: new Date() });
  process.stdout.write(`ACK ${i} ${key.keyId}\n`); // stdout is synchronous on a pipe: printed means acknowledged
}
