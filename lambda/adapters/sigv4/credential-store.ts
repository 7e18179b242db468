/**
 * Credentials this service issues for SigV4 (design decision 5), kept in the key table as items of
 * their own (pk `credentials`, sk `credential#<AccessKeyId>`; the KeyStore never reads them: its
 * items live under scope partitions and `key#`/`alias#` sort keys). Each belongs to one principal
 * (D100: the account's root, an IAM user, a role or a role session). The secret is stored only
 * wrapped by the root key, bound to its access key id, account and principal, so neither a copy of
 * the table nor an edited `account`, `principal` or `policy` attribute yields a usable credential. A
 * credential may carry an identity policy (D108), stored as given; its SHA-256 is bound into the
 * secret's wrapping, so the policy cannot be changed or removed in the table either. (Items
 * issued before principals existed have no `principal`: they are the account's root, and their
 * secrets are bound to the access key id and account only.)
 *
 * Lookups are cached per process for `cacheTtlMs` (default one minute): a revoked credential stops
 * working within that time in a warm Lambda container, at once in a new one.
 */
import { createHash, randomBytes } from 'node:crypto';
import {
  type AttributeValue,
  DeleteItemCommand,
  type DynamoDBClient,
  GetItemCommand,
  PutItemCommand,
  QueryCommand,
} from '@aws-sdk/client-dynamodb';
import { parseIdentityPolicy } from '../../core/authorization/identity-policy';
import { accountRootArn, checkPrincipalArn } from '../../core/model/principal';
import type { RandomBytes, RootKey, WrapContext } from '../../core/ports';
import { KEY_TABLE_PARTITION_KEY as PK, KEY_TABLE_SORT_KEY as SK } from '../dynamodb/table-schema';
import type { IssuedSecret, SecretLookup } from './verifier';

export const CREDENTIALS_PARTITION = 'credentials';
const SORT_PREFIX = 'credential#';
/** Our access key ids: a fixed prefix that no AWS-issued key uses, then 16 base32 characters. */
export const ACCESS_KEY_PREFIX = 'BYOK';
const ACCESS_KEY_ID = /^[A-Z0-9]{16,128}$/;
const ACCOUNT_ID = /^\d{12}$/;
const BASE32 = 'ABCDEFGHIJKLMNOPQRSTUVWXYZ234567';

/** What `credentials create` prints: the names the AWS CLI and SDKs use. */
export interface IssuedCredential {
  readonly AccessKeyId: string;
  readonly SecretAccessKey: string;
  readonly Account: string;
  /** The principal ARN the credential signs as. */
  readonly Principal: string;
  /** The identity policy, as given; absent: the principal may do whatever its account may. */
  readonly Policy?: string;
}

export interface CredentialSummary {
  readonly AccessKeyId: string;
  readonly Account: string;
  readonly Principal: string;
  readonly Policy?: string;
  readonly CreatedAt: string;
}

/** Whom a new credential is for: a principal ARN, or an account (its root). */
export type CredentialOwner = { readonly principal: string; readonly account?: string } | { readonly account: string; readonly principal?: undefined };

export interface CredentialStoreOptions {
  /** How long a looked-up secret is reused without reading the table. @default 60_000 */
  readonly cacheTtlMs?: number;
  /** @default 1000 */
  readonly cacheEntries?: number;
  readonly random?: RandomBytes;
  readonly now?: () => Date;
}

/** `principal` is absent only for credentials issued before principals existed; `policy` only for credentials without one. */
export function credentialContext(accessKeyId: string, account: string, principal?: string, policy?: string): WrapContext {
  return {
    purpose: 'credential',
    accessKeyId,
    account,
    ...(principal !== undefined && { principal }),
    ...(policy !== undefined && { policySha256: createHash('sha256').update(policy, 'utf8').digest('hex') }),
  };
}

/** The principal ARN and account of a new credential; throws with a usable message when they do not fit. */
export function credentialOwner(owner: CredentialOwner, partition = 'aws'): { readonly principal: string; readonly account: string } {
  if (owner.principal === undefined) {
    if (!ACCOUNT_ID.test(owner.account)) throw new Error(`account must be 12 digits, got '${owner.account}'`);
    return { principal: accountRootArn(partition, owner.account), account: owner.account };
  }
  const problem = checkPrincipalArn(owner.principal);
  if (problem) throw new Error(`invalid principal: ${problem}`);
  const account = owner.principal.split(':')[4] as string;
  if (owner.account !== undefined && owner.account !== account) {
    throw new Error(`the principal ${owner.principal} belongs to account ${account}, not ${owner.account}`);
  }
  return { principal: owner.principal, account };
}

export class CredentialStore {
  private readonly cache = new Map<string, { readonly value: IssuedSecret; readonly until: number }>();
  private readonly random: RandomBytes;
  private readonly now: () => Date;

  constructor(
    private readonly client: DynamoDBClient,
    private readonly tableName: string,
    private readonly rootKey: RootKey,
    private readonly options: CredentialStoreOptions = {},
  ) {
    this.random = options.random ?? ((n) => new Uint8Array(randomBytes(n)));
    this.now = options.now ?? (() => new Date());
  }

  /**
   * Issues a new credential for a principal, or for an account's root (an account id alone), with an
   * identity policy if given (checked: InvalidIdentityPolicyError); the secret is returned here and
   * never again.
   */
  async create(owner: CredentialOwner | string, options: { readonly policy?: string } = {}): Promise<IssuedCredential> {
    const { principal, account } = credentialOwner(typeof owner === 'string' ? { account: owner } : owner);
    const { policy } = options;
    if (policy !== undefined) parseIdentityPolicy(policy);
    const accessKeyId = ACCESS_KEY_PREFIX + base32(this.random(10));
    const secretAccessKey = Buffer.from(this.random(30)).toString('base64'); // 40 characters, like AWS's
    const wrapped = await this.rootKey.wrap(new TextEncoder().encode(secretAccessKey), credentialContext(accessKeyId, account, principal, policy));
    await this.client.send(
      new PutItemCommand({
        TableName: this.tableName,
        Item: {
          [PK]: { S: CREDENTIALS_PARTITION },
          [SK]: { S: SORT_PREFIX + accessKeyId },
          account: { S: account },
          principal: { S: principal },
          ...(policy !== undefined && { policy: { S: policy } }),
          secret: { B: wrapped },
          created: { S: this.now().toISOString() },
        },
        ConditionExpression: 'attribute_not_exists(#pk)',
        ExpressionAttributeNames: { '#pk': PK },
      }),
    );
    return { AccessKeyId: accessKeyId, SecretAccessKey: secretAccessKey, Account: account, Principal: principal, ...(policy !== undefined && { Policy: policy }) };
  }

  /** Every issued credential, without secrets, in access key id order. */
  async list(): Promise<CredentialSummary[]> {
    const out: CredentialSummary[] = [];
    let start: Record<string, AttributeValue> | undefined;
    do {
      const page = await this.client.send(
        new QueryCommand({
          TableName: this.tableName,
          KeyConditionExpression: '#pk = :pk AND begins_with(#sk, :prefix)',
          ExpressionAttributeNames: { '#pk': PK, '#sk': SK, '#policy': 'policy' },
          ExpressionAttributeValues: { ':pk': { S: CREDENTIALS_PARTITION }, ':prefix': { S: SORT_PREFIX } },
          ProjectionExpression: '#sk, account, principal, #policy, created',
          ConsistentRead: true,
          ...(start && { ExclusiveStartKey: start }),
        }),
      );
      for (const item of page.Items ?? []) {
        const account = item.account?.S ?? '';
        out.push({
          AccessKeyId: (item[SK]?.S ?? '').slice(SORT_PREFIX.length),
          Account: account,
          Principal: item.principal?.S ?? accountRootArn('aws', account),
          ...(item.policy?.S !== undefined && { Policy: item.policy.S }),
          CreatedAt: item.created?.S ?? '',
        });
      }
      start = page.LastEvaluatedKey;
    } while (start);
    return out;
  }

  /** Deletes a credential; resolves false if there was none with that id. */
  async revoke(accessKeyId: string): Promise<boolean> {
    const out = await this.client.send(
      new DeleteItemCommand({
        TableName: this.tableName,
        Key: { [PK]: { S: CREDENTIALS_PARTITION }, [SK]: { S: SORT_PREFIX + accessKeyId } },
        ReturnValues: 'ALL_OLD',
      }),
    );
    this.cache.delete(accessKeyId);
    return out.Attributes !== undefined;
  }

  /** The verifier's view: the secret and account of an issued credential, or undefined. */
  readonly lookup: SecretLookup = async (accessKeyId) => {
    if (!ACCESS_KEY_ID.test(accessKeyId)) return undefined;
    const nowMs = this.now().getTime();
    const hit = this.cache.get(accessKeyId);
    if (hit && hit.until > nowMs) return hit.value;
    this.cache.delete(accessKeyId);

    const { Item: item } = await this.client.send(
      new GetItemCommand({
        TableName: this.tableName,
        Key: { [PK]: { S: CREDENTIALS_PARTITION }, [SK]: { S: SORT_PREFIX + accessKeyId } },
        ConsistentRead: true,
      }),
    );
    const account = item?.account?.S;
    const wrapped = item?.secret?.B;
    if (!account || !wrapped) return undefined;
    const principal = item.principal?.S;
    const policy = item.policy?.S;
    // An UnwrapError here means a tampered item: it propagates and renders as an internal error.
    const secret = await this.rootKey.unwrap(wrapped, credentialContext(accessKeyId, account, principal, policy));
    const created = item.created?.S ? new Date(item.created.S) : undefined;
    const value: IssuedSecret = {
      account,
      secretAccessKey: new TextDecoder().decode(secret),
      // Items from before principals existed are the account's root (of the partition the caller signs for).
      ...(principal !== undefined && { principal }),
      ...(policy !== undefined && { identityPolicy: parseIdentityPolicy(policy) }),
      ...(created && !Number.isNaN(created.getTime()) && { issuedAt: created }),
    };
    if (this.cache.size >= (this.options.cacheEntries ?? 1000)) {
      const oldest = this.cache.keys().next().value;
      if (oldest !== undefined) this.cache.delete(oldest);
    }
    this.cache.set(accessKeyId, { value, until: nowMs + (this.options.cacheTtlMs ?? 60_000) });
    return value;
  };
}

function base32(bytes: Uint8Array): string {
  let bits = 0;
  let value = 0;
  let out = '';
  for (const byte of bytes) {
    value = (value << 8) | byte;
    bits += 8;
    while (bits >= 5) {
      out += BASE32[(value >>> (bits - 5)) & 31];
      bits -= 5;
    }
  }
  if (bits > 0) out += BASE32[(value << (5 - bits)) & 31];
  return out;
}
