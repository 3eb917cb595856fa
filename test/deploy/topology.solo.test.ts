import { randomBytes } from 'node:crypto';
import { get as httpGet } from 'node:http';
import { mkdirSync, mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { setTimeout as sleep } from 'node:timers/promises';
import type { Client } from '@modelcontextprotocol/client';
import { Redis } from 'ioredis';
import { afterAll, beforeAll, expect, it } from 'vitest';
import { MCP_PATH } from '../../src/app/mcp/http-route.js';
import { describeWithBinary } from '../helpers/binaries.js';
import { readComposeFile, serviceEnvironment } from '../helpers/compose-file.js';
import {
  startServerReplica,
  startWorkerReplica,
  writeSecretFiles,
  type LocalBackends,
} from '../helpers/compose-topology.js';
import type { ServersProcess } from '../helpers/dredge-servers-process.js';
import { freePort } from '../helpers/free-port.js';
import { modernHttpClient, type ToolResult } from '../helpers/mcp-clients.js';
import { taskSession } from '../helpers/mcp-tasks.js';
import {
  NGINX_CONF_DIR,
  UPSTREAMS_FILE,
  stageNginxConfig,
  startNginx,
  upstreamsWithAddresses,
  type RunningNginx,
} from '../helpers/nginx-balancer.js';
import { describeWithPostgres } from '../helpers/describe-with-postgres.js';
import { RedisTestServer } from '../helpers/redis-server.js';
import type { SpawnedDredge } from '../helpers/spawn-dredge.js';

/**
 * The compose topology (deploy/docker-compose.yml), run for real on this machine without a container engine:
 * PostgreSQL and Redis (with the password the compose file gives it), two `dredge mcp` replicas, one `dredge
 * serve` and two `dredge worker`s, each with its service's environment from the compose file (secrets read from
 * files through the `_FILE` variables, host names and ports made local), behind the shipped nginx configuration
 * in a real nginx, the upstream servers being the local replicas. Through the balancer: a model is loaded and
 * trained as a task, insights are lifted; then one MCP replica is killed with SIGKILL in the middle of steady
 * traffic from four clients, and every answer is checked against a reference computed before, every accepted
 * task must finish, every lifted insight must be found.
 */

const compose = readComposeFile();
const API_KEY = `dredge-topology-${randomBytes(16).toString('hex')}`;
const REDIS_PASSWORD = randomBytes(16).toString('hex');
const AUTH = { authorization: `Bearer ${API_KEY}` };
const JSON_AUTH = { ...AUTH, 'content-type': 'application/json' };

/** Traffic before the replica is stopped, and after it has exited. */
const BEFORE_KILL_MS = 1500;
const AFTER_KILL_MS = 3000;
/**
 * How long after the killed replica's exit a request may still meet it: nginx learns that a kept-alive
 * connection to it has closed when its event loop next runs, and a request picking that connection just before
 * is lost with it. Failures of requests started later are failures of the balancer.
 */
const KILL_GRACE_MS = 1000;
const CLIENTS = 4;
/** Requests sent at once while the replica hangs (two inferences to one read), and how long it hangs. */
const BURST = 18;
const FROZEN_MS = 500;

/** The inputs the traffic asks inference for, each with its reference answer computed before the traffic. */
const INPUT_SETS = [
  { x: [0, 0.25, 0.5], t: [0] },
  { x: [-1, 1], t: [0.5] },
  { x: [0.1, 0.2, 0.3, 0.4], t: [1, 1, 1, 1] },
];

type Kind = 'inference' | 'get_task' | 'submit_task' | 'lift';
/** What each client sends, in turn: mostly inference, an idempotent read, and writes that must not be lost. */
const ROTATION: readonly Kind[] = ['inference', 'get_task', 'inference', 'lift', 'inference', 'submit_task'];

interface Exchange {
  readonly kind: Kind;
  readonly method: 'GET' | 'POST';
  readonly started: number;
  readonly ended: number;
  /** 0 when the balancer could not be reached at all. */
  readonly status: number;
  readonly body: Record<string, unknown> | undefined;
  readonly inputSet?: number;
  readonly liftedText?: string;
}

/** An operation's answer without `cached`, which says only whether this call met the cache. */
function withoutCached(body: Record<string, unknown> | undefined): Record<string, unknown> | undefined {
  if (!body) return body;
  const { cached: _cached, ...rest } = body;
  return rest;
}

async function send(
  url: string,
  method: 'GET' | 'POST',
  body?: unknown,
): Promise<{ status: number; body: Record<string, unknown> | undefined }> {
  try {
    const response = await fetch(url, {
      method,
      headers: body === undefined ? AUTH : JSON_AUTH,
      ...(body === undefined ? {} : { body: JSON.stringify(body) }),
    });
    const text = await response.text();
    let parsed: Record<string, unknown> | undefined;
    try {
      parsed = JSON.parse(text) as Record<string, unknown>;
    } catch {
      parsed = undefined;
    }
    return { status: response.status, body: parsed };
  } catch {
    return { status: 0, body: undefined };
  }
}

interface LoggedRequest {
  readonly text: string;
  readonly method: string;
  /** The status the balancer answered. */
  readonly status: number;
  /** Each replica the request was passed to, in order: its address, and the bytes of the request it was sent. */
  readonly attempts: Array<{ address: string; bytesSent: number }>;
}

/** The requests nginx passed to a replica, read from its access log (the shipped `dredge` format). */
function accessLogAttempts(log: string): LoggedRequest[] {
  const line =
    /^\S+ "(\w+) [^"]*" (\d+) \d+ \S+ upstream=(.*?) upstream_status=.*? upstream_sent=(.*?) upstream_time=/;
  return log
    .split('\n')
    .map((text) => ({ text, match: line.exec(text) }))
    .filter(({ match }) => match && match[3] !== '-')
    .map(({ text, match }) => {
      const addresses = match![3]!.split(', ');
      const sent = match![4]!.split(', ').map(Number);
      return {
        text,
        method: match![1]!,
        status: Number(match![2]),
        attempts: addresses.map((address, index) => ({ address, bytesSent: sent[index]! })),
      };
    });
}

/** GET with the Host header given (a name this machine does not have, as a rebound DNS name would be). */
function getWithHost(url: string, host: string): Promise<{ status: number; body: string }> {
  return new Promise((resolve, reject) => {
    const request = httpGet(url, { headers: { host } }, (response) => {
      let body = '';
      response.setEncoding('utf8');
      response.on('data', (chunk: string) => (body += chunk));
      response.on('end', () => resolve({ status: response.statusCode ?? 0, body }));
    });
    request.on('error', reject);
  });
}

describeWithPostgres('the compose topology, run as processes on this machine', (postgres) => {
  describeWithBinary('redis-server', 'with Redis', () => {
    describeWithBinary('nginx', 'behind the shipped nginx configuration', () => {
      let workDir: string;
      let redis: RedisTestServer;
      const mcp: Array<{ process: ServersProcess; url: string }> = [];
      let server: { process: ServersProcess; url: string } | undefined;
      const workers: Array<SpawnedDredge<{ name: string; statusUrl: string }>> = [];
      let nginx: RunningNginx | undefined;
      let mcpUrl: string;
      let serverUrl: string;
      let modelId: string;
      let trainTaskId: string;
      const clients: Client[] = [];

      beforeAll(async () => {
        workDir = mkdtempSync(join(tmpdir(), 'dredge-topology-'));
        // Redis as the compose file runs it: a password, which DREDGE reads from REDIS_PASSWORD_FILE.
        redis = await RedisTestServer.start();
        const admin = new Redis(redis.url);
        await admin.config('SET', 'requirepass', REDIS_PASSWORD);
        admin.disconnect();
        // With a password, as the compose secret has one (the test cluster trusts loopback, so it is not checked).
        const databaseUrl = (await postgres().createDatabase('dredge_topology')).replace(
          'postgres@',
          `postgres:${randomBytes(8).toString('hex')}@`,
        );
        const secretsDir = join(workDir, 'secrets');
        mkdirSync(secretsDir);
        writeSecretFiles(secretsDir, {
          dredge_api_key: API_KEY,
          database_url: databaseUrl,
          redis_password: REDIS_PASSWORD,
        });
        const backends: LocalBackends = { redisPort: redis.port, secretsDir, workDir };

        // All at once, as `docker compose up` starts them; each kept as soon as it runs, so that a start that
        // fails leaves nothing running behind the test.
        await Promise.all([
          startServerReplica(compose, 'mcp', backends).then((replica) => mcp.push(replica)),
          startServerReplica(compose, 'mcp', backends).then((replica) => mcp.push(replica)),
          startServerReplica(compose, 'dredge', backends).then((replica) => (server = replica)),
          startWorkerReplica(compose, backends).then((worker) => workers.push(worker)),
          startWorkerReplica(compose, backends).then((worker) => workers.push(worker)),
        ]);
        if (!server) throw new Error('the DREDGE server did not start');

        // The shipped nginx.conf as it is; only the replicas' addresses and the listening ports are this
        // machine's.
        const [mcpPort, serverPort] = await Promise.all([freePort(), freePort()]);
        const confDir = join(workDir, 'nginx-conf');
        const prefix = join(workDir, 'nginx');
        mkdirSync(confDir);
        mkdirSync(prefix);
        const upstreams = upstreamsWithAddresses(readFileSync(join(NGINX_CONF_DIR, UPSTREAMS_FILE), 'utf8'), {
          dredge_mcp: mcp.map((replica) => new URL(replica.url).host),
          dredge_server: [new URL(server.url).host],
        });
        const confPath = stageNginxConfig(confDir, { 3002: mcpPort, 3001: serverPort }, upstreams);
        mcpUrl = `http://127.0.0.1:${mcpPort}`;
        serverUrl = `http://127.0.0.1:${serverPort}`;
        nginx = await startNginx(confPath, prefix, `${mcpUrl}/nginx-health`);
      }, 120_000);

      afterAll(async () => {
        for (const client of clients) await client.close();
        await nginx?.stop();
        await Promise.all([
          ...mcp.map((replica) => replica.process.stop()),
          server?.process.stop(),
          ...workers.map((worker) => worker.signal('SIGTERM')),
        ]);
        await redis?.stop();
        if (workDir) rmSync(workDir, { recursive: true, force: true });
      }, 60_000);

      it('refuses what the balancer must refuse: unknown hosts, foreign origins, bodies over MAX_BODY_BYTES, no key', async () => {
        // fetch sends the URL's host whatever it is told; node:http sends the Host it is given.
        const foreignHost = await getWithHost(`${mcpUrl}/health`, 'rebound.example');
        expect(foreignHost.status).toBe(403);
        expect(JSON.parse(foreignHost.body)).toMatchObject({ success: false, code: 'forbidden' });
        const foreignOrigin = await fetch(`${serverUrl}/insights`, {
          headers: { ...AUTH, origin: 'http://rebound.example' },
        });
        expect(foreignOrigin.status).toBe(403);
        const maxBodyBytes = Number(serviceEnvironment(compose.services.mcp!).MAX_BODY_BYTES);
        const tooLarge = await send(`${mcpUrl}/mcp`, 'POST', {
          operation: 'list_models',
          params: { padding: 'x'.repeat(maxBodyBytes) },
        });
        expect(tooLarge).toEqual({ status: 413, body: expect.objectContaining({ code: 'too_large' }) });
        const anonymous = await fetch(`${mcpUrl}/mcp`, {
          method: 'POST',
          headers: { 'content-type': 'application/json' },
          body: JSON.stringify({ operation: 'list_models' }),
        });
        expect(anonymous.status).toBe(401);
        // The probes stay open, on both of the balancer's servers.
        for (const url of [mcpUrl, serverUrl]) expect((await fetch(`${url}/ready`)).status).toBe(200);
      });

      it('loads a model and trains it as a task (MCP Tasks), through the balancer', async () => {
        const loaded = await send(`${mcpUrl}/mcp`, 'POST', {
          operation: 'load_model',
          params: { model_type: 'quasimoto_ensemble', config: { seed: 11, n_waves: 8 } },
        });
        expect(loaded.status).toBe(200);
        modelId = String(loaded.body!.model_id);

        const client = await modernHttpClient(`${mcpUrl}${MCP_PATH}`, AUTH);
        clients.push(client);
        const session = taskSession(client, `${mcpUrl}${MCP_PATH}`, AUTH);
        const execution = await session.callTool('submit_task', {
          operation: 'train',
          params: { model_id: modelId, epochs: 300, seed: 3 },
        });
        expect(execution.kind).toBe('task');
        trainTaskId = execution.handle!.taskId;
        const { outcome } = await execution.settle();
        expect(outcome.status).toBe('completed');
        const trained = (outcome as { result: ToolResult }).result.structuredContent!;
        expect(trained).toMatchObject({ success: true, model_id: modelId, epochs: 300 });
        expect(Number(trained.final_loss)).toBeLessThan(Number(trained.initial_loss));
        // A worker ran it, and every replica reads the finished task from the shared store.
        const names = new Set(workers.map((worker) => worker.started.name));
        for (const replica of mcp) {
          const task = await send(`${replica.url}/tasks/${trainTaskId}`, 'GET');
          expect(task.body).toMatchObject({ status: 'completed' });
          expect(names).toContain(task.body!.worker);
        }
      }, 60_000);

      it('keeps answering right, and loses nothing accepted, when an MCP replica is killed mid-traffic', async () => {
        // References, before any traffic: each replica directly, which must agree (one shared model store).
        const references: Array<Record<string, unknown> | undefined> = [];
        for (const inputs of INPUT_SETS) {
          const answers = await Promise.all(
            mcp.map((replica) =>
              send(`${replica.url}/mcp`, 'POST', {
                operation: 'inference',
                params: { model_id: modelId, inputs },
              }),
            ),
          );
          for (const answer of answers) expect(answer.status).toBe(200);
          expect(withoutCached(answers[1]!.body)).toEqual(withoutCached(answers[0]!.body));
          references.push(withoutCached(answers[0]!.body));
        }

        const exchanges: Exchange[] = [];
        const origin = performance.now();
        const now = () => performance.now() - origin;
        const run = Date.now().toString(36);
        /** One request through the balancer, recorded with when it started and ended. */
        const exchange = async (kind: Kind, inputSet: number, tag: string): Promise<void> => {
          const started = now();
          const params = { model_id: modelId, inputs: INPUT_SETS[inputSet] };
          const liftedText =
            kind === 'lift' ? `topology ${run} ${tag}: replicas share one insight store` : undefined;
          const answer =
            kind === 'inference'
              ? await send(`${mcpUrl}/mcp`, 'POST', { operation: 'inference', params })
              : kind === 'get_task'
                ? await send(`${mcpUrl}/tasks/${trainTaskId}`, 'GET')
                : kind === 'submit_task'
                  ? await send(`${mcpUrl}/tasks`, 'POST', { operation: 'inference', params })
                  : await send(`${serverUrl}/lift`, 'POST', { insight_text: liftedText });
          exchanges.push({
            kind,
            method: kind === 'get_task' ? 'GET' : 'POST',
            started,
            ended: now(),
            ...answer,
            inputSet,
            ...(liftedText === undefined ? {} : { liftedText }),
          });
        };
        let running = true;
        const traffic = Promise.all(
          Array.from({ length: CLIENTS }, async (_, client) => {
            for (let turn = 0; running; turn++) {
              const kind = ROTATION[turn % ROTATION.length]!;
              await exchange(kind, (client + turn) % INPUT_SETS.length, `client ${client} turn ${turn}`);
            }
          }),
        );

        await sleep(BEFORE_KILL_MS);
        // The replica hangs first, then dies: a burst sent while it hangs certainly has requests waiting on it
        // when it dies (a kill alone catches only what it happens to be running at that instant), so what the
        // balancer does with them — re-send the reads, never the POSTs — is seen every time.
        const victim = mcp[0]!;
        const victimAddress = new URL(victim.url).host;
        const exited = new Promise((resolve) => victim.process.child.once('exit', resolve));
        const frozenAt = now();
        victim.process.child.kill('SIGSTOP');
        const burst = Promise.all(
          Array.from({ length: BURST }, (_, index) =>
            exchange(index % 3 === 2 ? 'get_task' : 'inference', index % INPUT_SETS.length, `burst ${index}`),
          ),
        );
        await sleep(FROZEN_MS);
        victim.process.child.kill('SIGKILL');
        await exited;
        const exitedAt = now();
        await sleep(AFTER_KILL_MS);
        running = false;
        await Promise.all([traffic, burst]);
        const windowEnd = exitedAt + KILL_GRACE_MS;

        // Steady traffic on both sides of the kill.
        expect(exchanges.filter((e) => e.ended < frozenAt && e.status === 200).length).toBeGreaterThan(20);
        expect(exchanges.filter((e) => e.started > windowEnd && e.status === 200).length).toBeGreaterThan(20);

        // Failures: only POSTs that were on the replica when it died (never re-sent to the other one, so they
        // fail), only 502/503, and nothing at all outside that window. Reads were re-sent to the live replica.
        const failed = exchanges.filter((e) => e.status !== 200 && e.status !== 202);
        for (const failure of failed) {
          const context = JSON.stringify({ ...failure, frozenAt, windowEnd });
          expect([502, 503], context).toContain(failure.status);
          expect(failure.method, context).toBe('POST');
          expect(failure.ended, context).toBeGreaterThanOrEqual(frozenAt);
          expect(failure.started, context).toBeLessThanOrEqual(windowEnd);
        }

        // Every answer that came back is the right one.
        for (const done of exchanges.filter((e) => e.kind === 'inference' && e.status === 200)) {
          expect(withoutCached(done.body)).toEqual(references[done.inputSet!]);
        }
        for (const done of exchanges.filter((e) => e.kind === 'get_task' && e.status === 200)) {
          expect(done.body).toMatchObject({ task_id: trainTaskId, status: 'completed' });
        }

        // The balancer's own account (its access log): it spread the traffic over both replicas; it passed a
        // request on to another replica after sending it to the dying one only when it was a read; a POST it
        // had sent there was answered 502, never sent again.
        const logged = accessLogAttempts(nginx!.accessLog());
        const served = new Set(logged.flatMap((line) => line.attempts.map((attempt) => attempt.address)));
        for (const replica of mcp) expect(served).toContain(new URL(replica.url).host);
        for (const line of logged.filter((entry) => entry.method === 'POST')) {
          for (const earlier of line.attempts.slice(0, -1)) expect(earlier.bytesSent, line.text).toBe(0);
        }
        const postsLostWithIt = logged.filter(
          (line) =>
            line.method === 'POST' &&
            line.attempts.length === 1 &&
            line.attempts[0]!.address === victimAddress &&
            line.attempts[0]!.bytesSent > 0 &&
            line.status === 502,
        );
        expect(postsLostWithIt.length, 'no POST was waiting on the replica when it died').toBeGreaterThan(0);

        // Nothing accepted is lost: every task with an id finishes with the right result…
        const accepted = exchanges.filter((e) => e.kind === 'submit_task' && e.status === 202);
        expect(accepted.length).toBeGreaterThan(5);
        const deadline = Date.now() + 60_000;
        for (const submission of accepted) {
          const taskId = String(submission.body!.task_id);
          let task = await send(`${mcpUrl}/tasks/${taskId}`, 'GET');
          while (task.status === 200 && ['pending', 'running'].includes(String(task.body!.status))) {
            if (Date.now() > deadline)
              throw new Error(`task ${taskId} did not finish: ${JSON.stringify(task)}`);
            await sleep(100);
            task = await send(`${mcpUrl}/tasks/${taskId}`, 'GET');
          }
          expect(task.body, taskId).toMatchObject({ status: 'completed' });
          expect(withoutCached(task.body!.result as Record<string, unknown>)).toEqual(
            references[submission.inputSet!],
          );
        }
        // …and every lifted insight is found by searching for its text.
        const lifted = exchanges.filter((e) => e.kind === 'lift' && e.status === 200);
        expect(lifted.length).toBeGreaterThan(5);
        for (const lift of lifted) {
          const query = new URLSearchParams({ q: lift.liftedText!, limit: '100' });
          const found = await send(`${serverUrl}/insights?${query.toString()}`, 'GET');
          expect(found.status).toBe(200);
          const insights = found.body!.insights as Array<{ id: string; text: string }>;
          expect(insights).toContainEqual(
            expect.objectContaining({ id: lift.body!.id, text: lift.liftedText }),
          );
        }
      }, 120_000);
    });
  });
});
