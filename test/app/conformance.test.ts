/**
 * Replays every request the original answered (test/fixtures/golden/http_transcripts.json), in order, against a fresh
 * server, and compares each answer with the original's: equal where the original is deterministic, the same shape
 * and types where it drew random parameters. Every place where DREDGE answers differently on purpose is listed in
 * DIFFERENCES with the reason, and asserted, so a difference can neither appear nor vanish unnoticed.
 */
import { readFileSync } from 'node:fs';
import { resolve } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { MAX_INFERENCE_ROWS } from '../../src/app/operations/inference.js';
import { startMcpServer, type RunningMcpServer } from '../helpers/mcp-server.js';

interface Transcript {
  request: { method: 'GET' | 'POST'; path: string; body: unknown };
  status: number;
  response: Record<string, unknown>;
}

const transcripts = JSON.parse(
  readFileSync(resolve(import.meta.dirname, '../fixtures/golden/http_transcripts.json'), 'utf8'),
) as Transcript[];

type Json = unknown;

/**
 * The recording shortens long arrays to their first values and a marker "...(N values)": such an array is
 * compared on those first values, and on its full length N.
 */
function recorded(array: Json[]): { items: Json[]; length: number } {
  const last = array[array.length - 1];
  const marker = typeof last === 'string' ? /^\.\.\.\((\d+) values\)$/.exec(last) : null;
  return marker
    ? { items: array.slice(0, -1), length: Number(marker[1]) }
    : { items: array, length: array.length };
}

/** Deep equality with floats compared to 1e-9 relative (REFERENCE.md's tolerance for float64 results). */
function expectClose(ours: Json, theirs: Json, path: string): void {
  if (typeof theirs === 'number') {
    expect(typeof ours, path).toBe('number');
    const scale = Math.max(Math.abs(theirs), Math.abs(ours as number), 1e-300);
    expect(
      Math.abs((ours as number) - theirs) / scale,
      `${path}: ${String(ours)} vs ${theirs}`,
    ).toBeLessThanOrEqual(1e-9);
  } else if (Array.isArray(theirs)) {
    const { items, length } = recorded(theirs);
    expect(Array.isArray(ours), path).toBe(true);
    expect((ours as Json[]).length, path).toBe(length);
    items.forEach((item, i) => expectClose((ours as Json[])[i], item, `${path}[${i}]`));
  } else if (theirs !== null && typeof theirs === 'object') {
    for (const [key, value] of Object.entries(theirs))
      expectClose((ours as Record<string, Json>)[key], value, `${path}.${key}`);
  } else {
    expect(ours, path).toEqual(theirs);
  }
}

/** The same structure and types, with any values: for answers built from randomly initialised models. */
function expectSameShape(ours: Json, theirs: Json, path: string): void {
  if (Array.isArray(theirs)) {
    const { items, length } = recorded(theirs);
    expect(Array.isArray(ours), path).toBe(true);
    expect((ours as Json[]).length, path).toBe(length);
    items.forEach((item, i) => expectSameShape((ours as Json[])[i], item, `${path}[${i}]`));
  } else if (theirs !== null && typeof theirs === 'object') {
    expect(ours !== null && typeof ours === 'object', path).toBe(true);
    for (const [key, value] of Object.entries(theirs))
      expectSameShape((ours as Record<string, Json>)[key], value, `${path}.${key}`);
  } else {
    expect(typeof ours, `${path}: ${JSON.stringify(ours)} vs ${JSON.stringify(theirs)}`).toBe(typeof theirs);
  }
}

/** Fields DREDGE adds to the original's answers (never removes any): compared away before checking. */
function withoutKeys(value: Record<string, Json>, keys: string[]): Record<string, Json> {
  return Object.fromEntries(Object.entries(value).filter(([key]) => !keys.includes(key)));
}

type Check =
  | { kind: 'equal' }
  | { kind: 'shape'; why: string }
  | {
      kind: 'differs';
      why: string;
      status: number;
      error?: string;
      assert?: (ours: Record<string, Json>, theirs: Record<string, Json>) => void;
    };

const RANDOM_INIT = 'the original drew the parameters at random (PyTorch); ours are drawn at random too';

/** Every request whose answer is not simply equal to the original's, and why. */
const DIFFERENCES: Record<number, Check> = {
  0: {
    kind: 'differs',
    status: 200,
    why: 'our version; the true parameter counts of the 4D and 6D waves (14 and 20, not 13 and 17); more models and operations',
    assert: (ours, theirs) => {
      const models = (ours.capabilities as { models: Record<string, string> }).models;
      expect(models.quasimoto_4d).toBe('4D spatiotemporal wave function (14 parameters)');
      expect(models.quasimoto_6d).toBe('6D high-dimensional wave function (20 parameters)');
      expect(models.quasimoto_1d).toBe(
        (theirs.capabilities as { models: Record<string, string> }).models.quasimoto_1d,
      );
      const operations = (ours.capabilities as { operations: string[] }).operations;
      for (const operation of (theirs.capabilities as { operations: string[] }).operations)
        expect(operations).toContain(operation);
      expectClose(
        withoutKeys(ours, ['version', 'capabilities']),
        withoutKeys(theirs, ['version', 'capabilities']),
        'body',
      );
    },
  },
  1: {
    kind: 'differs',
    status: 200,
    why: 'as request 0',
    assert: (ours, theirs) => DIFFERENCES[0]?.kind === 'differs' && DIFFERENCES[0].assert?.(ours, theirs),
  },
  7: {
    kind: 'differs',
    why: "HTTP 400 for invalid input; after the original's words the sentence names the field and the allowed values",
    status: 400,
    error:
      'Unknown model type: nonexistent. params.model_type must be one of quasimoto_1d, quasimoto_4d, quasimoto_6d, quasimoto_ensemble, quasimoto_ensemble_4d, quasimoto_ensemble_6d, quasimoto_interference_basis, string_theory',
  },
  8: { kind: 'shape', why: RANDOM_INIT },
  9: { kind: 'shape', why: RANDOM_INIT },
  10: { kind: 'shape', why: RANDOM_INIT },
  11: { kind: 'shape', why: RANDOM_INIT },
  12: { kind: 'shape', why: RANDOM_INIT },
  13: {
    kind: 'differs',
    why: 'HTTP 404 for an unknown model (same sentence)',
    status: 404,
    error: 'Model not found: nonexistent_9',
  },
  14: {
    kind: 'differs',
    why: "HTTP 400, and a sentence instead of PyTorch's internal message",
    status: 400,
    error: `params.inputs.x must be an array of at most ${MAX_INFERENCE_ROWS} finite numbers`,
  },
  15: {
    kind: 'shape',
    why: `${RANDOM_INIT}; epsilon is 0.1 in float64 where the original's float32 gave 0.10000000149011612`,
  },
  16: { kind: 'shape', why: RANDOM_INIT },
  17: {
    kind: 'differs',
    why: 'HTTP 404 for an unknown model (same sentence)',
    status: 404,
    error: 'Model not found: missing',
  },
  18: { kind: 'shape', why: RANDOM_INIT },
  19: { kind: 'shape', why: RANDOM_INIT },
  20: {
    kind: 'differs',
    why: 'benchmark works for every model type; the original only knew the 1D wave and its ensemble',
    status: 200,
    assert: (ours) =>
      expect(ours).toMatchObject({ success: true, model_type: 'quasimoto_4d', epochs: 100, device: 'cpu' }),
  },
  29: {
    kind: 'differs',
    why: "the backend is named 'memory'; inference results share the cache, so it holds 4 more entries; more statistics",
    status: 200,
    assert: (ours) =>
      expect(ours.cache_stats).toMatchObject({
        backend_type: 'memory',
        default_ttl: 3600,
        expired_entries: 0,
        total_entries: 8,
        active_entries: 8,
      }),
  },
  30: {
    kind: 'differs',
    why: 'HTTP 503: a dependency is not configured (same sentence)',
    status: 503,
    error: 'GITHUB_TOKEN not set',
  },
  31: {
    kind: 'differs',
    why: 'HTTP 503: a dependency is not configured (same sentence)',
    status: 503,
    error: 'GITHUB_TOKEN not set',
  },
  32: {
    kind: 'differs',
    why: "HTTP 400; after the original's words the sentence names the field",
    status: 400,
    error: "Invalid state: bogus. params.state must be 'dismissed' or 'open'",
  },
  33: {
    kind: 'differs',
    why: "HTTP 400; after the original's words the sentence names the field and the allowed values",
    status: 400,
    error:
      "dismissed_reason is required when state is 'dismissed'. params.dismissed_reason must be one of fix_started, inaccurate, no_bandwidth, not_used, tolerable_risk",
  },
  34: {
    kind: 'differs',
    why: "HTTP 400; after the original's words the sentence names the field",
    status: 400,
    error:
      'Invalid dismissed_reason: nope. params.dismissed_reason must be one of fix_started, inaccurate, no_bandwidth, not_used, tolerable_risk',
  },
  35: {
    kind: 'differs',
    why: 'HTTP 404 for an unknown operation (same sentence)',
    status: 404,
    error: 'Unknown operation: no_such_operation',
  },
  36: {
    kind: 'differs',
    why: "every call is counted (cache hits too), every operation has a timer with percentiles, and the original's count of 14557 unified inferences came from an earlier load test",
    status: 200,
    assert: (ours) => {
      const metrics = ours.metrics as {
        counters: Record<string, number>;
        timers: Record<string, Record<string, number>>;
      };
      expect(metrics.counters.mcp_list_capabilities).toBe(2);
      expect(metrics.counters['mcp_inference_cache_hit{model_id=quasimoto_1d_0}']).toBe(1);
      expect(metrics.counters['mcp_inference_error{model_id=quasimoto_1d_0}']).toBe(1);
      expect(metrics.counters['mcp_inference{model_id=quasimoto_1d_0}']).toBe(3);
      expect(metrics.counters['mcp_inference{model_id=nonexistent_9}']).toBe(1);
      expect(metrics.counters.mcp_unified_inference).toBe(3);
      expect(
        Object.keys(metrics.timers['mcp_inference_duration{model_id=quasimoto_1d_0}'] ?? {}).sort(),
      ).toEqual(['avg', 'count', 'max', 'min', 'p50', 'p95', 'p99', 'total_time']);
    },
  },
  37: {
    kind: 'differs',
    why: 'HTTP 400 (the original answered 500) for a body that is not JSON',
    status: 400,
    error: 'The request body is not valid JSON.',
  },
};

/**
 * The words our sentence must start with, for an error the original answered: its first sentence, up to its first
 * ". " — the label and the client's value (`Invalid state: bogus`, `Unknown model type: nonexistent`, `Model not
 * found: missing`) — or the whole of it where there is no second one (`dismissed_reason is required when state is
 * 'dismissed'`, `GITHUB_TOKEN not set`). Clients match on the label, and some read the value after its colon, so
 * both stay where the original put them; what follows is ours (the field's path, the values allowed), which is why
 * the rule stops at the first sentence rather than asking for the original's whole text.
 */
function originalWords(error: string): string {
  const end = error.indexOf('. ');
  return end < 0 ? error : error.slice(0, end);
}

/** Recorded errors that were not the original's own words but a library's, which DREDGE does not repeat. */
const NOT_ITS_OWN_WORDS: Record<number, string> = {
  14: "PyTorch's message for a tensor made of text",
  20: 'no error here: benchmark works for every model type',
  37: "Werkzeug's page for a body that is not JSON, answered with a 500",
};

/** Every recorded answer with an `error`, by its index in the recording. */
const recordedErrors = transcripts.flatMap((transcript, index) =>
  typeof transcript.response.error === 'string' ? [[index, transcript.response.error] as const] : [],
);

/** Fields DREDGE adds to answers; the original had none of them. */
const ADDED_FIELDS = ['version', 'cached', 'code', 'dataset', 'n_parameters', 'model_type'];

describe('conformance with the original (golden/http_transcripts.json)', () => {
  let server: RunningMcpServer;
  const answers: Array<{ status: number; body: Record<string, Json> }> = [];

  beforeAll(async () => {
    server = await startMcpServer();
    for (const { request } of transcripts) {
      const init: RequestInit = { method: request.method };
      if (request.method === 'POST') {
        init.headers = { 'content-type': 'application/json' };
        init.body = typeof request.body === 'string' ? request.body : JSON.stringify(request.body);
      }
      const response = await fetch(`${server.url}${request.path}`, init);
      answers.push({ status: response.status, body: (await response.json()) as Record<string, Json> });
    }
  }, 120_000);

  afterAll(async () => {
    await server.close();
  });

  it('replays all 38 requests', () => {
    expect(transcripts).toHaveLength(38);
    expect(answers).toHaveLength(38);
  });

  it("finds 12 recorded errors, and excuses from the original's words only 3 of them", () => {
    const indexes = recordedErrors.map(([index]) => index);
    expect(indexes).toHaveLength(12);
    expect(indexes).toEqual(expect.arrayContaining(Object.keys(NOT_ITS_OWN_WORDS).map(Number)));
  });

  it.each(recordedErrors.filter(([index]) => !(index in NOT_ITS_OWN_WORDS)))(
    "request %i answers an error starting with the original's words (%s)",
    (index, error) => {
      const ours = answers[index]!;
      expect(ours.body.success).toBe(false);
      const words = originalWords(error);
      expect(String(ours.body.error).slice(0, words.length), String(ours.body.error)).toBe(words);
    },
  );

  it.each(transcripts.map((transcript, index) => [index, transcript] as const))(
    'request %i',
    (index, transcript) => {
      const ours = answers[index]!;
      const theirs = transcript.response;
      const check = DIFFERENCES[index] ?? { kind: 'equal' };
      const request = JSON.stringify(transcript.request.body);
      if (check.kind === 'differs') {
        expect(ours.status, request).toBe(check.status);
        if (check.error !== undefined)
          expect(ours.body, request).toMatchObject({ success: false, error: check.error });
        check.assert?.(ours.body, theirs);
        return;
      }
      expect(ours.status, request).toBe(transcript.status);
      const comparable = withoutKeys(
        ours.body,
        ADDED_FIELDS.filter((key) => !(key in theirs)),
      );
      if (check.kind === 'equal') expectClose(comparable, theirs, 'body');
      else expectSameShape(comparable, theirs, 'body');
    },
  );
});
