import { Catalogue } from './catalogue.js';
import { exportModel, importModel } from './bundles.js';
import { listCapabilitiesOperation } from './capabilities.js';
import { pruneModelOperation, quantizeModelOperation } from './compression.js';
import { explainDependabotAlert, getDependabotAlerts, updateDependabotAlert } from './dependabot.js';
import { inference } from './inference.js';
import { modelFit } from './model-fit.js';
import { deleteModel, getParameters, listModels, loadModel } from './models.js';
import { getCacheStats, getMetrics, getTraces } from './observability.js';
import type { AnyOperation } from './operation.js';
import { stringParameters, stringSpectrum, unifiedInference } from './string-theory.js';
import { cancelTask, getQueueStats, getTask, submitTaskOperation } from './tasks.js';
import { benchmark, trainModel } from './training.js';
import { listModelVersions, rollbackModel } from './versions.js';

export { Catalogue } from './catalogue.js';
export { OperationOutcome } from './outcome.js';
export { runOperation } from './run-operation.js';
export type {
  AnyOperation,
  Operation,
  OperationContext,
  ProgressUpdate,
  RequestContext,
} from './operation.js';

/** Every operation DREDGE serves: the original's thirteen, in its order, then the new ones. */
export function createCatalogue(): Catalogue {
  const operations: AnyOperation[] = [];
  operations.push(
    listCapabilitiesOperation(() => operations.map((operation) => operation.name)) as AnyOperation,
    ...([
      loadModel,
      inference,
      getParameters,
      benchmark,
      stringSpectrum,
      stringParameters,
      unifiedInference,
      getMetrics,
      getCacheStats,
      getDependabotAlerts,
      explainDependabotAlert,
      updateDependabotAlert,
      listModels,
      deleteModel,
      trainModel,
      getTraces,
      submitTaskOperation((name) => catalogue.get(name)),
      getTask,
      cancelTask,
      getQueueStats,
      modelFit,
      exportModel,
      importModel,
      listModelVersions,
      rollbackModel,
      quantizeModelOperation,
      pruneModelOperation,
    ] as AnyOperation[]),
  );
  const catalogue = new Catalogue(operations);
  return catalogue;
}
