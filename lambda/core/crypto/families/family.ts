/**
 * What every key family (design decision 9) implements. Operations find the family of a key through
 * `familyOf` and ask it: a capability the family lacks is an operation the key cannot do. Material is
 * always the plaintext of what is stored wrapped by the root key: raw bytes for symmetric and HMAC keys,
 * a DER PKCS#8 PrivateKeyInfo for key pairs. Every method is synchronous except generation and `load`.
 */
import type { RandomBytes } from '../../ports';
import type {
  EncryptionAlgorithmSpec,
  KeySpecEntry,
  MacAlgorithmSpec,
  MessageType,
  SigningAlgorithmSpec,
} from '../key-specs';

export interface KeyFamily {
  /**
   * Loads what the other methods need for this spec and is not loaded at start (a library that takes
   * tens of milliseconds to initialise: issue 11 §3). Await it before `identity`, `publicKey`, `sign`
   * or `verify`; they throw without it. Absent when the family needs nothing loaded.
   */
  load?(entry: KeySpecEntry): Promise<void>;
  /** Fresh material for an AWS_KMS key (and, for key pairs, a data key pair). Secret: the caller zeroes it. */
  generate(entry: KeySpecEntry, random: RandomBytes): Promise<Uint8Array>;
  /**
   * Checks imported plaintext against the spec and returns the material to store, in this service's
   * canonical encoding. Throws IncorrectKeyMaterialException naming the rule (never the bytes).
   */
  readImported(entry: KeySpecEntry, plaintext: Uint8Array): Uint8Array;
  /**
   * What the KeyMaterialId is computed from: the same key gives the same identity however it was
   * encoded (D45): the bytes for symmetric and HMAC keys, the public key (SPKI) for key pairs.
   */
  identity(entry: KeySpecEntry, material: Uint8Array): Uint8Array;

  /** DER SubjectPublicKeyInfo of a key pair. */
  publicKey?(entry: KeySpecEntry, material: Uint8Array): Uint8Array;
  /**
   * `message` is the raw message or, for DIGEST/EXTERNAL_MU, the digest; lengths are already checked.
   * Randomized schemes (PSS salt, ECDSA and ML-DSA hedging) draw from `random`.
   */
  sign?(
    entry: KeySpecEntry,
    material: Uint8Array,
    algorithm: SigningAlgorithmSpec,
    message: Uint8Array,
    messageType: MessageType,
    random: RandomBytes,
  ): Uint8Array;
  verify?(
    entry: KeySpecEntry,
    material: Uint8Array,
    algorithm: SigningAlgorithmSpec,
    message: Uint8Array,
    messageType: MessageType,
    signature: Uint8Array,
  ): boolean;
  /** Largest plaintext `encrypt` takes with this algorithm. */
  maxPlaintextLength?(entry: KeySpecEntry, algorithm: EncryptionAlgorithmSpec): number;
  encrypt?(entry: KeySpecEntry, material: Uint8Array, algorithm: EncryptionAlgorithmSpec, plaintext: Uint8Array): Uint8Array;
  /** Undefined when the ciphertext does not decrypt (wrong key, wrong algorithm, tampered). */
  decrypt?(entry: KeySpecEntry, material: Uint8Array, algorithm: EncryptionAlgorithmSpec, ciphertext: Uint8Array): Uint8Array | undefined;
  mac?(entry: KeySpecEntry, material: Uint8Array, algorithm: MacAlgorithmSpec, message: Uint8Array): Uint8Array;
  /** The raw ECDH shared secret (X coordinate), or undefined when `peerPublicKey` is not an SPKI on the key's curve. */
  deriveSharedSecret?(entry: KeySpecEntry, material: Uint8Array, peerPublicKey: Uint8Array): Uint8Array | undefined;
}
