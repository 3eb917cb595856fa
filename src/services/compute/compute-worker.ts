/**
 * A whole training in a worker thread (run by the training pool): the model arrives as JSON, the data as
 * transferred typed arrays; progress goes back over the given port; the trained model returns as JSON. Large
 * batches are split further across gradient workers (fitParallel), as on the main thread.
 */
import type { MessagePort } from 'node:worker_threads';
import { inputFromTrustedColumns, modelFromJSON, type SerializedModel } from '../../core/index.js';
import { fitParallel, planThreads } from './parallel-fit.js';

export interface TrainingTask {
  readonly model: SerializedModel;
  readonly columns: readonly Float64Array[];
  readonly target: Float64Array;
  readonly epochs: number;
  readonly learningRate: number;
  readonly gradClipNorm?: number;
  readonly progressEvery: number;
  /** Most threads this training may use for gradient shards (NUM_WORKERS). */
  readonly maxThreads: number;
  readonly progress: MessagePort;
}

export interface TrainingOutcome {
  readonly model: SerializedModel;
  readonly losses: Float64Array;
}

export default async function train(task: TrainingTask): Promise<TrainingOutcome> {
  const model = modelFromJSON(task.model);
  const input = inputFromTrustedColumns([...task.columns]);
  const threads = Math.min(planThreads(model, input.size), task.maxThreads);
  try {
    const result = await fitParallel(
      model,
      { input, target: task.target },
      {
        threads,
        epochs: task.epochs,
        learningRate: task.learningRate,
        ...(task.gradClipNorm === undefined ? {} : { gradClipNorm: task.gradClipNorm }),
        progressEvery: task.progressEvery,
        onProgress: (progress) => task.progress.postMessage(progress),
      },
    );
    return { model: model.toJSON(), losses: result.losses };
  } finally {
    // The last message on the port: the pool waits for it, so no progress message arrives after the result.
    task.progress.postMessage({ done: true });
    task.progress.close();
  }
}
