import { issueImportToken } from '../../crypto/import-token';
import {
  generateWrappingKeyPair,
  isWrappingAlgorithm,
  isWrappingKeySpec,
  type WrappingAlgorithm,
  type WrappingAlgorithmSpec,
  type WrappingKeySpec,
  type WrappingKeySpecName,
} from '../../crypto/wrapping';
import { keySpecEntry } from '../../crypto/key-specs';
import { UnsupportedOperationException, ValidationException } from '../../errors';
import { resolveKey } from '../../key-access';
import type { KeyRecord } from '../../model/key';
import { assertAccepts } from '../../model/key-state';
import type { Deps, RequestContext } from '../../ports';

const TOKEN_LIFETIME_MS = 24 * 3_600_000;

export interface GetParametersForImportInput {
  readonly KeyId: string;
  readonly WrappingAlgorithm: WrappingAlgorithmSpec;
  readonly WrappingKeySpec: WrappingKeySpecName;
}

export interface GetParametersForImportOutput {
  readonly KeyId: string; // the key ARN
  readonly ImportToken: Uint8Array;
  readonly PublicKey: Uint8Array; // DER SubjectPublicKeyInfo
  readonly ParametersValidTo: Date;
}

/** The three import operations work only on keys whose material comes from outside (spec §1.3). */
export function assertExternal(key: KeyRecord): void {
  if (key.origin !== 'EXTERNAL') {
    throw new UnsupportedOperationException(`${key.arn} origin is ${key.origin} which is not valid for this operation.`);
  }
}

/** D46: the wrapping algorithms and key specs AWS allows for the key's material (spec §13.2), refused up front. */
function assertWrapsSpec(key: KeyRecord, algorithm: WrappingAlgorithm, spec: WrappingKeySpec): void {
  const rule = keySpecEntry(key.keySpec).importRule;
  // Stryker disable next-line OptionalChaining: unreachable: CreateKey makes no EXTERNAL key of a spec without import rule (ML-DSA), so every key here has one
  if (!rule?.wrappingAlgorithms.includes(algorithm)) {
    throw new ValidationException(
      // Stryker disable next-line OptionalChaining,StringLiteral: `rule.` and 'another key spec' are unreachable: CreateKey makes no EXTERNAL key of a spec without import rule (ML-DSA), so every key here has one (the message's other strings, killed by the D46 tests, share the name)
      `The wrapping algorithm ${algorithm} cannot wrap ${key.keySpec} key material; use ${rule?.wrappingAlgorithms.join(' or ') ?? 'another key spec'}.`,
    );
  }
  if (rule.refusedCombinations?.some((c) => c.algorithm === algorithm && c.wrappingKeySpec === spec)) {
    throw new ValidationException(
      `The wrapping algorithm ${algorithm} with wrapping key spec ${spec} cannot wrap ${key.keySpec} key material; use a longer wrapping key or an RSA_AES_KEY_WRAP algorithm.`,
    );
  }
}

/**
 * A fresh RSA wrapping key pair and the token that carries its private half (wrapped by the root
 * key); nothing is stored. The pair is valid for 24 hours and may be used for several imports (D13).
 * @see https://docs.aws.amazon.com/kms/latest/APIReference/API_GetParametersForImport.html
 */
export async function getParametersForImport(
  deps: Pick<Deps, 'keys' | 'clock' | 'rootKey'>,
  ctx: RequestContext,
  input: GetParametersForImportInput,
): Promise<GetParametersForImportOutput> {
  const algorithm = input.WrappingAlgorithm;
  const spec = input.WrappingKeySpec;
  // Stryker disable next-line ConditionalExpression,StringLiteral,BlockStatement: `false`, the string and the block are equivalent: the enum check below gives RSAES_PKCS1_V1_5 the same answer (D8); this line says it is in the enum but refused (`true`, killed by every other algorithm, shares the name)
  if (algorithm === 'RSAES_PKCS1_V1_5') {
    throw new ValidationException('The wrapping algorithm RSAES_PKCS1_V1_5 is not supported.');
  }
  if (algorithm === 'SM2PKE' || spec === 'SM2') {
    throw new UnsupportedOperationException(`${algorithm === 'SM2PKE' ? 'The wrapping algorithm SM2PKE' : 'The wrapping key spec SM2'} is supported only in China Regions.`);
  }
  if (!isWrappingAlgorithm(algorithm)) throw new ValidationException(`The wrapping algorithm ${String(algorithm)} is not supported.`);
  if (!isWrappingKeySpec(spec)) throw new ValidationException(`The wrapping key spec ${String(spec)} is not supported.`);

  // Stryker disable next-line ObjectLiteral: `{}` (which TypeScript refuses) reads allowAlias as undefined, as falsy as false
  const { key } = await resolveKey(deps, ctx, input.KeyId, { allowAlias: false });
  assertExternal(key);
  assertAccepts(key, 'ImportMaterial');
  assertWrapsSpec(key, algorithm, spec);

  const validTo = new Date(deps.clock.now().getTime() + TOKEN_LIFETIME_MS);
  const pair = await generateWrappingKeyPair(spec);
  try {
    const token = await issueImportToken(deps, key.scope, { keyId: key.keyId, algorithm, spec, validTo }, pair.privateKey);
    return { KeyId: key.arn, ImportToken: token, PublicKey: pair.publicKey, ParametersValidTo: validTo };
  } finally {
    pair.privateKey.fill(0);
  }
}
