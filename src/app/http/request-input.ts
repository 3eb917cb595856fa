import { z } from 'zod';
import { DredgeError } from '../../services/errors.js';
import { parseOrThrow } from '../operations/schema.js';

/**
 * Parses one part of a request (its query string or path parameters) with a zod schema whose messages read
 * "must …", and answers the first problem as a 400 sentence naming the field as the client wrote it: `limit must
 * be a whole number from 1 to 100`.
 */
export function parseRequestPart<T>(schema: z.ZodType<T>, value: unknown): T {
  return parseOrThrow(schema, value ?? {}, '');
}

/**
 * A whole number in a query string, from `min` to `max`. Only plain digits count: `1e3`, `0x10`, ` 5` and a
 * repeated parameter (which arrives as an array) are refused rather than read as something the client did not
 * mean.
 */
export function queryWholeNumber(min: number, max: number, fallback: number) {
  const message = `must be a whole number from ${min} to ${max}`;
  return z
    .string({ error: message })
    .regex(/^[0-9]{1,16}$/, { error: message })
    .transform(Number)
    .pipe(z.number().min(min, { error: message }).max(max, { error: message }))
    .optional()
    .transform((value) => value ?? fallback);
}

/** Text in a query string of at most `maxLength` characters (a repeated parameter is refused). */
export function queryText(maxLength: number) {
  const message = `must be text of at most ${maxLength} characters`;
  return z.string({ error: message }).max(maxLength, { error: message }).optional();
}

/** What the body of `POST /mcp` and `POST /tasks` holds, as their refusals name it. */
export const OPERATION_BODY = '{"operation": …, "params": {…}}';

/** Whether a parsed JSON value is an object: not null, not an array. */
export function isJsonObject(value: unknown): value is Record<string, unknown> {
  return value !== null && typeof value === 'object' && !Array.isArray(value);
}

/** A body that must be a JSON object, named in the sentence by what it should hold. */
export function requireObjectBody(body: unknown, shape: string): Record<string, unknown> {
  if (!isJsonObject(body)) {
    throw new DredgeError('invalid_input', `The request body must be a JSON object ${shape}.`);
  }
  return body;
}
