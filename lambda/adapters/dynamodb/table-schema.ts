/**
 * The key table's schema, shared by the adapter (ensureKeyTable), the embedded mode and the CDK
 * construct (lib/constructs/key-table.ts). Constants only: no SDK or CDK imports here.
 *
 * One table holds every scope. Items:
 *   pk = `<partition>/<account>/<region>`   sk = `key#<keyId>`       (a KeyRecord)
 *   pk = `<partition>/<account>/<region>`   sk = `alias#<aliasName>` (an AliasRecord; aliasName includes `alias/`)
 *   pk = `<partition>/<account>/<region>`   sk = `grant#<keyId>#<grantId>` (a GrantRecord of that key)
 * No secondary index, no TTL (design decision 1): ListKeys/ListAliases are Queries on one pk.
 */

/** DynamoDB scalar attribute type of both key attributes ('S' = string; CDK's AttributeType.STRING). */
export const KEY_TABLE_KEY_TYPE = 'S';

/** Partition key attribute: the scope. */
export const KEY_TABLE_PARTITION_KEY = 'pk';

/** Sort key attribute: item kind and id. */
export const KEY_TABLE_SORT_KEY = 'sk';

/** Table name the embedded mode uses on its in-process dynalite. */
export const EMBEDDED_KEY_TABLE_NAME = 'kms-keys';
