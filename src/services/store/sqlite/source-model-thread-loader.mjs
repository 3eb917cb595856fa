// Runs the TypeScript model thread from sources (tests run TypeScript directly; the build ships model-thread.js
// and never uses this file): registers tsx in this thread, then loads the thread's module.
import { register } from 'tsx/esm/api';

register();
await import('./model-thread.ts');
