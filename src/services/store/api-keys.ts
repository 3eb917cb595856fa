import { DredgeError } from '../errors.js';

/**
 * The most API keys a store keeps, revoked ones included (a revoked key stays, so that its id is never reused and
 * the audit trail is kept): a bound on what a leaked admin key can make the store grow to.
 */
export const MAX_API_KEYS = 10_000;

/**
 * An API key as the store keeps it: who it acts as, and the SHA-256 of its secret. The secret itself is shown
 * once, when the key is made, and never stored, so a copy of the store does not let anyone in.
 */
export interface ApiKeyRecord {
  readonly id: string;
  readonly tenant: string;
  readonly name: string;
  readonly scopes: readonly string[];
  /** sha256 of the secret, hex */
  readonly hash: string;
  /** ISO 8601. */
  readonly createdAt: string;
  /** ISO 8601; null while the key is live. */
  readonly revokedAt: string | null;
}

/**
 * The API keys, bounded by MAX_API_KEYS. A key is never deleted, only revoked. Every method may reject with the
 * backend's own error.
 */
export interface ApiKeyStore {
  /** Stores a new key; refuses with `too_large` once MAX_API_KEYS are kept (see `apiKeyStoreFull`). */
  add(record: ApiKeyRecord): Promise<void>;
  get(id: string): Promise<ApiKeyRecord | undefined>;
  /** Every key, revoked ones included, oldest first. */
  list(): Promise<ApiKeyRecord[]>;
  /** true when a live key was revoked */
  revoke(id: string, at: string): Promise<boolean>;
}

/** The refusal every backend gives a key past MAX_API_KEYS. */
export function apiKeyStoreFull(): DredgeError {
  return new DredgeError(
    'too_large',
    `The API key store is full (at most ${MAX_API_KEYS} keys, revoked ones included): no key can be added.`,
  );
}
