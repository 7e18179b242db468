/**
 * KmsRootKey: the RootKey port on an AWS KMS key (design decision 3). The WrapContext becomes the
 * KMS encryption context, so a wrapped blob opens only for the same purpose and owner (account,
 * Region, key id and material id for key material; access key id and account for a credential).
 * Decrypt names the key, so a blob wrapped under any other KMS key is refused as well.
 */
import { DecryptCommand, EncryptCommand, type KMSClient } from '@aws-sdk/client-kms';
import { UnwrapError } from '../../core/errors';
import type { RootKey, WrapContext } from '../../core/ports';

/** KMS errors that mean "this blob does not open with this key and context". */
const REFUSALS = new Set(['InvalidCiphertextException', 'IncorrectKeyException']);

export class KmsRootKey implements RootKey {
  constructor(
    private readonly client: KMSClient,
    /** ARN of the KMS key (a key id or alias works too, but the ARN pins the account and Region). */
    private readonly keyArn: string,
  ) {}

  async wrap(plaintext: Uint8Array, context: WrapContext): Promise<Uint8Array> {
    const out = await this.client.send(
      new EncryptCommand({ KeyId: this.keyArn, Plaintext: plaintext, EncryptionContext: { ...context } }),
    );
    if (!out.CiphertextBlob) throw new Error('KMS Encrypt returned no ciphertext');
    return out.CiphertextBlob;
  }

  async unwrap(wrapped: Uint8Array, context: WrapContext): Promise<Uint8Array> {
    try {
      const out = await this.client.send(
        new DecryptCommand({ KeyId: this.keyArn, CiphertextBlob: wrapped, EncryptionContext: { ...context } }),
      );
      if (!out.Plaintext) throw new Error('KMS Decrypt returned no plaintext');
      return out.Plaintext;
    } catch (err) {
      const name = typeof err === 'object' && err !== null ? (err as { name?: unknown }).name : undefined;
      if (typeof name === 'string' && REFUSALS.has(name)) throw new UnwrapError({ cause: err });
      throw err;
    }
  }
}
