/**
 * `npm run bench -- compression [--quick]`: int8 quantisation and magnitude pruning of the README's two models, a
 * 16-wave ensemble (trained on the chirp) and a 5-layer StringTheoryNN (trained on its string modes): the bytes a
 * store keeps, the error against the float64 model on its data set, and inference time over that data set, each
 * as a ratio to the float64 model measured in the same run.
 */
import {
  chirpDataset,
  compressModel,
  createModel,
  fitSync,
  stringModesDataset,
  type AnyModel,
  type Compression,
  type CompressionRequest,
  type Dataset,
} from '../src/core/index.js';
import { median } from './support/statistics.js';

/** Median milliseconds of one forward pass over the data set, after a warm-up. */
function forwardMs(model: AnyModel, data: Dataset, samples: number): number {
  const out = new Float64Array(data.input.size * model.outputWidth);
  const inner = Math.max(1, Math.round(2000 / data.input.size));
  for (let i = 0; i < 5 * inner; i++) model.forward(data.input, out);
  const times: number[] = [];
  for (let s = 0; s < samples; s++) {
    const start = performance.now();
    for (let i = 0; i < inner; i++) model.forward(data.input, out);
    times.push((performance.now() - start) / inner);
  }
  return median(times);
}

const VARIANTS: readonly { name: string; request: CompressionRequest }[] = [
  { name: 'int8, per channel', request: { kind: 'quantize', granularity: 'per_channel' } },
  { name: 'int8, per tensor', request: { kind: 'quantize', granularity: 'per_tensor' } },
  { name: 'pruned 50 %', request: { kind: 'prune', sparsity: 0.5, fineTuneEpochs: 0, learningRate: 1e-3 } },
  {
    name: 'pruned 50 %, 100 epochs fine-tuned',
    request: { kind: 'prune', sparsity: 0.5, fineTuneEpochs: 100, learningRate: 1e-3 },
  },
  { name: 'pruned 90 %', request: { kind: 'prune', sparsity: 0.9, fineTuneEpochs: 0, learningRate: 1e-3 } },
];

function rows(label: string, model: AnyModel, data: Dataset, samples: number): string[] {
  const floatMs = forwardMs(model, data, samples);
  const floatBytes = model.parameters.byteLength + model.buffers.byteLength;
  const lines = [
    `| ${label} | float64 | ${floatBytes} | 1.00 | – | – | – | ${floatMs.toFixed(3)} ms (1.00) |`,
  ];
  for (const { name, request } of VARIANTS) {
    const made: Compression = compressModel(model, request, data);
    const ms = forwardMs(made.model, data, samples);
    const sparse = made.sparseBytes === undefined ? '–' : String(made.sparseBytes);
    lines.push(
      `| ${label} | ${name} | ${made.bytesAfter} | ${(made.bytesAfter / floatBytes).toFixed(2)} | ${sparse} | ` +
        `${made.error.rmse.toExponential(1)} | ${made.error.max.toExponential(1)} | ` +
        `${(ms / floatMs).toFixed(2)} × |`,
    );
  }
  return lines;
}

export async function run(args: string[]): Promise<void> {
  const quick = args.includes('--quick');
  const samples = quick ? 5 : 21;
  const ensemble = createModel('quasimoto_ensemble', { seed: 7, nWaves: 16 });
  const chirp = chirpDataset();
  fitSync(ensemble, chirp, { epochs: quick ? 100 : 500 });
  const network = createModel('string_theory', { seed: 7, numLayers: 5, dimensions: 10 });
  const modes = stringModesDataset(10);
  fitSync(network, modes, { epochs: quick ? 50 : 200 });
  const lines = [
    '| model | form | stored bytes | × float64 | sparse bytes | RMSE | max error | inference time |',
    '| --- | --- | ---: | ---: | ---: | ---: | ---: | ---: |',
    ...rows('ensemble of 16 waves (145 parameters, chirp_1d: 1,000 rows)', ensemble.eval(), chirp, samples),
    ...rows(
      'StringTheoryNN, 5 layers of 64 (17,409 parameters, string_modes: 256 rows)',
      network.eval(),
      modes,
      samples,
    ),
  ];
  await Promise.resolve();
  console.log(lines.join('\n'));
  console.log(
    '\nStored bytes: the values a store keeps (float64 parameters and buffers; int8 codes plus a float64 scale and ' +
      'zero point per group). Sparse bytes: a bitmap of nonzeros and their float64 values. Errors: against the ' +
      'float64 model over its data set. Inference time: one pass over the data set, as a multiple of float64’s.',
  );
}
