/**
 * Before the fuzz: tenant A's objects, each carrying a marker unique to the run (insight texts, task texts) or an
 * id of its own, so that any answer to someone else holding one of them is a leak; and tenant B's few objects.
 */
import type { Keys, ServerName } from './request.js';
import type { IdPool } from './ids.js';
import type { Urls } from './send.js';

/** A request an object's owner makes after the fuzz, to show that its object survived the other tenant. */
export interface KeptObject {
  readonly owner: 'A' | 'B';
  readonly what: string;
  readonly server: ServerName;
  readonly method: string;
  readonly path: string;
  readonly body?: unknown;
}

export interface Planted {
  /** Strings of tenant A's that no answer to anyone else may hold. */
  readonly strong: readonly string[];
  /** Tenant A's model ids: ids are counters, so one is a leak only where tenant B made no model of that id. */
  readonly weak: readonly string[];
  /** Both tenants' objects no request of theirs deletes: they must still be there afterwards. */
  readonly kept: readonly KeptObject[];
  readonly idsA: IdPool;
  /** Tenant B's own ids (its own model first) and all of tenant A's, every one of them for B to try deleting. */
  readonly idsB: IdPool;
}

export interface CallAnswer {
  readonly status: number;
  readonly text: string;
  readonly json: Record<string, unknown>;
}

/** One well-formed request with a key (fetch: the well-behaved client's way). */
export async function call(
  urls: Urls,
  key: string,
  server: ServerName,
  method: string,
  path: string,
  body?: unknown,
): Promise<CallAnswer> {
  const response = await fetch(new URL(path, urls[server]), {
    method,
    headers: {
      authorization: `Bearer ${key}`,
      ...(body === undefined ? {} : { 'content-type': 'application/json' }),
    },
    ...(body === undefined ? {} : { body: JSON.stringify(body) }),
  });
  const text = await response.text();
  let json: Record<string, unknown> = {};
  try {
    json = JSON.parse(text) as Record<string, unknown>;
  } catch {
    // Not JSON: `json` stays empty and the caller's check of `status` reports the text.
  }
  return { status: response.status, text, json };
}

async function succeeded(what: string, answer: Promise<CallAnswer>): Promise<Record<string, unknown>> {
  const { status, text, json } = await answer;
  if (status >= 300) throw new Error(`planting: ${what} answered ${status}: ${text}`);
  return json;
}

/** Model types planted: the wave models take columns, the others rows (see inferenceInputs). */
const KEPT_TYPES = ['quasimoto_1d', 'quasimoto_4d', 'string_theory'] as const;
const DISPOSABLE_TYPES = ['quasimoto_1d', 'quasimoto_6d', 'quasimoto_interference_basis'] as const;

interface Owned {
  readonly models: string[];
  readonly tasks: string[];
  readonly insights: string[];
  readonly disposable: string[];
}

/**
 * Plants each tenant's kept and disposable objects; tenant A's carry `tag` (unique to the run: it holds the seed)
 * in their texts, and their ids are markers too.
 */
export async function plant(urls: Urls, keys: Keys, tag: string): Promise<Planted> {
  const operation = (key: string, name: string, params: unknown) =>
    succeeded(name, call(urls, key, 'mcp', 'POST', '/mcp', { operation: name, params }));
  const kept: KeptObject[] = [];
  const strong: string[] = [];

  const plantFor = async (owner: 'A' | 'B', text: (what: string) => string): Promise<Owned> => {
    const key = keys[owner];
    const owned: Owned = { models: [], tasks: [], insights: [], disposable: [] };
    for (const [i, type] of [...KEPT_TYPES, ...DISPOSABLE_TYPES].entries()) {
      const id = String((await operation(key, 'load_model', { model_type: type })).model_id);
      owned.models.push(id);
      if (i >= KEPT_TYPES.length) owned.disposable.push(id);
      else {
        const body = { operation: 'get_parameters', params: { model_id: id } };
        kept.push({ owner, what: `model ${id}`, server: 'mcp', method: 'POST', path: '/mcp', body });
      }
    }
    for (let i = 0; i < 3; i++) {
      const insight = text(`insight${i}`);
      const lifted = await succeeded(
        '/lift',
        call(urls, key, 'dredge', 'POST', '/lift', { insight_text: insight }),
      );
      const id = String(lifted.id);
      owned.insights.push(id);
      if (owner === 'A') strong.push(insight.split(' ')[0]!, id);
      if (i < 2)
        kept.push({ owner, what: `insight ${id}`, server: 'dredge', method: 'GET', path: `/insights/${id}` });
      else owned.disposable.push(id);
    }
    for (let i = 0; i < 2; i++) {
      const params = { operation: 'unified_inference', params: { dredge_insight: text(`task${i}`) } };
      const id = String((await operation(key, 'submit_task', params)).task_id);
      owned.tasks.push(id);
      if (owner === 'A') strong.push(id, text(`task${i}`).split(' ')[0]!);
      if (i < 1) kept.push({ owner, what: `task ${id}`, server: 'mcp', method: 'GET', path: `/tasks/${id}` });
      else owned.disposable.push(id);
    }
    return owned;
  };

  const a = await plantFor('A', (what) => `${tag}${what} a secret of tenant A`);
  const b = await plantFor('B', (what) => `fuzz ${what} of tenant B`);
  const all = (owned: Owned) => [...owned.models, ...owned.tasks, ...owned.insights];
  return {
    strong,
    weak: a.models,
    kept,
    idsA: { models: a.models, tasks: a.tasks, insights: a.insights, disposable: new Set(a.disposable) },
    idsB: {
      models: [...b.models, ...a.models],
      tasks: [...b.tasks, ...a.tasks],
      insights: [...b.insights, ...a.insights],
      disposable: new Set([...b.disposable, ...all(a)]),
    },
  };
}
