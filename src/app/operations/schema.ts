import { z } from 'zod';
import { DredgeError } from '../../services/errors.js';

/**
 * Schema builders whose every failure reads as the end of a sentence about the field ("must be …"),
 * so that `describeIssue` can answer `params.max_modes must be a whole number from 1 to 10000`.
 * Each states its bound: there is no unbounded number, array or string in any operation.
 */

export function wholeNumber(min: number, max: number): z.ZodNumber {
  const message = `must be a whole number from ${min} to ${max}`;
  return z
    .number({ error: message })
    .int({ error: message })
    .min(min, { error: message })
    .max(max, { error: message });
}

export function finiteNumber(min: number, max: number): z.ZodNumber {
  const message = `must be a finite number from ${min} to ${max}`;
  return z.number({ error: message }).min(min, { error: message }).max(max, { error: message });
}

/** A number strictly above `min` (a learning rate, a clipping norm). */
export function positiveNumber(max: number): z.ZodNumber {
  const message = `must be a number greater than 0 and at most ${max}`;
  return z.number({ error: message }).gt(0, { error: message }).max(max, { error: message });
}

/**
 * An array of finite numbers, checked by one loop over it and passed on as it is (described to JSON Schema by its
 * metadata). Not z.array(z.number()): zod copies the array and runs its checks on every element (about 70 ns a
 * number, 9 ms for 131,072 values on the event loop), where this loop takes a fiftieth of that.
 */
export function numberArray(maxLength: number, minLength = 0): z.ZodType<number[]> {
  const sizes = minLength > 0 ? `of ${minLength} to ${maxLength}` : `of at most ${maxLength}`;
  const message = `must be an array ${sizes} finite numbers`;
  return z
    .custom<number[]>(
      (value) =>
        Array.isArray(value) &&
        value.length >= minLength &&
        value.length <= maxLength &&
        allFiniteNumbers(value),
      { error: message },
    )
    .meta({ type: 'array', items: { type: 'number' }, minItems: minLength, maxItems: maxLength });
}

function allFiniteNumbers(values: readonly unknown[]): boolean {
  for (let i = 0; i < values.length; i++) {
    const value = values[i];
    if (typeof value !== 'number' || !Number.isFinite(value)) return false;
  }
  return true;
}

export function wholeNumberArray(maxLength: number, min: number, max: number): z.ZodArray<z.ZodNumber> {
  const message = `must be an array of at most ${maxLength} whole numbers from ${min} to ${max}`;
  const item = z
    .number({ error: message })
    .int({ error: message })
    .min(min, { error: message })
    .max(max, { error: message });
  return z.array(item, { error: message }).max(maxLength, { error: message });
}

/** Rows of equal width, `[N][width]`, checked as `numberArray` checks its numbers. */
export function numberMatrix(maxRows: number, width: number): z.ZodType<number[][]> {
  const message = `must be a matrix of at most ${maxRows} rows of ${width} finite numbers`;
  return z
    .custom<number[][]>(
      (value) =>
        Array.isArray(value) &&
        value.length <= maxRows &&
        value.every((row) => Array.isArray(row) && row.length === width && allFiniteNumbers(row)),
      { error: message },
    )
    .meta({
      type: 'array',
      maxItems: maxRows,
      items: { type: 'array', items: { type: 'number' }, minItems: width, maxItems: width },
    });
}

export function boundedString(maxLength: number, minLength = 0): z.ZodString {
  const message =
    minLength > 0
      ? `must be a string of ${minLength} to ${maxLength} characters`
      : `must be a string of at most ${maxLength} characters`;
  return z.string({ error: message }).min(minLength, { error: message }).max(maxLength, { error: message });
}

export function patternString(pattern: RegExp, maxLength: number, shape: string): z.ZodString {
  const message = `must be ${shape} (at most ${maxLength} characters)`;
  return z.string({ error: message }).max(maxLength, { error: message }).regex(pattern, { error: message });
}

/**
 * One of `values`. `originalWords`, given a bad value as text, says what the original answered for it (`Unknown
 * model type: nonexistent`): its clients match on those words, so the sentence starts with them.
 */
export function oneOf<const V extends readonly [string, ...string[]]>(
  values: V,
  originalWords?: (value: string) => string,
) {
  const must = `must be one of ${values.join(', ')}`;
  if (!originalWords) return z.enum(values, { error: must });
  // A missing value was no bad value to the original either: it gets our sentence alone.
  return z.enum(values, {
    error: (issue) =>
      issue.input === undefined ? must : withOriginalWords(originalWords(shownValue(issue.input)), must),
  });
}

/** Where the original's words end and our "must …" begins, in a message made by `withOriginalWords`. */
const ORIGINAL_WORDS_END = '. must ';

/**
 * A failure message that starts with the original's own sentence for the failure (its clients match on it)
 * and goes on with ours: `describeIssue` turns `withOriginalWords('Invalid state: bogus', "must be 'dismissed'
 * or 'open'")` into `Invalid state: bogus. params.state must be 'dismissed' or 'open'`.
 */
export function withOriginalWords(words: string, must: string): string {
  return `${words}. ${must}`;
}

/** The most characters of a client's value repeated in a sentence. */
const SHOWN_VALUE_CHARACTERS = 100;

/**
 * A client's value as the original showed it in its sentences (a string as it is, anything else as JSON),
 * shortened to 100 characters with "…" so that a huge value does not make a huge answer.
 */
export function shownValue(value: unknown): string {
  const text = typeof value === 'string' ? value : (JSON.stringify(value) ?? String(value));
  if (text.length <= SHOWN_VALUE_CHARACTERS) return text;
  // Never end on half a surrogate pair.
  const end = /[\uD800-\uDBFF]/.test(text.charAt(SHOWN_VALUE_CHARACTERS - 1))
    ? SHOWN_VALUE_CHARACTERS - 1
    : SHOWN_VALUE_CHARACTERS;
  return `${text.slice(0, end)}…`;
}

export function flag() {
  return z.boolean({ error: 'must be true or false' });
}

/**
 * The value `schema` makes of `value`, or a 400 whose sentence names the first problem from `root` (the field's
 * path in the request body, for example `params` or `params.config`). The one way input is checked at every door.
 */
export function parseOrThrow<T>(schema: z.ZodType<T>, value: unknown, root: string): T {
  const parsed = schema.safeParse(value);
  if (parsed.success) return parsed.data;
  const issue = parsed.error.issues[0];
  throw new DredgeError(
    'invalid_input',
    issue ? describeIssue(issue, root) : `${root || 'the request'} is invalid`,
  );
}

/**
 * One sentence for the first problem zod found, naming the field by its path from the request body
 * (`params.inputs.x`). Array positions are left out of the name: the sentence describes the whole field.
 */
export function describeIssue(issue: z.core.$ZodIssue, root: string): string {
  const named = issue.path.filter((segment) => typeof segment === 'string');
  const field = [root, ...named].filter(Boolean).join('.');
  if (issue.code === 'unrecognized_keys') {
    const keys = issue.keys.join(', ');
    return `${field} has unknown field${issue.keys.length > 1 ? 's' : ''} ${keys}`;
  }
  // The last ". must " is the one withOriginalWords put there: a client's value only ever comes before it.
  const wordsEnd = issue.message.lastIndexOf(ORIGINAL_WORDS_END);
  if (wordsEnd >= 0)
    return `${issue.message.slice(0, wordsEnd)}. ${field} ${issue.message.slice(wordsEnd + 2)}`;
  const message = issue.message.startsWith('must') ? issue.message : `is invalid (${issue.message})`;
  return `${field} ${message}`;
}
