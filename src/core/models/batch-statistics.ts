/**
 * A batch's statistics of one column of a row-major `rows × h` matrix, as BatchNorm in training mode takes them:
 * the float network and its int8 copy both read them here, so the two compute the same bits.
 */

/** The mean of column `j`. */
export function columnMean(z: Float64Array, rows: number, h: number, j: number): number {
  let sum = 0;
  for (let i = 0; i < rows; i++) sum += z[i * h + j] as number;
  return sum / rows;
}

/** The sum of squared deviations of column `j` from `mean` (the biased variance times `rows`). */
export function columnSquares(z: Float64Array, rows: number, h: number, j: number, mean: number): number {
  let squares = 0;
  for (let i = 0; i < rows; i++) {
    const dz = (z[i * h + j] as number) - mean;
    squares += dz * dz;
  }
  return squares;
}
