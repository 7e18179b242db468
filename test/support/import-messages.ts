/**
 * What a client reads when ImportKeyMaterial refuses (issue 13 §1): the unit tests and the black-box tests pin the
 * same texts, from here, so a message can neither be emptied nor drift between the core and the wire.
 */
export const IMPORT_MESSAGES = {
  invalidToken: 'The import token is not valid.',
  tokenForAnotherKey: 'The import token was issued for another KMS key.',
  expiredToken: 'The import token has expired. Use GetParametersForImport to get a new import token and public key.',
  notUnwrapped: 'The key material could not be unwrapped with the private key and wrapping algorithm of the import token.',
  notAssociated: (arn: string) => `The key material is not associated with ${arn}. To import different key material, set ImportType to NEW_KEY_MATERIAL.`,
  alreadyAssociated: (id: string, arn: string) => `The key material (id: ${id}) is already associated with ${arn}. To re-import it, set ImportType to EXISTING_KEY_MATERIAL.`,
  otherMaterialId: (id: string) => `The key material does not match the key material with id ${id}.`,
  wrongLength: 'The key material must be 256 bits (32 bytes) for a SYMMETRIC_DEFAULT KMS key.',
  keyMaterialIdWithNew: 'KeyMaterialId must not be specified when ImportType is NEW_KEY_MATERIAL.',
} as const;
