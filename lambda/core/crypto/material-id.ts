/**
 * KeyMaterialId: HMAC-SHA-256 over (key id, material) keyed with the key's own secret, as 64
 * lower-case hex. Deterministic for the same material in the same key, different across keys,
 * and reveals nothing about the material (spec §5.4).
 */
import { createHmac } from 'node:crypto';

export function keyMaterialId(materialIdKey: Uint8Array, keyId: string, material: Uint8Array): string {
  // Stryker disable next-line StringLiteral: Buffer.from with an empty encoding is utf8 too
  const keyIdBytes = Buffer.from(keyId, 'utf8');
  const length = Buffer.alloc(4);
  length.writeUInt32BE(keyIdBytes.length);
  return createHmac('sha256', materialIdKey).update(length).update(keyIdBytes).update(material).digest('hex');
}

export const MATERIAL_ID_PATTERN = /^[0-9a-f]{64}$/;
