/**
 * The audit table's schema, shared by the adapter (dynamo-audit-trail.ts) and the CDK construct
 * (lib/constructs/audit-trail.ts). Constants only: no SDK or CDK imports here.
 *
 *   pk = `<partition>/<account>/<region>`   sk = `<epoch ms, 15 digits>#<eventId>`
 */
export const AUDIT_TABLE_PARTITION_KEY = 'pk';
export const AUDIT_TABLE_SORT_KEY = 'sk';
/** The TTL attribute (epoch seconds): the event's time plus the 90-day retention. */
export const AUDIT_TTL_ATTRIBUTE = 'expiresAt';
