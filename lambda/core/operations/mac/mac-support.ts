/** What GenerateMac and VerifyMac share: an HMAC key, the algorithm of its spec, the HMAC itself. */
import type { MacAlgorithmSpec } from '../../crypto/key-specs';
import type { KeyRecord } from '../../model/key';
import type { Deps, RequestContext } from '../../ports';
import { assertAlgorithm, keyCrypto, resolveUsableKey, singleMaterial } from '../key-usage';

export interface MacRequest {
  readonly Message: Uint8Array;
  readonly KeyId: string;
  readonly MacAlgorithm: MacAlgorithmSpec;
}

/** Checks key state, usage and algorithm (in that order), runs `beforeComputing` (a DryRun stop), then the HMAC. */
export async function computeMac(
  deps: Deps,
  ctx: RequestContext,
  operation: 'GenerateMac' | 'VerifyMac',
  request: MacRequest,
  beforeComputing: () => void,
): Promise<{ readonly key: KeyRecord; readonly mac: Uint8Array }> {
  const key = await resolveUsableKey(deps, ctx, request.KeyId, operation, 'GENERATE_VERIFY_MAC');
  const algorithm = assertAlgorithm(key, 'MacAlgorithms', request.MacAlgorithm);
  beforeComputing();
  const { entry, family } = keyCrypto(key);
  return { key, mac: family.mac!(entry, await singleMaterial(deps, key), algorithm, request.Message) };
}
