/** The codes a DREDGE server answers a refusal with (its `code` field), each meaning one HTTP status. */
export type ServerErrorCode =
  | 'invalid_input'
  | 'unauthorized'
  | 'forbidden'
  | 'not_found'
  | 'too_large'
  | 'unsupported_media_type'
  | 'rate_limited'
  | 'internal'
  | 'upstream'
  | 'unavailable';

/** The codes the client gives failures that no server answer carried. */
export type ClientErrorCode =
  /** The request never got an answer: the connection was refused or reset, a name did not resolve, TLS failed. */
  | 'network_error'
  /** The call's `timeoutMs` passed (retries and their waits included). */
  | 'timeout'
  /** The caller's `signal` aborted the call. */
  | 'aborted'
  /** An answer that is not the JSON the route answers (a proxy's HTML page, a cut body). */
  | 'invalid_response'
  /** An answer larger than `maxResponseBytes`. */
  | 'response_too_large'
  /** `tasks.result` of a task still pending or running. */
  | 'task_not_finished'
  /** `tasks.result` (or `tasks.run`) of a task that was cancelled. */
  | 'task_cancelled';

/**
 * Every code a `DredgeClientError` may carry: the server's, the client's, or the code a failed task records
 * (`timeout`, `interrupted`, or any of the server's). Open-ended, so a newer server's code still type-checks.
 */
export type DredgeErrorCode = ServerErrorCode | ClientErrorCode | 'interrupted' | (string & {});

export interface DredgeClientErrorInit {
  readonly message: string;
  readonly code: DredgeErrorCode;
  /** The HTTP status of the answer that refused the request; 0 when no answer carried the failure. */
  readonly status: number;
  readonly retryAfter?: number | undefined;
  readonly method?: string | undefined;
  readonly url?: string | undefined;
  readonly operation?: string | undefined;
  readonly taskId?: string | undefined;
  readonly cause?: unknown;
}

/**
 * The one error the client throws, whatever failed: a refusal of the server (`status` and the server's `code`), a
 * network failure, a timeout, an abort, an answer it could not read, a task that failed. It never holds the API
 * key: messages are scrubbed of it, and a cause that mentions it is left out.
 */
export class DredgeClientError extends Error {
  override readonly name = 'DredgeClientError';
  readonly code: DredgeErrorCode;
  /** The HTTP status of the refusal; 0 for a failure no answer carried (network, timeout, abort, a failed task). */
  readonly status: number;
  /** Seconds the server asked to wait before trying again (its Retry-After), when it said. */
  readonly retryAfter: number | undefined;
  readonly method: string | undefined;
  /** The URL asked (the base URL, path and query: never a credential, which travels in a header only). */
  readonly url: string | undefined;
  /** The operation named, for a call of the JSON API. */
  readonly operation: string | undefined;
  /** The task, for a task that failed or was cancelled. */
  readonly taskId: string | undefined;

  constructor(init: DredgeClientErrorInit) {
    // `cause` is set by Error itself, as an own property that is not enumerable.
    super(init.message, init.cause === undefined ? undefined : { cause: init.cause });
    this.code = init.code;
    this.status = init.status;
    this.retryAfter = init.retryAfter;
    this.method = init.method;
    this.url = init.url;
    this.operation = init.operation;
    this.taskId = init.taskId;
  }
}

/** Whether `error` is a DredgeClientError (of `code`, when given). */
export function isDredgeClientError(error: unknown, code?: DredgeErrorCode): error is DredgeClientError {
  return error instanceof DredgeClientError && (code === undefined || error.code === code);
}
