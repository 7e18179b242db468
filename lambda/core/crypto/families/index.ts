/** The family of every key spec (design decision 9); SM2 has none here (see D41). */
import type { KeySpec } from '../../model/key';
import { keySpecEntry, type FamilyName } from '../key-specs';
import { eccFamily } from './ecc';
import { ed25519Family } from './ed25519';
import type { KeyFamily } from './family';
import { hmacFamily } from './hmac';
import { mlDsaFamily } from './ml-dsa';
import { rsaFamily } from './rsa';
import { symmetricFamily } from './symmetric';

export type { KeyFamily } from './family';

const FAMILIES: Readonly<Record<FamilyName, KeyFamily | undefined>> = {
  SYMMETRIC: symmetricFamily,
  HMAC: hmacFamily,
  RSA: rsaFamily,
  ECC: eccFamily,
  ED25519: ed25519Family,
  ML_DSA: mlDsaFamily,
  SM2: undefined,
};

/** The module that implements keys of this spec, or undefined when this service cannot build them. */
export function familyOf(keySpec: KeySpec): KeyFamily | undefined {
  return FAMILIES[keySpecEntry(keySpec).family];
}
