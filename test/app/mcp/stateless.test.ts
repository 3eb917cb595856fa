import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { MCP_PATH } from '../../../src/app/mcp/http-route.js';
import { startDredgeMcp, type DredgeProcess } from '../../helpers/dredge-process.js';
import { CLIENT_KINDS, httpClient } from '../../helpers/mcp-clients.js';
import { startRoundRobin, type RoundRobin } from '../../helpers/round-robin.js';

describe('stateless Streamable HTTP behind a round-robin balancer', () => {
  let replicas: DredgeProcess[];
  let balancer: RoundRobin;

  beforeAll(async () => {
    replicas = await Promise.all([
      startDredgeMcp([], { LOG_LEVEL: 'warn' }),
      startDredgeMcp([], { LOG_LEVEL: 'warn' }),
    ]);
    balancer = await startRoundRobin(replicas.map((replica) => replica.url));
  }, 30_000);

  afterAll(async () => {
    await balancer.close();
    await Promise.all(replicas.map((replica) => replica.stop()));
  });

  it.each(CLIENT_KINDS)(
    "lets two server processes answer one %s client's consecutive requests in turn",
    async (kind) => {
      const before = balancer.served.length;
      const client = await httpClient(`${balancer.url}${MCP_PATH}`, kind);
      const { tools } = await client.listTools();
      expect(tools.length).toBeGreaterThan(10);
      const answers = [];
      for (let i = 0; i < 4; i++)
        answers.push(await client.callTool('string_spectrum', { max_modes: i + 1 }));
      await client.close();
      expect(
        answers.map(
          (answer) => (answer.structuredContent as { energy_spectrum: number[] }).energy_spectrum.length,
        ),
      ).toEqual([1, 2, 3, 4]);
      // The handshake or discovery, tools/list and four calls, each answered by the next process in turn: the
      // client never needed the same one twice.
      const served = balancer.served.slice(before);
      expect(served.length).toBeGreaterThanOrEqual(6);
      expect(new Set(served)).toEqual(new Set([0, 1]));
      for (let i = 1; i < served.length; i++) expect(served[i]).not.toBe(served[i - 1]);
    },
    30_000,
  );
});
