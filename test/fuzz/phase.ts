/**
 * One fuzz phase: keys for two tenants, `dredge up` (and a worker, where the phase has one), tenant A's marked
 * objects, then `count` generated requests from CONCURRENCY clients beside the polite probe and the held sockets,
 * and the checks afterwards (both servers alive and answering, A's objects still there, the held sockets closed).
 */
import { readdirSync } from 'node:fs';
import { Agent } from 'node:http';
import { join, resolve } from 'node:path';
import { createCatalogue } from '../../src/app/operations/index.js';
import type { DredgeWorkerProcess } from '../helpers/dredge-worker.js';
import { holdSockets, politeProbe } from './background.js';
import { generateRequest } from './doors.js';
import { errorBodyProblem } from './error-body.js';
import type { DoorContext, Keys } from './request.js';
import { requestRng } from './rng.js';
import { Judge } from './judge.js';
import { call, plant, type KeptObject } from './plant.js';
import { createKey, errorLines, peakRssMiB, startUp } from './processes.js';
import type { PhaseReport } from './report.js';
import { clip } from './request-text.js';
import { NOT_SENT, sendHttp, sendRaw, type Urls } from './send.js';

/** Requests in flight at once: under MAX_CONNECTIONS_PER_ADDRESS (32), so every client is served. */
export const CONCURRENCY = 24;
/** Slow-header and idle sockets held on each server (half each). */
const HELD_PER_SERVER = 6;
/** How long after the fuzz the held sockets may stay open: HEADERS_TIMEOUT (set by the phase) and a check interval. */
const HELD_RELEASE_MS = 10_000;

/** Each kind of client its own loopback address, so MAX_CONNECTIONS_PER_ADDRESS judges them apart. */
const FUZZ_ADDRESS = '127.0.0.1';
const POLITE_ADDRESS = '127.0.0.2';
const HELD_ADDRESS = '127.0.0.3';
const RAW_ADDRESS = '127.0.0.4';

/** Every scope but admin's (which may read every tenant's traces): B's /metrics must hold none of A's bytes. */
const TENANT_SCOPES = 'read,write,github,metrics';

const WEB_ASSETS = readdirSync(resolve(import.meta.dirname, '../../web'));
const OPERATIONS = createCatalogue().names;

export interface PhaseOptions {
  readonly name: string;
  readonly seed: number;
  readonly count: number;
  /** The servers' (and worker's) environment; DATA_DIR is the phase's own. */
  readonly env: NodeJS.ProcessEnv;
  readonly cwd: string;
  readonly startWorker?: (env: NodeJS.ProcessEnv) => Promise<DredgeWorkerProcess>;
}

export async function runPhase(options: PhaseOptions): Promise<PhaseReport> {
  const { name, seed, count, cwd } = options;
  const env: NodeJS.ProcessEnv = { DATA_DIR: join(cwd, 'data'), ...options.env };
  const keys: Keys = {
    A: await createKey(env, cwd, 'tenant-a', TENANT_SCOPES),
    B: await createKey(env, cwd, 'tenant-b', TENANT_SCOPES),
  };
  const up = await startUp(env, cwd);
  const failures: string[] = [];
  let worker: DredgeWorkerProcess | undefined;
  try {
    worker = options.startWorker ? await options.startWorker(env) : undefined;
    const { urls } = up;
    const planted = await plant(urls, keys, `FZMARK${seed.toString(16)}`);
    const ctx: DoorContext = {
      keys,
      idsA: planted.idsA,
      idsB: planted.idsB,
      operations: OPERATIONS,
      assets: WEB_ASSETS,
      hosts: { mcp: urls.mcp.host, dredge: urls.dredge.host },
    };
    const agents = {
      mcp: new Agent({ keepAlive: true, maxSockets: CONCURRENCY, localAddress: FUZZ_ADDRESS }),
      dredge: new Agent({ keepAlive: true, maxSockets: CONCURRENCY, localAddress: FUZZ_ADDRESS }),
    };
    const probe = politeProbe(urls, POLITE_ADDRESS);
    const held = holdSockets(urls, HELD_ADDRESS, HELD_PER_SERVER);
    const judge = new Judge(planted);

    const started = performance.now();
    let next = 0;
    // Each request is a function of the seed and its index alone; which client sends it does not matter.
    const client = async () => {
      while (next < count) {
        const index = next++;
        const request = generateRequest(requestRng(seed, index), ctx);
        const answer = request.raw
          ? await sendRaw(urls, request, RAW_ADDRESS)
          : await sendHttp(urls, agents, request);
        if (answer.error?.startsWith(NOT_SENT)) continue;
        judge.judge(index, request, answer);
      }
    };
    await Promise.all(Array.from({ length: CONCURRENCY }, client));
    const seconds = (performance.now() - started) / 1000;
    const health = await probe.stop();
    agents.mcp.destroy();
    agents.dredge.destroy();

    const heldSockets = await held.release(HELD_RELEASE_MS);
    if (heldSockets.slow + heldSockets.idle < heldSockets.total) {
      failures.push(
        `${name}: ${heldSockets.total - heldSockets.slow - heldSockets.idle} of ${heldSockets.total} slow-header or idle sockets were still open ${HELD_RELEASE_MS / 1000} s after the fuzz (HEADERS_TIMEOUT=${env.HEADERS_TIMEOUT})`,
      );
    }
    const heldProblems = new Map<string, number>();
    for (const answer of heldSockets.answers) {
      const problem = errorBodyProblem(answer, 'GET', false);
      const what = `a ${answer.status} whose ${problem}: ${clip(answer.body, 200)}`;
      if (problem) heldProblems.set(what, (heldProblems.get(what) ?? 0) + 1);
    }
    for (const [what, times] of heldProblems) failures.push(`${name}: held sockets got ${what} (${times}×)`);
    failures.push(...(await aliveAfterwards(name, urls, up.process.child, worker)));
    failures.push(...probe.failures.slice(0, 5).map((failure) => `${name}: polite probe: ${failure}`));
    failures.push(...(await keptObjectsMissing(name, urls, keys, planted.kept)));

    const peak: Record<string, number> = { 'dredge up': peakRssMiB(up.process.child.pid) };
    if (worker) peak['dredge worker'] = peakRssMiB(worker.child.pid);
    if (judge.serverErrors.length) {
      const log = errorLines(up.process.output() + (worker?.output() ?? ''));
      failures.push(`${name}: the servers' error log lines:\n${log.join('\n')}`);
    }
    return {
      name,
      seed,
      requests: count,
      concurrency: CONCURRENCY,
      seconds,
      doors: judge.doors,
      serverErrors: judge.serverErrors,
      malformedErrors: judge.malformedErrors,
      leaks: judge.leaks(),
      timeouts: judge.timeouts,
      failures,
      health,
      peakRssMiB: peak,
      heldSockets,
    };
  } finally {
    await worker?.stop();
    const code = await up.process.stop();
    if (code !== 0) failures.push(`${name}: dredge up exited with ${String(code)} on SIGTERM`);
  }
}

interface Child {
  readonly exitCode: number | null;
  readonly signalCode: NodeJS.Signals | null;
}

/** Both servers answer /health, and neither process has exited. */
async function aliveAfterwards(
  name: string,
  urls: Urls,
  up: Child,
  worker: { readonly child: Child } | undefined,
): Promise<string[]> {
  const failures: string[] = [];
  for (const server of ['mcp', 'dredge'] as const) {
    const health = await fetch(new URL('/health', urls[server]), {
      signal: AbortSignal.timeout(2_000),
    }).catch((error: Error) => error);
    if (health instanceof Error || health.status !== 200) {
      const why = health instanceof Error ? health.message : health.status;
      failures.push(`${name}: the ${server} server does not answer /health afterwards: ${why}`);
    }
  }
  for (const [what, child] of [
    ['dredge up', up],
    ['dredge worker', worker?.child],
  ] as const) {
    if (child && (child.exitCode !== null || child.signalCode !== null)) {
      failures.push(`${name}: ${what} exited during the run (${child.exitCode ?? child.signalCode})`);
    }
  }
  return failures;
}

/** Each tenant's kept objects, asked for by their owner: any that is gone was deleted by someone else. */
async function keptObjectsMissing(
  name: string,
  urls: Urls,
  keys: Keys,
  kept: readonly KeptObject[],
): Promise<string[]> {
  const failures: string[] = [];
  for (const { owner, what, server, method, path, body } of kept) {
    const answer = await call(urls, keys[owner], server, method, path, body);
    if (answer.status !== 200) {
      failures.push(
        `${name}: tenant ${owner}'s ${what} is gone after the run (${answer.status}: ${clip(answer.text, 200)})`,
      );
    }
  }
  return failures;
}
