import { ERROR_STATUS, type ErrorCode } from '../../../services/errors.js';
import { MAX_JSON_DEPTH } from '../../json-depth.js';
import { ref, type JsonSchema } from './json-schema.js';

/**
 * The statuses a refusal or a failure can have: every error code's (services/errors.ts), and the three Node.js's
 * parser answers with before any route runs (plugins/client-errors.ts): 408, 417 and 431.
 */
export type ErrorStatus = (typeof ERROR_STATUS)[ErrorCode] | 408 | 417 | 431;

/** Why a route may answer each error status: one sentence per cause, for the reader of the document. */
export type ErrorCauses = { readonly [S in ErrorStatus]?: readonly string[] };

/** The code each error status carries: the code's own status, and for the parser's answers the kind of refusal. */
export const CODE_OF_STATUS: Readonly<Record<ErrorStatus, ErrorCode>> = {
  ...(Object.fromEntries(
    Object.entries(ERROR_STATUS).map(([code, status]) => [status, code as ErrorCode]),
  ) as Record<(typeof ERROR_STATUS)[ErrorCode], ErrorCode>),
  408: 'invalid_input',
  417: 'invalid_input',
  431: 'too_large',
};

/** `{success: false, error, code}`: the body of every refusal and failure, as the errors plugin writes it. */
export const ERROR_BODY: JsonSchema = {
  type: 'object',
  description:
    'Every refusal and failure: the original’s `success` and `error`, plus a stable `code` that maps to one status.',
  properties: {
    success: { const: false },
    error: {
      type: 'string',
      description:
        'A sentence for the client naming the field and the limit; internal details are never in it (they are logged).',
    },
    code: {
      type: 'string',
      enum: Object.keys(ERROR_STATUS),
      description: `The stable code: ${Object.entries(ERROR_STATUS)
        .map(([code, status]) => `\`${code}\` (${status})`)
        .join(', ')}.`,
    },
  },
  required: ['success', 'error', 'code'],
  additionalProperties: false,
};

/**
 * Fastify's own 503 body for a request that arrives while the server closes (`return503OnClosing`): Fastify writes
 * it before any hook runs, so it is the one refusal not in the shape of ERROR_BODY.
 */
export const CLOSING_BODY: JsonSchema = {
  type: 'object',
  description: 'Fastify’s answer to a request that arrives while the server is closing.',
  properties: {
    error: { const: 'Service Unavailable' },
    message: { const: 'Service Unavailable' },
    statusCode: { const: 503 },
  },
  required: ['error', 'message', 'statusCode'],
};

/** What may refuse any request, whatever its route: the connection, the parser, the host guard, the unexpected. */
export const EVERY_REQUEST: ErrorCauses = {
  400: [
    'The request is not valid HTTP/1.1, its URL has broken percent-encoding, or a path segment is longer than the router reads.',
  ],
  403: [
    'ALLOWED_HOSTS lists hosts and the `Host` header, or the host of an `Origin` header, is not one of them.',
  ],
  408: [
    'The headers did not arrive within HEADERS_TIMEOUT, or the whole request within REQUEST_TIMEOUT (code `invalid_input`).',
  ],
  417: ['An `Expect` header other than `100-continue` (code `invalid_input`).'],
  431: ['The request line and headers are larger than the server reads (code `too_large`).'],
  500: ['Something unexpected failed; it is logged with its trace id, and the answer carries no details.'],
  503: ['The server is closing: requests that still arrive are refused, in Fastify’s own body.'],
};

/** What refuses a request to a route that needs a key. */
export const NEEDS_A_KEY: ErrorCauses = {
  401: [
    'AUTH_ENABLED is on and no key was sent, or the key is unknown, revoked or mistyped (`Authorization: Bearer <key>` or `X-API-Key: <key>`).',
  ],
};

/** What refuses a request counted against its caller's rate limit. */
export const RATE_LIMITED: ErrorCauses = {
  429: [
    'RATE_LIMIT_REQUESTS is on and this key (or client address, without a key) has made that many calls in the window; `Retry-After` says when to try again.',
  ],
};

/** What refuses a request with a JSON body, before any route reads it. */
export const READS_A_BODY: ErrorCauses = {
  400: [
    `The body is empty, not valid JSON, nested deeper than ${MAX_JSON_DEPTH} levels (MAX_JSON_DEPTH), not a JSON object, or sets \`__proto__\` or \`constructor.prototype\`.`,
  ],
  413: ['The body is larger than MAX_BODY_BYTES.'],
  415: ['The body is not JSON (`Content-Type: application/json`).'],
  503: [
    'The server already holds as many request bodies as MAX_INFLIGHT_BODY_BYTES allows; `Retry-After` says when to try again.',
  ],
};

/** The scope a route's key must hold. */
export function needsScope(scope: string): ErrorCauses {
  return { 403: [`The key lacks the \`${scope}\` scope.`] };
}

/** Every cause of each status, in the order given, without repeats. */
export function mergeCauses(...parts: readonly ErrorCauses[]): ErrorCauses {
  const merged: Partial<Record<ErrorStatus, string[]>> = {};
  for (const part of parts) {
    for (const [status, causes] of Object.entries(part) as [`${ErrorStatus}`, readonly string[]][]) {
      const list = (merged[Number(status) as ErrorStatus] ??= []);
      for (const cause of causes) if (!list.includes(cause)) list.push(cause);
    }
  }
  return merged;
}

/** Error sentences of a route's refusals, by status, for the examples of the document. */
export type RefusalExamples = { readonly [S in ErrorStatus]?: string };

/** An error sentence of each status, as the examples show them where the route gives none of its own. */
const EXAMPLE_SENTENCE: Readonly<Record<ErrorStatus, string>> = {
  400: 'The URL could not be read (broken percent-encoding).',
  401: 'An API key is required: send it as Authorization: Bearer <key>, or X-API-Key: <key>.',
  403: 'POST /lift needs the write scope; this key has: read.',
  404: 'Not found: GET /nowhere',
  408: 'The request did not arrive in time (HEADERS_TIMEOUT for its headers, REQUEST_TIMEOUT for all of it).',
  413: 'The request body is larger than 33554432 bytes (MAX_BODY_BYTES).',
  415: 'The request body must be JSON (Content-Type: application/json).',
  417: 'The only expectation this server meets is 100-continue.',
  429: 'Rate limit reached: 600 operations per 60 s for this API key (RATE_LIMIT_REQUESTS); try again in 12 s.',
  431: 'The request line and headers are larger than 16384 bytes.',
  500: 'Internal server error; it has been logged.',
  502: 'GitHub answered with something this server cannot use.',
  503: 'The model store (sqlite) is unavailable; try again shortly.',
};

/** The `Retry-After` header of the statuses whose refusals say when to come back. */
const RETRY_AFTER = {
  'Retry-After': {
    type: 'integer',
    minimum: 1,
    description: 'Seconds to wait before trying again, where the refusal knows it.',
  },
};

/**
 * The error responses of a route, in the shape a route schema's `response` takes (each a description and its
 * `application/json` content), one per status it may answer, the causes as a list, with an example of the body.
 */
export function errorResponses(
  causes: ErrorCauses,
  examples: RefusalExamples = {},
): Record<string, JsonSchema> {
  const responses: Record<string, JsonSchema> = {};
  const statuses = (Object.keys(causes).map(Number) as ErrorStatus[]).sort((a, b) => a - b);
  for (const status of statuses) {
    const reasons = causes[status] ?? [];
    if (reasons.length === 0) continue;
    const code = CODE_OF_STATUS[status];
    const closing = status === 503;
    responses[String(status)] = {
      description: reasons.map((reason) => `- ${reason}`).join('\n'),
      ...(status === 429 || status === 503 ? { headers: RETRY_AFTER } : {}),
      content: {
        'application/json': {
          schema: closing ? { oneOf: [ref('ErrorBody'), ref('ClosingBody')] } : ref('ErrorBody'),
          example: { success: false, error: examples[status] ?? EXAMPLE_SENTENCE[status], code },
        },
      },
    };
  }
  return responses;
}
