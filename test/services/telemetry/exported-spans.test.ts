import { createServer, type IncomingMessage, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { PRODUCT } from '../../../src/app/product.js';
import { startMcpServer, type RunningMcpServer } from '../../helpers/mcp-server.js';

/** What an OTLP/HTTP JSON export holds that this test reads. */
interface TraceExport {
  resourceSpans: Array<{
    resource: { attributes: Array<{ key: string; value: { stringValue?: string } }> };
    scopeSpans: Array<{ spans: Array<{ name: string }> }>;
  }>;
}

/** A local OTLP/HTTP collector: every export it receives, parsed. */
async function collector(): Promise<{ url: string; exports: TraceExport[]; server: Server }> {
  const exports: TraceExport[] = [];
  const server = createServer((request: IncomingMessage, response) => {
    let body = '';
    request.on('data', (chunk: Buffer) => (body += chunk.toString()));
    request.on('end', () => {
      if (request.url === '/v1/traces') exports.push(JSON.parse(body) as TraceExport);
      response.writeHead(200, { 'content-type': 'application/json' }).end('{}');
    });
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  return { url: `http://127.0.0.1:${(server.address() as AddressInfo).port}`, exports, server };
}

describe('OTEL_SERVICE_NAME and OTEL_RESOURCE_ATTRIBUTES', () => {
  let otlp: Awaited<ReturnType<typeof collector>>;
  let server: RunningMcpServer;

  beforeAll(async () => {
    otlp = await collector();
    server = await startMcpServer({
      OTEL_EXPORTER_OTLP_ENDPOINT: otlp.url,
      OTEL_SERVICE_NAME: 'dredge-eu-1',
      OTEL_RESOURCE_ATTRIBUTES:
        'deployment.environment=test,team=wave%2Cstring%3Dphysics,service.name=ignored',
      TRACE_SAMPLE_RATIO: '1',
    });
  });
  afterAll(async () => {
    await server.close();
    await new Promise((resolve) => otlp.server.close(resolve));
  });

  it("name the service and its attributes in every exported span's resource", async () => {
    expect((await server.call('string_spectrum', { max_modes: 3 })).status).toBe(200);
    await server.services.telemetry.tracing.flush();
    const exported = otlp.exports.flatMap((body) => body.resourceSpans);
    const spans = exported.flatMap((resource) => resource.scopeSpans.flatMap((scope) => scope.spans));
    expect(spans.map((span) => span.name)).toContain('POST /mcp');
    for (const { resource } of exported) {
      const attributes = Object.fromEntries(
        resource.attributes.map(({ key, value }) => [key, value.stringValue]),
      );
      expect(attributes).toMatchObject({
        'service.name': 'dredge-eu-1',
        'service.version': PRODUCT.version,
        'deployment.environment': 'test',
        team: 'wave,string=physics',
      });
    }
  });
});
