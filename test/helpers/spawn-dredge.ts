import { spawn, type ChildProcess } from 'node:child_process';
import { resolve, sep } from 'node:path';

/** The built CLI: tests run after `npm run build` (as `npm test` does); benchmarks run from dist/ themselves. */
export const DREDGE_BIN = resolve(
  import.meta.dirname,
  import.meta.dirname.includes(`${sep}dist${sep}`) ? '../../src/cli/main.js' : '../../dist/src/cli/main.js',
);

export type ExitStatus = number | NodeJS.Signals | null;

export interface SpawnedDredge<T> {
  readonly child: ChildProcess;
  /** What the start-up output said (the URLs it listens on, its name …), as `ready` read it. */
  readonly started: T;
  /** stdout and stderr so far. */
  output(): string;
  /** The exit code, or the signal that ended it. */
  readonly exited: Promise<ExitStatus>;
  /** Sends the signal (unless it has exited) and waits for the exit. */
  signal(signal: NodeJS.Signals): Promise<ExitStatus>;
}

/**
 * A real `dredge …` process with its own HOME; resolves once `ready` finds what it waits for in the process's
 * stdout, and rejects with the whole output when the process exits first or takes longer than 20 s.
 */
export function spawnDredge<T>(
  args: readonly string[],
  env: NodeJS.ProcessEnv,
  cwd: string,
  ready: (stdout: string) => T | undefined,
): Promise<SpawnedDredge<T>> {
  const child = spawn(process.execPath, [DREDGE_BIN, ...args], {
    cwd,
    env: { PATH: process.env.PATH, HOME: cwd, ...env },
  });
  let output = '';
  let stdout = '';
  child.stdout.on('data', (chunk: Buffer) => {
    output += chunk.toString();
    stdout += chunk.toString();
  });
  child.stderr.on('data', (chunk: Buffer) => (output += chunk.toString()));
  const exited = new Promise<ExitStatus>((done) =>
    child.once('exit', (code, signal) => done(code ?? signal)),
  );
  const signal = (name: NodeJS.Signals) => {
    if (child.exitCode === null && child.signalCode === null) child.kill(name);
    return exited;
  };
  return new Promise((resolveStarted, reject) => {
    const timer = setTimeout(() => reject(new Error(`dredge ${args[0]} did not start:\n${output}`)), 20_000);
    child.stdout.on('data', () => {
      const started = ready(stdout);
      if (started === undefined) return;
      clearTimeout(timer);
      resolveStarted({ child, started, output: () => output, exited, signal });
    });
    void exited.then((code) => {
      clearTimeout(timer);
      reject(new Error(`dredge ${args[0]} exited with ${String(code)}:\n${output}`));
    });
  });
}
