import type { BatchReport } from './report.js';

const RULE = '='.repeat(70);

/** The report as the original printed it (its labels and order), with latencies in milliseconds. */
export function formatReport(report: BatchReport): string[] {
  const lines = [
    RULE,
    report.interrupted ? 'RESULTS (interrupted: the tasks that ended before the stop)' : 'RESULTS',
    RULE,
    `Mode:             ${report.mode} (${report.target}), ${report.workers} ${report.workers === 1 ? 'worker' : 'workers'}, cache ${cacheText(report.cache)}`,
    `Tasks from:       ${sourceText(report)}`,
    `Total Tasks:      ${report.total_tasks}${report.interrupted ? ` (${report.completed} ended)` : ''}`,
    `Successful:       ${report.successful}`,
    `Failed:           ${report.failed}`,
    ...(report.abandoned > 0 ? [`Abandoned:        ${report.abandoned} (still running at the stop)`] : []),
    `Cache Hits:       ${report.cache_hits}`,
    `Cache Hit Rate:   ${(report.cache_hit_rate * 100).toFixed(1)}%`,
    '',
    'Performance:',
    `Total Time:       ${report.total_time_s.toFixed(3)}s`,
    `Throughput:       ${report.throughput_per_s.toFixed(2)} tasks/sec`,
    '',
    'Latency (ms):',
  ];
  const latency = report.latency_ms;
  for (const [label, value] of [
    ['Min', latency.min],
    ['Mean', latency.mean],
    ['Median', latency.median],
    ['P95', latency.p95],
    ['P99', latency.p99],
    ['Max', latency.max],
  ] as const) {
    lines.push(`  ${`${label}:`.padEnd(16)}${value === null ? '-' : formatMs(value)}`);
  }
  if (report.errors.length > 0) {
    lines.push('', 'Failures:');
    for (const error of report.errors) lines.push(`  ${error.count} × ${error.code}: ${error.message}`);
  }
  lines.push(RULE);
  const { server } = report;
  lines.push('', `Server Metrics (${server.source}):`);
  lines.push(`  Counters: ${indentJson(server.metrics_counters)}`);
  lines.push('', 'Cache Statistics:');
  lines.push(`  ${indentJson(server.cache_stats)}`);
  if (server.problem) lines.push('', `(${server.problem})`);
  return lines;
}

/** Milliseconds with three significant decimals below 1 ms, so microsecond latencies do not all read 0.000. */
export function formatMs(ms: number): string {
  if (ms >= 100) return ms.toFixed(1);
  if (ms >= 1) return ms.toFixed(3);
  return ms.toPrecision(3);
}

function cacheText(cache: BatchReport['cache']): string {
  return cache === 'server' ? "as the server's configuration says" : cache;
}

function sourceText(report: BatchReport): string {
  const source = report.source;
  if (source.kind === 'file') return source.path;
  return `the original's generated mix, seed ${source.seed}, ${source.repeats ? 'every fifth a repeat' : 'no repeats'}`;
}

function indentJson(value: unknown): string {
  return value === null ? 'unavailable' : JSON.stringify(value, null, 4).replace(/\n/g, '\n  ');
}
