import { spawnSync } from 'node:child_process';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { PRODUCT } from '../../../src/app/product.js';
import { describeWithBinary } from '../../helpers/binaries.js';
import { startServersProcess, type ServersProcess } from '../../helpers/dredge-servers-process.js';

/** The series of a Prometheus text exposition (`name{labels}`), each as often as it appears. */
function seriesOf(exposition: string): string[] {
  return exposition
    .split('\n')
    .filter((line) => line !== '' && !line.startsWith('#'))
    .map((line) => line.slice(0, line.lastIndexOf(' ')));
}

async function scrape(url: string): Promise<{ status: number; contentType: string | null; text: string }> {
  const response = await fetch(`${url}/metrics`);
  return {
    status: response.status,
    contentType: response.headers.get('content-type'),
    text: await response.text(),
  };
}

describe('a process running both servers (dredge up)', () => {
  let running: ServersProcess;
  let dredgeUrl: string;
  let mcpUrl: string;

  beforeAll(async () => {
    running = await startServersProcess(['up', '--host', '127.0.0.1', '--port', '0', '--mcp-port', '0']);
    dredgeUrl = running.urls['DREDGE server']!;
    mcpUrl = running.urls['DREDGE MCP server']!;
    // Traffic on both servers, and an operation.
    await fetch(`${dredgeUrl}/lift`, {
      method: 'POST',
      headers: { 'content-type': 'application/json' },
      body: JSON.stringify({ insight_text: 'counted once' }),
    });
    await fetch(`${mcpUrl}/mcp`, {
      method: 'POST',
      headers: { 'content-type': 'application/json' },
      body: JSON.stringify({ operation: 'string_spectrum', params: { max_modes: 3 } }),
    });
  });
  afterAll(async () => {
    expect(await running.stop()).toBe(0);
  });

  it('exposes each series once: scraping both ports finds no series twice', async () => {
    const [dredge, mcp] = await Promise.all([scrape(dredgeUrl), scrape(mcpUrl)]);
    for (const answer of [dredge, mcp]) {
      expect(answer.status).toBe(200);
      expect(answer.contentType).toMatch(/^text\/plain; version=0\.0\.4/);
    }
    const all = [...seriesOf(dredge.text), ...seriesOf(mcp.text)];
    expect(all.length).toBeGreaterThan(50);
    expect(all.length).toBe(new Set(all).size);
    // The one registry, on the MCP server's port: the DREDGE server's traffic is in it, and the operation.
    expect(mcp.text).toMatch(/^dredge_http_requests_total\{route="\/lift",method="POST",status="200"\} 1$/m);
    expect(mcp.text).toMatch(/^dredge_http_requests_total\{route="\/mcp",method="POST",status="200"\} 1$/m);
    expect(mcp.text).toMatch(/^dredge_operation_calls_total\{operation="string_spectrum"\} 1$/m);
    // The DREDGE server's /metrics holds no series, only where they are.
    expect(seriesOf(dredge.text)).toEqual([]);
    expect(dredge.text).toBe(
      "# This process's metrics are served once, at GET /metrics on its MCP server (MCP_SERVER_PORT), so that no series is counted twice.\n",
    );
  });

  describeWithBinary('promtool', 'both answers, for promtool', () => {
    it('are valid Prometheus expositions', async () => {
      for (const url of [dredgeUrl, mcpUrl]) {
        const { text } = await scrape(url);
        const result = spawnSync('promtool', ['check', 'metrics'], { input: text, encoding: 'utf8' });
        expect(result.status, `${url}: ${result.stdout}${result.stderr}`).toBe(0);
      }
    });
  });

  it('says which build it runs: dredge_build_info{version, node} 1, once', async () => {
    const { text } = await scrape(mcpUrl);
    const info = text.split('\n').filter((line) => line.startsWith('dredge_build_info{'));
    expect(info).toEqual([
      `dredge_build_info{version="${PRODUCT.version}",node="${process.versions.node}"} 1`,
    ]);
  });
});
