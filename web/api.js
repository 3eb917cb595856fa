// Requests to the DREDGE server that serves this page: the page talks to nothing else.

/** Where the page keeps the API key for this tab only (never a cookie: no request is sent on the page's behalf). */
const KEY_ITEM = 'dredge-api-key';

/**
 * Whether the server answered the latest request (any answer, a refusal included) or could not be reached: an
 * `unreachable`/`reachable` event fires on each change, and the page computes in itself while unreachable.
 */
export const reachability = new EventTarget();
let reachable = true;

export function serverReachable() {
  return reachable;
}

function setReachable(value) {
  if (value === reachable) return;
  reachable = value;
  reachability.dispatchEvent(new Event(value ? 'reachable' : 'unreachable'));
}

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
    setReachable(true);
    const body = await response.json().catch(() => ({ error: `HTTP ${response.status}` }));
    return { ok: response.ok, status: response.status, body };
  } catch (error) {
    const reason = error instanceof Error && error.name === 'TimeoutError' ? 'timed out' : 'unreachable';
    setReachable(false);
    return { ok: false, status: 0, body: { error: `The server is ${reason}.` } };
  }
}

/** The sentence of a failed answer. */
export function failure(answer) {
  return typeof answer.body?.error === 'string' ? answer.body.error : `HTTP ${answer.status}`;
}

/**
 * Downloads binary data (a model bundle): answers `{ ok, status, bytes }` (an ArrayBuffer), or `{ ok: false,
 * status, body: { error } }` as `request` does; an answer over `maxBytes` is refused before it is read whole.
 */
export async function requestBytes(path, { maxBytes, timeoutMs = 60_000 }) {
  const headers = { accept: 'application/octet-stream' };
  const key = sessionStorage.getItem(KEY_ITEM);
  if (key) headers.authorization = `Bearer ${key}`;
  try {
    const response = await fetch(path, { headers, signal: AbortSignal.timeout(timeoutMs) });
    setReachable(true);
    if (!response.ok) {
      const body = await response.json().catch(() => ({ error: `HTTP ${response.status}` }));
      return { ok: false, status: response.status, body };
    }
    const declared = Number(response.headers.get('content-length') ?? 0);
    if (declared > maxBytes) {
      await response.body?.cancel();
      return {
        ok: false,
        status: 413,
        body: { error: `The answer has ${declared} bytes, over ${maxBytes}.` },
      };
    }
    const bytes = await response.arrayBuffer();
    if (bytes.byteLength > maxBytes) {
      return {
        ok: false,
        status: 413,
        body: { error: `The answer has ${bytes.byteLength} bytes, over ${maxBytes}.` },
      };
    }
    return { ok: true, status: response.status, bytes };
  } catch (error) {
    const reason = error instanceof Error && error.name === 'TimeoutError' ? 'timed out' : 'unreachable';
    setReachable(false);
    return { ok: false, status: 0, body: { error: `The server is ${reason}.` } };
  }
}
