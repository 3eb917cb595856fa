/**
 * `npm run bench -- stores [--insights N]`: the three stores side by side, in one run, each on its own server
 * started for the run (SQLite in a temporary DATA_DIR; a redis-server keeping an append-only file synced on every
 * write, so all three keep what they answered; a PostgreSQL cluster of its own, `initdb` in a temporary folder):
 *
 * - `load_model` of a 16-wave Quasimoto ensemble and of a 5-layer StringTheoryNN (256 wide), one at a time;
 * - `inference` of a stored model right after a restart (new services, so the model is read from the store and
 *   restored), and then again (restored already: the store is asked only for its version);
 * - lifting 100,000 insights (16 at once, as concurrent clients would), then searching them: a word in one
 *   insight in 10,000, and a word in every tenth.
 *
 * Every figure is also given as a ratio to SQLite's, measured in the same run.
 */
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { createAppServices } from '../src/app/create-services.js';
import { createCatalogue } from '../src/app/operations/index.js';
import { loadConfig } from '../src/config/index.js';
import { insightId } from '../src/services/store/index.js';
import { createLogger } from '../src/services/telemetry/index.js';
import { PostgresTestServer } from '../test/helpers/postgres-server.js';
import { RedisTestServer } from '../test/helpers/redis-server.js';
import { callOperation } from './support/call-operation.js';
import { nearestRank } from './support/statistics.js';

const LOADS = 100;
const RESTARTS = 10;
const SEARCHES = 50;
const LIFT_CONCURRENCY = 16;

const ENSEMBLE = { model_type: 'quasimoto_ensemble', config: { n_waves: 16, seed: 1 } };
const NETWORK = {
  model_type: 'string_theory',
  config: { dimensions: 10, hidden_size: 256, num_layers: 5, seed: 1 },
};
const INPUTS = {
  x: Array.from({ length: 100 }, (_, row) =>
    Array.from({ length: 10 }, (_, column) => Math.sin(row + column)),
  ),
};

type StoreName = 'sqlite' | 'redis' | 'postgres';

interface Figures {
  readonly store: StoreName;
  readonly loadEnsembleMs: number;
  readonly loadNetworkMs: number;
  readonly firstInferenceMs: number;
  readonly nextInferenceMs: number;
  readonly liftPerSecond: number;
  readonly rareSearchMs: number;
  readonly commonSearchMs: number;
}

function middle(samples: number[]): number {
  return nearestRank(
    [...samples].sort((a, b) => a - b),
    0.5,
  );
}

async function median(times: number, work: () => Promise<unknown>): Promise<number> {
  const samples: number[] = [];
  for (let i = 0; i < times; i++) {
    const started = performance.now();
    await work();
    samples.push(performance.now() - started);
  }
  return middle(samples);
}

/** One insight's text: a word one in 10,000 has (`rare<n>`), one every tenth has (`common`). */
function insightText(n: number): string {
  return `insight ${n}: strings vibrate rare${Math.floor(n / 10_000)}x${n % 10_000 === 7 ? 'needle' : ''} ${
    n % 10 === 0 ? 'common' : 'plain'
  } in ten dimensions`;
}

async function measure(store: StoreName, env: NodeJS.ProcessEnv, insights: number): Promise<Figures> {
  const dir = mkdtempSync(join(tmpdir(), `dredge-bench-${store}-`));
  const open = () =>
    createAppServices(
      loadConfig({
        cwd: dir,
        homeDir: dir,
        env: {
          LOG_LEVEL: 'silent',
          TRACING_ENABLED: 'false',
          CACHE_ENABLED: 'false',
          MAX_MODELS: '100000',
          MAX_INSIGHTS: String(insights),
          ...env,
        },
      }),
      { serviceName: `bench-stores-${store}`, logger: createLogger({ level: 'silent' }) },
    );
  const catalogue = createCatalogue();
  try {
    let services = await open();
    const loadEnsembleMs = await median(LOADS, () =>
      callOperation(services, catalogue, 'load_model', ENSEMBLE),
    );
    const loadNetworkMs = await median(LOADS / 4, () =>
      callOperation(services, catalogue, 'load_model', NETWORK),
    );
    const ids: string[] = [];
    for (let i = 0; i < RESTARTS; i++) {
      ids.push((await callOperation(services, catalogue, 'load_model', NETWORK)).model_id as string);
    }
    // A restart: new services over the same store, so each model is read back and restored on first use.
    await services.close();
    services = await open();
    const first: number[] = [];
    const next: number[] = [];
    for (const model_id of ids) {
      let started = performance.now();
      await callOperation(services, catalogue, 'inference', { model_id, inputs: INPUTS });
      first.push(performance.now() - started);
      started = performance.now();
      await callOperation(services, catalogue, 'inference', { model_id, inputs: INPUTS });
      next.push(performance.now() - started);
    }

    const lifted = performance.now();
    let nextInsight = 0;
    await Promise.all(
      Array.from({ length: LIFT_CONCURRENCY }, async () => {
        while (nextInsight < insights) {
          const text = insightText(nextInsight++);
          await services.store.insights.save(insightId('default', text), text);
        }
      }),
    );
    const liftPerSecond = insights / ((performance.now() - lifted) / 1000);
    const search = (word: string) => () =>
      services.store.insights.list({ offset: 0, limit: 20, search: word });
    const rareSearchMs = await median(SEARCHES, search('needle'));
    const commonSearchMs = await median(SEARCHES, search('common'));
    await services.close();
    return {
      store,
      loadEnsembleMs,
      loadNetworkMs,
      firstInferenceMs: middle(first),
      nextInferenceMs: middle(next),
      liftPerSecond,
      rareSearchMs,
      commonSearchMs,
    };
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
}

function flag(args: string[], name: string, fallback: number): number {
  const at = args.indexOf(name);
  return at === -1 ? fallback : Number(args[at + 1]);
}

export async function run(args: string[]): Promise<void> {
  const insights = flag(args, '--insights', 100_000);
  const redis = await RedisTestServer.start({ persistDir: mkdtempSync(join(tmpdir(), 'dredge-bench-aof-')) });
  const postgres = await PostgresTestServer.start();
  try {
    const baseline = await measure('sqlite', {}, insights);
    const rows: Figures[] = [baseline];
    rows.push(await measure('redis', { STORE_BACKEND: 'redis', REDIS_URL: redis.url }, insights));
    const url = await postgres.createDatabase('dredge_bench');
    rows.push(await measure('postgres', { STORE_BACKEND: 'postgres', DATABASE_URL: url }, insights));

    // Two significant digits below 0.1, so a ratio of hundreds of times shows as 0.0036×, not 0.00×.
    const ratio = (value: number, base: number) => {
      const times = value / base;
      return `${times < 0.1 ? times.toPrecision(2) : times.toFixed(2)}×`;
    };
    const ms = (value: number, base: number) => `${value.toFixed(2)} (${ratio(value, base)})`;
    console.log(
      `Stores side by side: ${LOADS} loads, ${RESTARTS} models read back after a restart, ${insights.toLocaleString('en')} insights ` +
        `lifted ${LIFT_CONCURRENCY} at once, ${SEARCHES} searches of 20; medians in ms (ratio to SQLite)\n`,
    );
    console.log(
      '| store | load_model ensemble(16) | load_model StringTheoryNN(5×256) | first inference after restart | next inference | lifts per s | search, 1 in 10,000 | search, 1 in 10 |',
    );
    console.log('| --- | ---: | ---: | ---: | ---: | ---: | ---: | ---: |');
    for (const row of rows) {
      console.log(
        `| ${row.store} | ${ms(row.loadEnsembleMs, baseline.loadEnsembleMs)} | ${ms(row.loadNetworkMs, baseline.loadNetworkMs)} | ` +
          `${ms(row.firstInferenceMs, baseline.firstInferenceMs)} | ${ms(row.nextInferenceMs, baseline.nextInferenceMs)} | ` +
          `${Math.round(row.liftPerSecond).toLocaleString('en')} (${ratio(row.liftPerSecond, baseline.liftPerSecond)}) | ` +
          `${ms(row.rareSearchMs, baseline.rareSearchMs)} | ${ms(row.commonSearchMs, baseline.commonSearchMs)} |`,
      );
    }
  } finally {
    await redis.stop();
    await postgres.stop();
  }
}
