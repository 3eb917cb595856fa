import { MAX_BATCH_TASKS } from '../../app/batch/batch-task.js';
import { MAX_SEED } from '../../core/train/random.js';

/** Most concurrent tasks `--workers` accepts: beyond it a single client only measures its own contention. */
export const MAX_BATCH_WORKERS = 1024;
export const DEFAULT_BATCH_TASKS = 100;
/** The original's default. */
export const DEFAULT_BATCH_WORKERS = 4;
export const DEFAULT_BATCH_SEED = 1;

/** The options as commander hands them over (strings, and booleans for flags). */
export interface RawBatchOptions {
  readonly tasks?: string;
  readonly workers?: string;
  readonly cache: boolean;
  readonly distributed?: boolean;
  readonly url?: string;
  readonly ca?: string;
  readonly file?: string;
  readonly json?: boolean;
  readonly seed?: string;
}

export type BatchTarget =
  | { readonly kind: 'in-process' }
  | { readonly kind: 'distributed' }
  | { readonly kind: 'http'; readonly url: URL; readonly caFile?: string };

export interface BatchOptions {
  readonly target: BatchTarget;
  readonly workers: number;
  readonly cache: boolean;
  readonly json: boolean;
  readonly tasks:
    | { readonly kind: 'generated'; readonly count: number; readonly seed: number }
    | { readonly kind: 'file'; readonly path: string };
}

/** Raised with the sentence to print for a bad option (exit code 2). */
export class BatchUsageError extends Error {}

/** Checks every option and its bounds; the first problem is a BatchUsageError whose message says what is allowed. */
export function parseBatchOptions(raw: RawBatchOptions): BatchOptions {
  if (raw.distributed && raw.url !== undefined) {
    throw new BatchUsageError(
      '--distributed and --url cannot be used together: the tasks go either to the queue or to a server.',
    );
  }
  if (raw.file !== undefined && (raw.tasks !== undefined || raw.seed !== undefined)) {
    throw new BatchUsageError('--file cannot be used with --tasks or --seed: the file says which tasks run.');
  }
  if (raw.ca !== undefined && (raw.url === undefined || !raw.url.startsWith('https:'))) {
    throw new BatchUsageError(
      '--ca needs an https:// --url: it names the authority that signed that server.',
    );
  }
  const workers = wholeNumber('--workers', raw.workers, DEFAULT_BATCH_WORKERS, 1, MAX_BATCH_WORKERS);
  const target: BatchTarget = raw.distributed
    ? { kind: 'distributed' }
    : raw.url !== undefined
      ? { kind: 'http', url: serverUrl(raw.url), ...(raw.ca === undefined ? {} : { caFile: raw.ca }) }
      : { kind: 'in-process' };
  return {
    target,
    workers,
    cache: raw.cache,
    json: raw.json === true,
    tasks:
      raw.file !== undefined
        ? { kind: 'file', path: raw.file }
        : {
            kind: 'generated',
            count: wholeNumber('--tasks', raw.tasks, DEFAULT_BATCH_TASKS, 1, MAX_BATCH_TASKS),
            seed: wholeNumber('--seed', raw.seed, DEFAULT_BATCH_SEED, 0, MAX_SEED),
          },
  };
}

function wholeNumber(
  name: string,
  text: string | undefined,
  fallback: number,
  min: number,
  max: number,
): number {
  if (text === undefined) return fallback;
  const value = /^\d+$/.test(text.trim()) ? Number(text.trim()) : Number.NaN;
  if (!Number.isSafeInteger(value) || value < min || value > max) {
    throw new BatchUsageError(
      `${name} must be a whole number from ${min.toLocaleString('en-US')} to ${max.toLocaleString('en-US')} (got "${text.slice(0, 40)}").`,
    );
  }
  return value;
}

/** The server's base URL; a URL ending in /mcp (the endpoint itself) is taken to mean its server. */
function serverUrl(text: string): URL {
  let url: URL;
  try {
    url = new URL(text);
  } catch {
    throw new BatchUsageError(
      `--url must be an http:// or https:// URL such as http://127.0.0.1:3002 (got "${text.slice(0, 100)}").`,
    );
  }
  if (url.protocol !== 'http:' && url.protocol !== 'https:') {
    throw new BatchUsageError(
      `--url must be an http:// or https:// URL such as http://127.0.0.1:3002 (got "${text.slice(0, 100)}").`,
    );
  }
  url.pathname = url.pathname.replace(/\/mcp\/?$/, '').replace(/\/?$/, '/');
  url.search = '';
  url.hash = '';
  return url;
}
