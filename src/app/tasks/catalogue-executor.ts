import type { TaskExecutor } from '../../services/queue/index.js';
import { ROOT_CONTEXT, SpanKind } from '../../services/telemetry/index.js';
import { runOperation, type Catalogue } from '../operations/index.js';
import { taskContext } from '../operations/request-context.js';
import type { AppServices } from '../services.js';

/**
 * How a queued task runs, on a server (QUEUE_BACKEND=local) or a `dredge worker`: as the catalogue operation it
 * names, through the same door as every request (validation, cache, metrics), in a span that continues the trace
 * of the request that submitted it.
 */
export function catalogueExecutor(catalogue: Catalogue, services: AppServices): TaskExecutor {
  const { tracing } = services.telemetry;
  return (job, signal, onProgress) => {
    const parent = job.traceparent ? tracing.extract({ traceparent: job.traceparent }) : ROOT_CONTEXT;
    return tracing.inSpan(
      `task ${job.operation}`,
      { parent, kind: SpanKind.CONSUMER, attributes: { 'dredge.operation': job.operation } },
      async (_span, trace) => {
        const context = taskContext(services, { trace, signal, tenant: job.tenant, progress: onProgress });
        const outcome = await runOperation(catalogue.find(job.operation), job.params, context);
        return outcome.json;
      },
    );
  };
}
