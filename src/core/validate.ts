import { ComputeInputError } from './errors.js';

/** Small checks shared by every public entry point; each throws ComputeInputError naming the field and the bound. */

function describe(value: unknown): string {
  if (typeof value === 'number') return String(value);
  if (typeof value === 'string') return JSON.stringify(value.length > 40 ? `${value.slice(0, 40)}…` : value);
  if (value === null) return 'null';
  if (Array.isArray(value)) return 'an array';
  return typeof value;
}

export function requireInteger(field: string, value: unknown, min: number, max: number): number {
  if (typeof value !== 'number' || !Number.isInteger(value) || value < min || value > max) {
    throw new ComputeInputError(
      field,
      `${field} must be an integer from ${min} to ${max} (got ${describe(value)})`,
    );
  }
  return value;
}

export function requireFinite(field: string, value: unknown): number {
  if (typeof value !== 'number' || !Number.isFinite(value)) {
    throw new ComputeInputError(field, `${field} must be a finite number (got ${describe(value)})`);
  }
  return value;
}

/** A finite number with min < value ≤ max (min itself excluded: used for scales that must be positive). */
export function requirePositive(field: string, value: unknown, max = Number.MAX_VALUE): number {
  const v = requireFinite(field, value);
  if (!(v > 0) || v > max) {
    throw new ComputeInputError(
      field,
      `${field} must be greater than 0 and at most ${max} (got ${describe(v)})`,
    );
  }
  return v;
}

export function requireInRange(field: string, value: unknown, min: number, max: number): number {
  const v = requireFinite(field, value);
  if (v < min || v > max) {
    throw new ComputeInputError(field, `${field} must be between ${min} and ${max} (got ${describe(v)})`);
  }
  return v;
}

export function requireBoolean(field: string, value: unknown): boolean {
  if (typeof value !== 'boolean') {
    throw new ComputeInputError(field, `${field} must be true or false (got ${describe(value)})`);
  }
  return value;
}

export function requireArray(field: string, value: unknown, maxLength: number): readonly unknown[] {
  if (!Array.isArray(value))
    throw new ComputeInputError(field, `${field} must be an array (got ${describe(value)})`);
  if (value.length > maxLength) {
    throw new ComputeInputError(field, `${field} may hold at most ${maxLength} values (got ${value.length})`);
  }
  return value;
}

/** A list of finite numbers given as an array or a typed array, at most maxLength long. */
export function requireFiniteList(field: string, value: unknown, maxLength: number): readonly number[] {
  const list = ArrayBuffer.isView(value)
    ? Array.from(value as Float64Array)
    : requireArray(field, value, maxLength);
  if (list.length > maxLength) {
    throw new ComputeInputError(field, `${field} may hold at most ${maxLength} values (got ${list.length})`);
  }
  for (let i = 0; i < list.length; i++) {
    const v = list[i];
    if (typeof v !== 'number' || !Number.isFinite(v)) {
      throw new ComputeInputError(field, `${field}[${i}] must be a finite number (got ${describe(v)})`);
    }
  }
  return list as readonly number[];
}
