// Runs a store thread's TypeScript module from sources (tests run TypeScript directly; the build ships the
// threads' .js files and never uses this file): registers tsx in this thread, then loads the module its argument
// names (see threadScript in store-thread.ts).
import { register } from 'tsx/esm/api';

register();
await import(process.argv[2]);
