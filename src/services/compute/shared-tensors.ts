import { setTensorAllocator, type TensorAllocator } from '../../core/index.js';

/**
 * Tensors of at least this many values (64 KiB) live in shared memory: a compute thread reads such a model where
 * it lies instead of receiving a copy made on the event loop (copying 80 MB there takes about 30 ms). Smaller ones
 * stay plain: copying them costs less than a SharedArrayBuffer.
 */
const SHARED_TENSOR_MIN_VALUES = 8192;

const sharedTensorAllocator: TensorAllocator = (length) =>
  length >= SHARED_TENSOR_MIN_VALUES
    ? new Float64Array(new SharedArrayBuffer(8 * length))
    : new Float64Array(length);

/**
 * Makes every model tensor created from now on in this thread come from `sharedTensorAllocator`. A process with a
 * compute pool calls it (the pool's constructor does), and so does every compute thread, whose trained or created
 * models then come back without a copy either.
 */
export function useSharedTensors(): void {
  setTensorAllocator(sharedTensorAllocator);
}
