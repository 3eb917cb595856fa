import { spawn } from 'node:child_process';
import { describe, expect, it } from 'vitest';
import type { BatchReport } from '../../src/app/batch/index.js';
import { DREDGE_BIN } from '../helpers/mcp-clients.js';
import { useTempDirs } from '../helpers/temp-dir.js';

const tempDir = useTempDirs();

interface Finished {
  readonly code: number | null;
  readonly stdout: string;
  readonly stderr: string;
}

/**
 * The compiled `dredge batch` as a real process: once `ready` matches its output, it gets SIGINT (twice when
 * `presses` is 2, the second after `betweenMs`).
 */
function interrupted(
  args: string[],
  ready: RegExp,
  presses = 1,
  betweenMs = 200,
  env: NodeJS.ProcessEnv = {},
): Promise<Finished> {
  const cwd = tempDir();
  const child = spawn(process.execPath, [DREDGE_BIN, 'batch', ...args], {
    cwd,
    env: { PATH: process.env.PATH, HOME: cwd, LOG_LEVEL: 'info', ...env },
  });
  let stdout = '';
  let stderr = '';
  let sent = false;
  const check = () => {
    if (sent || !ready.test(stdout + stderr)) return;
    sent = true;
    // Let a few tasks run first.
    setTimeout(() => {
      child.kill('SIGINT');
      if (presses === 2) setTimeout(() => child.kill('SIGINT'), betweenMs);
    }, 300);
  };
  child.stdout.on('data', (chunk: Buffer) => {
    stdout += chunk.toString();
    check();
  });
  child.stderr.on('data', (chunk: Buffer) => {
    stderr += chunk.toString();
    check();
  });
  return new Promise((resolve) => child.once('close', (code) => resolve({ code, stdout, stderr })));
}

describe('dredge batch and Ctrl-C', () => {
  it('stops taking tasks, prints the results so far and exits 130', async () => {
    const run = await interrupted(['--tasks', '1000000', '--no-cache'], /DREDGE batch: 1000000 tasks/);
    expect(run.code).toBe(130);
    expect(run.stderr).toContain('Stopping: no new tasks');
    expect(run.stdout).toContain('RESULTS (interrupted: the tasks that ended before the stop)');
    const ended = Number(/Total Tasks:\s+1000000 \((\d+) ended\)/.exec(run.stdout)?.[1]);
    expect(ended).toBeGreaterThan(0);
    expect(ended).toBeLessThan(1_000_000);
    expect(run.stdout).toMatch(/Failed:\s+0\n/);
    expect(run.stdout).toContain('Server Metrics (this process):');
  });

  it('with --json, prints the partial report as JSON', async () => {
    // The process logs "cache ready" (stderr, info) once its services are up and the tasks are about to run.
    const run = await interrupted(['--tasks', '1000000', '--json', '--workers', '8'], /cache ready/);
    expect(run.code).toBe(130);
    const report = JSON.parse(run.stdout) as BatchReport;
    expect(report).toMatchObject({ interrupted: true, total_tasks: 1_000_000, failed: 0, abandoned: 0 });
    expect(report.completed).toBeGreaterThan(0);
    expect(report.completed).toBeLessThan(1_000_000);
    expect(report.latency_ms.count).toBe(report.completed);
  });

  it('a second Ctrl-C abandons the tasks still in flight', async () => {
    // Benchmarks of several seconds each: the first Ctrl-C finds them in flight, the second abandons them.
    const dir = tempDir();
    const file = `${dir}/trainings.jsonl`;
    const training = JSON.stringify({
      operation: 'benchmark',
      params: { model_type: 'quasimoto_ensemble', config: { epochs: 50000 } },
    });
    const { writeFileSync } = await import('node:fs');
    writeFileSync(file, `${training}\n`.repeat(4));
    const started = performance.now();
    const run = await interrupted(['--file', file, '--workers', '2', '--json'], /cache ready/, 2, 300, {
      BATCH_TIMEOUT: '60',
    });
    expect(performance.now() - started).toBeLessThan(8000);
    expect(run.code).toBe(130);
    expect(JSON.parse(run.stdout)).toMatchObject({ interrupted: true, completed: 0, abandoned: 2 });
  });
});
