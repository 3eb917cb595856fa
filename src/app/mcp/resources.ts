import type { ReadResourceResult, Resource } from '@modelcontextprotocol/sdk/types.js';
import { DredgeError } from '../../services/errors.js';
import { describeModel } from '../operations/models.js';
import type { AppServices } from '../services.js';

/** What DREDGE offers to read without calling a tool: the loaded models, the metrics, the cache statistics. */
export const RESOURCES: readonly Resource[] = [
  {
    uri: 'dredge://models',
    name: 'models',
    description: 'The loaded models: id, type, size, configuration, version.',
    mimeType: 'application/json',
  },
  {
    uri: 'dredge://metrics',
    name: 'metrics',
    description: "Counters, gauges, histograms and timers in the original's get_metrics shape.",
    mimeType: 'application/json',
  },
  {
    uri: 'dredge://cache-stats',
    name: 'cache-stats',
    description: 'Result-cache statistics (entries, hits, misses, hit rate).',
    mimeType: 'application/json',
  },
];

export async function readResource(uri: string, services: AppServices): Promise<ReadResourceResult> {
  const json = (value: unknown): ReadResourceResult => ({
    contents: [{ uri, mimeType: 'application/json', text: JSON.stringify(value) }],
  });
  switch (uri) {
    case 'dredge://models':
      return json((await services.store.models.list()).map(describeModel));
    case 'dredge://metrics':
      return json(await services.telemetry.legacy.getMetrics());
    case 'dredge://cache-stats':
      return json(await services.cache.stats());
    default:
      throw new DredgeError('not_found', `Unknown resource: ${uri.slice(0, 200)}`);
  }
}
