#!/usr/bin/env node
import { enableCompileCache } from 'node:module';

// V8's compiled code for our modules and their dependencies is kept on disk (Node.js's compile cache, in the
// system's temporary folder), so every start after the first skips most compilation.
enableCompileCache?.();

// Imported after the cache is on, so that the whole command tree benefits from it.
const [{ processIO }, { runCli }] = await Promise.all([import('./io.js'), import('./run-cli.js')]);
process.exitCode = await runCli(process.argv.slice(2), processIO());
