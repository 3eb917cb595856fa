import { z } from 'zod';
import { MODEL_TYPES, createModel, legacyDeviceInfo, type ModelType } from '../../core/index.js';
import { PRODUCT } from '../product.js';
import { answer, count, deviceOut } from './answer.js';
import { READS_ONLY, defineOperation, fixedWork } from './operation.js';

/** What each model is, with its true parameter count where it is fixed (the original said 13 and 17 for 4D and 6D). */
const MODEL_DESCRIPTIONS: Record<ModelType, (parameters: number) => string> = {
  quasimoto_1d: (n) => `1D wave function (${n} parameters)`,
  quasimoto_4d: (n) => `4D spatiotemporal wave function (${n} parameters)`,
  quasimoto_6d: (n) => `6D high-dimensional wave function (${n} parameters)`,
  quasimoto_ensemble: () => 'Ensemble of wave functions (configurable)',
  quasimoto_ensemble_4d: () => 'Ensemble of 4D wave functions (configurable)',
  quasimoto_ensemble_6d: () => 'Ensemble of 6D wave functions (configurable)',
  quasimoto_interference_basis: () => 'Coupled quasiperiodic interference basis (configurable)',
  string_theory: () => 'String theory neural network (configurable dimensions, depth, batch normalisation)',
};

/** Counted from real models once, not written down: the numbers cannot drift from the code. */
const MODELS: Record<string, string> = Object.fromEntries(
  MODEL_TYPES.map((type) => [type, MODEL_DESCRIPTIONS[type](createModel(type, { seed: 0 }).parameterCount)]),
);

const capabilitiesAnswer = answer({
  name: z.string().describe('The server’s name, as the original gave it'),
  version: z.string().describe('DREDGE’s version'),
  protocol: z.string().describe('The protocol the original named itself after'),
  capabilities: z
    .object({
      models: z
        .record(z.string(), z.string())
        .describe(
          'Each model type (load_model’s model_type) with what it is and its parameter count where fixed',
        ),
      operations: z.array(z.string()).describe('The names of the other operations, each also a tool'),
    })
    .describe('What it serves: the model types and the operations'),
  features: z
    .object({
      caching: z.boolean().describe('Whether results are cached (CACHE_ENABLED)'),
      metrics: z.boolean().describe('Whether metrics are recorded (METRICS_ENABLED)'),
      tracing: z.boolean().describe('Whether traces are recorded (TRACING_ENABLED)'),
      gpu_support: z
        .boolean()
        .describe('Whether a GPU is available (never, here: everything runs on the CPU)'),
      device_info: z
        .object({
          cpu_available: z.literal(true).describe('Always true'),
          cuda_available: z.boolean().describe('Whether CUDA is available'),
          mps_available: z.boolean().describe('Whether Apple MPS is available'),
          optimal_device: deviceOut.describe('The best device present'),
          device: deviceOut.describe('The device models compute on (DEVICE, resolved)'),
          cpu_cores: count('CPU cores the server may use'),
        })
        .describe('The devices, as the original reported them, and the one in use'),
    })
    .describe('What is switched on, and the devices'),
});

/** The operations list is filled in by the catalogue (see catalogue/index.ts), so it is always complete. */
export function listCapabilitiesOperation(operationNames: () => readonly string[]) {
  return defineOperation({
    name: 'list_capabilities',
    title: 'List capabilities',
    scope: 'read',
    effects: READS_ONLY,
    description: 'What this server offers: models, operations and features (caching, metrics, devices).',
    input: z.object({}),
    output: capabilitiesAnswer,
    workFormula: 'fixed',
    work: fixedWork,
    handle(_input, { services }) {
      const device = legacyDeviceInfo(services.device.info);
      return {
        name: 'DREDGE Quasimoto String Theory MCP Server',
        version: PRODUCT.version,
        protocol: 'Model Context Protocol v1.0',
        capabilities: {
          models: MODELS,
          operations: operationNames().filter((name) => name !== 'list_capabilities'),
        },
        features: {
          caching: services.cache.enabled,
          metrics: services.config.telemetry.metricsEnabled,
          tracing: services.config.telemetry.tracingEnabled,
          gpu_support: device.cuda_available || device.mps_available,
          device_info: {
            ...device,
            device: services.device.resolution.device,
            cpu_cores: services.device.info.cpu.cores,
          },
        },
      };
    },
  });
}
