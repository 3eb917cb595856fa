/** What stands in for the API key wherever it would have appeared. */
const HIDDEN = '[api key]';

/** How deep `mentionsSecret` looks into an error's properties and causes. */
const MAX_DEPTH = 4;

/** `text` with every occurrence of `secret` hidden (a server or a custom fetch might echo it). */
export function withoutSecret(text: string, secret: string | undefined): string {
  return secret ? text.split(secret).join(HIDDEN) : text;
}

/**
 * Whether `value` (an error thrown by fetch) holds `secret` anywhere within a few levels: its message, its stack,
 * any property or cause. Such an error is not kept as a cause, since inspecting an error prints its cause whole.
 */
export function mentionsSecret(value: unknown, secret: string | undefined, depth = 0): boolean {
  if (!secret) return false;
  if (typeof value === 'string') return value.includes(secret);
  if (typeof value !== 'object' || value === null || depth > MAX_DEPTH) return false;
  for (const name of Object.getOwnPropertyNames(value)) {
    let property: unknown;
    try {
      property = (value as Record<string, unknown>)[name];
    } catch {
      continue; // a getter that throws holds nothing we could print either
    }
    if (mentionsSecret(property, secret, depth + 1)) return true;
  }
  return false;
}
