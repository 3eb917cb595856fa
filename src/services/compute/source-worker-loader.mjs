// Runs the TypeScript gradient worker from sources (tests run TypeScript directly; the build ships
// gradient-worker.js and never uses this file): registers tsx in this thread, then loads the worker.
import { register } from 'tsx/esm/api';

register();
await import('./gradient-worker.ts');
