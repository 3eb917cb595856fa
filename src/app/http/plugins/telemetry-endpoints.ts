import type { FastifyInstance } from 'fastify';
import fastifyPlugin from 'fastify-plugin';
import { z } from 'zod';
import { DredgeError } from '../../../services/errors.js';
import type { Telemetry } from '../../../services/telemetry/index.js';
import { DEFAULT_TRACE_SPANS, MAX_TRACE_SPANS, TRACE_ID_PATTERN } from '../../operations/observability.js';
import type { OperationDoor } from '../operation-door.js';

const limitSentence = `must be a whole number from 1 to ${MAX_TRACE_SPANS}`;

/** GET /traces's query string: text, so `limit` is read as a number here before the operation sees it. */
const traceQuery = z.object({
  trace_id: z.string().regex(TRACE_ID_PATTERN, 'must be 32 lowercase hexadecimal digits').optional(),
  limit: z.coerce
    .number(limitSentence)
    .int(limitSentence)
    .min(1, limitSentence)
    .max(MAX_TRACE_SPANS, limitSentence)
    .default(DEFAULT_TRACE_SPANS),
});

/**
 * The query of GET /traces as `get_traces` params. Its sentences read `trace_id: must …`, this endpoint's own
 * shape that its clients match, rather than the operation's `params.trace_id must …`.
 */
function traceParams(query: unknown): z.infer<typeof traceQuery> {
  const parsed = traceQuery.safeParse(query);
  if (parsed.success) return parsed.data;
  const issue = parsed.error.issues[0];
  throw new DredgeError(
    'invalid_input',
    `${issue?.path.join('.') ?? 'query'}: ${issue?.message ?? 'invalid'}`,
  );
}

export interface TelemetryEndpointsOptions {
  readonly telemetry: Telemetry;
  readonly door: OperationDoor;
  /**
   * Set on every server of a process but the one that serves its registry: the sentence that says where it is.
   * A process has one registry, and a series served on two ports is counted twice by anything that sums over
   * targets (request rates, queue depth). Such a server's /metrics still answers 200, with that sentence as an
   * exposition comment and no series, so that one Prometheus configuration scraping every port is right whether
   * the servers run in one process (`dredge up`) or in two (`dredge serve`, `dredge mcp`), and each port's
   * `up` still says whether it answers.
   */
  readonly metricsServedElsewhere?: string;
}

/**
 * `GET /metrics` (Prometheus text) and `GET /traces` (recent spans in the original's Jaeger-like shape, answered
 * by the catalogue's `get_traces`). Refusals are thrown for the errors plugin to answer.
 */
export const telemetryEndpointsPlugin = fastifyPlugin<TelemetryEndpointsOptions>(
  async (app: FastifyInstance, { telemetry, door, metricsServedElsewhere }) => {
    const { registry } = telemetry;
    const pointer = metricsServedElsewhere === undefined ? undefined : `# ${metricsServedElsewhere}\n`;

    app.get('/metrics', { config: { scope: 'metrics' } }, async (_request, reply) => {
      if (!registry) throw new DredgeError('not_found', 'Metrics are disabled (METRICS_ENABLED=false).');
      if (pointer !== undefined) return reply.type(registry.contentType).send(pointer);
      return reply.type(registry.contentType).send(await registry.metrics());
    });

    app.get('/traces', (request, reply) =>
      door.answer(request, reply, 'get_traces', traceParams(request.query)),
    );
  },
  { name: 'dredge-telemetry-endpoints', fastify: '5.x', dependencies: ['dredge-errors'] },
);
