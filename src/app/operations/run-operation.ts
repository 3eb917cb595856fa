import { ComputeInputError, ComputeStateError } from '../../core/index.js';
import {
  JsonText,
  cacheKey,
  jsonByteLength,
  withMembersFirst,
  type CacheKey,
  type JsonBody,
} from '../../services/cache/index.js';
import { DredgeError } from '../../services/errors.js';
import type { RegisteredModel } from '../../services/store/index.js';
import {
  SpanKind,
  traceBindings,
  traceIdOf,
  type Logger,
  type TraceContext,
} from '../../services/telemetry/index.js';
import type {
  AnyOperation,
  CachePolicy,
  OperationContext,
  OperationResult,
  ProgressUpdate,
  RequestContext,
} from './operation.js';
import { allows, missingScope } from '../security/principal.js';
import { OperationOutcome, withCachedFlag } from './outcome.js';
import { parseOrThrow } from './schema.js';

/**
 * Runs one operation (as `Catalogue.find` gave it) the same way for every door: validate its params, measure and
 * trace it, read the stored model it names, weigh its work (413 above MAX_REQUEST_WORK; above COMPUTE_INLINE_WORK
 * the handler computes on the pool, cancellable), go through the cache when its policy says so, and turn every
 * failure into a DredgeError whose sentence is safe to show (anything unexpected is logged in full and answered as
 * `internal` without details).
 */
export async function runOperation(
  operation: AnyOperation,
  params: unknown,
  context: RequestContext,
): Promise<OperationOutcome> {
  const { tracing, metrics, legacy } = context.services.telemetry;
  const started = performance.now();
  // Metrics are the process's, read by the `metrics` scope of any tenant: with tenants, no label names an object
  // (the original labelled inference by model id), so no tenant's ids reach another through them.
  const labels = context.services.config.security.multiTenant
    ? NO_LABELS
    : (operation.metricLabels?.(params) ?? NO_LABELS);
  let errorCode: string | undefined;
  let cached: boolean | undefined;
  let outcome: OperationOutcome | undefined;
  let traceId: string | undefined;
  try {
    return await tracing.inSpan(
      `operation ${operation.name}`,
      {
        parent: context.trace,
        kind: SpanKind.INTERNAL,
        attributes: { 'dredge.operation': operation.name, 'dredge.tenant': context.tenant },
      },
      async (span, trace) => {
        // Before the params are even read: a caller without the scope learns nothing about them.
        if (!allows(context.principal, operation.scope)) {
          throw new DredgeError(
            'forbidden',
            missingScope(context.principal, operation.scope, operation.name),
          );
        }
        // Every call counts, valid or not; the params are read only for callers within their limit. (The rate key
        // is a string made per call: not made at all while limits are off.)
        const { rateLimits } = context.services;
        if (rateLimits.enabled) {
          const admitted = rateLimits.admit(context.rateKey);
          if (admitted) await admitted;
        }
        if (audited(operation)) traceId = traceIdOf(trace);
        const input = parseOrThrow(operation.input, params ?? {}, 'params');
        outcome = await execute(operation, input, context, trace);
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
    if (audited(operation)) auditCall(operation, context, errorCode, outcome, traceId);
  }
}

const NO_LABELS = Object.freeze({});

/** Operations that change something (`write`) or are an administrator's (`admin`) leave an audit record. */
function audited(operation: AnyOperation): boolean {
  return operation.scope === 'write' || operation.scope === 'admin';
}

/** The call's audit record: who, what, how it ended and how large, never its params or its answer. */
function auditCall(
  operation: AnyOperation,
  context: RequestContext,
  errorCode: string | undefined,
  outcome: OperationOutcome | undefined,
  traceId: string | undefined,
): void {
  context.services.audit.record({
    tenant: context.tenant,
    keyId: context.principal.keyId ?? null,
    action: operation.name,
    outcome: errorCode ?? 'ok',
    requestId: traceId ?? null,
    client: context.client,
    inputBytes: context.inputBytes,
    outputBytes: outcome ? jsonByteLength(outcome.body) : 0,
  });
}

/**
 * The handler's context: the door's, with the compute span's trace and where the work belongs. Its log lines carry
 * the span's trace_id and span_id; the logger is made on first use only (most operations never log, and a pino
 * child costs more than a cached answer), and the door's signal is read only when the handler reads this one.
 */
class HandlerContext implements OperationContext {
  readonly principal: RequestContext['principal'];
  readonly tenant: string;
  readonly client: string;
  readonly rateKey: string | undefined;
  readonly inputBytes: number;
  readonly services: RequestContext['services'];
  readonly progress: (update: ProgressUpdate) => void;
  #logger: Logger | undefined;

  constructor(
    private readonly door: RequestContext,
    readonly trace: TraceContext,
    readonly offLoop: boolean,
  ) {
    this.principal = door.principal;
    this.tenant = door.tenant;
    this.client = door.client;
    this.rateKey = door.rateKey;
    this.inputBytes = door.inputBytes;
    this.services = door.services;
    this.progress = door.progress;
  }

  get logger(): Logger {
    return (this.#logger ??= this.door.logger.child(traceBindings(this.trace)));
  }

  get signal(): AbortSignal {
    return this.door.signal;
  }

  get attachment(): Uint8Array | undefined {
    return this.door.attachment;
  }
}

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

async function execute(
  operation: AnyOperation,
  input: unknown,
  context: RequestContext,
  trace: TraceContext,
): Promise<OperationOutcome> {
  const { cache, store, telemetry, config } = context.services;
  const { tracing } = telemetry;
  // The stored model the operation names, read once for its work, its cache key and its handler (inline: an async
  // helper would cost every request a promise of its own).
  let model: RegisteredModel | undefined;
  if (operation.model) {
    const id = operation.model(input);
    const version = operation.modelVersion?.(input);
    // Read in the caller's tenant: another tenant's model is not even loaded, and answers as an unknown id.
    model = await tracing.inSpan('store get model', { parent: trace }, () =>
      version === undefined
        ? store.models.get(id, context.tenant)
        : store.models.getVersion(id, version, context.tenant),
    );
    if (!model) {
      if (version === undefined) throw new DredgeError('not_found', `Model not found: ${id}`);
      throw await store.models.versionNotKept(id, version, context.tenant);
    }
  }
  // Weighed before anything is computed or looked up: a request over the ceiling costs nothing more.
  const work = operation.work(input, model, context);
  const { maxRequestWork, inlineWork } = config.compute;
  if (!(work <= maxRequestWork)) throw overCeiling(operation, work, maxRequestWork);
  const offLoop = work > inlineWork;
  // The handler's own object, kept for the outcome's `value` (only a computation in this call sets it).
  let computed: OperationResult | JsonText | undefined;
  const compute = (): Promise<OperationResult | JsonText> =>
    tracing.inSpan(
      'compute',
      offLoop ? { parent: trace, attributes: { 'dredge.work': work } } : { parent: trace },
      async (_span, computeTrace) => {
        // Heavy work counts against its tenant's budget when it is computed (a cache hit costs nothing).
        if (offLoop) {
          const charged = context.services.rateLimits.charge(context.tenant, work);
          if (charged) await charged;
        }
        const scoped = new HandlerContext(context, computeTrace, offLoop);
        computed = withSuccess(await operation.handle(input, scoped, model));
        return computed;
      },
    );
  const policy = operation.cache;
  if (!policy) {
    const result = await compute();
    return new OperationOutcome(toJson(result), undefined, asObject(result));
  }
  const key =
    cache.enabled && (!policy.when || policy.when(input))
      ? keyOf(policy, input, context.tenant, model)
      : undefined;
  if (key === undefined) {
    const result = await compute();
    return new OperationOutcome(withCachedFlag(toJson(result), false), false, asObject(result));
  }
  const found = await tracing.inSpan('cache', { parent: trace }, async (span) => {
    const found = await cache.getOrCompute(key, compute);
    span.setAttribute('dredge.cache.hit', found.cached);
    span.addEvent(found.cached ? 'cache hit' : 'cache miss', { 'dredge.cache.kind': policy.kind });
    return found;
  });
  telemetry.metrics.cacheLookup(policy.kind, found.cached ? 'hit' : 'miss');
  const json = withCachedFlag(found.json ?? toJson(found.value), found.cached);
  return new OperationOutcome(json, found.cached, computed && asObject(computed));
}

/** 413: the request's work is over MAX_REQUEST_WORK, named with the operation's formula. */
function overCeiling(operation: AnyOperation, work: number, ceiling: number): DredgeError {
  const shown = formatWork(work);
  // Rounding must not make it look within the ceiling.
  const request = Number(shown) > ceiling ? shown : String(work);
  return new DredgeError(
    'too_large',
    `${operation.workFormula} must be at most ${formatWork(ceiling)} (MAX_REQUEST_WORK, in multiply-adds; ` +
      `this request: ${request})`,
  );
}

/** A work figure as people read it: whole numbers below ten million, then three significant digits (2.61e+9). */
function formatWork(work: number): string {
  return work < 1e7 ? String(Math.round(work)) : Number(work.toPrecision(3)).toExponential();
}

/** The result's cache key; undefined for inputs no key can represent (none pass validation today): never cached. */
function keyOf(
  policy: CachePolicy<unknown>,
  input: unknown,
  tenant: string,
  model: RegisteredModel | undefined,
): CacheKey | undefined {
  try {
    const ref = model && { modelId: model.id, modelVersion: model.model.fingerprint() };
    return cacheKey(policy.kind, policy.key(input, model), tenant, ref);
  } catch {
    return undefined;
  }
}

/** Every answer starts with `success: true`, as the original's do. */
function withSuccess(result: OperationResult | JsonText): OperationResult | JsonText {
  if (!(result instanceof JsonText)) return { success: true, ...result };
  return new JsonText(withMembersFirst(result.body, '"success":true'));
}

/** The answer's body: a JsonText's as it was written (text or chunks), any other result serialized. */
function toJson(result: OperationResult | JsonText): JsonBody {
  return result instanceof JsonText ? result.body : JSON.stringify(result);
}

function asObject(result: OperationResult | JsonText): OperationResult | undefined {
  return result instanceof JsonText ? undefined : result;
}

function asDredgeError(error: unknown, operation: string, context: RequestContext): DredgeError {
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
