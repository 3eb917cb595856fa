/**
 * quantize_model's and prune_model's work on a compute thread: the source model arrives as a snapshot (its large
 * arrays shared memory, copied here, since measuring a model in training mode moves BatchNorm's statistics), the
 * data set as transferred arrays; the compressed model goes back as a snapshot in shared memory.
 */
import {
  compressModel,
  inputFromTrustedColumns,
  modelFromSnapshot,
  type Compression,
  type CompressionRequest,
  type ModelSnapshot,
} from '../../core/index.js';

export interface CompressTask {
  readonly snapshot: ModelSnapshot;
  readonly request: CompressionRequest;
  readonly columns: readonly Float64Array[];
  readonly target: Float64Array;
}

export type CompressedModel = Omit<Compression, 'model'> & { readonly snapshot: ModelSnapshot };

export function compress(task: CompressTask): CompressedModel {
  const source = modelFromSnapshot(task.snapshot);
  const input = inputFromTrustedColumns([...task.columns]);
  const { model, ...facts } = compressModel(source, task.request, { input, target: task.target });
  return { ...facts, snapshot: model.snapshot() };
}
