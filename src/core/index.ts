/**
 * DREDGE's compute core: string-theory physics, the Quasimoto models and StringTheoryNN with fused
 * forward/backward kernels, training, data generators and device selection. Pure TypeScript with no I/O and
 * no Node.js imports, so the same code runs in a server, a worker thread and a browser.
 */
export * from './errors.js';
export * from './limits.js';
export * from './physics/index.js';
export * from './models/index.js';
export * from './compress/index.js';
export * from './bundle/index.js';
export * from './train/index.js';
export * from './device.js';
export { fastExp, sincos, SINCOS } from './math/fast-math.js';
