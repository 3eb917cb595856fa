export type { WindowCount, WindowCounter } from './window-counter.js';
export { MemoryWindowCounter, MAX_COUNTED_KEYS } from './memory-window-counter.js';
// RedisWindowCounter is left out on purpose: createWindowCounter loads it, and ioredis, only where Redis is configured.
export { createWindowCounter } from './create-window-counter.js';
