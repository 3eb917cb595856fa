import cluster, { type Worker } from 'node:cluster';
import type { Logger } from '../services/telemetry/index.js';
import { CliExit, writeLine, type CliIO } from './io.js';
import { isProcessReport, reusePortAvailable } from './processes.js';

/** A process that exits this soon after it started listening (or before) crashed "at once". */
const IMMEDIATE_CRASH_MS = 10_000;
/** Crashes at once in a row, in one slot, after which restarting is pointless: the supervisor stops all. */
const MOST_IMMEDIATE_CRASHES = 5;
/** The first restart waits this long, each further immediate crash twice as long, up to the ceiling. */
const FIRST_RESTART_DELAY_MS = 100;
const LONGEST_RESTART_DELAY_MS = 5_000;

/** One of the N server processes: restarted in place when it crashes. */
interface Slot {
  readonly index: number;
  worker: Worker | undefined;
  listeningSince: number | undefined;
  immediateCrashes: number;
  restartTimer: NodeJS.Timeout | undefined;
}

/**
 * The process the user started, when PROCESSES is above 1: it serves nothing itself. It starts `count` server
 * processes (`node:cluster`, the same command line), the first alone so that a refusal (a port taken, an
 * unauthenticated bind) is said once and the store is set up once, then the rest; prints their start-up lines
 * once; restarts a process that crashes, after a delay that doubles with each crash at once, and stops all when one
 * keeps crashing at once; on SIGTERM or SIGINT asks every process to drain (SIGTERM) and exits once all have, 0 when
 * every one stopped cleanly and 1 otherwise. A second signal ends them all without waiting.
 */
export async function superviseServers(count: number, io: CliIO, logger: Logger): Promise<void> {
  const slots: Slot[] = Array.from({ length: count }, (_, index) => ({
    index,
    worker: undefined,
    listeningSince: undefined,
    immediateCrashes: 0,
    restartTimer: undefined,
  }));
  let stopping = false;
  let failedCode = 0;
  let announced = false;
  let finish: (code: number) => void = () => undefined;
  const finished = new Promise<number>((resolve) => (finish = resolve));
  // Resolved by the first process's start-up lines (printed once), or by a start-up that failed.
  let firstListening: (lines: readonly string[] | undefined) => void = () => undefined;
  const firstStarted = new Promise<readonly string[] | undefined>((resolve) => (firstListening = resolve));
  const othersListening = new Set<number>();
  let allListening: () => void = () => undefined;
  const othersStarted = new Promise<void>((resolve) => (allListening = resolve));

  const live = () => slots.filter((slot) => slot.worker !== undefined);
  const stopAll = (code: number) => {
    if (code !== 0) failedCode = failedCode || code;
    if (stopping) return;
    stopping = true;
    for (const slot of slots) clearTimeout(slot.restartTimer);
    for (const slot of live()) slot.worker?.process.kill('SIGTERM');
    if (live().length === 0) finish(failedCode);
    // A start-up that is waited on never completes now: release it.
    firstListening(undefined);
    allListening();
  };

  const start = (slot: Slot) => {
    slot.restartTimer = undefined;
    const worker = cluster.fork({ DREDGE_PROCESS_INDEX: String(slot.index) });
    slot.worker = worker;
    slot.listeningSince = undefined;
    worker.on('message', (message: unknown) => {
      if (!isProcessReport(message)) return;
      slot.listeningSince = Date.now();
      if (slot.index === 0 && !announced) firstListening(message.lines);
      else if (!announced) {
        othersListening.add(slot.index);
        if (othersListening.size === count - 1) allListening();
      } else logger.info({ process: slot.index, pid: worker.process.pid }, 'server process restarted');
    });
    worker.on('exit', (code: number | null, signal: NodeJS.Signals | null) => {
      slot.worker = undefined;
      if (stopping) {
        if (code !== 0) failedCode = failedCode || 1;
        if (live().length === 0) finish(failedCode);
        return;
      }
      const how = signal === null ? `code ${String(code)}` : signal;
      if (!announced) {
        // A process that cannot start (its own stderr said why) fails the whole start-up, with its exit code.
        stopAll(code === null || code === 0 ? 1 : code);
        return;
      }
      const immediate =
        slot.listeningSince === undefined || Date.now() - slot.listeningSince < IMMEDIATE_CRASH_MS;
      slot.immediateCrashes = immediate ? slot.immediateCrashes + 1 : 1;
      if (slot.immediateCrashes >= MOST_IMMEDIATE_CRASHES) {
        logger.error(
          { process: slot.index, exit: how, crashes: slot.immediateCrashes },
          `server process ${slot.index} crashed ${slot.immediateCrashes} times in a row within ${IMMEDIATE_CRASH_MS / 1000} s of starting: not restarting it; stopping all`,
        );
        stopAll(1);
        return;
      }
      const delay = Math.min(
        LONGEST_RESTART_DELAY_MS,
        FIRST_RESTART_DELAY_MS * 2 ** (slot.immediateCrashes - 1),
      );
      logger.warn(
        { process: slot.index, pid: worker.process.pid, exit: how, restartInMs: delay },
        `server process ${slot.index} exited (${how}): restarting it`,
      );
      slot.restartTimer = setTimeout(() => start(slot), delay);
    });
  };

  // In place before any process starts: a signal during start-up drains what has started.
  let signalled = false;
  const onSignal = (signal: NodeJS.Signals) => {
    if (signalled) {
      logger.warn({ signal }, 'second signal: stopping every server process without waiting');
      for (const slot of live()) slot.worker?.process.kill('SIGKILL');
      process.exit(1);
    }
    signalled = true;
    logger.info({ signal, processes: live().length }, 'draining every server process, then stopping');
    stopAll(0);
  };
  process.on('SIGTERM', onSignal);
  process.on('SIGINT', onSignal);

  const [first] = slots;
  if (first === undefined) throw new Error('superviseServers needs at least one process');
  start(first);
  const lines = await firstStarted;
  if (lines !== undefined && !stopping) {
    for (const slot of slots.slice(1)) start(slot);
    await othersStarted;
  }
  if (!stopping) {
    announced = true;
    for (const line of lines ?? []) writeLine(io.stdout, line);
    const pids = slots.map((slot) => slot.worker?.process.pid).join(', ');
    const sharing = reusePortAvailable()
      ? 'each accepting its own connections'
      : 'sharing one listening socket';
    writeLine(io.stdout, `${count} server processes (pids ${pids}) on the same ports, ${sharing}.`);
  }
  const code = await finished;
  process.off('SIGTERM', onSignal);
  process.off('SIGINT', onSignal);
  if (code !== 0) throw new CliExit(code);
  logger.info('stopped cleanly');
}
