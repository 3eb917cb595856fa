import { PassThrough } from 'node:stream';
import { runCli } from '../../src/cli/run-cli.js';

export interface CliRun {
  readonly code: number;
  readonly stdout: string;
  readonly stderr: string;
}

/** Runs the real `dredge` command tree in-process with captured output and a controlled environment. */
export async function dredge(
  argv: string[],
  options: {
    cwd: string;
    homeDir: string;
    env?: NodeJS.ProcessEnv;
    /** Both streams a terminal; `stderrTty` sets stderr's on its own. */
    tty?: boolean;
    stderrTty?: boolean;
    columns?: number;
  },
): Promise<CliRun> {
  const stdout = Object.assign(new PassThrough(), {
    isTTY: options.tty ?? false,
    columns: options.columns ?? 80,
  });
  const stderr = Object.assign(new PassThrough(), { isTTY: options.stderrTty ?? options.tty ?? false });
  let out = '';
  let err = '';
  stdout.on('data', (chunk: Buffer) => (out += chunk.toString()));
  stderr.on('data', (chunk: Buffer) => (err += chunk.toString()));
  const code = await runCli(argv, {
    stdout,
    stderr,
    cwd: options.cwd,
    homeDir: options.homeDir,
    env: options.env ?? {},
  });
  return { code, stdout: out, stderr: err };
}

/**
 * `dredge <command> …` in a fresh DATA_DIR, working directory and home, each a folder of `tempDir` (see
 * useTempDirs): for the tests of one command, each test in a place of its own.
 */
export function commandInFreshPlace(
  tempDir: () => string,
  command: string,
  env: NodeJS.ProcessEnv = {},
): { dataDir: string; run: (...argv: string[]) => Promise<CliRun> } {
  const dataDir = tempDir();
  const options = {
    cwd: tempDir(),
    homeDir: tempDir(),
    env: { DATA_DIR: dataDir, LOG_LEVEL: 'silent', ...env },
  };
  return { dataDir, run: (...argv: string[]) => dredge([command, ...argv], options) };
}
