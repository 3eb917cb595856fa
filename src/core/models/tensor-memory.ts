/**
 * Where model tensors (parameters and buffers) are allocated. The core allocates plain Float64Arrays; a host may
 * set an allocator that places large tensors in memory its threads share (a server hands models to its compute
 * threads without copying them), since the core itself neither knows nor imports anything about threads.
 */
export type TensorAllocator = (length: number) => Float64Array;

const plainTensor: TensorAllocator = (length) => new Float64Array(length);

let allocator: TensorAllocator = plainTensor;

/** Sets the allocator of every model tensor made from now on in this thread; without one, plain arrays again. */
export function setTensorAllocator(next?: TensorAllocator): void {
  allocator = next ?? plainTensor;
}

/** A zeroed tensor of `length` values from the current allocator. */
export function allocateTensor(length: number): Float64Array {
  const tensor = allocator(length);
  if (!(tensor instanceof Float64Array) || tensor.length !== length) {
    throw new Error(`the tensor allocator must answer a Float64Array of ${length} values`);
  }
  return tensor;
}
