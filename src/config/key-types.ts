import { z } from 'zod';
import type { Feature } from './features.js';

/**
 * One configuration key: how to read it from text (environment, `.env`, flags) or JSON (`.dredge.json`),
 * its default, and the sentence that says what is allowed. The same name is used in every source.
 */
export type KeyShape =
  | { readonly kind: 'boolean' }
  | { readonly kind: 'integer' | 'decimal'; readonly min: number; readonly max: number }
  | { readonly kind: 'ratio' }
  | { readonly kind: 'enum'; readonly choices: readonly string[] }
  | {
      readonly kind: 'string';
      readonly maxLength: number;
      readonly pattern?: RegExp;
      readonly example?: string;
    };

export interface ConfigKey<T> {
  readonly schema: z.ZodType<T>;
  /** What values look like: drives documentation and the validation tests. */
  readonly shape: KeyShape;
  readonly defaultValue: T;
  /** Completes "expected …" in error messages and documents the bound. */
  readonly allowed: string;
  readonly description: string;
  readonly feature: Feature;
  /** Secrets are redacted wherever configuration is shown or logged. */
  readonly secret: boolean;
}

export type ValueOf<K> = K extends ConfigKey<infer T> ? T : never;

interface KeyOptions {
  description: string;
  feature: Feature;
  secret?: boolean;
}

/** Text sources give strings; an empty string means "not set", as in the original's env file (`API_KEY=`). */
const emptyToUndefined = (value: unknown): unknown =>
  typeof value === 'string' && value.trim() === ''
    ? undefined
    : typeof value === 'string'
      ? value.trim()
      : value;

const TRUE_WORDS = new Set(['true', '1', 'yes', 'on']);
const FALSE_WORDS = new Set(['false', '0', 'no', 'off']);

function toBoolean(value: unknown): unknown {
  if (typeof value !== 'string') return value;
  const word = value.toLowerCase();
  if (TRUE_WORDS.has(word)) return true;
  if (FALSE_WORDS.has(word)) return false;
  return value;
}

function toNumber(value: unknown): unknown {
  if (typeof value !== 'string') return value;
  const number = Number(value);
  return value !== '' && Number.isFinite(number) ? number : value;
}

function build<T>(
  schema: z.ZodType<T>,
  shape: KeyShape,
  defaultValue: T,
  allowed: string,
  options: KeyOptions,
): ConfigKey<T> {
  return {
    schema,
    shape,
    defaultValue,
    allowed,
    description: options.description,
    feature: options.feature,
    secret: options.secret ?? false,
  };
}

export function booleanKey(defaultValue: boolean, options: KeyOptions): ConfigKey<boolean> {
  const schema = z.preprocess((v) => toBoolean(emptyToUndefined(v)), z.boolean().default(defaultValue));
  return build(
    schema,
    { kind: 'boolean' },
    defaultValue,
    'true or false (also 1/0, yes/no, on/off)',
    options,
  );
}

export function integerKey(
  min: number,
  max: number,
  defaultValue: number,
  options: KeyOptions & { unit?: string },
): ConfigKey<number> {
  const schema = z.preprocess(
    (v) => toNumber(emptyToUndefined(v)),
    z.number().int().min(min).max(max).default(defaultValue),
  );
  const unit = options.unit ? ` ${options.unit}` : '';
  return build(
    schema,
    { kind: 'integer', min, max },
    defaultValue,
    `a whole number from ${min} to ${max}${unit}`,
    options,
  );
}

export function decimalKey(
  min: number,
  max: number,
  defaultValue: number,
  options: KeyOptions & { unit: string },
): ConfigKey<number> {
  const schema = z.preprocess(
    (v) => toNumber(emptyToUndefined(v)),
    z.number().gt(min).max(max).default(defaultValue),
  );
  return build(
    schema,
    { kind: 'decimal', min, max },
    defaultValue,
    `a number greater than ${min} and at most ${max} ${options.unit}`,
    options,
  );
}

/** A share from 0 to 1, both included. */
export function ratioKey(defaultValue: number, options: KeyOptions): ConfigKey<number> {
  const schema = z.preprocess(
    (v) => toNumber(emptyToUndefined(v)),
    z.number().min(0).max(1).default(defaultValue),
  );
  return build(schema, { kind: 'ratio' }, defaultValue, 'a number from 0 to 1', options);
}

export function enumKey<const V extends readonly [string, ...string[]]>(
  values: V,
  defaultValue: V[number],
  options: KeyOptions & { aliases?: Readonly<Record<string, V[number]>> },
): ConfigKey<V[number]> {
  const aliases = options.aliases ?? {};
  const normalise = (v: unknown): unknown => {
    const value = emptyToUndefined(v);
    if (typeof value !== 'string') return value;
    const lower = value.toLowerCase();
    return aliases[lower] ?? lower;
  };
  const schema = z.preprocess(normalise, z.enum(values).default(defaultValue)) as z.ZodType<V[number]>;
  return build(
    schema,
    { kind: 'enum', choices: values },
    defaultValue,
    `one of ${values.join(', ')}`,
    options,
  );
}

/** A string's form: an optional pattern, described in words, with a valid example for docs and tests. */
interface StringForm {
  pattern?: RegExp;
  patternText?: string;
  example?: string;
}

function stringSchema(maxLength: number, form: StringForm): z.ZodString {
  const base = z.string().max(maxLength);
  return form.pattern ? base.regex(form.pattern) : base;
}

function stringShape(maxLength: number, form: StringForm): KeyShape {
  return {
    kind: 'string',
    maxLength,
    ...(form.pattern ? { pattern: form.pattern } : {}),
    ...(form.example ? { example: form.example } : {}),
  };
}

export function stringKey(
  defaultValue: string,
  maxLength: number,
  options: KeyOptions & StringForm,
): ConfigKey<string> {
  const schema = z.preprocess(emptyToUndefined, stringSchema(maxLength, options).default(defaultValue));
  const allowed = `${options.patternText ?? 'text'} of at most ${maxLength} characters`;
  return build(schema, stringShape(maxLength, options), defaultValue, allowed, options);
}

export function optionalStringKey(
  maxLength: number,
  options: KeyOptions & StringForm,
): ConfigKey<string | undefined> {
  const schema = z.preprocess(emptyToUndefined, stringSchema(maxLength, options).optional());
  const allowed = `${options.patternText ?? 'text'} of at most ${maxLength} characters, or empty`;
  return build(schema, stringShape(maxLength, options), undefined, allowed, options);
}
