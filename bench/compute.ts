/**
 * `npm run bench -- compute [--quick]`: the compute core against the reference's published in-process figures
 * (bench/support/original-figures.ts, measured on a 2-core machine like ours). Every row is a median over repeats after a
 * warm-up; training rows are the whole `benchmark` operation (generate the chirp, create a fresh model, train
 * with Adam at lr 1e-2, decimate the losses), as the reference measured it.
 */
import { availableParallelism, cpus } from 'node:os';
import {
  chirpDataset,
  createModel,
  decimateLosses,
  fitSync,
  grid6dDataset,
  StringVibration,
  unifiedInference,
  type Dataset,
} from '../src/core/index.js';
import { fitParallel } from '../src/services/compute/index.js';
import { ORIGINAL_MS } from './support/original-figures.js';
import { median } from './support/statistics.js';

interface Row {
  readonly what: string;
  /** The reference's figure in milliseconds: a value, or [low, high] when it published a range. */
  readonly original: number | readonly [number, number] | undefined;
  readonly oursMs: number;
  readonly target?: string;
}

/** Median milliseconds per call: `samples` timings of `inner` calls each, after `warmup` calls. */
function measure(fn: () => unknown, samples: number, inner: number, warmup: number): number {
  // Results are kept (in a small ring) so the optimiser cannot drop the work that produced them.
  const keep: unknown[] = new Array<unknown>(16);
  for (let i = 0; i < warmup; i++) keep[i & 15] = fn();
  const times: number[] = [];
  for (let s = 0; s < samples; s++) {
    const start = performance.now();
    for (let i = 0; i < inner; i++) keep[i & 15] = fn();
    times.push((performance.now() - start) / inner);
  }
  if (keep.includes(Symbol.for('never'))) console.log(keep);
  return median(times);
}

/** measure() for asynchronous work. */
async function measureAsync(fn: () => Promise<unknown>, samples: number, warmup: number): Promise<number> {
  for (let i = 0; i < warmup; i++) await fn();
  const times: number[] = [];
  for (let s = 0; s < samples; s++) {
    const start = performance.now();
    await fn();
    times.push(performance.now() - start);
  }
  return median(times);
}

function formatMs(ms: number): string {
  if (ms < 1) return `${(ms * 1000).toPrecision(3)} µs`;
  if (ms < 1000) return `${ms.toPrecision(3)} ms`;
  return `${(ms / 1000).toPrecision(3)} s`;
}

function formatOriginal(original: Row['original']): string {
  if (original === undefined) return '—';
  if (typeof original === 'number') return formatMs(original);
  const [low, high] = original;
  const unit = (ms: number): [number, string] =>
    ms < 1 ? [ms * 1000, 'µs'] : ms < 1000 ? [ms, 'ms'] : [ms / 1000, 's'];
  const [a, u] = unit(low);
  const [b] = unit(high);
  return `${a}–${b} ${u}`;
}

function formatRatio(row: Row): string {
  if (row.original === undefined) return '—';
  if (typeof row.original === 'number') return `${(row.original / row.oursMs).toFixed(1)}×`;
  const [low, high] = row.original;
  return `${(low / row.oursMs).toFixed(1)}–${(high / row.oursMs).toFixed(1)}×`;
}

/** The reference's `benchmark` operation: data, a fresh model, Adam lr 1e-2 on MSE, losses decimated. */
function benchmarkOperation(
  type: string,
  epochs: number,
  options: { nWaves?: number },
  data: () => Dataset,
): unknown {
  const dataset = data();
  const model = createModel(type, { ...options, seed: 1 });
  const result = fitSync(model, dataset, { epochs, learningRate: 1e-2 });
  return decimateLosses(result.losses, epochs);
}

function spectrumOperation(maxModes: number): unknown {
  const spectrum = new StringVibration(10).modeSpectrum(maxModes);
  return { success: true, dimensions: 10, max_modes: maxModes, energy_spectrum: spectrum };
}

export async function run(args: string[]): Promise<void> {
  const quick = args.includes('--quick');
  const r = (n: number): number => (quick ? Math.max(1, Math.ceil(n / 3)) : n);
  const rows: Row[] = [];
  const insight = 'Digital memory must be human-reachable';

  for (const modes of [10, 100, 1000] as const) {
    const original = ORIGINAL_MS.spectrum[modes];
    rows.push({
      what: `spectrum, ${modes} modes`,
      original,
      oursMs: measure(() => spectrumOperation(modes), r(15), 2000, 20_000),
      ...(modes === 1000 ? { target: '≤ 10 µs' } : {}),
    });
  }
  rows.push({
    what: 'unified inference',
    original: ORIGINAL_MS.unifiedInference,
    oursMs: measure(() => unifiedInference(insight, [0.5, 0.5, 0.5], [1, 2, 3]), r(15), 2000, 20_000),
    target: '≤ 10 µs',
  });

  const chirp = (): Dataset => chirpDataset();
  const training: [string, string, number, { nWaves?: number }, Row['original'], number, string?][] = [
    ['1D wave, 100 epochs (chirp)', 'quasimoto_1d', 100, {}, ORIGINAL_MS.benchmark1d[100], 15],
    ['1D wave, 1000 epochs (chirp)', 'quasimoto_1d', 1000, {}, ORIGINAL_MS.benchmark1d[1000], 7, '≤ 60 ms'],
    [
      'ensemble of 16, 100 epochs (chirp)',
      'quasimoto_ensemble',
      100,
      { nWaves: 16 },
      ORIGINAL_MS.benchmarkEnsemble16[100],
      7,
    ],
    [
      'ensemble of 16, 1000 epochs (chirp)',
      'quasimoto_ensemble',
      1000,
      { nWaves: 16 },
      ORIGINAL_MS.benchmarkEnsemble16[1000],
      3,
      '≤ 1.2 s',
    ],
  ];
  for (const [what, type, epochs, options, original, samples, target] of training) {
    const oursMs = measure(() => benchmarkOperation(type, epochs, options, chirp), r(samples), 1, 1);
    rows.push({ what, original, oursMs, ...(target ? { target } : {}) });
  }
  const grid = grid6dDataset(8);
  rows.push({
    what: 'ensemble of 6 6D waves, 100 epochs (8⁵ grid)',
    original: undefined,
    oursMs: measure(
      () => benchmarkOperation('quasimoto_ensemble_6d', 100, { nWaves: 6 }, () => grid),
      r(3),
      1,
      1,
    ),
  });
  // The same split across two threads (worker start-up included): services/compute's fitParallel.
  rows.push({
    what: '… the same on 2 worker threads',
    original: undefined,
    oursMs: await measureAsync(
      () =>
        fitParallel(createModel('quasimoto_ensemble_6d', { nWaves: 6, seed: 1 }), grid, {
          epochs: 100,
          threads: 2,
        }),
      r(3),
      1,
    ),
  });

  const cpu = cpus()[0]?.model.trim() ?? 'unknown CPU';
  console.log(`compute core, Node.js ${process.version}, ${availableParallelism()} cores (${cpu}), medians`);
  console.log('');
  console.log('| what | original | ours | ratio (original/ours) | target |');
  console.log('| --- | ---: | ---: | ---: | --- |');
  for (const row of rows) {
    const target = row.target ?? '';
    console.log(
      `| ${row.what} | ${formatOriginal(row.original)} | ${formatMs(row.oursMs)} | ${formatRatio(row)} | ${target} |`,
    );
  }
  console.log('');
  console.log(
    'original: the Python/PyTorch original as it measured itself (bench/support/original-figures.ts); ranges are its spread across runs.',
  );
  await Promise.resolve();
}
