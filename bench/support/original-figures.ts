/**
 * What the original Python/PyTorch DREDGE measured on a 2-core machine like ours (medians, in milliseconds; a pair
 * is the low and high of its published spread across runs). Recorded once from the original and kept here, so
 * every comparison a benchmark prints reads from this repository alone.
 */
export const ORIGINAL_MS = {
  spectrum: { 10: 3.5e-3, 100: 19e-3, 1000: 140e-3 },
  unifiedInference: 105e-3,
  benchmark1d: { 100: 60, 1000: [570, 715] },
  benchmarkEnsemble16: { 100: [1400, 2000], 1000: [12_000, 16_000] },
} as const;

/** The original's HTTP figures: `unified_inference` under wrk (8 connections, 10 s) and its start-up. */
export const ORIGINAL_HTTP = {
  unifiedInferenceRequestsPerSecond: [709, 743],
  p50Ms: 11,
  p99Ms: [16, 18],
  startToFirstAnswerMs: 1700,
  idleResidentMiB: 265,
} as const;
