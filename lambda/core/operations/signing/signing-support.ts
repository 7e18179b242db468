/**
 * The request checks Sign and Verify share (spec kms-key-specs.md §5.2): a signing key, an algorithm of
 * its list, a message type the algorithm takes, and a digest (or μ) of exactly the algorithm's length.
 */
import { SIGNING_ALGORITHMS, type MessageType, type SigningAlgorithmSpec } from '../../crypto/key-specs';
import { ValidationException } from '../../errors';
import type { KeyRecord } from '../../model/key';
import type { Deps, RequestContext } from '../../ports';
import { assertAlgorithm, resolveUsableKey } from '../key-usage';

export interface SigningRequest {
  readonly KeyId: string;
  readonly Message: Uint8Array;
  readonly MessageType?: MessageType;
  readonly SigningAlgorithm: SigningAlgorithmSpec;
}

export interface CheckedSigningRequest {
  readonly key: KeyRecord;
  readonly algorithm: SigningAlgorithmSpec;
  readonly messageType: MessageType;
}

/**
 * A message type the algorithm does not take. AWS words it after the algorithm for Ed25519 and after the
 * key spec otherwise (`Message type DIGEST is incompatible with key spec ML_DSA_44.`, D50).
 */
function incompatibleMessageType(key: KeyRecord, algorithm: SigningAlgorithmSpec, messageType: MessageType): ValidationException {
  const subject = SIGNING_ALGORITHMS[algorithm].refusesMessageTypeAs === 'algorithm' ? `algorithm ${algorithm}` : `key spec ${key.keySpec}`;
  return new ValidationException(`Message type ${messageType} is incompatible with ${subject}.`);
}

export async function checkSigningRequest(
  deps: Pick<Deps, 'keys' | 'clock'>,
  ctx: RequestContext,
  operation: 'Sign' | 'Verify',
  request: SigningRequest,
): Promise<CheckedSigningRequest> {
  const key = await resolveUsableKey(deps, ctx, request.KeyId, operation, 'SIGN_VERIFY');
  const algorithm = assertAlgorithm(key, 'SigningAlgorithms', request.SigningAlgorithm);
  const messageType = request.MessageType ?? 'RAW';
  const info = SIGNING_ALGORITHMS[algorithm];
  if (!info.messageTypes.includes(messageType)) throw incompatibleMessageType(key, algorithm, messageType);
  if (messageType !== 'RAW' && request.Message.length !== info.digestLength) {
    throw new ValidationException(`Digest is invalid length for algorithm ${algorithm}.`);
  }
  return { key, algorithm, messageType };
}
