import { afterEach, describe, expect, it } from 'vitest';
import { z } from 'zod';
import { createCatalogue, runOperation, type RequestContext } from '../../../src/app/operations/index.js';
import { cachedAnswer } from '../../../src/app/operations/answer.js';
import {
  READS_ONLY,
  defineOperation,
  fixedWork,
  type AnyOperation,
} from '../../../src/app/operations/operation.js';
import { withCachedFlag } from '../../../src/app/operations/outcome.js';
import { requestContext } from '../../../src/app/operations/request-context.js';
import { ANONYMOUS } from '../../../src/app/security/authenticator.js';
import type { OpenApp } from '../../../src/app/open-app.js';
import { DredgeError } from '../../../src/services/errors.js';
import { ROOT_CONTEXT } from '../../../src/services/telemetry/index.js';
import { createTestServices } from '../../helpers/test-services.js';
import { useTempDirs } from '../../helpers/temp-dir.js';

const tempDir = useTempDirs();
const opened: OpenApp[] = [];

afterEach(async () => {
  for (const app of opened.splice(0)) await app.services.close();
});

async function open(env: NodeJS.ProcessEnv = {}): Promise<OpenApp> {
  const app = await createTestServices(env, tempDir(), 'dredge-test');
  opened.push(app);
  return app;
}

function contextOf(app: OpenApp): RequestContext {
  return requestContext(app.services, {
    principal: ANONYMOUS,
    client: 'test',
    trace: ROOT_CONTEXT,
    signal: new AbortController().signal,
  });
}

describe('Catalogue.find', () => {
  const catalogue = createCatalogue();

  it('answers the operation a request names', () => {
    expect(catalogue.find('string_spectrum').name).toBe('string_spectrum');
  });

  it('refuses an unknown name with 404 (cut to 100 characters) and a name that is not a string with 400', () => {
    expect(() => catalogue.find('nope')).toThrow(new DredgeError('not_found', 'Unknown operation: nope'));
    expect(() => catalogue.find('x'.repeat(150))).toThrow(`Unknown operation: ${'x'.repeat(100)}…`);
    expect(() => catalogue.find(42)).toThrow(
      new DredgeError(
        'invalid_input',
        'operation must be the name of an operation (a string); see list_capabilities',
      ),
    );
  });
});

describe('runOperation', () => {
  it('reads the model an operation names once per request: on a miss, on a hit, and when not cached', async () => {
    const app = await open();
    const catalogue = app.catalogue;
    const loaded = await runOperation(
      catalogue.find('load_model'),
      { model_type: 'quasimoto_1d', config: { seed: 1 } },
      contextOf(app),
    );
    const id = loaded.value.model_id as string;
    const models = app.services.store.models;
    const get = models.get.bind(models);
    let reads = 0;
    models.get = (modelId) => {
      reads += 1;
      return get(modelId);
    };
    const infer = (x: number[]) =>
      runOperation(catalogue.find('inference'), { model_id: id, inputs: { x, t: [0] } }, contextOf(app));
    expect((await infer([0.5])).cached).toBe(false);
    expect(reads).toBe(1);
    expect((await infer([0.5])).cached).toBe(true);
    expect(reads).toBe(2);
    // Too many values to be worth a key: computed, never cached, the model still read once.
    const large = Array.from({ length: 10_001 }, (_, i) => i / 10_001);
    expect((await infer(large)).cached).toBe(false);
    expect(reads).toBe(3);
  });

  it('carries the answer as an object equal to its JSON text, for every kind of answer', async () => {
    const app = await open();
    const run = (name: string, params: unknown) =>
      runOperation(app.catalogue.find(name), params, contextOf(app));
    const answers = [
      await run('string_spectrum', { max_modes: 3 }), // computed object, cached policy: miss
      await run('string_spectrum', { max_modes: 3 }), // hit: the stored bytes
      await run('unified_inference', { dredge_insight: 'lazy' }), // JSON text written by the handler
      await run('list_models', {}), // never cached
    ];
    expect(answers.map((answer) => answer.cached)).toEqual([false, true, false, undefined]);
    for (const answer of answers) expect(answer.value).toEqual(JSON.parse(answer.json));
    expect(answers[0]!.json.endsWith(',"cached":false}')).toBe(true);
    expect(answers[1]!.json.endsWith(',"cached":true}')).toBe(true);
  });

  it('answers, without the cache, an input that no cache key can represent', async () => {
    const app = await open();
    let computed = 0;
    const unkeyable = defineOperation({
      name: 'unkeyable',
      title: 'Unkeyable',
      scope: 'read',
      effects: READS_ONLY,
      description: 'A test operation whose cache key cannot be written.',
      input: z.object({}),
      output: cachedAnswer({ computed: z.number().describe('How many times it was computed') }),
      workFormula: 'fixed',
      work: fixedWork,
      cache: { kind: 'unkeyable', key: () => ({ x: Number.NaN }) },
      handle: () => ({ computed: ++computed }),
    }) as AnyOperation;
    for (const expected of [1, 2]) {
      const outcome = await runOperation(unkeyable, {}, contextOf(app));
      expect(outcome.cached).toBe(false);
      expect(JSON.parse(outcome.json)).toEqual({ success: true, computed: expected, cached: false });
    }
  });
});

describe('withCachedFlag', () => {
  it('adds the flag as the last member of the JSON text, without parsing it', () => {
    expect(withCachedFlag('{"success":true,"a":1}', true)).toBe('{"success":true,"a":1,"cached":true}');
    expect(withCachedFlag('{"success":true}', false)).toBe('{"success":true,"cached":false}');
  });
});
