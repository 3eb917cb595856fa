import { createRequire } from 'node:module';
import { pino, type DestinationStream, type Logger, type LoggerOptions } from 'pino';
import type PinoPretty from 'pino-pretty';
import { colorEnabled } from '../../config/color.js';

/**
 * pino-pretty is needed only when a terminal reads the log; it is required on that first use (synchronously:
 * it is a CommonJS module, and creating a logger must stay synchronous) so servers writing JSON never load it.
 */
const requireModule = createRequire(import.meta.url);
const loadPretty = (): typeof PinoPretty => requireModule('pino-pretty') as typeof PinoPretty;

export type { Logger } from 'pino';
export type LogLevel = 'trace' | 'debug' | 'info' | 'warn' | 'error' | 'fatal' | 'silent';

/** Field names whose values are secrets wherever they appear in a log record (up to three levels deep). */
const SECRET_FIELDS = [
  'apiKey',
  'api_key',
  'API_KEY',
  'password',
  'REDIS_PASSWORD',
  'token',
  'accessToken',
  'GITHUB_TOKEN',
  'secret',
  'authorization',
  'Authorization',
  'cookie',
  'x-api-key',
];

/** pino's redaction compiles these paths once; `*` matches any key at that depth. */
export const REDACTED_LOG_PATHS = SECRET_FIELDS.flatMap((field) => {
  const isIdentifier = /^[A-Za-z_$][\w$]*$/.test(field);
  const at = (prefix: string) => (isIdentifier ? `${prefix}.${field}` : `${prefix}["${field}"]`);
  return [isIdentifier ? field : `["${field}"]`, at('*'), at('*.*')];
});

export interface CreateLoggerOptions {
  readonly level: LogLevel;
  /** Human-readable lines instead of JSON; by default when the destination is a terminal. */
  readonly pretty?: boolean;
  /**
   * Where records go: a stream, or a file descriptor (2 = stderr, the default; 1 = stdout). Records go to stderr
   * by default so that stdout carries only what a command prints (its URLs, its report, the MCP protocol).
   */
  readonly destination?: (DestinationStream & { isTTY?: boolean }) | 1 | 2;
}

/**
 * The root logger: structured JSON, secrets redacted, one record per line.
 * Components take a child with `componentLogger`, so every record says where it came from. Readable lines are
 * coloured on a terminal unless NO_COLOR (any non-empty value) or FORCE_COLOR=0 says not to.
 */
export function createLogger(options: CreateLoggerOptions): Logger {
  const destination = options.destination ?? 2;
  const isTerminal =
    destination === 1
      ? process.stdout.isTTY === true
      : destination === 2
        ? process.stderr.isTTY === true
        : destination.isTTY === true;
  const settings: LoggerOptions = {
    name: 'dredge',
    level: options.level,
    redact: { paths: REDACTED_LOG_PATHS, censor: '[redacted]' },
  };
  if (options.pretty ?? isTerminal) {
    // Synchronous pretty printing in this thread: a CLI's few lines must not wait for a transport worker.
    const colorize = colorEnabled(process.env, isTerminal);
    return pino(settings, loadPretty()({ destination, sync: true, colorize }));
  }
  if (typeof destination === 'object') return pino(settings, destination);
  return pino(settings, pino.destination({ dest: destination, sync: false }));
}

export function componentLogger(root: Logger, component: string): Logger {
  return root.child({ component });
}
