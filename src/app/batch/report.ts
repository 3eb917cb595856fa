import type { BatchMode, ServerSnapshot } from './batch-runner.js';
import type { BatchRun } from './run-batch.js';
import { PERCENTILE_METHOD, summarizeLatencies } from './statistics.js';

/** Where the tasks came from. */
export type TaskSource =
  | { readonly kind: 'generated'; readonly seed: number; readonly repeats: boolean }
  | { readonly kind: 'file'; readonly path: string };

export interface ReportSettings {
  readonly mode: BatchMode;
  readonly target: string;
  readonly workers: number;
  /** This process's cache setting (in-process only); elsewhere the server's or workers' own applies. */
  readonly cache: 'on' | 'off' | 'server';
  readonly source: TaskSource;
}

/** The `--json` document (schema_version 1); the README documents every field. */
export interface BatchReport {
  readonly schema_version: 1;
  readonly mode: BatchMode;
  readonly target: string;
  readonly workers: number;
  readonly cache: 'on' | 'off' | 'server';
  readonly source: TaskSource;
  readonly interrupted: boolean;
  readonly total_tasks: number;
  readonly completed: number;
  readonly successful: number;
  readonly failed: number;
  readonly abandoned: number;
  readonly cache_hits: number;
  readonly cache_hit_rate: number;
  readonly total_time_s: number;
  readonly throughput_per_s: number;
  readonly latency_ms: {
    readonly method: string;
    readonly count: number;
    readonly min: number | null;
    readonly mean: number | null;
    readonly median: number | null;
    readonly p95: number | null;
    readonly p99: number | null;
    readonly max: number | null;
  };
  readonly errors: readonly {
    readonly code: string;
    readonly message: string;
    readonly count: number;
    readonly first_task: string;
  }[];
  readonly server: {
    readonly source: string;
    readonly metrics_counters: Readonly<Record<string, number>> | null;
    readonly cache_stats: Readonly<Record<string, unknown>> | null;
    readonly problem: string | null;
  };
}

/** The report of a run: the original's statistics (hit rate and throughput over the tasks that ended). */
export function buildReport(run: BatchRun, settings: ReportSettings, server: ServerSnapshot): BatchReport {
  const latency = summarizeLatencies(run.latenciesMs);
  const seconds = run.elapsedMs / 1000;
  return {
    schema_version: 1,
    mode: settings.mode,
    target: settings.target,
    workers: settings.workers,
    cache: settings.cache,
    source: settings.source,
    interrupted: run.interrupted,
    total_tasks: run.planned,
    completed: run.completed,
    successful: run.successful,
    failed: run.failed,
    abandoned: run.abandoned,
    cache_hits: run.cacheHits,
    cache_hit_rate: run.completed === 0 ? 0 : run.cacheHits / run.completed,
    total_time_s: seconds,
    throughput_per_s: seconds > 0 ? run.completed / seconds : 0,
    latency_ms: {
      method: PERCENTILE_METHOD,
      count: latency?.count ?? 0,
      min: latency?.min ?? null,
      mean: latency?.mean ?? null,
      median: latency?.median ?? null,
      p95: latency?.p95 ?? null,
      p99: latency?.p99 ?? null,
      max: latency?.max ?? null,
    },
    errors: run.errors.map((error) => ({
      code: error.code,
      message: error.message,
      count: error.count,
      first_task: error.firstTask,
    })),
    server: {
      source: server.source,
      metrics_counters: server.metricsCounters,
      cache_stats: server.cacheStats,
      problem: server.problem ?? null,
    },
  };
}
