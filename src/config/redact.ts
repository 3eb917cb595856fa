import { CONFIG_KEYS, CONFIG_KEY_NAMES, type ConfigValues } from './keys.js';

export const REDACTED = '[redacted]';

/** A copy of the values with every secret key and every password inside a URL replaced, for display and logs. */
export function redactValues(values: Readonly<ConfigValues>): Record<string, unknown> {
  const shown: Record<string, unknown> = {};
  for (const name of CONFIG_KEY_NAMES) {
    const value = values[name];
    if (CONFIG_KEYS[name].secret && value !== undefined) shown[name] = REDACTED;
    else shown[name] = typeof value === 'string' ? redactUrlCredentials(value) : value;
  }
  return shown;
}

/** `redis://user:secret@host` → `redis://user:[redacted]@host`; other text is returned unchanged. */
export function redactUrlCredentials(text: string): string {
  return text.replace(/(\b[a-z][a-z0-9+.-]*:\/\/[^:/@\s]*:)[^@/\s]+@/gi, `$1${REDACTED}@`);
}
