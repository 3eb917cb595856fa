import type { z } from 'zod';
import { DredgeError } from '../../services/errors.js';
import type { JsonInput, JsonText } from '../../services/cache/index.js';
import type { RegisteredModel } from '../../services/store/index.js';
import type { Labels, Logger, TraceContext } from '../../services/telemetry/index.js';
import type { Principal, Scope } from '../security/principal.js';
import type { AppServices } from '../services.js';

export interface ProgressUpdate {
  readonly progress: number;
  readonly total: number;
  readonly message?: string;
}

/** What a door hands `runOperation` (see `request-context.ts`): who asks, the trace, and how to stop. */
export interface RequestContext {
  /** Who asks: the door's authentication decided it; `runOperation` checks it holds the operation's scope. */
  readonly principal: Principal;
  /** The principal's tenant (the default one without MULTI_TENANT_ENABLED): every object read or made belongs to it. */
  readonly tenant: string;
  /** Who sent the request (see RequestFacts.client): rate limits and the audit log use it. */
  readonly client: string;
  /**
   * What the per-operation rate limit counts against: `key:<id>`, or `address:<client>` without a key; undefined
   * where the operation is not counted (a queued task was counted when submitted).
   */
  readonly rateKey: string | undefined;
  /** The request's size in bytes as it arrived, where the door knows it (an HTTP body's length), else 0. */
  readonly inputBytes: number;
  /**
   * The request's body as bytes, where a route takes bytes rather than JSON (POST /models/import): binary data
   * stays binary instead of going through base64 text. Undefined everywhere else.
   */
  readonly attachment: Uint8Array | undefined;
  readonly logger: Logger;
  /** The trace this work belongs to (the request's span, or a queued task's); its spans hang from it. */
  readonly trace: TraceContext;
  readonly services: AppServices;
  /**
   * Aborted when the client goes away or cancels, or the request's or task's timeout passes. Read it only for work
   * that waits (on the compute pool): a door may make it on first read (HTTP's costs a listener and a timer),
   * so that quick operations never pay for one.
   */
  readonly signal: AbortSignal;
  readonly progress: (update: ProgressUpdate) => void;
}

/** What a handler receives besides its validated input: the request's context, and where its work belongs. */
export interface OperationContext extends RequestContext {
  /**
   * True when this call's work (the operation's `work`) is above COMPUTE_INLINE_WORK: the handler computes on the
   * compute pool (`services.compute`), passing it `signal`, so the event loop keeps answering and a client that
   * hangs up stops the work. False: it computes here, at once, as quick work always has.
   */
  readonly offLoop: boolean;
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

/**
 * What a call does besides answering, as a client deciding whether to ask its user first needs to know (MCP's tool
 * annotations are made from it). Declared by each operation, never guessed from its name; hints, not guarantees.
 */
export interface OperationEffects {
  /** Changes nothing a later call could see: it computes, reads or lists. Filling the cache and counting do not count. */
  readonly readOnly: boolean;
  /** May remove or overwrite something that exists (a model, its parameters, a task, an alert's state). */
  readonly destructive: boolean;
  /** A second call with the same arguments changes nothing more than the first did. */
  readonly idempotent: boolean;
  /** Reaches a system outside DREDGE and its own stores (GitHub). */
  readonly openWorld: boolean;
}

/** The effects of an operation that only computes or reads what DREDGE holds. */
export const READS_ONLY: OperationEffects = {
  readOnly: true,
  destructive: false,
  idempotent: true,
  openWorld: false,
};

/**
 * The zod schema of an operation's success answer, as every door sends it (made by `answer` or `cachedAnswer`,
 * answer.ts): an object whose first field is `success: true`, then the handler's fields, then `cached` for an
 * operation with a cache policy.
 */
export type AnswerSchema = z.ZodObject;

/** What the handler itself returns: the answer less the fields `runOperation` adds. */
export type ResultOf<O extends AnswerSchema> = Omit<z.output<O>, 'success' | 'cached'>;

/** What every operation declares, whatever it works on. */
interface OperationBase<S extends z.ZodType, O extends AnswerSchema> {
  readonly name: string;
  /** A short human title (MCP's tool title): what a person sees in a list of tools. */
  readonly title: string;
  /** What it does, for people and for models choosing a tool. */
  readonly description: string;
  /**
   * The input: every field described (`.describe()`, with its unit and bounds), since the description is all a
   * model choosing arguments reads. Its JSON Schema is the MCP tool's input schema.
   */
  readonly input: S;
  /**
   * The success answer (the MCP tool's output schema, and the typed client's result type): every field described.
   * A test runs every operation and checks its answer against it, so the two cannot drift.
   */
  readonly output: O;
  /** What a call does besides answering; required, so that every new operation decides it. */
  readonly effects: OperationEffects;
  /**
   * The scope a caller must hold (`runOperation` answers 403 otherwise): `read` for inference and queries, `write`
   * for what changes models, insights or tasks, `github` for Dependabot alerts, `admin` for the rest.
   */
  readonly scope: Scope;
  /**
   * The formula of `work`, as the README's table and a refusal name it (`params.epochs × rows × parameters`).
   */
  readonly workFormula: string;
  /**
   * Labels of this operation's counters and timers in get_metrics (the original labels inference by
   * model_id). Given the raw params, since invalid calls are counted too; the values must be bounded.
   */
  readonly metricLabels?: (params: unknown) => Labels;
}

/** One operation of the catalogue: declared once, served by every door. */
export interface Operation<
  S extends z.ZodType = z.ZodType,
  O extends AnswerSchema = AnswerSchema,
> extends OperationBase<S, O> {
  readonly cache?: CachePolicy<z.output<S>>;
  /**
   * The id of the stored model the operation works on, from its input. `runOperation` reads that model once
   * (404 when there is none), keys the cache by it and hands it to the handler.
   */
  readonly model?: (input: z.output<S>) => string;
  /**
   * The version of that model the input names (a kept one, see MODEL_VERSIONS_KEPT), when it names one:
   * `runOperation` then reads that version instead (404 listing the kept versions when it is not kept); its
   * fingerprint, not the current model's, joins the cache key.
   */
  readonly modelVersion?: (input: z.output<S>) => number | undefined;
  /**
   * What this call will cost, in multiply-adds (or their equivalent, see the README's table), from the validated
   * input (and the stored model, for an operation on one) before any work starts. `runOperation` refuses work
   * above MAX_REQUEST_WORK (413) and marks work above COMPUTE_INLINE_WORK `offLoop`. It must be cheap: it runs on
   * every call, cache hits included. It may throw the input's 400 (a setting that only it reads first).
   */
  work(input: z.output<S>, model: RegisteredModel | undefined, context: RequestContext): number;
  /** The result; or its JSON text already written (`JsonText`), when most of it never changes. */
  handle(
    input: z.output<S>,
    context: OperationContext,
    model: RegisteredModel | undefined,
  ): Answer<ResultOf<O>>;
}

/** An operation on one stored model, named by its input: its handler and cache key receive the model. */
interface ModelOperation<S extends z.ZodType, O extends AnswerSchema> extends OperationBase<S, O> {
  readonly model: (input: z.output<S>) => string;
  readonly modelVersion?: (input: z.output<S>) => number | undefined;
  readonly cache?: CachePolicy<z.output<S>, RegisteredModel>;
  work(input: z.output<S>, model: RegisteredModel, context: RequestContext): number;
  handle(input: z.output<S>, context: OperationContext, model: RegisteredModel): Answer<ResultOf<O>>;
}

/**
 * The work of an operation whose cost does not grow with its input (a list, a lookup, a statistic, a call to
 * another service): about a microsecond of the event loop, whatever it then waits for.
 */
export const FIXED_WORK = 1000;

/** `work` of an operation of fixed cost. */
export function fixedWork(): number {
  return FIXED_WORK;
}

/** Declares an operation with its input type inferred from the schema. */
export function defineOperation<S extends z.ZodType, O extends AnswerSchema>(
  operation: Operation<S, O> & { readonly model?: undefined },
): Operation<S, O> {
  return operation;
}

/**
 * Declares an operation on a stored model; `runOperation` guarantees the handler its model. The model must be the
 * caller's tenant's: another tenant's is refused as `runOperation` refuses an unknown id (404, `Model not found:
 * <id>`), in `work`, which runs before the cache is looked up or anything is computed. Ids outside the default
 * tenant are random (randomModelId), so a lookup by id finds at most one model, and this decides whose it is.
 */
export function defineModelOperation<S extends z.ZodType, O extends AnswerSchema>(
  operation: ModelOperation<S, O>,
): Operation<S, O> {
  const { work } = operation;
  const guarded: ModelOperation<S, O> = {
    ...operation,
    work(input, model, context) {
      if (model.tenant !== context.tenant) {
        throw new DredgeError('not_found', `Model not found: ${operation.model(input)}`);
      }
      return work(input, model, context);
    },
  };
  return guarded;
}

/** The catalogue holds operations of many input types; this is how it sees each of them. */
export type AnyOperation = Operation<z.ZodType, AnswerSchema>;
