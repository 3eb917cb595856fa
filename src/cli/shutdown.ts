import type { Logger } from '../services/telemetry/index.js';

/**
 * Runs `stop` on the first SIGTERM or SIGINT and resolves once it has finished (rejects if it fails), so the
 * command returns and exits 0 on a clean stop. Each signal is caught once: a second signal of the other kind
 * exits 1 at once, and a repeat of the same one gets the system's default (the process ends on it), so a stop
 * that hangs never needs more than two.
 */
export function stopOnSignals(
  stop: () => Promise<void>,
  logger: Logger,
  stoppingMessage: string,
  signals: readonly NodeJS.Signals[] = ['SIGTERM', 'SIGINT'],
): Promise<void> {
  return new Promise((resolve, reject) => {
    let stopping = false;
    const onSignal = (signal: NodeJS.Signals) => {
      if (stopping) {
        logger.warn({ signal }, 'second signal: stopping without waiting');
        process.exit(1);
      }
      stopping = true;
      logger.info({ signal }, stoppingMessage);
      stop().then(() => {
        logger.info('stopped cleanly');
        resolve();
      }, reject);
    };
    for (const signal of signals) process.once(signal, onSignal);
  });
}
