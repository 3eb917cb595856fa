/**
 * `npm run bench -- queue [--quick] [--concurrency N]`: tasks per second through the BullMQ queue, end to end —
 * submitted one by one through the task service (as POST /tasks does), run by one or two real `dredge worker`
 * processes, recorded in the store, and awaited by the submitter — for unified inference (every task a cache
 * miss) and for 100-epoch 1D training. The baseline, measured in the same run, is the same operations run
 * in-process through the catalogue with no queue; the seed's published figures are set beside.
 */
import { mkdtemp, rm } from 'node:fs/promises';
import { cpus, tmpdir } from 'node:os';
import { join } from 'node:path';
import { Redis } from 'ioredis';
import { createAppServices } from '../src/app/create-services.js';
import { createCatalogue, runOperation } from '../src/app/operations/index.js';
import { requestContext } from '../src/app/operations/request-context.js';
import { ANONYMOUS } from '../src/app/security/authenticator.js';
import type { AppServices } from '../src/app/services.js';
import { loadConfig } from '../src/config/index.js';
import { ROOT_CONTEXT, createLogger } from '../src/services/telemetry/index.js';
import { startDredgeWorker, type DredgeWorkerProcess } from '../test/helpers/dredge-worker.js';
import { RedisTestServer } from '../test/helpers/redis-server.js';
import { nearestRank } from './support/statistics.js';

interface Workload {
  readonly name: string;
  readonly operation: string;
  readonly params: (i: number) => Record<string, unknown>;
  readonly tasks: number;
}

interface Row {
  readonly workload: string;
  readonly setup: string;
  readonly tasks: number;
  readonly seconds: number;
  readonly perSecond: number;
  readonly p50Ms?: number;
  readonly p99Ms?: number;
}

/** Most submissions (and waits) in flight at once, as many clients would have. */
const IN_FLIGHT = 512;

export async function run(args: string[]): Promise<void> {
  const quick = args.includes('--quick');
  const concurrencyArg = args[args.indexOf('--concurrency') + 1];
  const concurrency = args.includes('--concurrency') ? Number(concurrencyArg) : 64;
  const workloads: Workload[] = [
    {
      name: 'unified_inference (all misses)',
      operation: 'unified_inference',
      params: (i) => ({
        dredge_insight: `insight ${i}`,
        quasimoto_coords: [0.5, (i % 97) / 97],
        string_modes: [1, 2, 3],
      }),
      tasks: quick ? 2_000 : 20_000,
    },
    {
      name: '1D training, 100 epochs',
      operation: 'benchmark',
      params: () => ({ model_type: 'quasimoto_1d', config: { epochs: 100 } }),
      tasks: quick ? 100 : 400,
    },
  ];
  const redis = await RedisTestServer.start();
  const dir = await mkdtemp(join(tmpdir(), 'dredge-bench-queue-'));
  const env = {
    QUEUE_BACKEND: 'bullmq',
    STORE_BACKEND: 'redis',
    REDIS_URL: redis.url,
    DATA_DIR: dir,
    LOG_LEVEL: 'silent',
    TRACING_ENABLED: 'false',
  };
  const rows: Row[] = [];
  try {
    for (const workload of workloads) {
      rows.push(await inProcess(workload, dir));
      for (const workers of [1, 2]) {
        rows.push(await throughQueue(workload, workers, concurrency, redis, env, dir));
      }
    }
  } finally {
    await redis.stop();
    await rm(dir, { recursive: true, force: true });
  }
  print(rows, concurrency);
}

/** The baseline: the same operations through the catalogue in this process, no queue, IN_FLIGHT at a time. */
async function inProcess(workload: Workload, dir: string): Promise<Row> {
  const services = await servicesFor({ DATA_DIR: dir, LOG_LEVEL: 'silent', TRACING_ENABLED: 'false' }, dir);
  const catalogue = createCatalogue();
  const started = performance.now();
  await inBatches(workload.tasks, async (i) => {
    const signal = new AbortController().signal; // one per task, as each request has its own
    const context = requestContext(services, {
      principal: ANONYMOUS,
      client: 'bench',
      trace: ROOT_CONTEXT,
      signal,
    });
    await runOperation(catalogue.find(workload.operation), workload.params(i), context);
  });
  const seconds = (performance.now() - started) / 1000;
  await services.close();
  return {
    workload: workload.name,
    setup: 'in-process, no queue (baseline)',
    tasks: workload.tasks,
    seconds,
    perSecond: workload.tasks / seconds,
  };
}

async function throughQueue(
  workload: Workload,
  workerCount: number,
  concurrency: number,
  redis: RedisTestServer,
  env: Record<string, string>,
  dir: string,
): Promise<Row> {
  const client = new Redis(redis.url);
  await client.flushall();
  client.disconnect();
  const workers: DredgeWorkerProcess[] = [];
  for (let w = 0; w < workerCount; w++) {
    workers.push(
      await startDredgeWorker(redis.url, { ...env, WORKER_CONCURRENCY: String(concurrency) }, [], dir),
    );
  }
  const services = await servicesFor(env, dir);
  try {
    const latencies: number[] = [];
    const started = performance.now();
    await inBatches(workload.tasks, async (i) => {
      const submitted = await services.tasks.submit(workload.operation, workload.params(i), {
        tenant: 'default',
      });
      const done = await services.tasks.wait(submitted.task_id, 600_000);
      if (done?.status !== 'completed')
        throw new Error(`task ${submitted.task_id} ended ${done?.status}: ${JSON.stringify(done?.error)}`);
      latencies.push(Date.parse(done.completed_at ?? '') - Date.parse(done.created_at));
    });
    const seconds = (performance.now() - started) / 1000;
    latencies.sort((a, b) => a - b);
    return {
      workload: workload.name,
      setup: `BullMQ, ${workerCount} worker process${workerCount > 1 ? 'es' : ''} × concurrency ${concurrency}`,
      tasks: workload.tasks,
      seconds,
      perSecond: workload.tasks / seconds,
      p50Ms: nearestRank(latencies, 0.5),
      p99Ms: nearestRank(latencies, 0.99),
    };
  } finally {
    await services.close();
    await Promise.all(workers.map((worker) => worker.stop()));
  }
}

async function servicesFor(
  env: Record<string, string>,
  dir: string,
): Promise<AppServices & { close(): Promise<void> }> {
  const loaded = loadConfig({ cwd: dir, homeDir: dir, env });
  return createAppServices(loaded, {
    serviceName: 'dredge-bench',
    logger: createLogger({ level: 'silent' }),
  });
}

/** Runs `task(0 … n−1)` with at most IN_FLIGHT running at once. */
async function inBatches(n: number, task: (i: number) => Promise<void>): Promise<void> {
  let next = 0;
  const lane = async () => {
    while (next < n) await task(next++);
  };
  await Promise.all(Array.from({ length: Math.min(IN_FLIGHT, n) }, lane));
}

function print(rows: readonly Row[], concurrency: number): void {
  console.log(
    `\nqueue throughput — ${cpus()[0]?.model ?? 'unknown CPU'} × ${cpus().length}, Node ${process.version}`,
  );
  console.log(
    `submitter: this process, ${IN_FLIGHT} tasks in flight; workers: WORKER_CONCURRENCY=${concurrency}, STORE_BACKEND=redis\n`,
  );
  console.log('| workload | setup | tasks | seconds | tasks/s | vs baseline | submit→done p50 | p99 |');
  console.log('| --- | --- | ---: | ---: | ---: | ---: | ---: | ---: |');
  let baseline = 0;
  for (const row of rows) {
    if (row.setup.startsWith('in-process')) baseline = row.perSecond;
    const ratio = row.setup.startsWith('in-process') ? '1.00' : (row.perSecond / baseline).toFixed(2);
    const p = (ms: number | undefined) => (ms === undefined ? '' : `${ms} ms`);
    console.log(
      `| ${row.workload} | ${row.setup} | ${row.tasks} | ${row.seconds.toFixed(2)} | ${Math.round(row.perSecond).toLocaleString('en')} | ${ratio} | ${p(row.p50Ms)} | ${p(row.p99Ms)} |`,
    );
  }
  console.log(
    '\nThe seed reports 45 unified-inference tasks/s with 4 workers and 80 with 8 workers and a GPU.',
  );
}
