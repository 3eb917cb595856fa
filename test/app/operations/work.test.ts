import { readFileSync } from 'node:fs';
import { afterAll, beforeAll, describe, expect, it, vi } from 'vitest';
import { DATASET_NAMES, datasetRows, loadDataset } from '../../../src/app/operations/datasets.js';
import { ANSWER_WORK_PER_OUTPUT, inference } from '../../../src/app/operations/inference.js';
import { runOperation, type RequestContext } from '../../../src/app/operations/index.js';
import { MAX_FIT_WORK } from '../../../src/app/operations/model-fit.js';
import { CREATE_WORK_PER_PARAMETER, REPORT_WORK_PER_PARAMETER } from '../../../src/app/operations/models.js';
import { FIXED_WORK } from '../../../src/app/operations/operation.js';
import { requestContext } from '../../../src/app/operations/request-context.js';
import { ANONYMOUS } from '../../../src/app/security/authenticator.js';
import type { OpenApp } from '../../../src/app/open-app.js';
import { createModel } from '../../../src/core/index.js';
import type { RegisteredModel } from '../../../src/services/store/index.js';
import { ROOT_CONTEXT } from '../../../src/services/telemetry/index.js';
import { startMcpServer, type RunningMcpServer } from '../../helpers/mcp-server.js';
import { createTestServices } from '../../helpers/test-services.js';
import { useTempDirs } from '../../helpers/temp-dir.js';

const tempDir = useTempDirs();

/** A representative call of every operation; `model` names the stored network the call works on. */
const REPRESENTATIVE: Record<string, (model: string) => Record<string, unknown>> = {
  list_capabilities: () => ({}),
  load_model: () => ({ model_type: 'string_theory', config: { dimensions: 10, hidden_size: 32 } }),
  inference: (model) => ({
    model_id: model,
    inputs: { x: [new Array(10).fill(0.1), new Array(10).fill(0.2)] },
  }),
  get_parameters: (model) => ({ model_id: model }),
  benchmark: () => ({ model_type: 'quasimoto_1d', config: { epochs: 5 } }),
  string_spectrum: () => ({ max_modes: 7 }),
  string_parameters: () => ({}),
  unified_inference: () => ({
    dredge_insight: 'insight',
    quasimoto_coords: [0.1, 0.2],
    string_modes: [1, 2, 3],
  }),
  get_metrics: () => ({}),
  get_cache_stats: () => ({}),
  get_dependabot_alerts: () => ({}),
  explain_dependabot_alert: () => ({ alert_id: 1 }),
  update_dependabot_alert: () => ({ alert_id: 1, state: 'open' }),
  list_models: () => ({}),
  delete_model: (model) => ({ model_id: model }),
  train: (model) => ({ model_id: model, epochs: 3 }),
  get_traces: () => ({}),
  submit_task: () => ({ operation: 'string_spectrum', params: {} }),
  get_task: () => ({ task_id: 'abc' }),
  cancel_task: () => ({ task_id: 'abc' }),
  get_queue_stats: () => ({}),
  model_fit: (model) => ({ model_id: model, points: 100 }),
  export_model: (model) => ({ model_id: model }),
  import_model: () => ({ bundle: 'RFJFREdFTUI=' }),
  list_model_versions: (model) => ({ model_id: model }),
  rollback_model: (model) => ({ model_id: model, version: 0 }),
  quantize_model: (model) => ({ model_id: model }),
  prune_model: (model) => ({ model_id: model, sparsity: 0.5, fine_tune_epochs: 2 }),
};

describe('the work of every operation', () => {
  let app: OpenApp;
  let context: RequestContext;
  let network: RegisteredModel;

  beforeAll(async () => {
    app = await createTestServices({}, tempDir(), 'dredge-test');
    context = requestContext(app.services, {
      principal: ANONYMOUS,
      client: 'test',
      trace: ROOT_CONTEXT,
      signal: new AbortController().signal,
    });
    const loaded = await runOperation(
      app.catalogue.find('load_model'),
      { model_type: 'string_theory', config: { seed: 1 } },
      context,
    );
    network = (await app.services.store.models.get(loaded.value.model_id as string))!;
  });

  afterAll(async () => {
    await app?.services.close();
  });

  /** The work runOperation weighs for a call: validated input, and the stored model when the operation names one. */
  function workOf(name: string, params: Record<string, unknown>): number {
    const operation = app.catalogue.find(name);
    const input = operation.input.parse(params);
    return operation.work(input, operation.model ? network : undefined, context);
  }

  it('is declared, with its formula, and computed for a representative call of each', () => {
    for (const operation of app.catalogue.operations) {
      expect(REPRESENTATIVE, `a representative call of ${operation.name}`).toHaveProperty(operation.name);
      expect(typeof operation.work, operation.name).toBe('function');
      expect(operation.workFormula, operation.name).toMatch(/\S/);
      const work = workOf(operation.name, REPRESENTATIVE[operation.name]!(network.id));
      expect(Number.isFinite(work) && work > 0, `${operation.name}: ${work}`).toBe(true);
    }
  });

  it('follows each formula', () => {
    const parameters = network.model.parameterCount;
    const call = (name: string) => workOf(name, REPRESENTATIVE[name]!(network.id));
    // Rows × (parameters + the answer's writing): StringTheoryNN answers one number a row.
    expect(call('inference')).toBe(2 * (parameters + ANSWER_WORK_PER_OUTPUT));
    // Columns: the longest stands for the rows (a one-value column is repeated).
    const wave = { ...network, model: createModel('quasimoto_1d', { seed: 1 }) } as RegisteredModel;
    const columns = inference.input.parse({ model_id: 'w', inputs: { x: [1, 2, 3, 4, 5], t: [0] } });
    expect(inference.work(columns, wave, context)).toBe(
      5 * (wave.model.parameterCount + ANSWER_WORK_PER_OUTPUT * wave.model.outputWidth),
    );
    expect(call('train')).toBe(3 * 256 * parameters);
    const data = { inputs: { x: new Array(40).fill(new Array(10).fill(0)) }, target: new Array(40).fill(0) };
    expect(workOf('train', { model_id: network.id, epochs: 2, data })).toBe(2 * 40 * parameters);
    expect(workOf('train', { model_id: network.id, epochs: 2, dataset: 'chirp' })).toBe(
      2 * 1000 * parameters,
    );
    const oneD = createModel('quasimoto_1d', { seed: 0 }).parameterCount;
    expect(call('benchmark')).toBe(5 * 1000 * oneD);
    expect(call('model_fit')).toBe(
      Math.min(256, Math.max(10, Math.floor(MAX_FIT_WORK / parameters))) * parameters,
    );
    expect(call('get_parameters')).toBe(REPORT_WORK_PER_PARAMETER * parameters);
    // Both passes over the source's data set (string_modes, 256 rows), and each fine-tuning epoch.
    expect(call('quantize_model')).toBe(2 * 256 * parameters);
    expect(call('prune_model')).toBe((2 + 2) * 256 * parameters);
    const made = createModel('string_theory', { seed: 0, dimensions: 10, hiddenSize: 32 }).parameterCount;
    expect(call('load_model')).toBe(CREATE_WORK_PER_PARAMETER * made);
    expect(call('string_spectrum')).toBe(7);
    expect(call('unified_inference')).toBe(3 + 2 + 'insight'.length);
    expect(call('list_models')).toBe(FIXED_WORK);
  });

  it('knows the rows of every built-in data set without building it', () => {
    const shapes = [
      createModel('quasimoto_1d', { seed: 0 }),
      createModel('quasimoto_4d', { seed: 0 }),
      createModel('quasimoto_6d', { seed: 0 }),
      network.model,
      createModel('quasimoto_interference_basis', { seed: 0 }),
    ];
    DATASET_NAMES.forEach((name, i) => {
      expect(datasetRows(name), name).toBe(loadDataset(name, shapes[i]!).input.size);
    });
  });

  it("is in the README's table, formula for formula", () => {
    const readme = readFileSync(new URL('../../../README.md', import.meta.url), 'utf8').replaceAll('`', '');
    const fixedRow = readme.split('\n').find((line) => line.includes('| fixed: 1,000'));
    expect(fixedRow).toBeDefined();
    for (const operation of app.catalogue.operations) {
      if (operation.workFormula === 'fixed')
        expect(fixedRow).toMatch(new RegExp(`[|,]\\s*${operation.name}[,\\s]`));
      else {
        const row = new RegExp(
          `^\\|\\s*${operation.name}\\s*\\|\\s*${escape(operation.workFormula)}[\\s(|]`,
          'm',
        );
        expect(readme, operation.name).toMatch(row);
      }
    }
  });
});

describe('a request over MAX_REQUEST_WORK', () => {
  let server: RunningMcpServer;

  beforeAll(async () => {
    server = await startMcpServer({ NUM_WORKERS: '1', MAX_REQUEST_WORK: '1000000' });
  });

  afterAll(async () => {
    await server?.close();
  });

  it('answers 413 naming the limit and its work, before any work: no pool task, no handler', async () => {
    const loaded = await server.call('load_model', { model_type: 'string_theory', config: { seed: 1 } });
    const id = loaded.body.model_id as string;
    const parameters = loaded.body.n_parameters as number;
    const rowWork = parameters + ANSWER_WORK_PER_OUTPUT;
    const rows = Math.ceil(1_000_001 / rowWork) + 100;
    const pool = [
      vi.spyOn(server.services.compute, 'forward'),
      vi.spyOn(server.services.compute, 'forwardJson'),
      vi.spyOn(server.services.compute, 'train'),
      vi.spyOn(server.services.compute, 'report'),
    ];
    const handler = vi.spyOn(inference, 'handle');
    const started = performance.now();
    const refused = await server.call('inference', {
      model_id: id,
      inputs: { x: Array.from({ length: rows }, () => new Array(10).fill(0.5)) },
    });
    expect(performance.now() - started).toBeLessThan(2000);
    expect(refused.status).toBe(413);
    expect(refused.body).toMatchObject({ success: false, code: 'too_large' });
    expect(refused.body.error).toBe(
      `rows of params.inputs × (parameters + ${ANSWER_WORK_PER_OUTPUT} × outputs per row) must be at most ` +
        `1000000 (MAX_REQUEST_WORK, in multiply-adds; this request: ${rows * rowWork})`,
    );
    expect(handler).not.toHaveBeenCalled();
    for (const spy of pool) expect(spy).not.toHaveBeenCalled();
    expect(server.services.compute.completed).toBe(0);

    // Every operation is weighed: a training, get_parameters of a large model, and a task that runs one.
    const train = await server.call('train', { model_id: id, epochs: 100 });
    expect(train.status).toBe(413);
    expect(train.body.error).toMatch(
      /^params\.epochs × rows × parameters must be at most 1000000 \(MAX_REQUEST_WORK/,
    );
    const task = await server.call('submit_task', {
      operation: 'train',
      params: { model_id: id, epochs: 100 },
    });
    await vi.waitFor(
      async () => {
        const view = await server.call('get_task', { task_id: task.body.task_id });
        expect(view.body).toMatchObject({ status: 'failed', attempts: 1, error: { code: 'too_large' } });
      },
      { timeout: 5000 },
    );
    for (const spy of pool) expect(spy).not.toHaveBeenCalled();
    // Work within the ceiling still runs.
    expect(
      (await server.call('inference', { model_id: id, inputs: { x: [new Array(10).fill(0.5)] } })).status,
    ).toBe(200);
  });
});

function escape(text: string): string {
  return text.replace(/[.*+?^${}()|[\]\\]/g, '\\$&');
}
