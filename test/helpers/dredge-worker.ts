import { spawn, type ChildProcess } from 'node:child_process';
import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve, sep } from 'node:path';

/** The built CLI (tests run after `npm run build`, as `npm test` does; benchmarks run from dist/ themselves). */
const DREDGE_BIN = resolve(
  import.meta.dirname,
  import.meta.dirname.includes(`${sep}dist${sep}`) ? '../../src/cli/main.js' : '../../dist/src/cli/main.js',
);

export interface DredgeWorkerProcess {
  readonly child: ChildProcess;
  /** The worker's name as it reports it in tasks (`host:pid`). */
  readonly name: string;
  /** Where its /health, /metrics and /traces are served. */
  readonly statusUrl: string;
  output(): string;
  /** Resolves with the exit code (or signal) once the process has exited. */
  readonly exited: Promise<number | NodeJS.Signals | null>;
  /** SIGTERM, then waits for the exit. */
  stop(): Promise<number | NodeJS.Signals | null>;
  /** SIGKILL, then waits for the exit. */
  kill(): Promise<number | NodeJS.Signals | null>;
}

/**
 * `dredge worker` as a real process taking tasks from the BullMQ queue at `redisUrl`; resolves once it has
 * connected and says where its status server listens.
 */
export function startDredgeWorker(
  redisUrl: string,
  env: NodeJS.ProcessEnv = {},
  args: string[] = [],
  cwd: string = mkdtempSync(join(tmpdir(), 'dredge-worker-')),
): Promise<DredgeWorkerProcess> {
  const child = spawn(process.execPath, [DREDGE_BIN, 'worker', '--metrics-port', '0', ...args], {
    cwd,
    env: {
      PATH: process.env.PATH,
      HOME: cwd,
      LOG_LEVEL: 'warn',
      BIND_HOST: '127.0.0.1',
      QUEUE_BACKEND: 'bullmq',
      REDIS_URL: redisUrl,
      ...env,
    },
  });
  let output = '';
  child.stdout.on('data', (chunk: Buffer) => (output += chunk.toString()));
  child.stderr.on('data', (chunk: Buffer) => (output += chunk.toString()));
  const exited = new Promise<number | NodeJS.Signals | null>((done) =>
    child.once('exit', (code, signal) => done(code ?? signal)),
  );
  const stopWith = (signal: NodeJS.Signals) => {
    if (child.exitCode === null && child.signalCode === null) child.kill(signal);
    return exited;
  };
  return new Promise((ready, fail) => {
    const timer = setTimeout(() => fail(new Error(`dredge worker did not start:\n${output}`)), 20_000);
    child.stdout.on('data', () => {
      const match = /DREDGE worker (\S+) .*status on (http:\/\/[\d.]+:\d+)\/health/.exec(output);
      if (!match) return;
      clearTimeout(timer);
      ready({
        child,
        name: match[1]!,
        statusUrl: match[2]!,
        output: () => output,
        exited,
        stop: () => stopWith('SIGTERM'),
        kill: () => stopWith('SIGKILL'),
      });
    });
    void exited.then((code) => {
      clearTimeout(timer);
      fail(new Error(`dredge worker exited with ${String(code)}:\n${output}`));
    });
  });
}
