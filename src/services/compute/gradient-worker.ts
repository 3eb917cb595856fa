/**
 * A gradient shard in its own thread. It restores the model from its snapshot once, then per epoch: wait for the main
 * thread's signal, copy the parameters it published, compute Σ r² and the gradient of its rows into shared
 * memory, signal back. Shared memory and Atomics keep an epoch's hand-off to microseconds (messages would cost
 * a structured clone and an event-loop turn each way).
 */
import { parentPort, workerData } from 'node:worker_threads';
import { inputFromTrustedColumns, modelFromSnapshot, type ModelSnapshot } from '../../core/index.js';
import { CONTROL, STOP, WORKER_FAILED } from './protocol.js';
import { lowerThreadPriority } from './thread-priority.js';

lowerThreadPriority(); // as every compute thread: the event loop comes first

export interface GradientWorkerData {
  readonly model: ModelSnapshot;
  /** This shard's rows of every input column, and of the target. */
  readonly columns: readonly SharedArrayBuffer[];
  readonly target: SharedArrayBuffer;
  readonly normalizer: number;
  readonly parameters: SharedArrayBuffer;
  readonly gradient: SharedArrayBuffer;
  /** [Σ r²] of the latest epoch. */
  readonly result: SharedArrayBuffer;
  readonly control: SharedArrayBuffer;
}

const data = workerData as GradientWorkerData;
const control = new Int32Array(data.control);
try {
  const model = modelFromSnapshot(data.model);
  const input = inputFromTrustedColumns(data.columns.map((b) => new Float64Array(b)));
  const target = new Float64Array(data.target);
  const parameters = new Float64Array(data.parameters);
  const gradient = new Float64Array(data.gradient);
  const result = new Float64Array(data.result);
  const range = { start: 0, end: input.size, normalizer: data.normalizer };
  parentPort?.postMessage({ ready: true });
  let seen = 0;
  for (;;) {
    Atomics.wait(control, CONTROL.command, seen);
    const epoch = Atomics.load(control, CONTROL.command);
    if (epoch === STOP) break;
    seen = epoch;
    model.parameters.set(parameters);
    gradient.fill(0);
    result[0] = model.accumulateGradient(input, target, gradient, range);
    Atomics.store(control, CONTROL.done, epoch);
    Atomics.notify(control, CONTROL.done);
  }
} catch (error) {
  parentPort?.postMessage({ error: error instanceof Error ? error.message : String(error) });
  Atomics.store(control, CONTROL.done, WORKER_FAILED);
  Atomics.notify(control, CONTROL.done);
}
