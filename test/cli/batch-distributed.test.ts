import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { afterAll, beforeAll, expect, it } from 'vitest';
import type { BatchReport } from '../../src/app/batch/index.js';
import { describeWithRedis } from '../helpers/describe-with-redis.js';
import { dredge } from '../helpers/cli.js';
import { startDredgeWorker, type DredgeWorkerProcess } from '../helpers/dredge-worker.js';
import { useTempDirs } from '../helpers/temp-dir.js';

const tempDir = useTempDirs();

describeWithRedis('dredge batch --distributed, with real Redis and a real dredge worker', (redis) => {
  let worker: DredgeWorkerProcess;
  // Results come back through the store, which the worker and the batch must share: Redis here.
  const shared = () => ({ QUEUE_BACKEND: 'bullmq', STORE_BACKEND: 'redis', REDIS_URL: redis().url });

  beforeAll(async () => {
    worker = await startDredgeWorker(redis().url, { STORE_BACKEND: 'redis' }, ['--concurrency', '4']);
  });
  afterAll(async () => {
    await worker?.stop();
  });

  async function batch(args: string[]): Promise<{ code: number; report: BatchReport; stderr: string }> {
    const cwd = tempDir();
    const run = await dredge(['batch', '--distributed', '--json', ...args], {
      cwd,
      homeDir: cwd,
      env: { LOG_LEVEL: 'silent', ...shared() },
    });
    return { code: run.code, report: JSON.parse(run.stdout) as BatchReport, stderr: run.stderr };
  }

  it('runs the generated mix on the worker through the queue, repeats answered from its cache', async () => {
    const { code, report, stderr } = await batch(['--tasks', '100', '--workers', '8']);
    expect(stderr).toBe('');
    expect(code).toBe(0);
    expect(report).toMatchObject({
      mode: 'distributed',
      target: `BullMQ queue dredge-tasks on ${redis().url}`,
      cache: 'server',
      total_tasks: 100,
      completed: 100,
      successful: 100,
      failed: 0,
      server: { source: `one worker (BullMQ queue dredge-tasks on ${redis().url})`, problem: null },
    });
    expect(report.cache_hits).toBeGreaterThanOrEqual(15);
    expect(report.cache_hits).toBeLessThanOrEqual(19);
    // The counters are the worker's: it, not the batch process, ran the tasks.
    expect(report.server.metrics_counters?.mcp_unified_inference).toBe(100);
    expect(report.server.cache_stats).toMatchObject({ hits: report.cache_hits, backend_type: 'memory' });
  });

  it("reports a task's failure with the worker's code and sentence", async () => {
    const file = join(tempDir(), 'tasks.jsonl');
    writeFileSync(
      file,
      '{"operation": "string_spectrum", "params": {"max_modes": 3}}\n' +
        '{"operation": "string_spectrum", "params": {"max_modes": 0}, "id": "bad"}\n',
    );
    const { code, report } = await batch(['--file', file]);
    expect(code).toBe(1);
    expect(report).toMatchObject({
      successful: 1,
      failed: 1,
      errors: [
        {
          code: 'invalid_input',
          message: 'params.max_modes must be a whole number from 1 to 10000',
          first_task: 'bad',
        },
      ],
    });
  });
});
