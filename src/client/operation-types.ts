// Types only: `import type` is erased from the JavaScript, so none of the server's code reaches a client bundle.
import type { z } from 'zod';
import type { exportModel, importModel } from '../app/operations/bundles.js';
import type { listCapabilitiesOperation } from '../app/operations/capabilities.js';
import type { pruneModelOperation, quantizeModelOperation } from '../app/operations/compression.js';
import type {
  explainDependabotAlert,
  getDependabotAlerts,
  updateDependabotAlert,
} from '../app/operations/dependabot.js';
import type { inference } from '../app/operations/inference.js';
import type { modelFit } from '../app/operations/model-fit.js';
import type { deleteModel, getParameters, listModels, loadModel } from '../app/operations/models.js';
import type { getCacheStats, getMetrics, getTraces } from '../app/operations/observability.js';
import type { stringParameters, stringSpectrum, unifiedInference } from '../app/operations/string-theory.js';
import type { cancelTask, getQueueStats, getTask, submitTaskOperation } from '../app/operations/tasks.js';
import type { benchmark, trainModel } from '../app/operations/training.js';
import type { listModelVersions, rollbackModel } from '../app/operations/versions.js';

/**
 * Every operation of the catalogue by its name, as `createCatalogue` (src/app/operations/index.ts) assembles it; a
 * test checks that the names are the catalogue's, no more and no fewer.
 */
export interface Operations {
  list_capabilities: ReturnType<typeof listCapabilitiesOperation>;
  load_model: typeof loadModel;
  inference: typeof inference;
  get_parameters: typeof getParameters;
  benchmark: typeof benchmark;
  string_spectrum: typeof stringSpectrum;
  string_parameters: typeof stringParameters;
  unified_inference: typeof unifiedInference;
  get_metrics: typeof getMetrics;
  get_cache_stats: typeof getCacheStats;
  get_dependabot_alerts: typeof getDependabotAlerts;
  explain_dependabot_alert: typeof explainDependabotAlert;
  update_dependabot_alert: typeof updateDependabotAlert;
  list_models: typeof listModels;
  delete_model: typeof deleteModel;
  train: typeof trainModel;
  get_traces: typeof getTraces;
  submit_task: ReturnType<typeof submitTaskOperation>;
  get_task: typeof getTask;
  cancel_task: typeof cancelTask;
  get_queue_stats: typeof getQueueStats;
  model_fit: typeof modelFit;
  export_model: typeof exportModel;
  import_model: typeof importModel;
  list_model_versions: typeof listModelVersions;
  rollback_model: typeof rollbackModel;
  quantize_model: typeof quantizeModelOperation;
  prune_model: typeof pruneModelOperation;
}

export type OperationName = keyof Operations;

/** The operations a task may run: every one but the task operations themselves (tasks cannot queue tasks). */
export type QueueableOperationName = Exclude<
  OperationName,
  'submit_task' | 'get_task' | 'cancel_task' | 'get_queue_stats'
>;

/** A JSON object whose members are not described. */
export type JsonObject = { readonly [member: string]: unknown };

/** The params an operation takes: its zod input schema's input type (defaults may be left out). */
export type OperationParams<N extends OperationName> = z.input<Operations[N]['input']>;

/**
 * What the JSON API answers for the operation, as its zod `output` schema describes it: `success: true`, the
 * result's members, and `cached` for an operation whose results are cached. A plain JSON object where an
 * operation declares no schema.
 */
export type OperationAnswer<N extends OperationName> = DeclaredAnswer<Operations[N]>;

type DeclaredAnswer<O> = O extends { readonly output?: infer S }
  ? S extends z.ZodType
    ? unknown extends z.output<S>
      ? UndescribedAnswer
      : z.output<S>
    : UndescribedAnswer
  : UndescribedAnswer;

type UndescribedAnswer = JsonObject & { readonly success: true; readonly cached?: boolean };

/** The arguments after an operation's name: the params, left out when the operation needs none. */
export type ParamsArgument<N extends OperationName, Rest extends unknown[]> =
  Record<string, never> extends OperationParams<N>
    ? [params?: OperationParams<N>, ...rest: Rest]
    : [params: OperationParams<N>, ...rest: Rest];
