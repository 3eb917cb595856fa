import type { Logger } from './telemetry/logger.js';

/**
 * Logs a failing condition once, not once per request: the first failure is a warning, further failures are
 * debug records, and the first success afterwards is one info record that re-arms the warning. A full disk
 * under load therefore costs one warning, not thousands.
 */
export class FailureLatch {
  private failing = false;

  constructor(
    private readonly logger: Logger,
    private readonly what: string,
    /** What happens meanwhile, for the warning. */
    private readonly meanwhile = 'requests are served without it until it works again',
  ) {}

  get isFailing(): boolean {
    return this.failing;
  }

  fail(error: unknown, fields: Record<string, unknown> = {}): void {
    const record = {
      ...fields,
      err: error instanceof Error ? error.message : String(error),
      code: errorCode(error),
    };
    if (this.failing) {
      this.logger.debug(record, `${this.what} still failing`);
      return;
    }
    this.failing = true;
    this.logger.warn(record, `${this.what} failing; ${this.meanwhile}`);
  }

  succeed(): void {
    if (!this.failing) return;
    this.failing = false;
    this.logger.info(`${this.what} works again`);
  }
}

/** The `code` of a Node.js system error (ENOENT, ENOSPC…), or undefined. */
export function errorCode(error: unknown): string | undefined {
  if (typeof error !== 'object' || error === null || !('code' in error)) return undefined;
  const code = (error as { code: unknown }).code;
  return typeof code === 'string' ? code : undefined;
}
