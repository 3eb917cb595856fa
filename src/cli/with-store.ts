import { serviceSettings } from '../app/service-settings.js';
import { DredgeError } from '../services/errors.js';
import { createStore, type Store } from '../services/store/index.js';
import type { CliContext } from './context.js';
import { CliExit, writeLine } from './io.js';

/**
 * Opens the store the servers use (STORE_BACKEND: DATA_DIR's SQLite, Redis or PostgreSQL, from the same
 * configuration), runs `work`, and closes it. A refusal (an unknown model, a full store) is one line on stderr and
 * exit 1. The commands that work on the store directly (`dredge keys`, `dredge export`, `dredge import`) share it.
 */
export async function withStore<T>(ctx: CliContext, work: (store: Store) => Promise<T>): Promise<T> {
  const { config } = ctx.loadConfig();
  const store = await createStore(serviceSettings(config).store);
  try {
    return await work(store);
  } catch (error) {
    if (!(error instanceof DredgeError)) throw error;
    writeLine(ctx.io.stderr, error.message);
    throw new CliExit(1);
  } finally {
    await store.close();
  }
}
