/**
 * What a caller may do. `read`: inference and queries; `write`: loading, training and deleting models, lifting and
 * deleting insights, submitting and cancelling tasks; `github`: reading Dependabot alerts (private data of the
 * token's owner); `metrics`: /metrics; `admin`: everything, keys, traces and the Dependabot changes included.
 */
export const SCOPES = ['read', 'write', 'github', 'metrics', 'admin'] as const;
export type Scope = (typeof SCOPES)[number];

/** Who a request acts as: decided once, by the door's authentication, and carried in the request context. */
export interface Principal {
  /** The API key's id; undefined for the anonymous caller of a server without authentication. */
  readonly keyId: string | undefined;
  readonly tenant: string;
  readonly scopes: ReadonlySet<Scope>;
}

/** Whether `principal` holds `scope` (an administrator holds every scope). */
export function allows(principal: Principal, scope: Scope): boolean {
  return principal.scopes.has('admin') || principal.scopes.has(scope);
}

/** Scopes from a comma-separated list, or the first word that is not a scope. */
export function parseScopes(text: string): { scopes: Scope[] } | { unknown: string } {
  const scopes: Scope[] = [];
  for (const word of text
    .split(',')
    .map((item) => item.trim())
    .filter(Boolean)) {
    if (!(SCOPES as readonly string[]).includes(word)) return { unknown: word };
    if (!scopes.includes(word as Scope)) scopes.push(word as Scope);
  }
  return { scopes };
}

/** The 403 sentence of a caller without `scope` for `what` (`delete_model`, `POST /lift`). */
export function missingScope(principal: Principal, scope: Scope, what: string): string {
  const held = principal.scopes.size === 0 ? 'none' : [...principal.scopes].join(', ');
  return `${what} needs the ${scope} scope; this key has: ${held}.`;
}
