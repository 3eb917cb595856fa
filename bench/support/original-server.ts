/**
 * The original Python server, measured beside ours in the same run when the environment says how to start it:
 * DREDGE_BENCH_ORIGINAL_COMMAND is a shell command that starts it listening on 127.0.0.1 at the port given in the
 * environment variable PORT (the command can also say `$PORT`). The original is not part of this repository; without
 * the variable the benchmarks measure ours and the bare server only.
 */
import { spawn } from 'node:child_process';
import { connect } from 'node:net';
import { freePort } from './free-port.js';
import type { ChildServer } from './child-server.js';

export const ORIGINAL_COMMAND_VARIABLE = 'DREDGE_BENCH_ORIGINAL_COMMAND';
/** Python, its imports (PyTorch) and the server take a few seconds to listen; this is the longest wait. */
const READY_TIMEOUT_MS = 120_000;
/** How long a stopped server has to exit after SIGTERM before it is killed. */
const STOP_GRACE_MS = 5_000;

/** The command that starts the original, or undefined when none is configured. */
export function originalCommand(env: NodeJS.ProcessEnv = process.env): string | undefined {
  const command = env[ORIGINAL_COMMAND_VARIABLE]?.trim();
  return command ? command : undefined;
}

function accepts(port: number): Promise<boolean> {
  return new Promise((resolve) => {
    const socket = connect({ host: '127.0.0.1', port });
    socket.once('connect', () => {
      socket.destroy();
      resolve(true);
    });
    socket.once('error', () => resolve(false));
  });
}

/**
 * Starts `command` through the shell with PORT set to a free port and resolves once that port accepts connections.
 * The command runs in its own process group, so stopping it reaches whatever it started (a Python interpreter
 * behind a wrapper script). It reports no CPU time: `stop` resolves with undefined.
 */
export async function startOriginalServer(command: string): Promise<ChildServer> {
  const port = await freePort();
  const child = spawn('sh', ['-c', command], {
    env: { ...process.env, PORT: String(port) },
    stdio: ['ignore', 'ignore', 'inherit'],
    detached: true,
  });
  const exited = new Promise<number | null>((resolve) => child.once('exit', (code) => resolve(code)));
  let exitCode: number | null | undefined;
  void exited.then((code) => (exitCode = code));
  const signalGroup = (signal: NodeJS.Signals): void => {
    try {
      if (child.pid !== undefined) process.kill(-child.pid, signal);
    } catch {
      // The group is gone already.
    }
  };

  const deadline = Date.now() + READY_TIMEOUT_MS;
  while (!(await accepts(port))) {
    if (exitCode !== undefined) {
      throw new Error(
        `${ORIGINAL_COMMAND_VARIABLE} exited with ${exitCode} before listening on port ${port}`,
      );
    }
    if (Date.now() > deadline) {
      signalGroup('SIGKILL');
      throw new Error(
        `${ORIGINAL_COMMAND_VARIABLE} did not listen on port ${port} within ${READY_TIMEOUT_MS} ms`,
      );
    }
    await new Promise((resolve) => setTimeout(resolve, 100));
  }
  return {
    url: `http://127.0.0.1:${port}`,
    markStart: () => undefined,
    stop: async () => {
      signalGroup('SIGTERM');
      // The shell may exit before the server it started has let go of the port: wait for both, then kill the
      // group if either is still there, so the next server measured has the machine to itself.
      const until = Date.now() + STOP_GRACE_MS;
      const killer = setTimeout(() => signalGroup('SIGKILL'), STOP_GRACE_MS);
      await exited;
      clearTimeout(killer);
      while ((await accepts(port)) && Date.now() < until) {
        await new Promise((resolve) => setTimeout(resolve, 50));
      }
      signalGroup('SIGKILL');
      return undefined;
    },
  };
}
