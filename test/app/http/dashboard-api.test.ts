import { readFileSync, readdirSync } from 'node:fs';
import { resolve } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { MAX_FIT_WORK } from '../../../src/app/operations/model-fit.js';
import { MAX_HISTORY_POINTS } from '../../../src/services/store/training-history.js';
import { startDredgeServer, type RunningDredgeServer } from '../../helpers/dredge-server.js';

const WEB = resolve(import.meta.dirname, '../../../web');

let server: RunningDredgeServer;
beforeAll(async () => {
  server = await startDredgeServer({}, { sampleIntervalMs: 100, sampleCapacity: 20 });
});
afterAll(async () => {
  await server.close();
});

const sleep = (ms: number) => new Promise((wake) => setTimeout(wake, ms));

describe('the page and its files', () => {
  it('serves the page with a policy that allows nothing but this server', async () => {
    const page = await server.fetchJson('/dashboard');
    expect(page.status).toBe(200);
    const policy = page.headers.get('content-security-policy') ?? '';
    expect(policy).toContain("default-src 'self'");
    expect(policy).toContain("script-src 'self'");
    expect(policy).toContain("frame-ancestors 'none'");
    expect(page.headers.get('x-content-type-options')).toBe('nosniff');
  });

  it('serves every file the page and its modules name, uPlot included, from this server', async () => {
    const sources = [readFileSync(resolve(WEB, 'index.html'), 'utf8')];
    for (const name of readdirSync(WEB).filter((file) => file.endsWith('.js'))) {
      sources.push(readFileSync(resolve(WEB, name), 'utf8'));
    }
    const all = sources.join('\n');
    // Nothing from elsewhere: no absolute URL and no protocol-relative one.
    expect(all).not.toMatch(/(src|href)="(https?:)?\/\//);
    expect(all).not.toMatch(/from '(https?:)?\/\//);
    const assets = new Set([...all.matchAll(/\/assets\/([\w.-]+)/g)].map((match) => match[1]!));
    for (const match of all.matchAll(/from '\.\/([\w.-]+)'/g)) assets.add(match[1]!);
    expect(assets).toContain('uplot.esm.js');
    expect(assets).toContain('uplot.min.css');
    for (const name of assets) {
      const file = await server.fetchJson(`/assets/${name}`);
      expect(file.status, name).toBe(200);
      expect(file.headers.get('content-type'), name).toMatch(
        /^(text\/javascript|text\/css|image\/svg\+xml|image\/png|application\/manifest\+json)/,
      );
    }
    expect((await server.fetchJson('/assets/uplot.esm.js')).text).toContain('export { uPlot as default }');
  });

  it('answers 304 to a browser revalidating a file it has', async () => {
    const first = await server.fetchJson('/assets/dashboard.css');
    const etag = first.headers.get('etag')!;
    const again = await fetch(`${server.url}/assets/dashboard.css`, { headers: { 'if-none-match': etag } });
    expect(again.status).toBe(304);
  });
});

describe('GET /api/dashboard', () => {
  it('answers live traffic, cache, queue and models; its own polling is not counted as traffic', async () => {
    for (let i = 0; i < 5; i++) await server.fetchJson('/api/dashboard');
    await sleep(350);
    const idle = (await server.fetchJson('/api/dashboard')).body as {
      traffic: { rate: number[] };
    };
    expect(idle.traffic.rate.every((rate) => rate === 0)).toBe(true);

    for (let i = 0; i < 20; i++) {
      await server.fetchJson('/api/unified-inference', {
        method: 'POST',
        body: { quasimoto_coords: [0.25] },
      });
    }
    await sleep(1100); // past the second the cache statistics are reused for
    const busy = (await server.fetchJson('/api/dashboard')).body as {
      success: boolean;
      traffic: {
        enabled: boolean;
        interval_s: number;
        t: number[];
        rate: number[];
        p50_ms: Array<number | null>;
        p99_ms: Array<number | null>;
        cache_hit_rate: Array<number | null>;
      };
      cache: { hits: number; misses: number; backend: string };
      queue: { available: boolean; workers: number; waiting: number };
      server: { version: string; store_backend: string };
      models: { count: number; items: unknown[] };
    };
    expect(busy.success).toBe(true);
    expect(busy.traffic).toMatchObject({ enabled: true, interval_s: 0.1 });
    expect(busy.traffic.t.length).toBeLessThanOrEqual(20); // the window is bounded
    expect(Math.max(...busy.traffic.rate)).toBeGreaterThan(0);
    const latencies = busy.traffic.p99_ms.filter((value): value is number => value !== null);
    expect(latencies.length).toBeGreaterThan(0);
    expect(Math.min(...latencies)).toBeGreaterThan(0);
    expect(busy.traffic.cache_hit_rate.some((rate) => rate !== null && rate > 0.5)).toBe(true);
    expect(busy.cache).toMatchObject({ backend: 'memory' });
    expect(busy.cache.hits).toBeGreaterThanOrEqual(19);
    expect(busy.queue).toMatchObject({ available: true, waiting: 0 });
    expect(busy.queue.workers).toBeGreaterThanOrEqual(1);
    expect(busy.server.store_backend).toBe('sqlite');
  });
});

describe('GET /api/models/:id/fit', () => {
  it('answers data against prediction along x for a wave, and the loss curve of its last training', async () => {
    const loaded = await server.operation('load_model', { model_type: 'quasimoto_1d', config: { seed: 1 } });
    const id = loaded.model_id as string;
    const untrained = await server.fetchJson(`/api/models/${id}/fit?points=50`);
    expect(untrained.body).toMatchObject({
      success: true,
      model_id: id,
      dataset: 'chirp_1d',
      rows: 1000,
      x_label: 'x',
      training: null,
    });
    expect((untrained.body.x as number[]).length).toBe(50);
    expect((untrained.body.x as number[])[0]).toBe(-10);
    expect((untrained.body.x as number[]).at(-1)).toBe(10);

    const trained = await server.operation('train', { model_id: id, epochs: 1200 });
    const fit = (await server.fetchJson(`/api/models/${id}/fit`)).body as {
      x: number[];
      data: number[];
      prediction: number[];
      mse: number;
      version: number;
      training: {
        epochs: number;
        loss_epochs: number[];
        losses: number[];
        final_loss: number;
        initial_loss: number;
      };
    };
    expect(fit.x).toHaveLength(1000);
    expect(fit.prediction).toHaveLength(1000);
    expect(fit.version).toBe(1200);
    expect(fit.training.epochs).toBe(1200);
    expect(fit.training.losses.length).toBeLessThanOrEqual(MAX_HISTORY_POINTS);
    expect(fit.training.loss_epochs[0]).toBe(1);
    expect(fit.training.loss_epochs.at(-1)).toBe(1200);
    expect(fit.training.initial_loss).toBe(trained.initial_loss);
    expect(fit.training.final_loss).toBe(trained.final_loss);
    // The fit's error is the trained model's loss on the same data (one more step of Adam after the last loss).
    expect(fit.mse).toBeLessThan(fit.training.initial_loss);
  });

  it.each([
    ['quasimoto_4d', {}, 'grid_4d', 'rows sorted by data value'],
    ['quasimoto_6d', {}, 'grid_6d', 'rows sorted by data value'],
    ['quasimoto_ensemble', { n_waves: 4 }, 'chirp_1d', 'x'],
    ['string_theory', { dimensions: 3, hidden_size: 8 }, 'string_modes', 'rows sorted by data value'],
    ['quasimoto_interference_basis', { dim: 1, out_features: 2 }, 'wave_packet', 'x1'],
  ])('fits a %s model to its own data set', async (type, config, dataset, axis) => {
    const loaded = await server.operation('load_model', { model_type: type, config: { seed: 2, ...config } });
    const fit = (await server.fetchJson(`/api/models/${loaded.model_id as string}/fit?points=200`)).body as {
      dataset: string;
      x_label: string;
      x: number[];
      data: number[];
      prediction: number[];
      outputs: number;
    };
    expect(fit.dataset).toBe(dataset);
    expect(fit.x_label).toBe(axis);
    expect(fit.x.length).toBeLessThanOrEqual(200);
    expect(fit.data).toHaveLength(fit.x.length);
    expect(fit.prediction.every(Number.isFinite)).toBe(true);
    // The horizontal axis rises: along x, or along the rank of the data values (which then rise too).
    expect(fit.x.every((value, i) => i === 0 || value >= fit.x[i - 1]!)).toBe(true);
    if (axis.startsWith('rows'))
      expect(fit.data.every((value, i) => i === 0 || value >= fit.data[i - 1]!)).toBe(true);
  });

  it('evaluates a model too large for its whole data set on evenly spaced rows, so the answer stays quick', async () => {
    const loaded = await server.operation('load_model', {
      model_type: 'string_theory',
      config: { seed: 1, hidden_size: 512, num_layers: 4 },
    });
    const parameters = loaded.n_parameters as number;
    const started = performance.now();
    const fit = (await server.fetchJson(`/api/models/${loaded.model_id as string}/fit`)).body;
    expect(performance.now() - started).toBeLessThan(1000);
    expect(fit).toMatchObject({ rows: 256, rows_evaluated: Math.floor(MAX_FIT_WORK / parameters) });
    expect((fit.x as number[]).length).toBe(fit.rows_evaluated);
  });

  it('answers 404 for a model it does not have', async () => {
    const missing = await server.fetchJson('/api/models/quasimoto_1d_999/fit');
    expect(missing.status).toBe(404);
    expect(missing.body).toEqual({
      success: false,
      error: 'Model not found: quasimoto_1d_999',
      code: 'not_found',
    });
  });
});

describe('POST /api/unified-inference', () => {
  it("answers the catalogue's unified_inference, cached the second time", async () => {
    const params = { dredge_insight: 'dashboard', quasimoto_coords: [0.1, 0.9], string_modes: [1, 2] };
    const direct = await server.operation('unified_inference', params);
    const first = await server.fetchJson('/api/unified-inference', { method: 'POST', body: params });
    expect(first.status).toBe(200);
    expect(first.body).toMatchObject({
      success: true,
      coupled_amplitude: direct.coupled_amplitude,
      cached: true,
    });
    expect((first.body.unified_field as { field_amplitudes: number[] }).field_amplitudes).toHaveLength(100);
    const empty = await server.fetchJson('/api/unified-inference', { method: 'POST' });
    expect(empty.body).toMatchObject({ success: true, string_modes: [1, 2, 3] });
  });
});
