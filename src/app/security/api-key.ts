import { hash, randomBytes, timingSafeEqual } from 'node:crypto';
import type { ApiKeyRecord } from '../../services/store/api-keys.js';
import type { Scope } from './principal.js';

/** What every key starts with, so a key found in a log or a repository is recognisable as DREDGE's. */
const PREFIX = 'dredge_';
/** Random bytes of a key's id: 16 hex characters, enough that two keys never share one. */
const ID_BYTES = 8;
/** Random bytes of a key's secret: 256 bits, 43 base64url characters. */
const SECRET_BYTES = 32;
const ID_LENGTH = 2 * ID_BYTES;
const SECRET_LENGTH = Math.ceil((SECRET_BYTES * 8) / 6);

/**
 * The longest a key is (`dredge_<id>_<secret>`: every key has exactly these 67 characters). Longer text is refused
 * before any pattern is tried, so a caller may bound a header with it, and no regex ever reads a large input.
 */
export const MAX_API_KEY_LENGTH = PREFIX.length + ID_LENGTH + 1 + SECRET_LENGTH;

/**
 * A key exactly as `mintApiKey` writes it. The id has a fixed length, so the `_` that base64url may put in the
 * secret is never mistaken for the separator; the secret's last character carries 4 bits of the 32 bytes and 2
 * zero bits, so only 16 characters can end it (one spelling per secret).
 */
const KEY_PATTERN = new RegExp(
  `^${PREFIX}([0-9a-f]{${ID_LENGTH}})_([A-Za-z0-9_-]{${SECRET_LENGTH - 1}}[AEIMQUYcgkosw048])$`,
);

export interface MintedApiKey {
  /** The key to hand over: shown once, never stored. */
  readonly key: string;
  /** What the store keeps: the secret's SHA-256, not the secret. */
  readonly record: ApiKeyRecord;
}

/** A new key for `tenant` with `scopes`, made at `now`. Tenant, name and scopes are checked by the caller. */
export function mintApiKey(options: {
  readonly tenant: string;
  readonly name: string;
  readonly scopes: readonly Scope[];
  readonly now: Date;
}): MintedApiKey {
  const id = randomBytes(ID_BYTES).toString('hex');
  const secret = randomBytes(SECRET_BYTES).toString('base64url');
  return {
    key: `${PREFIX}${id}_${secret}`,
    record: {
      id,
      tenant: options.tenant,
      name: options.name,
      scopes: [...options.scopes],
      hash: sha256(secret).toString('hex'),
      createdAt: options.now.toISOString(),
      revokedAt: null,
    },
  };
}

/** The id and secret of a key, or undefined for text that is not one (of any length; never throws). */
export function parseApiKey(text: string): { id: string; secret: string } | undefined {
  if (typeof text !== 'string' || text.length !== MAX_API_KEY_LENGTH) return undefined;
  const match = KEY_PATTERN.exec(text);
  if (!match) return undefined;
  const [, id, secret] = match;
  return id === undefined || secret === undefined ? undefined : { id, secret };
}

/**
 * Whether `secret` is the one `record` was made with. The digests are compared in constant time, so how long a
 * refusal takes says nothing about how close a guess came.
 */
export function secretMatches(record: Pick<ApiKeyRecord, 'hash'>, secret: string): boolean {
  return secretMatchesDigest(Buffer.from(record.hash, 'hex'), secret);
}

/** `secretMatches` with the stored digest already decoded (an authenticator keeps it so for a key it has read). */
export function secretMatchesDigest(expected: Buffer, secret: string): boolean {
  const actual = sha256(secret);
  // A malformed stored hash decodes short: refused, since timingSafeEqual needs equal lengths.
  return expected.length === actual.length && timingSafeEqual(expected, actual);
}

function sha256(text: string): Buffer {
  // The one-shot form: about half the cost of createHash().update().digest() for a short input.
  return hash('sha256', text, 'buffer');
}
