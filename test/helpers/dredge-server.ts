import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { FastifyInstance } from 'fastify';
import { createDredgeServer, type DredgeServerOptions } from '../../src/app/http/dredge-server.js';
import { runOperation, type Catalogue } from '../../src/app/operations/index.js';
import { requestContext } from '../../src/app/operations/request-context.js';
import { ANONYMOUS } from '../../src/app/security/authenticator.js';
import type { AppServices } from '../../src/app/services.js';
import { ROOT_CONTEXT } from '../../src/services/telemetry/index.js';
import { createTestServices } from './test-services.js';

export interface RunningDredgeServer {
  readonly url: string;
  readonly app: FastifyInstance;
  readonly services: AppServices;
  readonly catalogue: Catalogue;
  readonly logs: string[];
  /** A request with an optional JSON body; answers status, headers and the parsed body (or the text). */
  fetchJson(
    path: string,
    init?: { method?: string; body?: unknown; rawBody?: string; headers?: Record<string, string> },
  ): Promise<{ status: number; headers: Headers; body: Record<string, unknown>; text: string }>;
  /** Runs a catalogue operation in-process, as any door would (to load and train models for the dashboard). */
  operation(name: string, params?: unknown): Promise<Record<string, unknown>>;
  close(): Promise<void>;
}

/**
 * A real DREDGE server on 127.0.0.1 (port 0: any free one) with its own data directory and the given environment;
 * a test that restarts a server gives the same `cwd` and `port` again.
 */
export async function startDredgeServer(
  env: NodeJS.ProcessEnv = {},
  options: DredgeServerOptions = {},
  cwd: string = mkdtempSync(join(tmpdir(), 'dredge-api-')),
  port = 0,
): Promise<RunningDredgeServer> {
  const { services, catalogue, logs } = await createTestServices(env, cwd, 'dredge-api-test');
  const app = await createDredgeServer(services, catalogue, options);
  const url = await app.listen({ host: '127.0.0.1', port });
  return {
    url,
    app,
    services,
    catalogue,
    logs,
    async fetchJson(path, init = {}) {
      const headers: Record<string, string> = { ...init.headers };
      let body: string | undefined = init.rawBody;
      if (init.body !== undefined) {
        body = JSON.stringify(init.body);
        headers['content-type'] ??= 'application/json';
      }
      const response = await fetch(`${url}${path}`, { method: init.method ?? 'GET', headers, body });
      const text = await response.text();
      let parsed: Record<string, unknown> = {};
      try {
        parsed = JSON.parse(text) as Record<string, unknown>;
      } catch {
        // not JSON (the page, a script): the text is there
      }
      return { status: response.status, headers: response.headers, body: parsed, text };
    },
    async operation(name, params = {}) {
      const context = requestContext(services, {
        principal: ANONYMOUS,
        client: 'test',
        trace: ROOT_CONTEXT,
        signal: new AbortController().signal,
      });
      const outcome = await runOperation(catalogue.find(name), params, context);
      return JSON.parse(outcome.json) as Record<string, unknown>;
    },
    async close() {
      await app.close();
      await services.close();
    },
  };
}
