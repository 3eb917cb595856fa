/** Mean squared error, as torch.nn.MSELoss (mean over every element). */
export function meanSquaredError(
  prediction: Float64Array,
  target: Float64Array,
  length = prediction.length,
): number {
  let sum = 0;
  for (let i = 0; i < length; i++) {
    const r = (prediction[i] as number) - (target[i] as number);
    sum += r * r;
  }
  return sum / length;
}
