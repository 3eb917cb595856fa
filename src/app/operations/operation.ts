import type { z } from 'zod';
import type { CacheKind, JsonInput, JsonText } from '../../services/cache/index.js';
import type { Labels, Logger, TraceContext } from '../../services/telemetry/index.js';
import type { AppServices } from '../services.js';

/** Where an operation runs: on the event loop, on a worker thread, or as a queued task. */
export type CostClass = 'inline' | 'worker' | 'queue';

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
 * How a result is cached. `key` picks the inputs that determine the result; for model inference, `model`
 * names the model whose version takes part in the key, so retraining invalidates its cached outputs.
 */
export interface CachePolicy<I> {
  readonly kind: CacheKind;
  readonly key: (input: I) => JsonInput;
  readonly modelId?: (input: I) => string;
  /** Whether this input is worth caching (default: always); very large inputs cost more to key than to compute. */
  readonly when?: (input: I) => boolean;
}

/** One operation of the catalogue: declared once, served by every door. */
export interface Operation<S extends z.ZodType = z.ZodType, R extends OperationResult = OperationResult> {
  readonly name: string;
  /** What it does, for people and for models choosing a tool. */
  readonly description: string;
  readonly input: S;
  readonly cost: CostClass;
  readonly cache?: CachePolicy<z.output<S>>;
  /**
   * Labels of this operation's counters and timers in get_metrics (the original labels inference by
   * model_id). Given the raw params, since invalid calls are counted too; the values must be bounded.
   */
  readonly metricLabels?: (params: unknown) => Labels;
  /** The result; or its JSON text already written (`JsonText`), when most of it never changes. */
  handle(input: z.output<S>, context: OperationContext): R | JsonText | Promise<R | JsonText>;
}

/** Declares an operation with its input type inferred from the schema. */
export function defineOperation<S extends z.ZodType, R extends OperationResult>(
  operation: Operation<S, R>,
): Operation<S, R> {
  return operation;
}

/** The catalogue holds operations of many input types; this is how it sees each of them. */
export type AnyOperation = Operation<z.ZodType, OperationResult>;
