// Runs the TypeScript compute worker from sources (tests run TypeScript directly; the build ships
// compute-worker.js and never uses this file): registers tsx in this thread, then loads the worker.
import { register } from 'tsx/esm/api';

register();
const worker = await import('./compute-worker.ts');
export default worker.default;
export const forward = worker.forward;
export const create = worker.create;
export const report = worker.report;
export const bundle = worker.bundle;
export const unbundle = worker.unbundle;
export const compress = worker.compress;
