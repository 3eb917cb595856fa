import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startDredgeMcp, type DredgeProcess } from '../../helpers/dredge-process.js';
import { askWhile, epochsFor, prepareTraining, train } from '../../helpers/training-probe.js';

/**
 * A training on the event loop would hold every answer for the whole training; on a busy machine a free loop
 * still answers in milliseconds. Far apart, so the bound catches only the first and never a slow machine.
 */
const SLOWEST_ANSWER_MS = 250;
/** In the seconds the training lasts a free loop answers thousands of times; a stalling one a handful. */
const FEWEST_ANSWERS = 100;

const slowest = (ms: readonly number[]) => ms.reduce((a, b) => Math.max(a, b), 0);

/**
 * While a ten-second training runs, the server's event loop stays free: the training is on a worker thread, so
 * /health and cache hits keep answering. The server is a real `dredge mcp` process; this process is its client,
 * one request after another with no pause. How fast they answer (p50, p99, beside an idle server) is measured by
 * `npm run bench -- responsiveness`, not asserted here: a test that times milliseconds fails on a busy machine.
 */
describe('the event loop while a model trains', () => {
  let server: DredgeProcess;

  beforeAll(async () => {
    server = await startDredgeMcp([], { NUM_WORKERS: '1', LOG_LEVEL: 'warn' });
  });

  afterAll(async () => {
    await server?.stop();
  });

  it('keeps answering /health and cache hits during a ten-second training', async () => {
    const modelId = await prepareTraining(server);
    const epochs = await epochsFor(server, modelId, 10_000);

    let training = true;
    const trainingStarted = performance.now();
    const trained = train(server, modelId, epochs).finally(() => (training = false));
    const { health, hits } = await askWhile(server, () => training);
    const trainingMs = performance.now() - trainingStarted;

    expect(await trained).toMatchObject({ success: true, epochs });
    // Long enough to mean something, even if the calibration ran while the machine was busier than now.
    expect(trainingMs).toBeGreaterThan(3000);
    expect(health.length).toBeGreaterThanOrEqual(FEWEST_ANSWERS);
    expect(slowest(health)).toBeLessThanOrEqual(SLOWEST_ANSWER_MS);
    expect(slowest(hits)).toBeLessThanOrEqual(SLOWEST_ANSWER_MS);
  }, 60_000);
});
