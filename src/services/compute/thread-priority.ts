import { readlinkSync } from 'node:fs';
import { setPriority } from 'node:os';

/** How far compute threads step back (nice 10: about a tenth of the CPU share of a nice-0 thread under contention). */
export const COMPUTE_THREAD_NICE = 10;

/**
 * Lowers the priority of the calling thread only, so the server's event loop (priority 0) wins the CPU whenever
 * it has a request to answer, and a training fills the idle time. Node has no call for this: on Linux a thread's
 * own id is the last part of /proc/thread-self, and setpriority() on that id applies to that thread alone.
 * Elsewhere (and where /proc is missing) the thread keeps its priority.
 */
export function lowerThreadPriority(nice = COMPUTE_THREAD_NICE): boolean {
  try {
    const threadId = Number(readlinkSync('/proc/thread-self').split('/').pop());
    if (!Number.isInteger(threadId) || threadId <= 0) return false;
    setPriority(threadId, nice);
    return true;
  } catch {
    return false;
  }
}
