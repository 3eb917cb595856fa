/**
 * Per-block working arrays of the 4D/6D kernels: angles and their sines and cosines, envelopes.
 * Module-level because kernels never run re-entrantly (JavaScript is single-threaded per isolate; each worker
 * thread has its own copy of this module), so one set serves every model and nothing is allocated per call.
 */

/** Rows per block; 64 rows × the arrays below stay in the L1 cache. */
export const BLOCK = 64;

const block = (): Float64Array => new Float64Array(BLOCK);

export const BLOCK_SCRATCH = {
  phase: block(),
  sinPhase: block(),
  cosPhase: block(),
  distortion: block(),
  sinDistortion: block(),
  cosDistortion: block(),
  modulationArg: block(),
  modulation: block(),
  cosModulationArg: block(),
  envelope: block(),
  offset: block(),
  radius2: block(),
};
