import { createServer, request as forward, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { MCP_PROTOCOL_PATH } from '../../../src/app/mcp/http-route.js';
import { startDredgeMcp, type DredgeProcess } from '../../helpers/dredge-process.js';
import { httpClient } from '../../helpers/mcp-clients.js';

/** A plain round-robin balancer: each request goes to the next backend in turn; it records who answered. */
async function roundRobin(
  backends: readonly string[],
): Promise<{ url: string; served: number[]; close: () => Promise<void> }> {
  const served: number[] = [];
  let next = 0;
  const balancer: Server = createServer((incoming, outgoing) => {
    const index = next++ % backends.length;
    served.push(index);
    const target = new URL(incoming.url ?? '/', backends[index]);
    const proxied = forward(target, { method: incoming.method, headers: incoming.headers }, (answer) => {
      outgoing.writeHead(answer.statusCode ?? 502, answer.headers);
      answer.pipe(outgoing);
    });
    proxied.on('error', () => outgoing.destroy());
    incoming.pipe(proxied);
  });
  await new Promise<void>((resolve) => balancer.listen(0, '127.0.0.1', resolve));
  return {
    url: `http://127.0.0.1:${(balancer.address() as AddressInfo).port}`,
    served,
    close: () => {
      balancer.closeAllConnections();
      return new Promise((resolve) => balancer.close(() => resolve()));
    },
  };
}

describe('stateless Streamable HTTP behind a round-robin balancer', () => {
  let replicas: DredgeProcess[];
  let balancer: Awaited<ReturnType<typeof roundRobin>>;

  beforeAll(async () => {
    replicas = await Promise.all([
      startDredgeMcp([], { LOG_LEVEL: 'warn' }),
      startDredgeMcp([], { LOG_LEVEL: 'warn' }),
    ]);
    balancer = await roundRobin(replicas.map((replica) => replica.url));
  }, 30_000);

  afterAll(async () => {
    await balancer.close();
    await Promise.all(replicas.map((replica) => replica.stop()));
  });

  it("lets two server processes answer one client's consecutive requests in turn", async () => {
    const client = await httpClient(`${balancer.url}${MCP_PROTOCOL_PATH}`);
    const { tools } = await client.listTools();
    expect(tools.length).toBeGreaterThan(10);
    const answers = [];
    for (let i = 0; i < 4; i++) {
      answers.push(await client.callTool({ name: 'string_spectrum', arguments: { max_modes: i + 1 } }));
    }
    await client.close();
    expect(
      answers.map(
        (answer) => (answer.structuredContent as { energy_spectrum: number[] }).energy_spectrum.length,
      ),
    ).toEqual([1, 2, 3, 4]);
    // initialize, initialized, tools/list and four calls: seven requests, alternating between the two processes.
    expect(balancer.served.length).toBeGreaterThanOrEqual(7);
    expect(balancer.served.slice(0, 7)).toEqual([0, 1, 0, 1, 0, 1, 0]);
  }, 30_000);
});
