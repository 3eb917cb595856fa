/**
 * The OpenAPI documents of the servers: valid OpenAPI 3.1, every route each server serves in its document with its
 * refusals, every catalogue operation in `POST /mcp`'s body with an example, and answers that match the schemas the
 * document gives them. `/docs` is covered in a real browser by openapi-browser.test.ts.
 */
import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { Validator } from '@seriousme/openapi-schema-validator';
import type { FastifyInstance } from 'fastify';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { z } from 'zod';
import { UNDESCRIBED } from '../../../src/app/http/openapi/document-builder.js';
import { DOCS_CSP } from '../../../src/app/http/openapi/docs-site.js';
import { OPERATION_EXAMPLES } from '../../../src/app/http/openapi/operation-examples.js';
import { createWorkerStatusServer } from '../../../src/app/http/worker-status-server.js';
import { createCatalogue } from '../../../src/app/operations/index.js';
import { ERROR_STATUS } from '../../../src/services/errors.js';
import { startDredgeServer, type RunningDredgeServer } from '../../helpers/dredge-server.js';
import { startMcpServer, type RunningMcpServer } from '../../helpers/mcp-server.js';
import { createTestServices } from '../../helpers/test-services.js';

type Json = Record<string, unknown>;

interface OperationObject {
  readonly summary?: string;
  readonly description?: string;
  readonly security?: readonly Json[];
  readonly requestBody?: {
    readonly content: Record<string, { schema: Json; examples?: Record<string, { value: Json }> }>;
  };
  readonly responses: Record<string, { description: string; content?: Record<string, { schema: Json }> }>;
}

interface OpenApiDocument {
  readonly openapi: string;
  readonly info: { readonly title: string };
  readonly paths: Record<string, Record<string, OperationObject>>;
  readonly components: { readonly schemas: Record<string, Json> };
}

const HTTP_METHODS = new Set(['get', 'put', 'post', 'delete', 'patch', 'options']);

/** Every operation of the document as [METHOD, path, operation]. */
function operationsOf(document: OpenApiDocument): [string, string, OperationObject][] {
  return Object.entries(document.paths).flatMap(([path, item]) =>
    Object.entries(item)
      .filter(([method]) => HTTP_METHODS.has(method))
      .map(([method, operation]): [string, string, OperationObject] => [
        method.toUpperCase(),
        path,
        operation,
      ]),
  );
}

/**
 * How many method-and-route pairs the server serves, read from Fastify's own route tree (independent of how the
 * document was made), HEAD aside: Fastify answers HEAD for every GET, and the document describes the GET.
 */
function servedRoutes(app: FastifyInstance): number {
  return app
    .printRoutes({ commonPrefix: false })
    .split('\n')
    .flatMap((line) => /\(([^)]+)\)\s*$/.exec(line)?.[1]?.split(', ') ?? [])
    .filter((method) => method !== 'HEAD').length;
}

/** A document path as Fastify writes it: `{id}` → `:id`, the reference page's `{file}` → its wildcard. */
function fastifyUrl(path: string): string {
  return path === '/docs/{file}' ? '/docs/*' : path.replace(/\{(\w+)\}/g, ':$1');
}

/** Every `$ref` in the document. */
function references(value: unknown, found: string[] = []): string[] {
  if (Array.isArray(value)) for (const item of value) references(item, found);
  else if (value !== null && typeof value === 'object') {
    for (const [key, inner] of Object.entries(value)) {
      if (key === '$ref' && typeof inner === 'string') found.push(inner);
      else references(inner, found);
    }
  }
  return found;
}

/** A schema of the document as a zod schema, its references to the components resolved. */
function zodOf(document: OpenApiDocument, schema: Json): z.ZodType {
  const local = (value: unknown): unknown => {
    if (Array.isArray(value)) return value.map(local);
    if (value === null || typeof value !== 'object') return value;
    return Object.fromEntries(
      Object.entries(value).map(([key, inner]) => [
        key,
        key === '$ref' && typeof inner === 'string'
          ? inner.replace('#/components/schemas/', '#/$defs/')
          : local(inner),
      ]),
    );
  };
  return z.fromJSONSchema(local({ ...schema, $defs: document.components.schemas }) as Json);
}

/** The JSON schema the document gives the answer of `method path` with `status`. */
function answerSchema(document: OpenApiDocument, method: string, path: string, status: number): Json {
  const response = document.paths[path]?.[method.toLowerCase()]?.responses[String(status)];
  const schema = response?.content?.['application/json']?.schema;
  if (!schema) throw new Error(`the document has no JSON answer ${status} for ${method} ${path}`);
  return schema;
}

async function fetchDocument(url: string): Promise<{ text: string; document: OpenApiDocument }> {
  const response = await fetch(`${url}/openapi.json`);
  expect(response.status).toBe(200);
  expect(response.headers.get('content-type')).toMatch(/^application\/json/);
  const text = await response.text();
  return { text, document: JSON.parse(text) as OpenApiDocument };
}

/** What every server's document must hold, whatever its routes. */
function describeDocument(
  name: string,
  start: () => Promise<{ url: string; app: FastifyInstance; close(): Promise<void> }>,
) {
  describe(`the ${name}'s OpenAPI document`, () => {
    let server: { url: string; app: FastifyInstance; close(): Promise<void> };
    let text: string;
    let document: OpenApiDocument;

    beforeAll(async () => {
      server = await start();
      ({ text, document } = await fetchDocument(server.url));
    });
    afterAll(async () => server?.close());

    it('is valid OpenAPI 3.1, every reference resolving, made once', async () => {
      expect(document.openapi).toBe('3.1.0');
      const validation = await new Validator().validate(document as unknown as Json);
      expect(validation.errors ?? []).toEqual([]);
      expect(validation.valid).toBe(true);
      const missing = references(document).filter(
        (reference) =>
          !reference.startsWith('#/components/schemas/') ||
          !(reference.slice('#/components/schemas/'.length) in document.components.schemas),
      );
      expect(missing).toEqual([]);
      // Cached: the second answer is the same text.
      expect((await fetchDocument(server.url)).text).toBe(text);
    });

    it('holds every route the server serves, each described, with its refusals', () => {
      const operations = operationsOf(document);
      expect(operations.length).toBe(servedRoutes(server.app));
      for (const [method, path, operation] of operations) {
        const route = `${method} ${path}`;
        expect(server.app.hasRoute({ method, url: fastifyUrl(path) }), route).toBe(true);
        expect(operation.description ?? '', route).not.toContain(UNDESCRIBED);
        const statuses = Object.keys(operation.responses).map(Number);
        // What any request may meet: the parser, the host guard, the deadlines, the unexpected, the closing.
        for (const status of [400, 403, 408, 417, 431, 500, 503]) expect(statuses, route).toContain(status);
        if ((operation.security ?? []).length > 0) expect(statuses, route).toContain(401);
        if (operation.requestBody) for (const status of [413, 415]) expect(statuses, route).toContain(status);
        for (const status of statuses.filter((code) => code >= 400 && code !== 405 && code !== 406)) {
          const schema = JSON.stringify(
            operation.responses[String(status)]?.content?.['application/json']?.schema,
          );
          expect(schema, `${route} ${status}`).toContain('#/components/schemas/ErrorBody');
        }
      }
    });
  });
}

describeDocument('MCP server', () => startMcpServer());
describeDocument('DREDGE server', () => startDredgeServer());
describeDocument('worker status server', async () => {
  const cwd = mkdtempSync(join(tmpdir(), 'dredge-openapi-'));
  const { services, catalogue } = await createTestServices({}, cwd, 'dredge-openapi-test');
  const app = await createWorkerStatusServer(services, catalogue, {
    name: 'worker-1',
    concurrency: 1,
    running: () => 0,
  });
  const url = await app.listen({ host: '127.0.0.1', port: 0 });
  return {
    url,
    app,
    async close() {
      await app.close();
      await services.close();
    },
  };
});

describe('POST /mcp in the MCP server’s document', () => {
  let server: RunningMcpServer;
  const catalogue = createCatalogue();
  let document: OpenApiDocument;

  beforeAll(async () => {
    server = await startMcpServer();
    ({ document } = await fetchDocument(server.url));
  });
  afterAll(async () => server?.close());

  it('has every operation of the catalogue, its params from its schema, and an example each that it accepts', () => {
    const schemas = document.components.schemas;
    const union = schemas.OperationRequest as {
      oneOf: Json[];
      discriminator: { mapping: Record<string, string> };
    };
    expect(Object.keys(union.discriminator.mapping).sort()).toEqual([...catalogue.names].sort());
    expect(union.oneOf).toHaveLength(catalogue.names.length);
    const body = document.paths['/mcp']?.post?.requestBody?.content['application/json'];
    const examples = body?.examples ?? {};
    for (const operation of catalogue.operations) {
      const reference = union.discriminator.mapping[operation.name] ?? '';
      const request = schemas[reference.slice('#/components/schemas/'.length)] as {
        properties: { operation: { const: string }; params: { $ref: string } };
      };
      expect(request.properties.operation.const).toBe(operation.name);
      const params = schemas[request.properties.params.$ref.slice('#/components/schemas/'.length)];
      expect(params, operation.name).toBeDefined();
      // The documented params accept what the operation accepts, and refuse what it refuses.
      const example = OPERATION_EXAMPLES[operation.name];
      expect(example, `an example of ${operation.name}`).toBeDefined();
      expect(operation.input.safeParse(example).success, operation.name).toBe(true);
      expect(zodOf(document, params as Json).safeParse(example).success, operation.name).toBe(true);
      expect(examples[operation.name]?.value).toEqual({ operation: operation.name, params: example });
    }
    // And the protocol's body beside the JSON API's.
    expect(JSON.stringify(body?.schema)).toContain('#/components/schemas/JsonRpcMessage');
    expect(Object.keys(examples).some((name) => name.startsWith('mcp:'))).toBe(true);
  });

  it('lists every status an error code maps to, and the parser’s own', () => {
    const statuses = Object.keys(document.paths['/mcp']?.post?.responses ?? {}).map(Number);
    for (const status of [...Object.values(ERROR_STATUS), 408, 417, 431]) expect(statuses).toContain(status);
  });

  it('describes the answers the server sends', async () => {
    const answer = await server.call('string_parameters', { energy_scale: 2 });
    expect(answer.status).toBe(200);
    expect(zodOf(document, answerSchema(document, 'POST', '/mcp', 200)).safeParse(answer.body).success).toBe(
      true,
    );
    const exact = document.components.schemas.StringParametersAnswer as Json;
    expect(zodOf(document, exact).safeParse(answer.body).success).toBe(true);
    // A schema that could not fail would prove nothing: the same answer without its fields is refused.
    expect(zodOf(document, exact).safeParse({ success: true }).success).toBe(false);

    for (const [operation, params, status] of [
      ['string_spectrum', { max_modes: 0 }, 400],
      ['nowhere', {}, 404],
      ['inference', { model_id: 'quasimoto_1d_99' }, 404],
    ] as const) {
      const refusal = await server.call(operation, params);
      expect(refusal.status).toBe(status);
      expect(
        zodOf(document, answerSchema(document, 'POST', '/mcp', status)).safeParse(refusal.body).success,
      ).toBe(true);
    }
    const health = (await (await fetch(`${server.url}/health`)).json()) as Json;
    expect(zodOf(document, answerSchema(document, 'GET', '/health', 200)).safeParse(health).success).toBe(
      true,
    );
  });

  it('changes nothing the server sends', async () => {
    const fresh = await startMcpServer();
    try {
      const before = await fresh.call('string_parameters', { energy_scale: 3 });
      await fetchDocument(fresh.url);
      await fetch(`${fresh.url}/docs`);
      const after = await fresh.call('string_parameters', { energy_scale: 3 });
      expect(after).toEqual(before);
    } finally {
      await fresh.close();
    }
  });
});

describe('the DREDGE server’s answers, as its document describes them', () => {
  let server: RunningDredgeServer;
  let document: OpenApiDocument;

  beforeAll(async () => {
    server = await startDredgeServer();
    ({ document } = await fetchDocument(server.url));
  });
  afterAll(async () => server?.close());

  it('matches the insights’, the dashboard’s and the probes’ answers and refusals', async () => {
    const checks: [string, string, string, { status: number; body: Json }][] = [];
    const lift = await server.fetchJson('/lift', {
      method: 'POST',
      body: { insight_text: 'Waves remember' },
    });
    checks.push(['POST', '/lift', '/lift', lift]);
    checks.push(['POST', '/lift', '/lift', await server.fetchJson('/lift', { method: 'POST', body: {} })]);
    checks.push(['GET', '/insights', '/insights', await server.fetchJson('/insights?limit=5')]);
    checks.push(['GET', '/insights', '/insights', await server.fetchJson('/insights?limit=500')]);
    const id = String(lift.body.id);
    checks.push(['GET', '/insights/{id}', `/insights/${id}`, await server.fetchJson(`/insights/${id}`)]);
    checks.push([
      'GET',
      '/insights/{id}',
      '/insights/x',
      await server.fetchJson(`/insights/${'0'.repeat(64)}`),
    ]);
    checks.push(['GET', '/api/dashboard', '', await server.fetchJson('/api/dashboard')]);
    checks.push(['GET', '/ready', '', await server.fetchJson('/ready')]);
    checks.push(['GET', '/', '', await server.fetchJson('/')]);
    expect(checks.map(([, , , answer]) => answer.status)).toEqual([
      200, 400, 200, 400, 200, 404, 200, 200, 200,
    ]);
    for (const [method, path, , answer] of checks) {
      const schema = zodOf(document, answerSchema(document, method, path, answer.status));
      expect(schema.safeParse(answer.body).success, `${method} ${path} ${answer.status}`).toBe(true);
    }
  });
});

describe('/openapi.json and /docs under AUTH_ENABLED', () => {
  let server: RunningMcpServer;

  beforeAll(async () => {
    server = await startMcpServer({ AUTH_ENABLED: 'true' });
  });
  afterAll(async () => server?.close());

  it('are open, the page under the strict CSP, its files kept and validated by ETag', async () => {
    expect((await fetch(`${server.url}/mcp`, { method: 'POST' })).status).toBe(401);
    expect((await fetch(`${server.url}/openapi.json`)).status).toBe(200);

    const page = await fetch(`${server.url}/docs`);
    expect(page.status).toBe(200);
    expect(page.headers.get('content-type')).toMatch(/^text\/html/);
    expect(page.headers.get('content-security-policy')).toBe(DOCS_CSP);
    expect(page.headers.get('x-frame-options')).toBe('DENY');
    expect(await page.text()).toContain('swagger-initializer.js');

    const script = await fetch(`${server.url}/docs/static/swagger-ui-bundle.js`);
    expect(script.status).toBe(200);
    const etag = script.headers.get('etag');
    expect(etag).toBeTruthy();
    expect((await script.arrayBuffer()).byteLength).toBeGreaterThan(1_000_000);
    const again = await fetch(`${server.url}/docs/static/swagger-ui-bundle.js`, {
      headers: { 'if-none-match': etag ?? '' },
    });
    expect(again.status).toBe(304);

    const json = await fetch(`${server.url}/docs/json`);
    expect(((await json.json()) as Json).openapi).toBe('3.1.0');

    for (const path of ['/docs/static/nowhere.js', '/docs/static/..%2Fpackage.json', '/docs/other']) {
      const missing = await fetch(`${server.url}${path}`);
      expect(missing.status, path).toBe(404);
      expect(((await missing.json()) as Json).code, path).toBe('not_found');
    }
  });
});
