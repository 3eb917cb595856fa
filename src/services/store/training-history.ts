/** The most loss points a model's stored training history keeps, whatever the number of epochs. */
export const MAX_HISTORY_POINTS = 500;

/**
 * The last training of a model, as the store keeps it for the dashboard's convergence curve: the data set it was
 * fitted to and its loss curve thinned to at most MAX_HISTORY_POINTS points (epoch numbers start at 1), so a
 * 100,000-epoch training costs the store a few kilobytes like a short one.
 */
export interface TrainingHistory {
  readonly dataset: string;
  readonly epochs: number;
  readonly initialLoss: number;
  readonly finalLoss: number;
  /** Epoch numbers of the kept points, ascending; the first and the last epoch are always kept. */
  readonly lossEpochs: readonly number[];
  readonly losses: readonly number[];
  /** ISO 8601. */
  readonly trainedAt: string;
}

/**
 * Thins every epoch's loss to at most `maxPoints` evenly spaced epochs, keeping the first and the last, so the
 * curve's start and end are exact and its shape is kept.
 */
export function trainingHistory(
  dataset: string,
  losses: ArrayLike<number>,
  trainedAt: Date = new Date(),
  maxPoints: number = MAX_HISTORY_POINTS,
): TrainingHistory {
  const epochs = losses.length;
  const kept = Math.min(epochs, Math.max(2, maxPoints));
  const lossEpochs: number[] = [];
  const values: number[] = [];
  for (let i = 0; i < kept; i++) {
    const index = kept === 1 ? 0 : Math.round((i * (epochs - 1)) / (kept - 1));
    if (lossEpochs.length > 0 && lossEpochs[lossEpochs.length - 1] === index + 1) continue;
    lossEpochs.push(index + 1);
    values.push(finite(losses[index] as number));
  }
  return {
    dataset,
    epochs,
    initialLoss: finite(losses[0] as number),
    finalLoss: finite(losses[epochs - 1] as number),
    lossEpochs,
    losses: values,
    trainedAt: trainedAt.toISOString(),
  };
}

/**
 * A stored history read back: anything malformed (a damaged row, a value written by a later version) reads as
 * no history rather than failing the model it belongs to.
 */
export function parseTrainingHistory(text: string | null | undefined): TrainingHistory | undefined {
  if (!text) return undefined;
  try {
    const value = JSON.parse(text) as Partial<TrainingHistory>;
    const ok =
      typeof value.dataset === 'string' &&
      typeof value.epochs === 'number' &&
      typeof value.trainedAt === 'string' &&
      Array.isArray(value.lossEpochs) &&
      Array.isArray(value.losses) &&
      value.lossEpochs.length === value.losses.length &&
      value.losses.length <= MAX_HISTORY_POINTS;
    return ok ? (value as TrainingHistory) : undefined;
  } catch {
    return undefined;
  }
}

/** JSON has no NaN or Infinity: a diverged training's loss is kept as the largest double instead. */
function finite(value: number): number {
  if (Number.isFinite(value)) return value;
  return Number.isNaN(value) ? Number.MAX_VALUE : Math.sign(value) * Number.MAX_VALUE;
}
