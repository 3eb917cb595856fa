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

export function oneOf<const V extends readonly [string, ...string[]]>(values: V) {
  return z.enum(values, { error: `must be one of ${values.join(', ')}` });
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
  const message = issue.message.startsWith('must') ? issue.message : `is invalid (${issue.message})`;
  return `${field} ${message}`;
}
