import { hash, timingSafeEqual } from 'node:crypto';
import { DredgeError } from '../../services/errors.js';
import type { ApiKeyStore } from '../../services/store/index.js';
import { DEFAULT_TENANT } from '../../services/store/index.js';
import { parseApiKey, secretMatchesDigest } from './api-key.js';
import { SCOPES, type Principal, type Scope } from './principal.js';

/** How long a key read from the store is trusted before it is read again: a revocation takes effect within it. */
export const KEY_CACHE_MS = 5_000;
/** Keys held in that cache at most; beyond, it starts again empty. */
const MAX_CACHED_KEYS = 10_000;
/** The longest credential header read: anything longer is not a key. */
const MAX_CREDENTIAL_LENGTH = 512;

/** The caller of a server without authentication (AUTH_ENABLED=false, which only loopback allows): may do anything. */
export const ANONYMOUS: Principal = { keyId: undefined, tenant: DEFAULT_TENANT, scopes: new Set(SCOPES) };

/** The original's single API_KEY: an administrator of the default tenant. */
const LEGACY_KEY: Principal = { keyId: 'API_KEY', tenant: DEFAULT_TENANT, scopes: new Set<Scope>(['admin']) };

const MISSING = 'An API key is required: send it as Authorization: Bearer <key>, or X-API-Key: <key>.';
const INVALID = 'The API key is not valid (unknown, revoked or mistyped).';

interface CachedKey {
  readonly principal: Principal | undefined;
  /** The live key's secret digest, decoded once. */
  readonly digest: Buffer | undefined;
  readonly until: number;
  /**
   * The secret last found to match `digest`, for the entry's few seconds: a request presenting it again is
   * compared to these bytes (constant time, fixed length) instead of hashing its secret once more, which was most
   * of what authentication cost a request. It holds what every request with the key carries anyway, and goes with
   * the entry.
   */
  verified?: Buffer;
}

/**
 * Decides who a request acts as, the same way for every door: with AUTH_ENABLED off, everyone is ANONYMOUS; on, a
 * key minted by `dredge keys create` (found by its id, its secret's hash compared in constant time, not revoked) or
 * the original's API_KEY (compared in constant time), else 401. Keys are read from the store at most once per
 * KEY_CACHE_MS each, so authenticating a request costs a map lookup and a comparison.
 */
export class Authenticator {
  readonly #cache = new Map<string, CachedKey>();
  readonly #legacyDigest: Buffer | undefined;

  constructor(
    private readonly keys: ApiKeyStore,
    readonly enabled: boolean,
    legacyKey: string | undefined,
  ) {
    this.#legacyDigest = legacyKey === undefined ? undefined : digest(legacyKey);
  }

  /** The principal of a request that presented `credential` (undefined: none), or a 401 DredgeError. */
  async authenticate(credential: string | undefined): Promise<Principal> {
    const known = this.authenticateKnown(credential);
    if (known !== undefined) return known;
    const parsed = parseApiKey(credential as string) as { id: string; secret: string };
    return this.verify(await this.lookup(parsed.id), parsed.secret);
  }

  /**
   * As `authenticate`, without waiting when the answer is known now (authentication off, a key read within
   * KEY_CACHE_MS, a refusal); undefined when the key must be read from the store first. Throws the 401. The HTTP
   * hook answers most requests through this, with no promise.
   */
  authenticateKnown(credential: string | undefined): Principal | undefined {
    if (!this.enabled) return ANONYMOUS;
    if (credential === undefined || credential.length === 0) throw new DredgeError('unauthorized', MISSING);
    if (credential.length > MAX_CREDENTIAL_LENGTH) throw new DredgeError('unauthorized', INVALID);
    const parsed = parseApiKey(credential);
    if (!parsed) {
      if (this.#legacyDigest && timingSafeEqual(digest(credential), this.#legacyDigest)) return LEGACY_KEY;
      throw new DredgeError('unauthorized', INVALID);
    }
    const cached = this.#cache.get(parsed.id);
    return cached && cached.until > Date.now() ? this.verify(cached, parsed.secret) : undefined;
  }

  private verify(entry: CachedKey, secret: string): Principal {
    const { digest, principal, verified } = entry;
    if (!digest || !principal) throw new DredgeError('unauthorized', INVALID);
    // A secret is base64url text (parseApiKey), so latin1 is its bytes.
    const presented = Buffer.from(secret, 'latin1');
    if (verified && presented.length === verified.length && timingSafeEqual(presented, verified))
      return principal;
    if (!secretMatchesDigest(digest, secret)) throw new DredgeError('unauthorized', INVALID);
    entry.verified = presented;
    return principal;
  }

  private async lookup(id: string): Promise<CachedKey> {
    const now = Date.now();
    const cached = this.#cache.get(id);
    if (cached && cached.until > now) return cached;
    const record = await this.keys.get(id);
    const live = record && record.revokedAt === null ? record : undefined;
    const entry: CachedKey = {
      digest: live && Buffer.from(live.hash, 'hex'),
      principal: live && {
        keyId: live.id,
        tenant: live.tenant,
        scopes: new Set(
          live.scopes.filter((scope): scope is Scope => (SCOPES as readonly string[]).includes(scope)),
        ),
      },
      until: now + KEY_CACHE_MS,
    };
    if (this.#cache.size >= MAX_CACHED_KEYS) this.#cache.clear();
    this.#cache.set(id, entry);
    return entry;
  }
}

/** The key a request presents: `Authorization: Bearer <key>`, else `X-API-Key`. */
export function presentedCredential(headers: {
  readonly authorization?: string | undefined;
  readonly 'x-api-key'?: string | string[] | undefined;
}): string | undefined {
  const authorization = headers.authorization;
  if (authorization !== undefined) {
    const match = /^Bearer[ \t]+(\S+)[ \t]*$/i.exec(authorization);
    return match ? match[1] : '';
  }
  const header = headers['x-api-key'];
  return Array.isArray(header) ? header[0] : header;
}

function digest(text: string): Buffer {
  return hash('sha256', text, 'buffer');
}
