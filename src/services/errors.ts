/** Stable error codes, shared by every door; each maps to one HTTP status. */
export const ERROR_STATUS = {
  invalid_input: 400,
  unauthorized: 401,
  forbidden: 403,
  not_found: 404,
  too_large: 413,
  unsupported_media_type: 415,
  rate_limited: 429,
  internal: 500,
  /** A dependency answered, but not with anything usable (too long, or pointing elsewhere). */
  upstream: 502,
  unavailable: 503,
} as const;

export type ErrorCode = keyof typeof ERROR_STATUS;

/**
 * The one error type DREDGE answers with. Its message is a sentence for the client that names the field and
 * the limit; internal details go to the log and never into it.
 */
export class DredgeError extends Error {
  override readonly name = 'DredgeError';

  /**
   * Whether trying again later may succeed: by default only `unavailable` (a dependency away, a queue full). A
   * missing setting is `unavailable` too, but waiting does not fix it, so it says `retryable: false`.
   */
  readonly retryable: boolean;

  /** When the client may usefully try again, in seconds (HTTP's Retry-After), where the failure knows it. */
  readonly retryAfterSeconds: number | undefined;

  constructor(
    readonly code: ErrorCode,
    message: string,
    options: { readonly retryable?: boolean; readonly retryAfterSeconds?: number } = {},
  ) {
    // A DredgeError is an answer, not a crash: capturing its stack cost more than the rest of a rejected
    // request (about 10 µs), and nobody reads it. Unexpected errors keep their stacks.
    const limit = Error.stackTraceLimit;
    Error.stackTraceLimit = 0;
    super(message);
    Error.stackTraceLimit = limit;
    this.retryable = options.retryable ?? code === 'unavailable';
    this.retryAfterSeconds = options.retryAfterSeconds;
  }

  get status(): number {
    return ERROR_STATUS[this.code];
  }
}

/** The body every failure has, in the original's shape (`success`, `error`) plus the stable `code`. */
export interface ErrorBody {
  success: false;
  error: string;
  code: ErrorCode;
}

export function errorBody(error: DredgeError): ErrorBody {
  return { success: false, error: error.message, code: error.code };
}

/**
 * Runs a call to a dependency (a store, a queue) for a client. A DredgeError passes through; any other failure —
 * the dependency's own error when it is away — becomes a 503 with `sentence` (the client may retry), never a
 * 500 carrying the dependency's text.
 */
export async function unavailableOnFailure<T>(sentence: string, work: () => Promise<T>): Promise<T> {
  try {
    return await work();
  } catch (error) {
    if (error instanceof DredgeError) throw error;
    throw new DredgeError('unavailable', sentence);
  }
}
