/**
 * Latency under a fixed arrival rate, per server: first its saturation rate under the closed-loop load (the same
 * workload, the same connections as the throughput table), then open-loop runs at fractions of that rate on the
 * same server, latency measured from each request's intended send time. Every server is measured in one run, so
 * the rows compare like with like.
 */
import type { ChildServer } from './child-server.js';
import { runLoad, type Workload } from './load-generator.js';
import { LATE_MS, OPEN_LOOP_CONNECTIONS, runOpenLoop, type OpenLoopResult } from './open-loop-generator.js';

/** Shares of the saturation rate the open-loop runs ask for. */
export const OPEN_LOOP_FRACTIONS = [0.25, 0.5, 0.75] as const;

export interface OpenLoopTarget {
  readonly name: string;
  readonly start: () => Promise<ChildServer>;
  readonly workload: Workload;
}

export interface OpenLoopRow extends OpenLoopResult {
  readonly name: string;
  readonly saturation: number;
  readonly fraction: number;
}

/** Requests of one open-loop run get numbers from here on, apart from the closed-loop run's (which count from 1). */
const NUMBER_SPACING = 1_000_000_000;

export async function measureOpenLoop(
  target: OpenLoopTarget,
  connections: number,
  seconds: number,
): Promise<OpenLoopRow[]> {
  const server = await target.start();
  try {
    const saturation = (await runLoad(server.url, target.workload, connections, seconds)).requestsPerSecond;
    const rows: OpenLoopRow[] = [];
    for (const [i, fraction] of OPEN_LOOP_FRACTIONS.entries()) {
      const rate = Math.max(1, Math.round(saturation * fraction));
      const result = await runOpenLoop(server.url, target.workload, rate, seconds, (i + 1) * NUMBER_SPACING);
      rows.push({ name: target.name, saturation, fraction, ...result });
    }
    return rows;
  } finally {
    await server.stop();
  }
}

export function formatOpenLoop(rows: readonly OpenLoopRow[], connections: number): string {
  const lines = [
    `| server, workload | saturation req/s (closed loop, ${connections} connections) | load | rate req/s | p50 ms | p99 ms | p99.9 ms | max ms | sent late (> ${LATE_MS} ms) | of which no free connection | errors |`,
    '| --- | ---: | ---: | ---: | ---: | ---: | ---: | ---: | ---: | ---: | ---: |',
  ];
  for (const row of rows) {
    const cells = [
      row.name,
      Math.round(row.saturation),
      `${Math.round(row.fraction * 100)} %`,
      row.rate,
      row.p50.toFixed(2),
      row.p99.toFixed(2),
      row.p999.toFixed(2),
      row.max.toFixed(2),
      row.late,
      row.waitedForConnection,
      row.errors,
    ];
    lines.push(`| ${cells.join(' | ')} |`);
  }
  return lines.join('\n');
}

export function describeOpenLoop(seconds: number): string {
  return `open loop: ${seconds} s per rate, a constant arrival rate over a pool of ${OPEN_LOOP_CONNECTIONS} keep-alive connections, latency from each request's intended send time`;
}
