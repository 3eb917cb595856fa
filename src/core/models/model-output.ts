/**
 * A model's output as the original answers it: a list for the single waves ([N]), a list of rows otherwise
 * ([N][outputs]), as its tensors converted to lists.
 */
export function shapeOutput(values: Float64Array, shape: readonly number[]): number[] | number[][] {
  if (shape.length === 1) return Array.from(values);
  const width = shape[1] ?? 1;
  const rows = new Array<number[]>(shape[0] ?? 0);
  for (let r = 0; r < rows.length; r++) rows[r] = Array.from(values.subarray(r * width, (r + 1) * width));
  return rows;
}
