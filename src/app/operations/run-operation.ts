import { ComputeInputError, ComputeStateError } from '../../core/index.js';
import { JsonText, cacheKey } from '../../services/cache/index.js';
import { DredgeError } from '../../services/errors.js';
import { SpanKind, traceBindings, type Logger, type TraceContext } from '../../services/telemetry/index.js';
import type { Catalogue } from './catalogue.js';
import type { AnyOperation, OperationContext, OperationResult } from './operation.js';
import { describeIssue } from './schema.js';

/** A successful answer: the body's JSON text (a cached result keeps its stored bytes) and, on demand, the object. */
export interface OperationOutcome {
  readonly json: string;
  readonly cached: boolean | undefined;
}

/**
 * Runs one operation the same way for every door: find it, validate its params, measure and trace it, go
 * through the cache when its policy says so, and turn every failure into a DredgeError whose sentence is safe
 * to show (anything unexpected is logged in full and answered as `internal` without details).
 */
export async function runOperation(
  catalogue: Catalogue,
  name: unknown,
  params: unknown,
  context: OperationContext,
): Promise<OperationOutcome> {
  const operation = typeof name === 'string' ? catalogue.get(name) : undefined;
  if (!operation) {
    throw typeof name === 'string'
      ? new DredgeError(
          'not_found',
          `Unknown operation: ${name.length > 100 ? `${name.slice(0, 100)}…` : name}`,
        )
      : new DredgeError(
          'invalid_input',
          'operation must be the name of an operation (a string); see list_capabilities',
        );
  }
  const { tracing, metrics, legacy } = context.services.telemetry;
  const started = performance.now();
  const labels = operation.metricLabels?.(params) ?? {};
  let errorCode: string | undefined;
  let cached: boolean | undefined;
  try {
    return await tracing.inSpan(
      `operation ${operation.name}`,
      {
        parent: context.trace,
        kind: SpanKind.INTERNAL,
        attributes: { 'dredge.operation': operation.name, 'dredge.tenant': context.tenant },
      },
      async (span, trace) => {
        const input = validate(operation, params);
        const outcome = await execute(operation, input, within(context, trace));
        cached = outcome.cached;
        if (cached !== undefined) span.setAttribute('dredge.cached', cached);
        return outcome;
      },
    );
  } catch (error) {
    const failure = asDredgeError(error, operation.name, context);
    errorCode = failure.code;
    throw failure;
  } finally {
    const seconds = (performance.now() - started) / 1000;
    metrics.operation(operation.name, seconds, errorCode);
    const names = legacyNames(operation.name);
    legacy.incrementCounter(names.calls, 1, labels);
    if (cached === true) legacy.incrementCounter(names.cacheHits, 1, labels);
    if (errorCode !== undefined) legacy.incrementCounter(names.errors, 1, labels);
    legacy.recordTimer(names.duration, seconds, labels);
  }
}

/**
 * The context for work inside a span: its children hang from `trace`, and its log lines carry the span's
 * trace_id and span_id. The logger is made on first use only: most operations never log, and a pino child costs
 * more than a cached answer.
 */
function within(context: OperationContext, trace: TraceContext): OperationContext {
  // Reading `context.logger` of a context made here would make its child logger: keep the base aside instead.
  const base = baseLoggers.get(context) ?? context.logger;
  let logger: Logger | undefined;
  const scoped: OperationContext = {
    tenant: context.tenant,
    services: context.services,
    signal: context.signal,
    progress: context.progress,
    trace,
    get logger() {
      return (logger ??= base.child(traceBindings(trace)));
    },
  };
  baseLoggers.set(scoped, base);
  return scoped;
}

const baseLoggers = new WeakMap<OperationContext, Logger>();

/** The original's metric names for an operation (`mcp_inference`, `mcp_inference_duration` …), made once each. */
const LEGACY_NAMES = new Map<
  string,
  { calls: string; cacheHits: string; errors: string; duration: string }
>();

function legacyNames(operation: string) {
  let names = LEGACY_NAMES.get(operation);
  if (!names) {
    const base = `mcp_${operation}`;
    names = {
      calls: base,
      cacheHits: `${base}_cache_hit`,
      errors: `${base}_error`,
      duration: `${base}_duration`,
    };
    LEGACY_NAMES.set(operation, names);
  }
  return names;
}

function validate(operation: AnyOperation, params: unknown): unknown {
  const parsed = operation.input.safeParse(params ?? {});
  if (parsed.success) return parsed.data;
  const issue = parsed.error.issues[0];
  throw new DredgeError('invalid_input', issue ? describeIssue(issue, 'params') : 'params is invalid');
}

async function execute(
  operation: AnyOperation,
  input: unknown,
  context: OperationContext,
): Promise<OperationOutcome> {
  const policy = operation.cache;
  const { tracing } = context.services.telemetry;
  const compute = (): Promise<OperationResult | JsonText> =>
    tracing.inSpan('compute', { parent: context.trace }, async (_span, trace) =>
      withSuccess(await operation.handle(input, within(context, trace))),
    );
  if (!policy || !context.services.cache.enabled || (policy.when && !policy.when(input))) {
    const json = toJson(await compute());
    return policy ? { json: withCachedFlag(json, false), cached: false } : { json, cached: undefined };
  }
  const { cache, store, telemetry } = context.services;
  let model;
  if (policy.modelId) {
    const id = policy.modelId(input);
    const registered = await tracing.inSpan('store get model', { parent: context.trace }, () =>
      store.models.get(id),
    );
    if (!registered) throw new DredgeError('not_found', `Model not found: ${id}`);
    model = { modelId: id, modelVersion: registered.model.fingerprint() };
  }
  let key;
  try {
    key = cacheKey(policy.kind, policy.key(input), context.tenant, model);
  } catch {
    // Inputs no key can represent (none pass validation today) are still answered, just never cached.
    return { json: withCachedFlag(toJson(await compute()), false), cached: false };
  }
  const result = await tracing.inSpan('cache', { parent: context.trace }, async (span) => {
    const found = await cache.getOrCompute(key, compute);
    span.setAttribute('dredge.cache.hit', found.cached);
    span.addEvent(found.cached ? 'cache hit' : 'cache miss', { 'dredge.cache.kind': policy.kind });
    return found;
  });
  telemetry.metrics.cacheLookup(policy.kind, result.cached ? 'hit' : 'miss');
  return { json: withCachedFlag(result.json ?? toJson(result.value), result.cached), cached: result.cached };
}

/** Every answer starts with `success: true`, as the original's do. */
function withSuccess(result: OperationResult | JsonText): OperationResult | JsonText {
  if (!(result instanceof JsonText)) return { success: true, ...result };
  return new JsonText(result.text === '{}' ? '{"success":true}' : `{"success":true,${result.text.slice(1)}`);
}

function toJson(result: OperationResult | JsonText): string {
  return result instanceof JsonText ? result.text : JSON.stringify(result);
}

/** Adds `"cached":true|false` as the last member, without parsing: a hit leaves as the bytes that were stored. */
function withCachedFlag(json: string, cached: boolean): string {
  return `${json.slice(0, -1)},"cached":${cached ? 'true' : 'false'}}`;
}

function asDredgeError(error: unknown, operation: string, context: OperationContext): DredgeError {
  if (error instanceof DredgeError) return error;
  if (error instanceof ComputeInputError) {
    const sentence = error.message.startsWith(error.field)
      ? error.message
      : `${error.field}: ${error.message}`;
    return new DredgeError('invalid_input', `params.${sentence}`);
  }
  if (error instanceof ComputeStateError) return new DredgeError('invalid_input', error.message);
  if (context.signal.aborted) return new DredgeError('unavailable', `${operation} was cancelled.`);
  context.logger.error(
    { err: error, operation, ...traceBindings(context.trace) },
    'operation failed unexpectedly',
  );
  return new DredgeError('internal', `Internal error while running ${operation}; it has been logged.`);
}
