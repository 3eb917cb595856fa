import { spawn, spawnSync, type ChildProcess } from 'node:child_process';
import { availableParallelism } from 'node:os';
import { fileURLToPath } from 'node:url';

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
  /** Stops the server; resolves with the CPU time it used since `markStart`, when it reports one (µs). */
  stop(): Promise<number | undefined>;
}

/**
 * Starts a server script of bench/support in its own process (so the load generator and the server do not share a
 * core) and waits for the `{"url": …}` line it prints when listening.
 */
export function startChildServer(
  script: string,
  env: NodeJS.ProcessEnv = {},
  args: string[] = [],
): Promise<ChildServer> {
  const path = fileURLToPath(new URL(script, import.meta.url));
  const child: ChildProcess = spawn(process.execPath, [path, ...args], {
    env: { ...process.env, LOG_LEVEL: 'silent', ...env },
    stdio: ['ignore', 'pipe', 'inherit'],
  });
  return new Promise((resolve, reject) => {
    let output = '';
    child.stdout?.on('data', (chunk: Buffer) => {
      output += chunk.toString();
      const line = output.split('\n').find((l) => l.startsWith('{'));
      if (!line) return;
      const { url } = JSON.parse(line) as { url: string };
      resolve({
        url,
        markStart: () => child.kill('SIGUSR2'),
        stop: () =>
          new Promise<number | undefined>((done) => {
            child.once('exit', () => {
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
