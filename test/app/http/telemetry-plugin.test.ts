import { spawnSync } from 'node:child_process';
import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import type { FastifyInstance } from 'fastify';
import { afterEach, describe, expect, it } from 'vitest';
import { createBaseServer } from '../../../src/app/http/base-server.js';
import type { OpenApp } from '../../../src/app/open-app.js';
import { describeWithBinary } from '../../helpers/binaries.js';
import { useTempDirs } from '../../helpers/temp-dir.js';
import { createTestServices } from '../../helpers/test-services.js';

const tempDir = useTempDirs();
const running: Array<{ app: FastifyInstance; services: OpenApp['services'] }> = [];

afterEach(async () => {
  for (const { app, services } of running.splice(0)) {
    await app.close();
    await services.close();
  }
});

/**
 * A real server on port 0 with the telemetry plugins (request hooks; /metrics and /traces), registered by the
 * base every server is built on, and two routes of its own.
 */
async function start(options: { metrics?: boolean; tracing?: boolean } = {}) {
  const { services, catalogue } = await createTestServices(
    {
      METRICS_ENABLED: String(options.metrics ?? true),
      TRACING_ENABLED: String(options.tracing ?? true),
      TRACE_BUFFER_SPANS: '1000',
      TRACE_SAMPLE_RATIO: '1',
    },
    tempDir(),
    'dredge-test',
  );
  const { telemetry } = services;
  const { app } = await createBaseServer(services, catalogue, { component: 'test', maxParamLength: 100 });
  app.get('/hello', async () => ({ hello: 'world' }));
  app.post('/work', async (request, reply) => {
    const body = request.body as { fail?: boolean };
    await telemetry.tracing.inSpan(
      'compute',
      { parent: request.traceContext },
      async () => new Promise((resolve) => setTimeout(resolve, 2)),
    );
    if (body.fail) return reply.code(400).send({ success: false });
    return { success: true };
  });
  const url = await app.listen({ port: 0, host: '127.0.0.1' });
  running.push({ app, services });
  return { url, telemetry };
}

async function scrape(url: string): Promise<string> {
  const response = await fetch(`${url}/metrics`);
  expect(response.status).toBe(200);
  expect(response.headers.get('content-type')).toContain('text/plain');
  return response.text();
}

function sample(text: string, series: string): number | undefined {
  const line = text.split('\n').find((l) => l.startsWith(series + ' '));
  return line === undefined ? undefined : Number(line.slice(series.length + 1));
}

describe('telemetry plugin: metrics', () => {
  it('counts requests by route template, method and status, with duration histograms', async () => {
    const { url } = await start();
    for (let i = 0; i < 3; i++) await fetch(`${url}/hello`);
    const post = (fail: boolean) =>
      fetch(`${url}/work`, {
        method: 'POST',
        headers: { 'content-type': 'application/json' },
        body: JSON.stringify({ fail }),
      });
    await post(false);
    await post(true);
    await post(true);
    await fetch(`${url}/no/such/path/${Math.random()}`);
    const text = await scrape(url);
    expect(sample(text, 'dredge_http_requests_total{route="/hello",method="GET",status="200"}')).toBe(3);
    expect(sample(text, 'dredge_http_requests_total{route="/work",method="POST",status="200"}')).toBe(1);
    expect(sample(text, 'dredge_http_requests_total{route="/work",method="POST",status="400"}')).toBe(2);
    expect(sample(text, 'dredge_http_requests_total{route="unmatched",method="GET",status="404"}')).toBe(1);
    expect(text).not.toContain('/no/such/path');
    expect(
      sample(text, 'dredge_http_request_duration_seconds_count{route="/work",method="POST",status="400"}'),
    ).toBe(2);
    expect(
      sample(
        text,
        'dredge_http_request_duration_seconds_bucket{le="+Inf",route="/hello",method="GET",status="200"}',
      ),
    ).toBe(3);
    expect(text).toContain('process_cpu_seconds_total');
    expect(text).toContain('nodejs_eventloop_lag_seconds');
  });

  it('answers 404 on /metrics when metrics are disabled, and still serves requests', async () => {
    const { url } = await start({ metrics: false });
    expect((await fetch(`${url}/hello`)).status).toBe(200);
    const response = await fetch(`${url}/metrics`);
    expect(response.status).toBe(404);
    expect(await response.json()).toEqual({
      success: false,
      error: 'Metrics are disabled (METRICS_ENABLED=false).',
      code: 'not_found',
    });
  });
});

describeWithBinary('promtool', 'telemetry plugin: promtool', () => {
  it('produces exposition text that promtool check metrics accepts', async () => {
    const { url, telemetry } = await start();
    await fetch(`${url}/hello`);
    telemetry.legacy.incrementCounter('mcp_inference', 1, { model_id: 'quasimoto_1d_0' });
    telemetry.legacy.recordTimer('mcp_inference_duration', 0.001, { model_id: 'quasimoto_1d_0' });
    telemetry.legacy.setGauge('active_connections', 1);
    telemetry.legacy.observeHistogram('batch_size', 3);
    telemetry.metrics.operation('unified_inference', 0.0001);
    telemetry.metrics.operation('inference', 0.0001, 'not_found');
    telemetry.metrics.cacheLookup('unified_inference', 'hit');
    const file = join(tempDir(), 'metrics.txt');
    writeFileSync(file, await scrape(url));
    const result = spawnSync('sh', ['-c', `promtool check metrics < ${file}`], { encoding: 'utf8' });
    expect(result.stdout + result.stderr).toBe('');
    expect(result.status).toBe(0);
  });
});

describe('telemetry plugin: tracing', () => {
  it('makes a server span per request, continuing an incoming traceparent, with handler spans as children', async () => {
    const { url } = await start();
    const traceId = '0af7651916cd43dd8448eb211c80319c';
    await fetch(`${url}/work`, {
      method: 'POST',
      headers: { 'content-type': 'application/json', traceparent: `00-${traceId}-b7ad6b7169203331-01` },
      body: '{}',
    });
    const response = await fetch(`${url}/traces?trace_id=${traceId}`);
    const body = (await response.json()) as { count: number; spans: Array<Record<string, unknown>> };
    expect(body.count).toBe(2);
    const [compute, request] = body.spans;
    expect(request).toMatchObject({
      operationName: 'POST /work',
      parentSpanID: 'b7ad6b7169203331',
      traceID: traceId,
    });
    expect(compute).toMatchObject({
      operationName: 'compute',
      parentSpanID: request!.spanID,
      traceID: traceId,
    });
    expect(request!.tags).toEqual(
      expect.arrayContaining([
        { key: 'http.route', value: '/work' },
        { key: 'http.response.status_code', value: 200 },
      ]),
    );
  });

  it('rejects a malformed trace id or limit with a 400 naming the field', async () => {
    const { url } = await start();
    let response = await fetch(`${url}/traces?trace_id=xyz`);
    expect(response.status).toBe(400);
    expect(await response.json()).toEqual({
      success: false,
      error: 'trace_id: must be 32 lowercase hexadecimal digits',
      code: 'invalid_input',
    });
    response = await fetch(`${url}/traces?limit=0`);
    expect(((await response.json()) as { error: string }).error).toBe(
      'limit: must be a whole number from 1 to 10000',
    );
    response = await fetch(`${url}/traces?limit=lots`);
    expect(response.status).toBe(400);
  });

  it('records no spans when tracing is disabled', async () => {
    const { url } = await start({ tracing: false });
    await fetch(`${url}/hello`);
    expect(await (await fetch(`${url}/traces`)).json()).toEqual({
      success: true,
      tracing_enabled: false,
      count: 0,
      spans: [],
    });
  });
});
