import { supportsMultipleMaterials } from '../../crypto/key-specs';
import { MATERIAL_ID_PATTERN } from '../../crypto/material-id';
import { InvalidMarkerException, UnsupportedOperationException } from '../../errors';
import { resolveKey } from '../../key-access';
import type { ExpirationModel, ImportState, KeyMaterial, KeyMaterialState, KeyRecord } from '../../model/key';
import { assertAccepts } from '../../model/key-state';
import type { Deps, RequestContext } from '../../ports';

const DEFAULT_LIMIT = 100;

export type IncludeKeyMaterial = 'ALL_KEY_MATERIAL' | 'ROTATIONS_ONLY';

export interface ListKeyRotationsInput {
  readonly KeyId: string;
  readonly IncludeKeyMaterial?: IncludeKeyMaterial;
  readonly Limit?: number;
  readonly Marker?: string;
}

export interface RotationsListEntry {
  readonly KeyId: string; // the key ID, as in AWS's examples
  readonly KeyMaterialId: string;
  readonly KeyMaterialDescription?: string;
  readonly ImportState?: ImportState;
  readonly KeyMaterialState: KeyMaterialState;
  readonly ExpirationModel?: ExpirationModel;
  readonly ValidTo?: Date;
  readonly RotationDate?: Date;
  readonly RotationType?: 'AUTOMATIC' | 'ON_DEMAND';
}

export interface ListKeyRotationsOutput {
  readonly Rotations: readonly RotationsListEntry[];
  readonly Truncated: boolean;
  readonly NextMarker?: string;
}

function entryOf(key: KeyRecord, m: KeyMaterial): RotationsListEntry {
  const external = key.origin === 'EXTERNAL';
  // Stryker disable next-line ConditionalExpression: equivalent under the record's invariants: only EXTERNAL materials have a description or expiry settings, a material that is not IMPORTED has none (deletion and expiry clear them), and an undefined member is absent on the wire
  const imported = m.importState === 'IMPORTED';
  return {
    KeyId: key.keyId,
    KeyMaterialId: m.materialId,
    // Stryker disable next-line ConditionalExpression,LogicalOperator: equivalent under the record's invariants: only EXTERNAL materials have a description or expiry settings, a material that is not IMPORTED has none (deletion and expiry clear them), and an undefined member is absent on the wire
    ...(external && m.description !== undefined && { KeyMaterialDescription: m.description }),
    ...(external && { ImportState: m.importState }),
    KeyMaterialState: m.materialState,
    // A deleted (PENDING_IMPORT) material has no expiry settings until it is imported again.
    // Stryker disable next-line ConditionalExpression,LogicalOperator: equivalent under the record's invariants: only EXTERNAL materials have a description or expiry settings, a material that is not IMPORTED has none (deletion and expiry clear them), and an undefined member is absent on the wire
    ...(external && imported && m.expirationModel && { ExpirationModel: m.expirationModel }),
    // Stryker disable next-line ConditionalExpression,LogicalOperator: equivalent under the record's invariants: only EXTERNAL materials have a description or expiry settings, a material that is not IMPORTED has none (deletion and expiry clear them), and an undefined member is absent on the wire
    ...(external && imported && m.expirationModel === 'KEY_MATERIAL_EXPIRES' && m.validTo && { ValidTo: m.validTo }),
    ...(m.rotationDate && { RotationDate: m.rotationDate }),
    ...(m.rotationType && { RotationType: m.rotationType }),
  };
}

/** Markers name the last material returned (base64url of its id), so a page boundary survives new imports. */
function startAfter(materials: readonly KeyMaterial[], marker: string | undefined): number {
  if (marker === undefined) return 0;
  const lastId = Buffer.from(marker, 'base64url').toString('latin1');
  const index = MATERIAL_ID_PATTERN.test(lastId) ? materials.findIndex((m) => m.materialId === lastId) : -1;
  if (index < 0) throw new InvalidMarkerException('The marker is not valid.');
  return index + 1;
}

/**
 * The key's materials in the order they were associated: by default only those that became current by
 * rotation; with ALL_KEY_MATERIAL also the first material and any material pending rotation (spec §2.7).
 * @see https://docs.aws.amazon.com/kms/latest/APIReference/API_ListKeyRotations.html
 */
export async function listKeyRotations(
  deps: Pick<Deps, 'keys' | 'clock'>,
  ctx: RequestContext,
  input: ListKeyRotationsInput,
): Promise<ListKeyRotationsOutput> {
  // Stryker disable next-line ObjectLiteral: `{}` (which TypeScript refuses) reads allowAlias as undefined, as falsy as false
  const { key } = await resolveKey(deps, ctx, input.KeyId, { allowAlias: false });
  if (!supportsMultipleMaterials(key.keySpec)) {
    throw new UnsupportedOperationException(`${key.arn} key spec is ${key.keySpec}: ListKeyRotations is valid only for symmetric encryption KMS keys.`);
  }
  assertAccepts(key, 'Read');
  const all = input.IncludeKeyMaterial === 'ALL_KEY_MATERIAL';
  const materials = key.materials.filter((m) => all || m.rotationDate !== undefined);
  const limit = input.Limit ?? DEFAULT_LIMIT;
  const start = startAfter(materials, input.Marker);
  const page = materials.slice(start, start + limit);
  const last = page[page.length - 1];
  // Stryker disable next-line ConditionalExpression: start + limit < length leaves the page non-empty, so last is defined
  const truncated = start + limit < materials.length && last !== undefined;
  return {
    Rotations: page.map((m) => entryOf(key, m)),
    Truncated: truncated,
    // Stryker disable next-line StringLiteral: material ids are hex, the same bytes in any encoding Buffer falls back to
    ...(truncated && { NextMarker: Buffer.from(last.materialId, 'latin1').toString('base64url') }),
  };
}
