/**
 * What every error answer of DREDGE must be: JSON that names a stable error code. The JSON API, the DREDGE server
 * and every refusal of the shared plugins answer `{success: false, error, code}` with the status the code maps to
 * (ERROR_STATUS, or the code of a framing status: 408, 417, 431); the MCP protocol route may instead answer a JSON-RPC error object (`{jsonrpc, error: {code,
 * message}, id}`), as its transport does.
 */
import { ERROR_STATUS, type ErrorCode } from '../../src/services/errors.js';
import type { HttpAnswerPart } from './raw-responses.js';

/**
 * Statuses HTTP gives refusals of the request's framing (answered before any route: see client-errors.ts), which
 * no error code maps to, and the code each carries.
 */
const FRAMING_CODES: Readonly<Record<number, ErrorCode>> = {
  408: 'invalid_input',
  417: 'invalid_input',
  431: 'too_large',
};

const isRecord = (value: unknown): value is Record<string, unknown> =>
  typeof value === 'object' && value !== null && !Array.isArray(value);

const isErrorCode = (code: unknown): code is keyof typeof ERROR_STATUS =>
  typeof code === 'string' && Object.hasOwn(ERROR_STATUS, code);

/** A DREDGE error body, or why it is not one. */
function dredgeBodyProblem(body: Record<string, unknown>, status: number): string | undefined {
  if (!isErrorCode(body.code)) return `its code ${JSON.stringify(body.code)} is not an error code`;
  if (ERROR_STATUS[body.code] !== status && FRAMING_CODES[status] !== body.code) {
    return `code ${body.code} means ${ERROR_STATUS[body.code]}`;
  }
  if (body.success !== false) return 'success is not false';
  if (typeof body.error !== 'string' || body.error.length === 0) return 'it has no error sentence';
  return undefined;
}

/** A JSON-RPC error response (JSON-RPC 2.0 §5.1), or why it is not one. */
function jsonRpcProblem(body: Record<string, unknown>): string | undefined {
  const error = body.error;
  if (body.jsonrpc !== '2.0' || !isRecord(error)) return 'it is not a JSON-RPC error';
  if (!Number.isInteger(error.code)) return 'its JSON-RPC error code is not a whole number';
  if (typeof error.message !== 'string') return 'its JSON-RPC error has no message';
  return undefined;
}

/**
 * Why an answer of status 400 or more is not a well-formed error, or undefined when it is (or is no error).
 * `jsonRpc`: the answer is the MCP protocol route's, where a JSON-RPC error is well formed too.
 */
export function errorBodyProblem(part: HttpAnswerPart, method: string, jsonRpc: boolean): string | undefined {
  if (part.status < 400 || method === 'HEAD') return undefined;
  if (!part.contentType?.startsWith('application/json'))
    return `its content type is ${part.contentType ?? 'missing'}`;
  let body: unknown;
  try {
    body = JSON.parse(part.body);
  } catch {
    return part.body === '' ? 'it has no body' : 'its body is not JSON';
  }
  if (!isRecord(body)) return 'its body is not a JSON object';
  if (jsonRpc && 'jsonrpc' in body) return jsonRpcProblem(body);
  return dredgeBodyProblem(body, part.status);
}
