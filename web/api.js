// Requests to the DREDGE server that serves this page: the page talks to nothing else.

/** Where the page keeps the API key for this tab only (never a cookie: no request is sent on the page's behalf). */
const KEY_ITEM = 'dredge-api-key';

/** The prompt for a key in progress, shared by the panels that were refused at the same time. */
let asking;
/** Whether the person dismissed the prompt: the page then shows the refusals instead of asking again and again. */
let declined = false;

/**
 * Asks for an API key (a server with AUTH_ENABLED answered 401) and keeps it in sessionStorage; answers whether
 * one was given.
 */
function askForKey() {
  asking ??= Promise.resolve().then(() => {
    const key = window.prompt('This DREDGE server needs an API key (see `dredge keys create`):');
    asking = undefined;
    if (!key) {
      declined = true;
      return false;
    }
    sessionStorage.setItem(KEY_ITEM, key.trim());
    return true;
  });
  return asking;
}

/**
 * Sends a request and reads its JSON answer. Answers `{ ok, status, body }`; a failed request (the server
 * gone, a timeout) is `{ ok: false, status: 0, body: { error } }` rather than an exception, so every panel
 * shows failures the same way.
 * @param {string} path
 * @param {{ method?: string, body?: unknown, timeoutMs?: number }} [options]
 */
export async function request(path, options = {}, retried = false) {
  const init = {
    method: options.method ?? 'GET',
    headers: { accept: 'application/json' },
    signal: AbortSignal.timeout(options.timeoutMs ?? 10_000),
  };
  const key = sessionStorage.getItem(KEY_ITEM);
  if (key) init.headers.authorization = `Bearer ${key}`;
  if (options.body !== undefined) {
    init.headers['content-type'] = 'application/json';
    init.body = JSON.stringify(options.body);
  }
  try {
    const response = await fetch(path, init);
    if (response.status === 401 && !retried && !declined) {
      // Another panel may have been given a key while this request was out: try that one first.
      const current = sessionStorage.getItem(KEY_ITEM);
      if (current && current !== key) return request(path, options, true);
      sessionStorage.removeItem(KEY_ITEM);
      if (await askForKey()) return request(path, options, true);
    }
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
