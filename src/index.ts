/**
 * The `dredge` package's library entry (`import … from 'dredge'`). Public for now: the pure compute core of
 * `src/core` — string-theory physics (`unifiedInference`, `StringVibration` …), the Quasimoto models and
 * `StringTheoryNN`, training, data sets, limits, errors and device selection — exactly what `dredge/core`
 * exports. Nothing server-side (HTTP, MCP, cache, store, queue, configuration) is part of the public API yet;
 * run those through the `dredge` command. Like the core, this module imports nothing from Node.js.
 */
export * from './core/index.js';
