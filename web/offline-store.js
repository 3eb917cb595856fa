// What the page keeps on this device, in IndexedDB: insights written while the server could not be reached (until
// they are lifted) and the bundles of the models the person chose to keep offline.

const DB_NAME = 'dredge-offline';
const DB_VERSION = 1;
const PENDING = 'pending-insights';
const BUNDLES = 'model-bundles';

/**
 * The most bytes of model bundles kept on this device: 32 MiB in all (a model of about four million parameters,
 * or many small ones). Keeping a model that would go past it is refused with a sentence; nothing is evicted
 * behind the person's back (a kept model is one they chose), they remove one to make room.
 */
export const MAX_KEPT_BYTES = 32 * 1024 * 1024;
/** The most insights that wait on this device (each at most 64 KiB, as the server's bound): 1,000. */
export const MAX_PENDING_INSIGHTS = 1000;

let opening;

function open() {
  opening ??= new Promise((resolve, reject) => {
    const request = indexedDB.open(DB_NAME, DB_VERSION);
    request.onupgradeneeded = () => {
      const db = request.result;
      if (!db.objectStoreNames.contains(PENDING)) db.createObjectStore(PENDING, { keyPath: 'id' });
      if (!db.objectStoreNames.contains(BUNDLES)) db.createObjectStore(BUNDLES, { keyPath: 'model_id' });
    };
    request.onsuccess = () => resolve(request.result);
    request.onerror = () => {
      opening = undefined;
      reject(request.error);
    };
  });
  return opening;
}

/** Runs `work(store)` in one transaction and answers its request's result once the transaction commits. */
async function inStore(name, mode, work) {
  const db = await open();
  return new Promise((resolve, reject) => {
    const transaction = db.transaction(name, mode);
    const request = work(transaction.objectStore(name));
    transaction.oncomplete = () => resolve(request?.result);
    transaction.onerror = () => reject(transaction.error);
    transaction.onabort = () => reject(transaction.error ?? new Error('the transaction was aborted'));
  });
}

/**
 * An insight's id as the server gives it in the default tenant: the SHA-256 of its text (UTF-8), in hex. Two
 * writes of one text are one waiting insight, and lifting it twice is one insight on the server.
 */
export async function insightId(text) {
  const digest = await crypto.subtle.digest('SHA-256', new TextEncoder().encode(text));
  return Array.from(new Uint8Array(digest), (byte) => byte.toString(16).padStart(2, '0')).join('');
}

/** Keeps an insight to lift later; answers its id. */
export async function queueInsight(text) {
  const id = await insightId(text);
  const waiting = await pendingInsights();
  if (waiting.length >= MAX_PENDING_INSIGHTS && !waiting.some((item) => item.id === id)) {
    throw new Error(
      `${MAX_PENDING_INSIGHTS} insights already wait on this device; lift them before writing more.`,
    );
  }
  await inStore(PENDING, 'readwrite', (store) =>
    store.put({ id, text, written_at: new Date().toISOString() }),
  );
  return id;
}

/** The insights that wait, oldest first. */
export async function pendingInsights() {
  const items = (await inStore(PENDING, 'readonly', (store) => store.getAll())) ?? [];
  return items.sort((a, b) => a.written_at.localeCompare(b.written_at));
}

export function forgetInsight(id) {
  return inStore(PENDING, 'readwrite', (store) => store.delete(id));
}

/** The kept models, without their bytes: model_id, model_type, version, size (bytes), kept_at. */
export async function keptModels() {
  const items = (await inStore(BUNDLES, 'readonly', (store) => store.getAll())) ?? [];
  return items.map(({ bytes: _bytes, ...facts }) => facts);
}

/** A kept model's bundle (an ArrayBuffer), or undefined. */
export async function keptBundle(modelId) {
  const item = await inStore(BUNDLES, 'readonly', (store) => store.get(modelId));
  return item?.bytes;
}

/**
 * Keeps a model's bundle, in place of an older one of the same model. Refused when the kept bundles would pass
 * MAX_KEPT_BYTES.
 */
export async function keepBundle(facts, bytes) {
  const others = (await keptModels()).filter((item) => item.model_id !== facts.model_id);
  const used = others.reduce((sum, item) => sum + item.size, 0);
  if (used + bytes.byteLength > MAX_KEPT_BYTES) {
    throw new Error(
      `Keeping ${facts.model_id} (${mib(bytes.byteLength)}) would pass the ${mib(MAX_KEPT_BYTES)} this device keeps ` +
        `(${mib(used)} in use); remove a kept model first.`,
    );
  }
  await inStore(BUNDLES, 'readwrite', (store) =>
    store.put({ ...facts, size: bytes.byteLength, bytes, kept_at: new Date().toISOString() }),
  );
}

export function forgetBundle(modelId) {
  return inStore(BUNDLES, 'readwrite', (store) => store.delete(modelId));
}

export function mib(bytes) {
  return bytes < 1024 * 1024 ? `${(bytes / 1024).toFixed(1)} KiB` : `${(bytes / 1024 / 1024).toFixed(1)} MiB`;
}
