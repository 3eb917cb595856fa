/** What a fuzz phase found, printed (its figures) and as the failures the test asserts are none. */
import type { LatencySummary } from './background.js';
import type { Finding } from './judge.js';
import { clip, describeRequest } from './request-text.js';

export interface PhaseReport {
  readonly name: string;
  readonly seed: number;
  readonly requests: number;
  readonly concurrency: number;
  readonly seconds: number;
  readonly doors: Readonly<Record<string, Readonly<Record<string, number>>>>;
  readonly serverErrors: readonly Finding[];
  readonly malformedErrors: readonly Finding[];
  readonly leaks: readonly Finding[];
  readonly timeouts: readonly Finding[];
  /** Everything else that went wrong, one sentence each (a server gone, an object of A's gone, …). */
  readonly failures: readonly string[];
  readonly health: LatencySummary;
  readonly peakRssMiB: Readonly<Record<string, number>>;
  readonly heldSockets: { readonly slow: number; readonly idle: number; readonly total: number };
}

export function reportLines(report: PhaseReport): string[] {
  const statuses: Record<string, number> = {};
  for (const byStatus of Object.values(report.doors)) {
    for (const [status, n] of Object.entries(byStatus)) statuses[status] = (statuses[status] ?? 0) + n;
  }
  const { health } = report;
  const rss = Object.entries(report.peakRssMiB).map(([what, mib]) => `${what} ${mib.toFixed(0)} MiB`);
  return [
    `every-door fuzz, ${report.name}: seed ${report.seed} (FUZZ_SEED=${report.seed} repeats it), ${report.requests} requests over ${Object.keys(report.doors).length} doors in ${report.seconds.toFixed(1)} s (${(report.requests / report.seconds).toFixed(0)}/s, ${report.concurrency} in flight)`,
    `  answers by status: ${JSON.stringify(statuses)}`,
    `  /health of the polite client: ${health.count} answers, p50 ${health.p50Ms.toFixed(1)} ms, p99 ${health.p99Ms.toFixed(1)} ms, max ${health.maxMs.toFixed(1)} ms`,
    `  peak RSS (VmHWM): ${rss.join(', ')}`,
    `  held sockets closed by the servers: ${report.heldSockets.slow} slow-header and ${report.heldSockets.idle} idle of ${report.heldSockets.total}`,
    `  5xx but 503: ${report.serverErrors.length}; malformed error bodies: ${report.malformedErrors.length}; cross-tenant leaks: ${report.leaks.length}; no answer in 30 s: ${report.timeouts.length}`,
  ];
}

/** Findings grouped by door and kind (one seed finds the same fault many times), each group with its first request. */
/** Every door's answers by status, one line each (FUZZ_VERBOSE=1 prints them): what the run reached. */
export function doorLines(report: PhaseReport): string[] {
  return Object.entries(report.doors)
    .sort(([a], [b]) => a.localeCompare(b))
    .map(([door, byStatus]) => `    ${door}: ${JSON.stringify(byStatus)}`);
}

function findingLines(title: string, findings: readonly Finding[]): string[] {
  if (!findings.length) return [];
  const groups = new Map<string, Finding[]>();
  for (const finding of findings) {
    const key = `${finding.request.door}: ${finding.what}`;
    groups.set(key, [...(groups.get(key) ?? []), finding]);
  }
  return [
    `${findings.length} ${title}, in ${groups.size} kinds; the first of each:`,
    ...[...groups].slice(0, 12).map(([key, [first]]) => {
      const answer = first!.answer;
      const statuses = answer.parts.map((part) => part.status).join(',') || 'no answer';
      return `  ${key} (${groups.get(key)!.length}×)
    ${describeRequest(first!.request, first!.index)}\n    → ${statuses} ${JSON.stringify(clip(answer.body, 300))}`;
    }),
  ];
}

/** Every problem of the phase, one entry each (with the seed and the first requests that showed it). */
export function problems(report: PhaseReport): string[] {
  return [
    ...findingLines('answers of 5xx other than 503', report.serverErrors),
    ...findingLines('error answers that are not JSON naming an error code', report.malformedErrors),
    ...findingLines(
      'answers holding a byte of tenant A given to another (B, no key, a broken key)',
      report.leaks,
    ),
    ...findingLines('requests not answered within 30 s', report.timeouts),
    ...report.failures,
  ];
}
