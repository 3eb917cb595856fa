/**
 * `npm run bench -- hostile-soak [--seconds 60] [--only KIND,…] [--server-log FILE]
 * [--node-options "--trace-gc …"]`: a real `dredge up` on its defaults under mixed abuse for the
 * given time (loopback only; every abusive loop is capped), while a well-behaved client from another loopback
 * address measures `/health` and a cached inference. Prints what the README's "Under abuse" table shows.
 */
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { runHostileSoak, type LatencySummary } from '../test/helpers/hostile-soak.js';

const ms = (value: number | undefined): string => (value === undefined ? '—' : `${value.toFixed(1)} ms`);
const latency = (summary: LatencySummary): string =>
  `${summary.count} answers, p50 ${ms(summary.p50Ms)}, p99 ${ms(summary.p99Ms)}, max ${ms(summary.maxMs)}`;

export async function run(args: string[]): Promise<void> {
  const flag = args.indexOf('--seconds');
  const seconds = flag >= 0 ? Number(args[flag + 1]) : 60;
  const onlyFlag = args.indexOf('--only');
  const only = onlyFlag >= 0 ? (args[onlyFlag + 1] ?? '').split(',') : undefined;
  const logFlag = args.indexOf('--server-log');
  const serverLog = logFlag >= 0 ? args[logFlag + 1] : undefined;
  const optionsFlag = args.indexOf('--node-options');
  const nodeOptions = optionsFlag >= 0 ? args[optionsFlag + 1] : undefined;
  const cwd = mkdtempSync(path.join(tmpdir(), 'dredge-soak-'));
  try {
    const report = await runHostileSoak({
      seconds,
      cwd,
      env: { DATA_DIR: path.join(cwd, 'data'), ...(nodeOptions ? { NODE_OPTIONS: nodeOptions } : {}) },
      ...(only ? { only } : {}),
    });
    if (serverLog) writeFileSync(serverLog, `${report.serverOutput}\n${report.metrics}`);
    console.log(`Node.js ${process.version}; ${seconds} s of abuse against dredge up on its defaults.`);
    console.log('| measured | figure | target |');
    console.log('| --- | --- | --- |');
    console.log(`| /health (well-behaved client) | ${latency(report.health)} | p99 ≤ 50 ms |`);
    console.log(`| cached inference (same client) | ${latency(report.cachedInference)} | |`);
    console.log(`| well-behaved requests not answered 200 | ${report.wellBehavedFailures} | 0 |`);
    console.log(`| event-loop delay, longest | ${ms(report.eventLoopDelayMaxMs)} | ≤ 20 ms |`);
    console.log(`| peak resident memory | ${report.peakRssMiB.toFixed(0)} MiB | under MEMORY_BUDGET |`);
    console.log(
      `| alive afterwards, clean exit | ${report.aliveAfter ? 'yes' : `no (exit ${report.exitCode})`} | yes |`,
    );
    console.log('\n| abuse | answers by status |');
    console.log('| --- | --- |');
    for (const [kind, byStatus] of Object.entries(report.answers)) {
      const statuses = Object.entries(byStatus)
        .sort(([a], [b]) => a.localeCompare(b))
        .map(([status, n]) => `${status}: ${n}`)
        .join(', ');
      console.log(`| ${kind} | ${statuses} |`);
    }
  } finally {
    rmSync(cwd, { recursive: true, force: true });
  }
}
