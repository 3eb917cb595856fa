import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startDredgeMcp, type DredgeProcess } from '../../helpers/dredge-process.js';
import { postOperation } from '../../helpers/mcp-server.js';

/**
 * A stall of the event loop shows as a gap between two /health answers of a client asking back to back. Generous:
 * a loop that copies or encodes a 2.6 M-parameter model stalls for hundreds of milliseconds to seconds, a free one
 * answers in a few even on a busy machine.
 */
const LONGEST_HEALTH_GAP_MS = 100;

/** 2,627,073 parameters (21 MB of values), within the default bounds. */
const LARGE_NETWORK = {
  model_type: 'string_theory',
  config: { hidden_size: 512, num_layers: 10, dimensions: 512 },
} as const;

/**
 * Runs `work` while a client asks /health back to back; answers its result and the longest answer's time, once
 * the answer in flight when the work ended is in too (a stall delays exactly that one).
 */
async function whileAskingHealth<T>(
  server: DredgeProcess,
  work: () => Promise<T>,
): Promise<{ result: T; longestMs: number }> {
  let going = true;
  let longestMs = 0;
  const asking = (async () => {
    while (going) {
      const started = performance.now();
      const response = await fetch(`${server.url}/health`);
      await response.arrayBuffer();
      longestMs = Math.max(longestMs, performance.now() - started);
    }
  })();
  let result: T;
  try {
    result = await work();
  } finally {
    going = false;
    await asking;
  }
  return { result, longestMs };
}

/**
 * A large model's values never pass through the event loop: made on a compute thread, written by the store's
 * thread, handed to the pool in shared memory, and refused before any copy when the work is over the bound. The
 * server is a real `dredge mcp` process.
 */
describe('the event loop while a large model loads', () => {
  let server: DredgeProcess;

  beforeAll(async () => {
    server = await startDredgeMcp([], { LOG_LEVEL: 'warn' });
    // The threads start on first use: start them outside the measurements.
    const warm = await postOperation(server.url, 'load_model', LARGE_NETWORK);
    expect(warm.status).toBe(200);
  });

  afterAll(async () => {
    await server?.stop();
  });

  it('keeps /health answering while a 2.6 M-parameter network loads and is stored', async () => {
    const { result, longestMs } = await whileAskingHealth(server, () =>
      postOperation(server.url, 'load_model', LARGE_NETWORK),
    );
    expect(result.status).toBe(200);
    expect(result.body.n_parameters).toBe(2_627_073);
    expect(longestMs).toBeLessThanOrEqual(LONGEST_HEALTH_GAP_MS);
  }, 60_000);

  it('refuses a training of it over the work bound at once, the loop free meanwhile', async () => {
    const loaded = await postOperation(server.url, 'load_model', LARGE_NETWORK);
    const { result, longestMs } = await whileAskingHealth(server, () =>
      postOperation(server.url, 'train', { model_id: loaded.body.model_id, epochs: 100_000 }),
    );
    expect(result.status).toBe(413);
    expect(longestMs).toBeLessThanOrEqual(LONGEST_HEALTH_GAP_MS);
  }, 60_000);
});
