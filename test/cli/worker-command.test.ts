import { describe, expect, it } from 'vitest';
import { dredge } from '../helpers/cli.js';
import { useTempDirs } from '../helpers/temp-dir.js';

const tempDir = useTempDirs();

describe('dredge worker', () => {
  it('refuses to start without the BullMQ queue, saying what to set', async () => {
    const dir = await tempDir();
    const run = await dredge(['worker'], { cwd: dir, homeDir: dir, env: { LOG_LEVEL: 'silent' } });
    expect(run.code).toBe(2);
    expect(run.stderr).toContain('set QUEUE_BACKEND=bullmq');
  });

  it.each([
    [['worker', '--concurrency', '0'], 'WORKER_CONCURRENCY'],
    [['worker', '--concurrency', '257'], 'WORKER_CONCURRENCY'],
    [['worker', '--metrics-port', '70000'], 'METRICS_PORT'],
  ])('rejects %j naming the key and its bound', async (argv, key) => {
    const dir = await tempDir();
    const run = await dredge(argv, { cwd: dir, homeDir: dir, env: { QUEUE_BACKEND: 'bullmq' } });
    expect(run.code).toBe(1);
    expect(run.stderr).toContain(key);
  });

  it('lists its options in its help', async () => {
    const dir = await tempDir();
    const run = await dredge(['worker', '--help'], { cwd: dir, homeDir: dir });
    expect(run.stdout).toContain('--concurrency <n>');
    expect(run.stdout).toContain('METRICS_PORT');
  });
});
