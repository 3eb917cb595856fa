/**
 * What authentication and rate limits cost a request, measured on the request path alone:
 *
 *   npm run bench -- security [--rounds 15] [--requests 2000]
 *
 * Three MCP servers in this process — no authentication; AUTH_ENABLED with a key made as `dredge keys create`
 * makes it; the same with RATE_LIMIT_ENABLED (counted in memory) — answer the same cached unified_inference
 * through Fastify's `inject` (the whole request path, hooks, routing, the operation and the answer, without
 * sockets), in interleaved rounds. The figure is the median over rounds of each secured variant's CPU time per
 * request minus the open server's in the same round: the socket benchmark (`http --authentication`) carries the
 * kernel and the load generator too, whose variation between fresh servers is larger than the cost itself.
 */
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { FastifyInstance } from 'fastify';
import { createMcpServer } from '../src/app/http/mcp-server.js';
import { openApp } from '../src/app/open-app.js';
import { mintApiKey } from '../src/app/security/api-key.js';
import { presentedCredential } from '../src/app/security/authenticator.js';
import { rateKeyOf } from '../src/app/security/rate-limits.js';
import type { AppServices } from '../src/app/services.js';
import { loadConfig } from '../src/config/index.js';
import { createLogger } from '../src/services/telemetry/index.js';
import { median } from './support/statistics.js';

const HIT =
  '{"operation":"unified_inference","params":{"dredge_insight":"the same insight","quasimoto_coords":[0.5],"string_modes":[1,2,3]}}';

interface Variant {
  readonly name: string;
  readonly env: Record<string, string>;
  readonly keyed: boolean;
}

const VARIANTS: readonly Variant[] = [
  { name: 'no authentication', env: {}, keyed: false },
  { name: 'AUTH_ENABLED, a read key (Bearer)', env: { AUTH_ENABLED: 'true' }, keyed: true },
  {
    name: 'AUTH_ENABLED, a read key, RATE_LIMIT_ENABLED',
    // A limit no round reaches: the cost of counting, never a refusal.
    env: { AUTH_ENABLED: 'true', RATE_LIMIT_ENABLED: 'true', RATE_LIMIT_REQUESTS: '1000000' },
    keyed: true,
  },
];

interface Server {
  readonly app: FastifyInstance;
  readonly services: AppServices;
  readonly headers: Record<string, string>;
  close(): Promise<void>;
}

async function startServer(variant: Variant): Promise<Server> {
  const cwd = mkdtempSync(join(tmpdir(), 'dredge-bench-security-'));
  const loaded = loadConfig({ cwd, homeDir: cwd, env: { LOG_LEVEL: 'silent', ...variant.env } });
  const logger = createLogger({ level: 'silent', destination: 2 });
  const { services, catalogue } = await openApp(loaded, { serviceName: 'dredge-bench', logger });
  const app = await createMcpServer(services, catalogue);
  await app.ready();
  const headers: Record<string, string> = { 'content-type': 'application/json' };
  if (variant.keyed) {
    const minted = mintApiKey({ tenant: 'default', name: 'bench', scopes: ['read'], now: new Date() });
    await services.store.apiKeys.add(minted.record);
    headers.authorization = `Bearer ${minted.key}`;
  }
  return {
    app,
    services,
    headers,
    async close() {
      await app.close();
      await services.close();
      rmSync(cwd, { recursive: true, force: true });
    },
  };
}

const CALLS = 200_000;

/** Median time of one call of `step`, in µs, over five runs of CALLS calls. */
function timeEach(step: () => void): number {
  const runs: number[] = [];
  for (let run = 0; run < 5; run++) {
    const started = performance.now();
    for (let i = 0; i < CALLS; i++) step();
    runs.push(((performance.now() - started) * 1000) / CALLS);
  }
  return median(runs);
}

/**
 * The work the secured server adds to each request, timed alone: reading the key from the headers and
 * authenticating it (a key read within the last seconds: a regular expression, one SHA-256, a map lookup), and
 * counting the call against its key's window in memory.
 */
function measureSteps(keyed: Server, limited: Server): void {
  const { authenticator } = keyed.services;
  const headers = keyed.headers;
  const authenticate = timeEach(() => {
    authenticator.authenticateKnown(presentedCredential(headers));
  });
  const principal = authenticator.authenticateKnown(presentedCredential(headers));
  const { rateLimits } = limited.services;
  const count = timeEach(() => {
    void rateLimits.admit(rateKeyOf(principal?.keyId, '127.0.0.1'));
  });
  console.log(`\nThe steps alone (median of 5 runs of ${CALLS} calls):`);
  console.log(`- read and authenticate a key: ${authenticate.toFixed(2)} µs`);
  console.log(`- count the call in its window (memory): ${count.toFixed(2)} µs`);
}

/** CPU time per request, in µs, over `requests` sequential requests. */
async function measure(server: Server, requests: number): Promise<number> {
  const started = process.cpuUsage();
  for (let i = 0; i < requests; i++) {
    const response = await server.app.inject({
      method: 'POST',
      url: '/mcp',
      payload: HIT,
      headers: server.headers,
    });
    if (response.statusCode !== 200) throw new Error(`answered ${response.statusCode}: ${response.body}`);
  }
  const { user, system } = process.cpuUsage(started);
  return (user + system) / requests;
}

function option(args: readonly string[], name: string, fallback: number): number {
  const at = args.indexOf(name);
  return at >= 0 ? Number(args[at + 1]) : fallback;
}

export async function run(args: string[]): Promise<void> {
  const rounds = option(args, '--rounds', 15);
  const requests = option(args, '--requests', 2000);
  const servers: Server[] = [];
  try {
    for (const variant of VARIANTS) servers.push(await startServer(variant));
    // Warm every path (JIT, caches, the key read once) before anything counts.
    for (const server of servers) await measure(server, requests);
    const perRound: number[][] = VARIANTS.map(() => []);
    for (let round = 0; round < rounds; round++) {
      for (const [i, server] of servers.entries()) perRound[i]?.push(await measure(server, requests));
    }
    console.log(
      `Security overhead: Node.js ${process.version}, ${rounds} interleaved rounds of ${requests} cached ` +
        'unified_inference requests per server, through inject (no sockets)',
    );
    console.log('| server | CPU µs/request (median) | more than no authentication (median of rounds) |');
    console.log('| --- | ---: | ---: |');
    const open = perRound[0] ?? [];
    for (const [i, variant] of VARIANTS.entries()) {
      const own = perRound[i] ?? [];
      const extra =
        i === 0 ? '' : `${median(own.map((cpu, round) => cpu - (open[round] ?? 0))).toFixed(1)} µs`;
      console.log(`| ${variant.name} | ${median(own).toFixed(1)} | ${extra} |`);
    }
    const [, keyed, limited] = servers;
    if (keyed && limited) measureSteps(keyed, limited);
  } finally {
    for (const server of servers) await server.close();
  }
}
