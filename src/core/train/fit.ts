import { ComputeInputError } from '../errors.js';
import { MAX_EPOCHS, MAX_GRAD_CLIP_NORM, MAX_LEARNING_RATE } from '../limits.js';
import type { ModelBase } from '../models/model.js';
import type { ModelInput } from '../models/model-input.js';
import { requireInteger, requirePositive } from '../validate.js';
import { Adam } from './adam.js';
import { clipGradientNorm } from './clip.js';

/** The reference's benchmark operation trains with Adam at this learning rate. */
export const DEFAULT_LEARNING_RATE = 1e-2;

export interface TrainingData {
  readonly input: ModelInput;
  readonly target: Float64Array;
}

export interface OptimizerOptions {
  /** 0 < lr ≤ MAX_LEARNING_RATE; default 1e-2. */
  readonly learningRate?: number;
  /** Adam's (β1, β2); default PyTorch's (0.9, 0.999). */
  readonly betas?: readonly [number, number];
  /** Adam's ε; default 1e-8. */
  readonly eps?: number;
  /** When set, gradients are clipped to this L2 norm before each step (torch.nn.utils.clip_grad_norm_). */
  readonly gradClipNorm?: number;
}

export interface FitProgress {
  /** Epochs completed so far (1 … epochs). */
  readonly epoch: number;
  readonly epochs: number;
  /** Loss of the latest epoch (measured before its update, as PyTorch's loop reports it). */
  readonly loss: number;
}

export interface FitOptions extends OptimizerOptions {
  /** 1 … MAX_EPOCHS. */
  readonly epochs: number;
  /** Called every `progressEvery` epochs and after the last one. */
  readonly onProgress?: (progress: FitProgress) => void;
  /** Default: a hundredth of the epochs (at least 1). */
  readonly progressEvery?: number;
  /** Checked before every epoch; when aborted, fitting stops by throwing the signal's reason. */
  readonly signal?: AbortSignal;
}

export interface AsyncFitOptions extends FitOptions {
  /** `fit` gives the event loop a turn after this much work (ms), so aborts and other requests get through. */
  readonly yieldEveryMs?: number;
}

export interface FitResult {
  readonly epochs: number;
  /** Loss of every epoch, before that epoch's update. */
  readonly losses: Float64Array;
  readonly initialLoss: number;
  readonly finalLoss: number;
}

/**
 * One model, one data set, one Adam: `step()` is an epoch (fused loss and gradient over the whole batch,
 * optional clipping, the Adam update, a version bump). Buffers (gradient, moments) are allocated once.
 * `applyGradient` is the second half alone, for callers that compute the gradient elsewhere (worker shards).
 */
export class Trainer {
  readonly model: ModelBase;
  readonly data: TrainingData;
  readonly optimizer: Adam;
  readonly gradient: Float64Array;
  readonly #clip: number | undefined;

  constructor(model: ModelBase, data: TrainingData, options: OptimizerOptions = {}) {
    const lr = requirePositive(
      'learning_rate',
      options.learningRate ?? DEFAULT_LEARNING_RATE,
      MAX_LEARNING_RATE,
    );
    const [beta1, beta2] = options.betas ?? [0.9, 0.999];
    for (const [name, beta] of [
      ['beta1', beta1],
      ['beta2', beta2],
    ] as const) {
      if (!(beta >= 0 && beta < 1))
        throw new ComputeInputError(name, `${name} must be in [0, 1) (got ${beta})`);
    }
    const eps = requirePositive('eps', options.eps ?? 1e-8, 1);
    this.#clip =
      options.gradClipNorm === undefined
        ? undefined
        : requirePositive('grad_clip', options.gradClipNorm, MAX_GRAD_CLIP_NORM);
    this.model = model;
    this.data = data;
    this.optimizer = new Adam(model.parameterCount, { learningRate: lr, beta1, beta2, eps });
    this.gradient = new Float64Array(model.parameterCount);
  }

  /** One epoch; returns its loss (before the update). */
  step(): number {
    const loss = this.model.lossAndGradient(this.data.input, this.data.target, this.gradient);
    this.applyGradient(this.gradient);
    return loss;
  }

  /** Clips (if configured) and applies a gradient computed elsewhere. */
  applyGradient(gradient: Float64Array): void {
    if (this.#clip !== undefined) clipGradientNorm(gradient, this.#clip, this.model.parameterCount);
    this.optimizer.step(this.model.parameters, gradient);
    this.model.markChanged();
  }
}

function checkEpochs(options: FitOptions): { epochs: number; every: number } {
  const epochs = requireInteger('epochs', options.epochs, 1, MAX_EPOCHS);
  const every = requireInteger(
    'progress_every',
    options.progressEvery ?? Math.max(1, Math.floor(epochs / 100)),
    1,
    MAX_EPOCHS,
  );
  return { epochs, every };
}

/** A fit's answer from the loss of every epoch. */
export function fitResult(losses: Float64Array): FitResult {
  return {
    epochs: losses.length,
    losses,
    initialLoss: losses[0] as number,
    finalLoss: losses[losses.length - 1] as number,
  };
}

/**
 * Trains without ever yielding: the fastest way when the caller owns the thread (a worker, a CLI, a
 * benchmark). An abort is only seen if it happens during the run, i.e. from the progress callback.
 */
export function fitSync(model: ModelBase, data: TrainingData, options: FitOptions): FitResult {
  const { epochs, every } = checkEpochs(options);
  const trainer = new Trainer(model, data, options);
  const losses = new Float64Array(epochs);
  for (let e = 0; e < epochs; e++) {
    options.signal?.throwIfAborted();
    const loss = trainer.step();
    losses[e] = loss;
    if (options.onProgress && ((e + 1) % every === 0 || e + 1 === epochs)) {
      options.onProgress({ epoch: e + 1, epochs, loss });
    }
  }
  return fitResult(losses);
}

/** An asynchronous fit's checked schedule: its epochs, how often it reports progress, how long it runs unbroken. */
export interface EpochSchedule {
  readonly epochs: number;
  readonly progressEvery: number;
  readonly yieldEveryMs: number;
}

/** `fit`'s options checked, in the core's sentences, before any work starts. */
export function epochSchedule(options: AsyncFitOptions): EpochSchedule {
  const { epochs, every } = checkEpochs(options);
  const yieldEveryMs = requirePositive('yield_every_ms', options.yieldEveryMs ?? 20, 60_000);
  return { epochs, progressEvery: every, yieldEveryMs };
}

const yieldToEventLoop = (): Promise<void> => new Promise((resolve) => setTimeout(resolve, 0));

/**
 * The epoch loop of every asynchronous fit (`fit` here, `fitParallel` across threads): `step(epoch)` runs epoch
 * 1 … epochs and answers its loss. The event loop gets a turn every `yieldEveryMs`, so that an abort (checked
 * before every epoch: it stops the loop by throwing the signal's reason) and other requests get through.
 */
export async function runEpochs(
  schedule: EpochSchedule,
  options: Pick<FitOptions, 'onProgress' | 'signal'>,
  step: (epoch: number) => number,
): Promise<FitResult> {
  const { epochs, progressEvery, yieldEveryMs } = schedule;
  const losses = new Float64Array(epochs);
  let sliceStart = Date.now();
  for (let e = 0; e < epochs; e++) {
    if (Date.now() - sliceStart >= yieldEveryMs) {
      await yieldToEventLoop();
      sliceStart = Date.now();
    }
    options.signal?.throwIfAborted();
    const epoch = e + 1;
    const loss = step(epoch);
    losses[e] = loss;
    if (options.onProgress && (epoch % progressEvery === 0 || epoch === epochs)) {
      options.onProgress({ epoch, epochs, loss });
    }
  }
  return fitResult(losses);
}

/** Trains like fitSync but yields to the event loop every `yieldEveryMs` (default 20 ms), so it can be aborted. */
export async function fit(
  model: ModelBase,
  data: TrainingData,
  options: AsyncFitOptions,
): Promise<FitResult> {
  const schedule = epochSchedule(options);
  const trainer = new Trainer(model, data, options);
  return runEpochs(schedule, options, () => trainer.step());
}

/** The reference's `losses` field: every max(1, ⌊epochs/10⌋)-th epoch's loss, starting with the first. */
export function decimateLosses(losses: ArrayLike<number>, epochs: number = losses.length): number[] {
  const stride = Math.max(1, Math.floor(epochs / 10));
  const out: number[] = [];
  for (let i = 0; i < losses.length; i += stride) out.push(losses[i] as number);
  return out;
}
