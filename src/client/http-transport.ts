import { CallSignal } from './call-signal.js';
import { DredgeClientError } from './errors.js';
import {
  DEFAULT_MAX_RESPONSE_BYTES,
  DEFAULT_TIMEOUT_MS,
  checkedTimeout,
  retrySettings,
  type CallOptions,
  type ClientOptions,
  type FetchLike,
  type RetryOptions,
} from './options.js';
import { readBoundedText } from './read-body.js';
import { mentionsSecret, withoutSecret } from './redact.js';
import { readRefusal } from './refusal.js';
import { parseRetryAfter } from './retry-after.js';
import { retryDelay } from './retry-policy.js';

/** One request to a route of a DREDGE server. */
export interface RouteRequest {
  readonly method: 'GET' | 'POST' | 'DELETE';
  /** The path, its parameters already encoded. */
  readonly path: string;
  readonly query?: Readonly<Record<string, string | number | undefined>>;
  /** Sent as JSON. */
  readonly body?: unknown;
  /** The request changes nothing, so a 503 without Retry-After may be retried (see `retryDelay`). */
  readonly safe: boolean;
  /** Statuses besides 2xx whose body is the answer (`GET /ready` answers its report with 503). */
  readonly answersWith?: readonly number[];
  /** The operation a JSON API call names, for its errors. */
  readonly operation?: string;
}

/**
 * How every client speaks HTTP: the URL, the headers (the API key as `Authorization: Bearer`), the call's timeout
 * and signal, retries of 429 and 503, bounded reading of the answer, and every failure as a `DredgeClientError`.
 */
export class HttpTransport {
  readonly baseUrl: string;
  // Private fields: the key is not an enumerable property, so printing or serializing a client never shows it.
  readonly #apiKey: string | undefined;
  readonly #fetch: FetchLike;
  readonly #timeoutMs: number;
  readonly #retry: RetryOptions | undefined;
  readonly #maxResponseBytes: number;
  readonly #headers: Readonly<Record<string, string>>;

  constructor(options: ClientOptions) {
    this.baseUrl = checkedBaseUrl(options.baseUrl);
    this.#apiKey = options.apiKey;
    this.#fetch = options.fetch ?? platformFetch();
    this.#timeoutMs = checkedTimeout('timeoutMs', options.timeoutMs ?? DEFAULT_TIMEOUT_MS);
    this.#retry = options.retry;
    retrySettings(options.retry); // checks them now, so a mistake shows where the client is made
    this.#maxResponseBytes = options.maxResponseBytes ?? DEFAULT_MAX_RESPONSE_BYTES;
    if (!(this.#maxResponseBytes > 0))
      throw new RangeError('maxResponseBytes must be a positive number of bytes');
    this.#headers = { ...options.headers };
  }

  /** Sends the request, retrying 429 and 503 as `retryDelay` allows, and answers the parsed JSON body. */
  async send<T>(route: RouteRequest, options: CallOptions = {}): Promise<T> {
    const url = this.#url(route);
    const settings = retrySettings(this.#retry, options.retry);
    const call = new CallSignal(
      options.timeoutMs === undefined ? this.#timeoutMs : checkedTimeout('timeoutMs', options.timeoutMs),
      options.signal,
    );
    const init = this.#init(route, call.signal);
    try {
      for (let retriesMade = 0; ; retriesMade += 1) {
        const answer = await this.#attempt(route, url, init);
        if (!(answer instanceof DredgeClientError)) return answer as T;
        const delay = retryDelay(
          {
            status: answer.status,
            retryAfter: answer.retryAfter,
            safe: route.safe,
            retriesMade,
            remainingMs: call.remainingMs(),
          },
          settings,
        );
        if (delay === undefined) throw answer;
        await call.wait(delay);
      }
    } catch (error) {
      throw this.#failure(error, route, url, call);
    } finally {
      call.dispose();
    }
  }

  /** One try: the parsed answer, or the refusal (returned, for the caller to retry or throw). */
  async #attempt(route: RouteRequest, url: string, init: RequestInit): Promise<unknown> {
    const response = await this.#fetch(url, init);
    const answered = response.ok || route.answersWith?.includes(response.status) === true;
    const read = await readBoundedText(response, this.#maxResponseBytes);
    if (!answered) {
      const refusal = readRefusal(response.status, response.statusText, read.ok ? read.text : undefined);
      return this.#error(route, url, {
        code: refusal.code,
        status: response.status,
        message: refusal.message,
        retryAfter: parseRetryAfter(response.headers.get('retry-after')),
      });
    }
    if (!read.ok) {
      throw this.#error(route, url, {
        code: 'response_too_large',
        status: response.status,
        message: `The answer has ${read.bytes} bytes, more than maxResponseBytes (${this.#maxResponseBytes})`,
      });
    }
    const body = parseObject(read.text);
    if (body === undefined) {
      throw this.#error(route, url, {
        code: 'invalid_response',
        status: response.status,
        message: `The answer is not a JSON object (${response.headers.get('content-type') ?? 'no content type'})`,
      });
    }
    return body;
  }

  /** Any failure of a call as the one error type: what fetch threw becomes a network failure, timeout or abort. */
  #failure(error: unknown, route: RouteRequest, url: string, call: CallSignal): DredgeClientError {
    if (error instanceof DredgeClientError) return error;
    if (call.signal.aborted) {
      const timedOut = call.reason === 'timeout';
      return this.#error(route, url, {
        code: call.reason,
        status: 0,
        message: timedOut
          ? `${describe(route)} did not finish within its timeout (timeoutMs)`
          : `${describe(route)} was aborted`,
      });
    }
    return this.#error(route, url, {
      code: 'network_error',
      status: 0,
      message: `Cannot reach ${this.baseUrl}: ${networkDetail(error)}`,
      ...(mentionsSecret(error, this.#apiKey) ? {} : { cause: error }),
    });
  }

  #error(
    route: RouteRequest,
    url: string,
    details: {
      code: string;
      status: number;
      message: string;
      retryAfter?: number | undefined;
      cause?: unknown;
    },
  ): DredgeClientError {
    return new DredgeClientError({
      ...details,
      message: withoutSecret(details.message, this.#apiKey),
      method: route.method,
      url,
      operation: route.operation,
    });
  }

  #url(route: RouteRequest): string {
    const search = new URLSearchParams();
    for (const [name, value] of Object.entries(route.query ?? {})) {
      if (value !== undefined) search.set(name, String(value));
    }
    const query = search.toString();
    return `${this.baseUrl}${route.path}${query ? `?${query}` : ''}`;
  }

  #init(route: RouteRequest, signal: AbortSignal): RequestInit {
    const headers: Record<string, string> = { ...this.#headers, accept: 'application/json' };
    if (this.#apiKey !== undefined) headers.authorization = `Bearer ${this.#apiKey}`;
    if (route.body === undefined) return { method: route.method, headers, signal };
    headers['content-type'] = 'application/json';
    return { method: route.method, headers, signal, body: JSON.stringify(route.body) };
  }
}

/** The base URL without its trailing slashes; http or https, with no credentials in it. */
function checkedBaseUrl(baseUrl: string): string {
  let url: URL;
  try {
    url = new URL(baseUrl);
  } catch {
    throw new TypeError(`baseUrl must be an absolute http(s) URL, such as http://localhost:3002`);
  }
  if (url.protocol !== 'http:' && url.protocol !== 'https:') {
    throw new TypeError(`baseUrl must be an http or https URL (it is ${url.protocol})`);
  }
  if (url.username || url.password) {
    throw new TypeError('baseUrl must not hold credentials: give the API key as apiKey');
  }
  if (url.search || url.hash) throw new TypeError('baseUrl must not have a query or a fragment');
  return `${url.origin}${url.pathname.replace(/\/+$/, '')}`;
}

/** The platform's fetch, looked up at each call (so a polyfill installed later is used) and called unbound. */
function platformFetch(): FetchLike {
  if (typeof globalThis.fetch !== 'function') {
    throw new TypeError('This runtime has no global fetch: pass one as the fetch option');
  }
  return (url, init) => globalThis.fetch(url, init);
}

function parseObject(text: string): Record<string, unknown> | undefined {
  try {
    const parsed: unknown = JSON.parse(text);
    return typeof parsed === 'object' && parsed !== null && !Array.isArray(parsed)
      ? (parsed as Record<string, unknown>)
      : undefined;
  } catch {
    return undefined;
  }
}

function describe(route: RouteRequest): string {
  return `${route.method} ${route.path}${route.operation ? ` (${route.operation})` : ''}`;
}

/** What went wrong, as fetch says it: its message, and its cause's code and message (refused, reset, TLS). */
function networkDetail(error: unknown): string {
  if (!(error instanceof Error)) return String(error);
  const cause = error.cause as { code?: unknown; message?: unknown } | undefined;
  const parts = [error.message];
  if (cause && typeof cause === 'object') {
    if (typeof cause.code === 'string') parts.push(cause.code);
    if (typeof cause.message === 'string' && cause.message !== error.message) parts.push(cause.message);
  }
  return parts.join(': ');
}
