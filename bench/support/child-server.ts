import { spawn, spawnSync, type ChildProcess } from 'node:child_process';
import { availableParallelism } from 'node:os';
import { fileURLToPath } from 'node:url';
import { processCpuMicroseconds } from './process-cpu.js';

/**
 * On a machine with two or more cores the servers run on core 0 and the load generator (this process) on core 1,
 * so that neither steals the other's time and runs compare like with like. Without taskset nothing is pinned.
 */
const pinning =
  availableParallelism() >= 2 && spawnSync('taskset', ['-cp', '1', String(process.pid)]).status === 0;

export function describePinning(): string {
  return pinning ? 'servers pinned to core 0, load generator to core 1' : 'no CPU pinning';
}

export interface ChildServer {
  readonly url: string;
  /** Marks the start of a measurement: the server counts its CPU time from here. */
  markStart(): void;
  /**
   * Stops the server; resolves with the CPU time it used since `markStart` (µs): as it reports it (our servers),
   * else as /proc counts it (any other server, on Linux).
   */
  stop(): Promise<number | undefined>;
}

/**
 * Starts a server script of bench/support in its own process (so the load generator and the server do not share a
 * core) and waits for the `{"url": …}` line it prints when listening. A server that reports its own CPU time
 * (`reportsCpu`) counts it from SIGUSR2 and prints it on SIGTERM; for any other, /proc is read.
 */
export function startChildServer(
  script: string,
  env: NodeJS.ProcessEnv = {},
  args: string[] = [],
  reportsCpu = true,
): Promise<ChildServer> {
  const path = fileURLToPath(new URL(script, import.meta.url));
  const child: ChildProcess = spawn(process.execPath, [path, ...args], {
    env: { ...process.env, LOG_LEVEL: 'silent', ...env },
    stdio: ['ignore', 'pipe', 'inherit'],
  });
  return new Promise((resolve, reject) => {
    let output = '';
    let cpuAtStart: number | undefined;
    child.stdout?.on('data', (chunk: Buffer) => {
      output += chunk.toString();
      const line = output.split('\n').find((l) => l.startsWith('{"url"'));
      if (!line) return;
      const { url } = JSON.parse(line) as { url: string };
      resolve({
        url,
        markStart: () => {
          if (reportsCpu) child.kill('SIGUSR2');
          else cpuAtStart = processCpuMicroseconds(child.pid);
        },
        stop: () =>
          new Promise<number | undefined>((done) => {
            const cpuAtEnd = reportsCpu ? undefined : processCpuMicroseconds(child.pid);
            child.once('exit', () => {
              if (!reportsCpu) {
                done(cpuAtStart === undefined || cpuAtEnd === undefined ? undefined : cpuAtEnd - cpuAtStart);
                return;
              }
              const report = output.split('\n').find((l) => l.startsWith('{"cpuMicroseconds"'));
              done(report ? (JSON.parse(report) as { cpuMicroseconds: number }).cpuMicroseconds : undefined);
            });
            child.kill('SIGTERM');
          }),
      });
    });
    child.once('exit', (code) => reject(new Error(`${script} exited with ${code} before listening`)));
  });
}

/**
 * Lets this process (and what it starts from now on: the load generator, servers) run on every core again, for
 * measurements of several server processes sharing the machine with the load generator.
 */
export function unpin(): void {
  if (pinning) spawnSync('taskset', ['-cp', `0-${availableParallelism() - 1}`, String(process.pid)]);
}
