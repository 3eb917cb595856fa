import type { DredgeProcess } from './dredge-process.js';

/**
 * What the responsiveness test and benchmark share: a real `dredge mcp` with a model to train and one stored
 * inference to hit, asked for `/health` and that hit back to back, one request after another with no pause.
 */

/** Milliseconds per answer, in the order asked. */
export interface Samples {
  readonly health: number[];
  readonly hits: number[];
}

interface TrainAnswer {
  readonly success: boolean;
  readonly epochs: number;
}

/** A cheap inference: the first ask stores it, every later one is a cache hit. */
const HIT = {
  operation: 'unified_inference',
  params: { dredge_insight: 'cached', string_modes: [1, 2, 3] },
} as const;

async function call<T>(server: DredgeProcess, body: unknown): Promise<T> {
  const response = await fetch(`${server.url}/mcp`, {
    method: 'POST',
    headers: { 'content-type': 'application/json' },
    body: JSON.stringify(body),
  });
  return (await response.json()) as T;
}

/** Loads a 16-wave ensemble to train and stores the inference to hit; resolves with the model's id. */
export async function prepareTraining(server: DredgeProcess): Promise<string> {
  const loaded = await call<{ model_id: string }>(server, {
    operation: 'load_model',
    params: { model_type: 'quasimoto_ensemble', config: { n_waves: 16 } },
  });
  await call(server, HIT);
  return loaded.model_id;
}

export function train(server: DredgeProcess, modelId: string, epochs: number): Promise<TrainAnswer> {
  return call<TrainAnswer>(server, { operation: 'train', params: { model_id: modelId, epochs } });
}

/** Epochs that train for about `targetMs` on this machine, scaled from a 500-epoch probe. */
export async function epochsFor(server: DredgeProcess, modelId: string, targetMs: number): Promise<number> {
  const started = performance.now();
  await train(server, modelId, 500);
  const perEpochMs = (performance.now() - started) / 500;
  return Math.min(100_000, Math.max(1000, Math.round(targetMs / perEpochMs)));
}

/** Asks for `/health` and the stored hit, back to back, for as long as `going()` says; throws on a miss. */
export async function askWhile(server: DredgeProcess, going: () => boolean): Promise<Samples> {
  const samples: Samples = { health: [], hits: [] };
  while (going()) {
    let started = performance.now();
    await (await fetch(`${server.url}/health`)).arrayBuffer();
    samples.health.push(performance.now() - started);
    started = performance.now();
    const answer = await call<{ cached: boolean }>(server, HIT);
    samples.hits.push(performance.now() - started);
    if (!answer.cached) throw new Error('the stored inference was not a cache hit');
  }
  return samples;
}
