// Requests to the DREDGE server that serves this page: the page talks to nothing else.

/**
 * Sends a request and reads its JSON answer. Answers `{ ok, status, body }`; a failed request (the server
 * gone, a timeout) is `{ ok: false, status: 0, body: { error } }` rather than an exception, so every panel
 * shows failures the same way.
 * @param {string} path
 * @param {{ method?: string, body?: unknown, timeoutMs?: number }} [options]
 */
export async function request(path, options = {}) {
  const init = {
    method: options.method ?? 'GET',
    headers: { accept: 'application/json' },
    signal: AbortSignal.timeout(options.timeoutMs ?? 10_000),
  };
  if (options.body !== undefined) {
    init.headers['content-type'] = 'application/json';
    init.body = JSON.stringify(options.body);
  }
  try {
    const response = await fetch(path, init);
    const body = await response.json().catch(() => ({ error: `HTTP ${response.status}` }));
    return { ok: response.ok, status: response.status, body };
  } catch (error) {
    const reason = error instanceof Error && error.name === 'TimeoutError' ? 'timed out' : 'unreachable';
    return { ok: false, status: 0, body: { error: `The server is ${reason}.` } };
  }
}

/** The sentence of a failed answer. */
export function failure(answer) {
  return typeof answer.body?.error === 'string' ? answer.body.error : `HTTP ${answer.status}`;
}
