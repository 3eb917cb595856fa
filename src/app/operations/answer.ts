import { z } from 'zod';
import { MODEL_TYPES, type DeviceName } from '../../core/index.js';

/**
 * Builders of the operations' output schemas: what a success answer holds, as every door sends it. These describe
 * answers, they never check them on the request path; a test runs every operation against its schema.
 */

const success = z
  .literal(true)
  .describe('Always true in a success (a failure answers success: false with error and code instead)');

const cached = z
  .boolean()
  .describe(
    'Whether this answer came from the result cache (false when it was computed, or when caching is off)',
  );

/** The success answer of an operation without a cache policy: `success: true`, then its own fields. */
export function answer<const Shape extends z.ZodRawShape>(shape: Shape) {
  return z.object({ success, ...shape });
}

/** The success answer of an operation with a cache policy: its fields, then `cached` last, as the original's. */
export function cachedAnswer<const Shape extends z.ZodRawShape>(shape: Shape) {
  return z.object({ success, ...shape, cached });
}

/**
 * A computed real number as JSON carries it: a diverging fit or an overflow makes NaN or ±Infinity, which JSON has
 * no words for, so they arrive as null.
 */
export function real(description: string) {
  return z.number().nullable().describe(`${description} (null where the value is not finite)`);
}

export function count(description: string) {
  return z.number().int().min(0).describe(description);
}

/** An instant as ISO 8601 text in UTC (`2026-01-02T03:04:05.678Z`). */
export function instant(description: string) {
  return z.string().describe(`${description}, ISO 8601 in UTC`);
}

export const modelIdOut = z
  .string()
  .describe('The model’s id, `<model_type>_<n>` (random in a tenant’s own)');
export const modelTypeOut = z.enum(MODEL_TYPES).describe('The model’s type');
export const parameterCountOut = count('How many trainable values the model has');
export const versionOut = z
  .number()
  .int()
  .min(0)
  .describe(
    'The model’s version: 0 when loaded, one more with every change of its parameters (each training step)',
  );
export const deviceOut = z
  .enum(['cpu', 'cuda', 'mps'] as const satisfies readonly DeviceName[])
  .describe('The device that computed it (always cpu here: cuda and mps requests fall back to it)');
export const lossCurveOut = z
  .array(real('Mean squared error'))
  .describe('The loss every max(1, ⌊epochs/10⌋)-th epoch, from the first');
