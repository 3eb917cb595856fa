import { ComputeInputError } from '../errors.js';
import { MAX_BATCH_SIZE } from '../limits.js';

/**
 * A batch of rows given to a model, as one Float64Array per input column (x, t / x, y, z, t / x1…x5, t /
 * the features of StringTheoryNN). Columns are what the kernels stream through, and what the wire format
 * sends for the wave models; a row-major matrix is converted once with `inputFromRows`.
 */
export interface ModelInput {
  readonly size: number;
  readonly columns: readonly Float64Array[];
}

function checkSize(field: string, size: number): void {
  if (size < 1 || size > MAX_BATCH_SIZE) {
    throw new ComputeInputError(field, `${field} must hold from 1 to ${MAX_BATCH_SIZE} rows (got ${size})`);
  }
}

function toColumn(field: string, values: ArrayLike<number>): Float64Array {
  const column = values instanceof Float64Array ? values : Float64Array.from(values);
  for (let i = 0; i < column.length; i++) {
    if (!Number.isFinite(column[i])) {
      throw new ComputeInputError(field, `${field}[${i}] must be a finite number`);
    }
  }
  return column;
}

/**
 * A batch from named columns, in the order the model lists them (`model.inputNames`). Every column must be
 * present, as long as the others, finite, and 1 … MAX_BATCH_SIZE long.
 */
export function inputFromColumns(
  names: readonly string[],
  record: Readonly<Record<string, ArrayLike<number> | undefined>>,
): ModelInput {
  let size = -1;
  const columns = names.map((name) => {
    const values = record[name];
    if (values === undefined || typeof values !== 'object' || typeof values.length !== 'number') {
      throw new ComputeInputError(name, `${name} must be an array of numbers`);
    }
    if (values.length > MAX_BATCH_SIZE) checkSize(name, values.length);
    const column = toColumn(name, values);
    if (size === -1) size = column.length;
    else if (column.length !== size) {
      throw new ComputeInputError(name, `${name} has ${column.length} values; ${names[0] ?? ''} has ${size}`);
    }
    return column;
  });
  checkSize(names[0] ?? 'inputs', size);
  return { size, columns };
}

/** A batch from rows of `width` numbers each (StringTheoryNN's [N][d], the interference basis' x). */
export function inputFromRows(
  field: string,
  rows: readonly (readonly number[])[],
  width: number,
): ModelInput {
  if (!Array.isArray(rows)) throw new ComputeInputError(field, `${field} must be an array of rows`);
  checkSize(field, rows.length);
  const columns = Array.from({ length: width }, () => new Float64Array(rows.length));
  for (let i = 0; i < rows.length; i++) {
    const row = rows[i];
    if (!Array.isArray(row) || row.length !== width) {
      throw new ComputeInputError(field, `${field}[${i}] must be a row of ${width} numbers`);
    }
    for (let c = 0; c < width; c++) {
      const v: unknown = row[c];
      if (typeof v !== 'number' || !Number.isFinite(v)) {
        throw new ComputeInputError(field, `${field}[${i}][${c}] must be a finite number`);
      }
      (columns[c] as Float64Array)[i] = v;
    }
  }
  return { size: rows.length, columns };
}

/** A batch from existing columns without copying or checking values (generated data, worker shards). */
export function inputFromTrustedColumns(columns: readonly Float64Array[]): ModelInput {
  const size = columns[0]?.length ?? 0;
  for (const c of columns) {
    if (c.length !== size)
      throw new ComputeInputError('inputs', 'all input columns must have the same length');
  }
  checkSize('inputs', size);
  return { size, columns };
}
