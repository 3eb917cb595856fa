import type { ServerErrorCode } from './errors.js';

/**
 * The code each status of a DREDGE refusal means, for an answer that carries none (a server closing, a proxy in
 * front of it). The server's own table is `ERROR_STATUS` in src/services/errors.ts; a test keeps the two equal.
 */
export const CODE_OF_STATUS: Readonly<Record<number, ServerErrorCode>> = {
  400: 'invalid_input',
  401: 'unauthorized',
  403: 'forbidden',
  404: 'not_found',
  413: 'too_large',
  415: 'unsupported_media_type',
  429: 'rate_limited',
  500: 'internal',
  502: 'upstream',
  503: 'unavailable',
};

/** What a refusal's body says: the server's `{success: false, error, code}`, or as much of it as is there. */
export interface RefusalBody {
  readonly code: string;
  readonly message: string;
}

/** Reads a refusal's text: its sentence and code, or the status's when the body is not DREDGE's (a proxy's page). */
export function readRefusal(status: number, statusText: string, text: string | undefined): RefusalBody {
  let parsed: unknown;
  try {
    parsed = text === undefined ? undefined : JSON.parse(text);
  } catch {
    parsed = undefined;
  }
  const body = typeof parsed === 'object' && parsed !== null ? (parsed as Record<string, unknown>) : {};
  const code = typeof body.code === 'string' ? body.code : (CODE_OF_STATUS[status] ?? `http_${status}`);
  const message =
    typeof body.error === 'string'
      ? body.error
      : typeof body.message === 'string'
        ? body.message
        : `${status} ${statusText}`.trim();
  return { code, message };
}
