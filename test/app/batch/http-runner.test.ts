import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { GeneratedTasks, HttpRunner, runBatch } from '../../../src/app/batch/index.js';
import { freePort } from '../../helpers/free-port.js';
import { startMcpServer, type RunningMcpServer } from '../../helpers/mcp-server.js';

describe('the HTTP runner against a real MCP server', () => {
  let server: RunningMcpServer;
  let connections = 0;

  beforeAll(async () => {
    server = await startMcpServer();
    server.app.server.on('connection', () => (connections += 1));
  });
  afterAll(() => server.close());

  it('runs the generated mix over W keep-alive connections and reads the server’s counters and cache', async () => {
    const runner = new HttpRunner(new URL(server.url), 4, 5000);
    await runner.checkReachable();
    const before = connections;
    const run = await runBatch(new GeneratedTasks(200, { repeats: true, seed: 5 }), runner, {
      workers: 4,
      stopGraceMs: 1000,
    });
    expect(run).toMatchObject({ completed: 200, successful: 200, failed: 0 });
    expect(run.cacheHits).toBeGreaterThanOrEqual(36);
    expect(run.cacheHits).toBeLessThanOrEqual(39);
    // Keep-alive: 200 requests, at most one connection per worker.
    expect(connections - before).toBeLessThanOrEqual(4);
    const snapshot = await runner.serverSnapshot();
    expect(snapshot.source).toBe(server.url);
    expect(snapshot.metricsCounters?.mcp_unified_inference).toBeGreaterThanOrEqual(200);
    expect(snapshot.cacheStats).toMatchObject({ hits: run.cacheHits, enabled: true });
    await runner.close();
  });

  it("reports the server's error code and sentence for a failed task", async () => {
    const runner = new HttpRunner(new URL(`${server.url}/mcp`), 1, 5000);
    const outcome = await runner.run(
      { id: 't', operation: 'string_spectrum', params: { max_modes: 0 } },
      new AbortController().signal,
    );
    expect(outcome).toEqual({
      success: false,
      error: { code: 'invalid_input', message: 'params.max_modes must be a whole number from 1 to 10000' },
    });
    const unknown = await runner.run(
      { id: 'u', operation: 'nothing', params: {} },
      new AbortController().signal,
    );
    expect(unknown).toMatchObject({ success: false, error: { code: 'not_found' } });
    await runner.close();
  });

  it('says so when nothing answers at the URL', async () => {
    const runner = new HttpRunner(new URL(`http://127.0.0.1:${await freePort()}`), 1, 5000);
    await expect(runner.checkReachable()).rejects.toThrow(
      /^Cannot reach a DREDGE server at http:\/\/127\.0\.0\.1:\d+: .*ECONNREFUSED/,
    );
    const outcome = await runner.run(
      { id: 't', operation: 'get_metrics', params: {} },
      new AbortController().signal,
    );
    expect(outcome).toMatchObject({ success: false, error: { code: 'unavailable' } });
    await runner.close();
  });
});
