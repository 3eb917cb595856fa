/**
 * torch.nn.utils.clip_grad_norm_: when the L2 norm of all gradients exceeds maxNorm, scale them by
 * maxNorm / (norm + 1e-6). Returns the norm before clipping.
 */
export function clipGradientNorm(grad: Float64Array, maxNorm: number, length = grad.length): number {
  let squares = 0;
  for (let i = 0; i < length; i++) {
    const g = grad[i] as number;
    squares += g * g;
  }
  const norm = Math.sqrt(squares);
  const coefficient = maxNorm / (norm + 1e-6);
  if (coefficient < 1) {
    for (let i = 0; i < length; i++) grad[i] = (grad[i] as number) * coefficient;
  }
  return norm;
}
