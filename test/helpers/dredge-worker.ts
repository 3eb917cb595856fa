import type { ChildProcess } from 'node:child_process';
import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { spawnDredge, type ExitStatus } from './spawn-dredge.js';

export interface DredgeWorkerProcess {
  readonly child: ChildProcess;
  /** The worker's name as it reports it in tasks (`host:pid`). */
  readonly name: string;
  /** Where its /health, /metrics and /traces are served. */
  readonly statusUrl: string;
  output(): string;
  /** Resolves with the exit code (or signal) once the process has exited. */
  readonly exited: Promise<ExitStatus>;
  /** SIGTERM, then waits for the exit. */
  stop(): Promise<ExitStatus>;
  /** SIGKILL, then waits for the exit. */
  kill(): Promise<ExitStatus>;
}

/**
 * `dredge worker` as a real process taking tasks from the BullMQ queue at `redisUrl`; resolves once it has
 * connected and says where its status server listens.
 */
export async function startDredgeWorker(
  redisUrl: string,
  env: NodeJS.ProcessEnv = {},
  args: string[] = [],
  cwd: string = mkdtempSync(join(tmpdir(), 'dredge-worker-')),
): Promise<DredgeWorkerProcess> {
  const spawned = await spawnDredge(
    ['worker', '--metrics-port', '0', ...args],
    { LOG_LEVEL: 'warn', BIND_HOST: '127.0.0.1', QUEUE_BACKEND: 'bullmq', REDIS_URL: redisUrl, ...env },
    cwd,
    (stdout) => {
      const match = /DREDGE worker (\S+) .*status on (http:\/\/[\d.]+:\d+)\/health/.exec(stdout);
      return match ? { name: match[1]!, statusUrl: match[2]! } : undefined;
    },
  );
  return {
    child: spawned.child,
    ...spawned.started,
    output: spawned.output,
    exited: spawned.exited,
    stop: () => spawned.signal('SIGTERM'),
    kill: () => spawned.signal('SIGKILL'),
  };
}
