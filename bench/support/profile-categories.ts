/** A V8 CPU profile as the inspector's Profiler.stop (and `--cpu-prof`) gives it: a call tree and its samples. */
export interface CpuProfile {
  readonly nodes: ReadonlyArray<{
    readonly id: number;
    readonly callFrame: { readonly functionName: string; readonly url: string };
  }>;
  readonly samples: readonly number[];
  readonly timeDeltas: readonly number[];
}

/** Where a request's time goes, in the order the README's table lists it. */
export const CATEGORIES = [
  'socket writes (the kernel sending the answer over loopback)',
  'Node.js HTTP, sockets, streams, events, promises',
  'Fastify (routing, hooks, reply)',
  'JSON parse of the body',
  "DREDGE's HTTP hooks (host guard, authentication, body budget, headers, compression, ETags)",
  'telemetry (spans, metrics)',
  'validation (zod)',
  'cache and cache key (canonical JSON, SHA-256, LRU)',
  'operation path (door, runOperation, handler, answer text)',
  'compute (src/core)',
  'garbage collection',
  'V8 and native code not attributed to a function',
] as const;

export type Category = (typeof CATEGORIES)[number];

/** Native functions that write to a socket: their time is the kernel's send (and, on loopback, its receive). */
const SOCKET_WRITES = new Set([
  'writeUtf8String',
  'writeLatin1String',
  'writeAsciiString',
  'writeBuffer',
  'writev',
]);

/**
 * The category of a sampled function, by where its code lives (self time: each sample counts once, for the
 * function running, not for its callers). Undefined for idle time, which is no request's.
 */
export function categoryOf(functionName: string, url: string): Category | undefined {
  if (functionName === '(idle)') return undefined;
  if (functionName === '(garbage collector)') return 'garbage collection';
  if (SOCKET_WRITES.has(functionName) && url === '') return CATEGORIES[0];
  if (url.includes('/node_modules/secure-json-parse/')) return 'JSON parse of the body';
  if (url.includes('/node_modules/zod/')) return 'validation (zod)';
  if (url.includes('/node_modules/@opentelemetry/') || url.includes('/src/services/telemetry/'))
    return 'telemetry (spans, metrics)';
  if (url.includes('/src/app/http/plugins/request-telemetry')) return 'telemetry (spans, metrics)';
  if (url.includes('/src/services/cache/') || url === 'node:internal/crypto/hash')
    return 'cache and cache key (canonical JSON, SHA-256, LRU)';
  if (url.includes('/src/core/')) return 'compute (src/core)';
  if (
    url.includes('/src/app/http/plugins/') ||
    url.includes('/src/app/http/json-body-parser') ||
    url.includes('/src/app/json-depth') ||
    url.includes('/src/app/security/')
  )
    return CATEGORIES[4];
  if (url.includes('/src/')) return 'operation path (door, runOperation, handler, answer text)';
  if (
    /\/node_modules\/(?:fastify|@fastify|find-my-way|avvio|light-my-request|fast-[\w-]+|toad-cache)\//.test(
      url,
    )
  )
    return 'Fastify (routing, hooks, reply)';
  if (url.startsWith('node:')) return 'Node.js HTTP, sockets, streams, events, promises';
  if (functionName === 'runMicrotasks') return 'Node.js HTTP, sockets, streams, events, promises';
  return 'V8 and native code not attributed to a function';
}

/** µs of self time per request in each category, over `requests` requests (idle left out). */
export function timePerRequest(profile: CpuProfile, requests: number): Map<Category, number> {
  const categoryOfNode = new Map<number, Category | undefined>();
  for (const node of profile.nodes) {
    categoryOfNode.set(node.id, categoryOf(node.callFrame.functionName, node.callFrame.url));
  }
  const totals = new Map<Category, number>(CATEGORIES.map((category) => [category, 0]));
  profile.samples.forEach((id, i) => {
    const category = categoryOfNode.get(id);
    if (category === undefined) return;
    totals.set(category, (totals.get(category) ?? 0) + (profile.timeDeltas[i] ?? 0));
  });
  for (const [category, total] of totals) totals.set(category, total / requests);
  return totals;
}
