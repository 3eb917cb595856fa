import { availableParallelism } from 'node:os';

/** What PROCESSES (`--processes`) says: `auto`, one per core the process may use, or a count (1 to 64). */
export function processCount(setting: string): number {
  return setting === 'auto' ? Math.min(64, availableParallelism()) : Number(setting);
}

/**
 * Whether sockets of separate processes can listen on one port with SO_REUSEPORT, each accepting its own
 * connections (Linux, Node.js 22.12 and later). Elsewhere the supervisor's `node:cluster` shares one listening
 * socket, accepting in the supervisor and handing each connection to a process in turn.
 */
export function reusePortAvailable(): boolean {
  if (process.platform !== 'linux') return false;
  const [major = 0, minor = 0] = process.versions.node.split('.').map(Number);
  return major > 22 || (major === 22 && minor >= 12);
}

/** Messages a server process sends its supervisor over the IPC channel. */
export type ProcessReport = { readonly kind: 'dredge:listening'; readonly lines: readonly string[] };

export function isProcessReport(message: unknown): message is ProcessReport {
  return (
    typeof message === 'object' &&
    message !== null &&
    (message as { kind?: unknown }).kind === 'dredge:listening' &&
    Array.isArray((message as { lines?: unknown }).lines)
  );
}
