/**
 * `npm run bench -- registry [--quick]`: what `load_model` costs as the store fills. The same small model
 * (quasimoto_1d) is loaded, timed and deleted again (so the count stays put) on the embedded SQLite store holding
 * 10 models, then 10,000 (2,000 with --quick), after a warm-up: median and p90 of one load at a time, the median
 * wall time of five bursts of 100 loads at once with the event loop's longest delay meanwhile, and the ratio of
 * the two stores' medians. Its limits are
 * checked against running totals (one row, migration 3); the totals query they replace, which read every stored
 * model, is timed on the same database beside it.
 */
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { monitorEventLoopDelay } from 'node:perf_hooks';
import Database from 'better-sqlite3';
import { createAppServices } from '../src/app/create-services.js';
import { createCatalogue } from '../src/app/operations/index.js';
import { loadConfig } from '../src/config/index.js';
import { DATABASE_FILE } from '../src/services/store/sqlite/database.js';
import { createLogger } from '../src/services/telemetry/index.js';
import { callOperation } from './support/call-operation.js';

const MODEL = { model_type: 'quasimoto_1d', config: { seed: 1 } };
const WARM_UP_LOADS = 300;
const TIMED_LOADS = 1000;
const CONCURRENT_LOADS = 100;
const BURSTS = 5;

interface Row {
  readonly stored: number;
  readonly medianMs: number;
  readonly p90Ms: number;
  readonly concurrentMs: number;
  readonly loopDelayMaxMs: number;
  readonly oldTotalsMs: number;
  readonly newTotalsMs: number;
}

function percentile(values: readonly number[], p: number): number {
  const sorted = [...values].sort((a, b) => a - b);
  return sorted[Math.min(sorted.length - 1, Math.floor(p * sorted.length))] as number;
}

/** Median time of one run of `sql` on the database file, read as another process would. */
function queryMs(dir: string, sql: string): number {
  const db = new Database(join(dir, '.dredge', DATABASE_FILE), { readonly: true });
  try {
    const statement = db.prepare(sql);
    const times: number[] = [];
    for (let i = 0; i < 50; i++) {
      const started = performance.now();
      statement.get();
      times.push(performance.now() - started);
    }
    return percentile(times, 0.5);
  } finally {
    db.close();
  }
}

async function measure(stored: number): Promise<Row> {
  const dir = mkdtempSync(join(tmpdir(), 'dredge-bench-registry-'));
  const loaded = loadConfig({
    cwd: dir,
    homeDir: dir,
    env: { LOG_LEVEL: 'silent', TRACING_ENABLED: 'false', CACHE_ENABLED: 'false', MAX_MODELS: '100000' },
  });
  const services = await createAppServices(loaded, {
    serviceName: 'bench-registry',
    logger: createLogger({ level: 'silent' }),
  });
  const catalogue = createCatalogue();
  try {
    for (let i = 0; i < stored; i++) await callOperation(services, catalogue, 'load_model', MODEL);
    const times: number[] = [];
    for (let i = 0; i < WARM_UP_LOADS + TIMED_LOADS; i++) {
      const started = performance.now();
      const { model_id } = await callOperation(services, catalogue, 'load_model', MODEL);
      if (i >= WARM_UP_LOADS) times.push(performance.now() - started);
      await callOperation(services, catalogue, 'delete_model', { model_id });
    }
    const loop = monitorEventLoopDelay({ resolution: 1 });
    const bursts: number[] = [];
    for (let b = 0; b < BURSTS; b++) {
      loop.enable();
      const started = performance.now();
      const burst = await Promise.all(
        Array.from({ length: CONCURRENT_LOADS }, () =>
          callOperation(services, catalogue, 'load_model', MODEL),
        ),
      );
      bursts.push(performance.now() - started);
      loop.disable();
      for (const { model_id } of burst)
        await callOperation(services, catalogue, 'delete_model', { model_id });
    }
    return {
      stored,
      medianMs: percentile(times, 0.5),
      p90Ms: percentile(times, 0.9),
      concurrentMs: percentile(bursts, 0.5),
      loopDelayMaxMs: loop.max / 1e6,
      oldTotalsMs: queryMs(dir, 'SELECT COUNT(*) AS models, COALESCE(SUM(n_parameters), 0) FROM models'),
      newTotalsMs: queryMs(dir, 'SELECT models, parameters FROM model_totals'),
    };
  } finally {
    await services.close();
    rmSync(dir, { recursive: true, force: true });
  }
}

export async function run(args: string[]): Promise<void> {
  const many = args.includes('--quick') ? 2_000 : 10_000;
  const rows: Row[] = [];
  for (const stored of [10, many]) rows.push(await measure(stored));
  const ms = (value: number) => value.toFixed(3);
  console.log(
    `load_model (quasimoto_1d) on the SQLite store: ${TIMED_LOADS} loads one at a time, ${BURSTS} bursts of ${CONCURRENT_LOADS}\n`,
  );
  console.log(
    `| models stored | load p50 ms | load p90 ms | ${CONCURRENT_LOADS} at once, ms | loop delay max ms | totals query then (read every model) ms | totals now ms |`,
  );
  console.log('| ---: | ---: | ---: | ---: | ---: | ---: | ---: |');
  for (const row of rows) {
    console.log(
      `| ${row.stored.toLocaleString('en')} | ${ms(row.medianMs)} | ${ms(row.p90Ms)} | ${row.concurrentMs.toFixed(1)} | ${row.loopDelayMaxMs.toFixed(1)} | ${ms(row.oldTotalsMs)} | ${ms(row.newTotalsMs)} |`,
    );
  }
  const [few, full] = rows as [Row, Row];
  console.log(
    `\nload p50 with ${full.stored.toLocaleString('en')} models ÷ with ${few.stored}: ${(full.medianMs / few.medianMs).toFixed(2)}` +
      ` (the totals query it replaced: ${(full.oldTotalsMs / few.oldTotalsMs).toFixed(1)}× slower at that size)`,
  );
}
