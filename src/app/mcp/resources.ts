import type { ReadResourceResult, Resource } from '@modelcontextprotocol/server';
import { DredgeError } from '../../services/errors.js';
import type { Catalogue, RequestContext } from '../operations/index.js';
import { runOperation } from '../operations/run-operation.js';

/** A resource: the answer of a catalogue operation without params, or the part of it the resource shows. */
interface ResourceSource {
  readonly resource: Resource;
  readonly operation: string;
  readonly member: string;
}

const SOURCES: readonly ResourceSource[] = [
  {
    resource: {
      uri: 'dredge://models',
      name: 'models',
      description: 'The loaded models: id, type, size, configuration, version.',
      mimeType: 'application/json',
    },
    operation: 'list_models',
    member: 'models',
  },
  {
    resource: {
      uri: 'dredge://metrics',
      name: 'metrics',
      description: "Counters, gauges, histograms and timers in the original's get_metrics shape.",
      mimeType: 'application/json',
    },
    operation: 'get_metrics',
    member: 'metrics',
  },
  {
    resource: {
      uri: 'dredge://cache-stats',
      name: 'cache-stats',
      description: 'Result-cache statistics (entries, hits, misses, hit rate).',
      mimeType: 'application/json',
    },
    operation: 'get_cache_stats',
    member: 'cache_stats',
  },
];

/** What DREDGE offers to read without calling a tool: the loaded models, the metrics, the cache statistics. */
export const RESOURCES: readonly Resource[] = SOURCES.map((source) => source.resource);

/**
 * A resource's contents, read through the operation that answers the same (list_models, get_metrics,
 * get_cache_stats) with the caller's context: its scope, tenant, rate limit and audit apply exactly as to the tool,
 * so a resource is never a way around them.
 */
export async function readResource(
  uri: string,
  catalogue: Catalogue,
  context: RequestContext,
): Promise<ReadResourceResult> {
  const source = SOURCES.find((candidate) => candidate.resource.uri === uri);
  if (!source) throw new DredgeError('not_found', `Unknown resource: ${uri.slice(0, 200)}`);
  const outcome = await runOperation(catalogue.find(source.operation), {}, context);
  const answer = outcome.value as Record<string, unknown>;
  const text = JSON.stringify(answer[source.member]);
  return { contents: [{ uri, mimeType: 'application/json', text }] };
}
