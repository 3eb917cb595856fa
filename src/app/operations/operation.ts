import type { z } from 'zod';
import type { JsonInput, JsonText } from '../../services/cache/index.js';
import type { RegisteredModel } from '../../services/store/index.js';
import type { Labels, Logger, TraceContext } from '../../services/telemetry/index.js';
import type { AppServices } from '../services.js';

export interface ProgressUpdate {
  readonly progress: number;
  readonly total: number;
  readonly message?: string;
}

/** What a handler receives besides its validated input. */
export interface OperationContext {
  readonly tenant: string;
  readonly logger: Logger;
  /** The trace this work belongs to (the request's span, or a queued task's); its spans hang from it. */
  readonly trace: TraceContext;
  readonly services: AppServices;
  /** Aborted when the client goes away or cancels; long handlers check it between steps. */
  readonly signal: AbortSignal;
  readonly progress: (update: ProgressUpdate) => void;
}

/** Every successful result is a JSON object; doors add `success: true`. */
export type OperationResult = { readonly [key: string]: unknown };

/**
 * How a result is cached: `kind` names the operation's own key space (so no two operations share a key, and the
 * cache itself knows no operation), `key` picks what of the input determines the result. For an operation on a
 * stored model, that model's fingerprint joins every key, so retraining invalidates its cached results; `key`
 * also receives the model, for whatever else of it the result shows.
 */
export interface CachePolicy<I, M extends RegisteredModel | undefined = RegisteredModel | undefined> {
  readonly kind: string;
  key(input: I, model: M): JsonInput;
  /** Whether this input is worth caching (default: always); very large inputs cost more to key than to compute. */
  readonly when?: (input: I) => boolean;
}

type Answer<R> = R | JsonText | Promise<R | JsonText>;

/** What every operation declares, whatever it works on. */
interface OperationBase<S extends z.ZodType> {
  readonly name: string;
  /** What it does, for people and for models choosing a tool. */
  readonly description: string;
  readonly input: S;
  /**
   * True for an operation that may run for seconds or minutes (a training): doors give it an abort signal that
   * fires when the client goes away or the request or batch timeout passes. Quick operations go without, since a
   * timer and a listener per request would cost more than most of them do. Where an operation computes is its
   * handler's business: inference, quick for the usual small batch, sends a large one to the compute pool.
   */
  readonly runsLong?: boolean;
  /**
   * Labels of this operation's counters and timers in get_metrics (the original labels inference by
   * model_id). Given the raw params, since invalid calls are counted too; the values must be bounded.
   */
  readonly metricLabels?: (params: unknown) => Labels;
}

/** One operation of the catalogue: declared once, served by every door. */
export interface Operation<
  S extends z.ZodType = z.ZodType,
  R extends OperationResult = OperationResult,
> extends OperationBase<S> {
  readonly cache?: CachePolicy<z.output<S>>;
  /**
   * The id of the stored model the operation works on, from its input. `runOperation` reads that model once
   * (404 when there is none), keys the cache by it and hands it to the handler.
   */
  readonly model?: (input: z.output<S>) => string;
  /** The result; or its JSON text already written (`JsonText`), when most of it never changes. */
  handle(input: z.output<S>, context: OperationContext, model: RegisteredModel | undefined): Answer<R>;
}

/** An operation on one stored model, named by its input: its handler and cache key receive the model. */
interface ModelOperation<S extends z.ZodType, R extends OperationResult> extends OperationBase<S> {
  readonly model: (input: z.output<S>) => string;
  readonly cache?: CachePolicy<z.output<S>, RegisteredModel>;
  handle(input: z.output<S>, context: OperationContext, model: RegisteredModel): Answer<R>;
}

/** Declares an operation with its input type inferred from the schema. */
export function defineOperation<S extends z.ZodType, R extends OperationResult>(
  operation: Operation<S, R> & { readonly model?: undefined },
): Operation<S, R> {
  return operation;
}

/** Declares an operation on a stored model; `runOperation` guarantees the handler its model. */
export function defineModelOperation<S extends z.ZodType, R extends OperationResult>(
  operation: ModelOperation<S, R>,
): Operation<S, R> {
  return operation;
}

/** The catalogue holds operations of many input types; this is how it sees each of them. */
export type AnyOperation = Operation<z.ZodType, OperationResult>;
