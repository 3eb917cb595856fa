import { z } from 'zod';
import { DredgeError } from '../../../services/errors.js';
import { queryText, queryWholeNumber } from '../request-input.js';

/** The largest insight, in UTF-8 bytes (64 KiB), as the issue states it. */
export const MAX_INSIGHT_BYTES = 65_536;
/** Bounds of `GET /insights`: a page holds at most MAX_PAGE_LIMIT insights and starts at most MAX_OFFSET in. */
export const MAX_PAGE_LIMIT = 100;
export const DEFAULT_PAGE_LIMIT = 20;
export const MAX_OFFSET = 1_000_000;
/** Longest search text: enough for any phrase, short enough that a search costs what a listing costs. */
export const MAX_SEARCH_LENGTH = 256;

/** In a `u` regular expression a surrogate range matches only surrogates that are not half of a pair. */
const LONE_SURROGATE = /[\uD800-\uDFFF]/u;

/** The original's sentence when the field is missing, kept word for word for its clients. */
export const MISSING_INSIGHT_TEXT = 'Missing required field: insight_text';

/**
 * The insight's id: in the default tenant as the original computes it (the SHA-256 of its UTF-8 text, in
 * lowercase hex), in any other the SHA-256 of tenant and text (see the store's insightId).
 */
export { insightId } from '../../../services/store/index.js';

/**
 * The text of a lift request, or a 400 naming the field and the limit. Text that is not well-formed Unicode (a
 * lone surrogate) is refused: its UTF-8 form, which the id hashes and the store keeps, would not be the text sent.
 */
export function liftText(body: Record<string, unknown>): string {
  const text = body.insight_text;
  if (text === undefined) throw new DredgeError('invalid_input', MISSING_INSIGHT_TEXT);
  const bound = `insight_text must be a non-empty string of at most ${MAX_INSIGHT_BYTES} bytes (64 KiB) of UTF-8 text`;
  if (typeof text !== 'string') throw new DredgeError('invalid_input', `${bound}; it is ${kindOf(text)}.`);
  if (text.trim() === '') throw new DredgeError('invalid_input', `${bound}; it is empty.`);
  const bytes = Buffer.byteLength(text, 'utf8');
  if (bytes > MAX_INSIGHT_BYTES) throw new DredgeError('invalid_input', `${bound}; it has ${bytes} bytes.`);
  if (LONE_SURROGATE.test(text)) {
    throw new DredgeError(
      'invalid_input',
      'insight_text must be well-formed Unicode text (it holds a lone surrogate).',
    );
  }
  return text;
}

export const insightIdParams = z.object({
  id: z
    .string()
    .regex(/^[0-9a-fA-F]{64}$/, { error: 'must be 64 hexadecimal digits (the SHA-256 of the insight text)' })
    .transform((id) => id.toLowerCase()),
});

export const insightListQuery = z.object({
  offset: queryWholeNumber(0, MAX_OFFSET, 0),
  limit: queryWholeNumber(1, MAX_PAGE_LIMIT, DEFAULT_PAGE_LIMIT),
  q: queryText(MAX_SEARCH_LENGTH),
});

function kindOf(value: unknown): string {
  if (value === null) return 'null';
  if (Array.isArray(value)) return 'an array';
  return typeof value === 'object' ? 'an object' : `a ${typeof value}`;
}
