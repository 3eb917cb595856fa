import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { setTimeout as sleep } from 'node:timers/promises';
import Database from 'better-sqlite3';
import { afterEach, describe, expect, it } from 'vitest';
import { DATABASE_FILE } from '../../../src/services/store/sqlite/database.js';
import { startServersProcess, type ServersProcess } from '../../helpers/dredge-servers-process.js';

/** `dredge up` with the local queue: two tasks at a time, a 2 s lease (WORKER_LOCK_DURATION) on what it holds. */
const ENV = { LOG_LEVEL: 'warn', WORKER_CONCURRENCY: '2', NUM_WORKERS: '2', WORKER_LOCK_DURATION: '2' };
const UP = ['up', '--host', '127.0.0.1', '--port', '0', '--mcp-port', '0'];

/** About three seconds of training on one pool thread: still running when the server is killed. */
const SLOW = { model_type: 'quasimoto_1d', config: { epochs: 100_000 } };

const servers: ServersProcess[] = [];
afterEach(async () => {
  for (const server of servers.splice(0)) {
    server.child.kill('SIGKILL');
    await server.stop();
  }
});

async function up(cwd: string): Promise<string> {
  const server = await startServersProcess(UP, ENV, cwd);
  servers.push(server);
  return server.urls['DREDGE MCP server'] as string;
}

async function send(url: string, method: string, body?: unknown) {
  const response = await fetch(url, {
    method,
    ...(body === undefined
      ? {}
      : { headers: { 'content-type': 'application/json' }, body: JSON.stringify(body) }),
  });
  return { status: response.status, body: (await response.json()) as Record<string, unknown> };
}

async function submit(mcp: string, task: Record<string, unknown>): Promise<string> {
  const answer = await send(`${mcp}/tasks`, 'POST', task);
  expect(answer.status).toBe(202);
  return answer.body.task_id as string;
}

async function until(mcp: string, id: string, done: (status: string) => boolean, timeoutMs: number) {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    const { body } = await send(`${mcp}/tasks/${id}`, 'GET');
    if (done(body.status as string) || Date.now() > deadline) return body;
    await sleep(50);
  }
}

const FINISHED = (status: string) => ['completed', 'failed', 'cancelled'].includes(status);

function pendingRows(cwd: string): Array<{ id: string; state: string; params: string }> {
  const db = new Database(join(cwd, '.dredge', DATABASE_FILE), { readonly: true });
  try {
    return db.prepare('SELECT id, state, params FROM pending_tasks').all() as Array<{
      id: string;
      state: string;
      params: string;
    }>;
  } finally {
    db.close();
  }
}

describe('accepted means durable (QUEUE_BACKEND=local, a real dredge up killed with SIGKILL)', () => {
  it('runs every accepted task after a restart: waiting ones run, running ones are retried or fail as interrupted', async () => {
    const cwd = mkdtempSync(join(tmpdir(), 'dredge-durable-'));
    let mcp = await up(cwd);

    // Two trainings fill both places: the one with attempts left is retried after the crash, the other is not.
    const retried = await submit(mcp, { operation: 'benchmark', params: SLOW, attempts: 3 });
    const lastAttempt = await submit(mcp, { operation: 'benchmark', params: SLOW, attempts: 1 });
    for (const id of [retried, lastAttempt]) {
      expect((await until(mcp, id, (status) => status === 'running', 10_000)).status).toBe('running');
    }
    // These wait behind them; their params must come back exactly as sent.
    const waitingParams = [
      {
        dredge_insight: 'Digital memory must be human-reachable',
        quasimoto_coords: [0.1, 0.2],
        string_modes: [1, 2],
      },
      {
        dredge_insight: 'ünïcödé ✓ 🚀 \u2028 "quotes" \\ back',
        quasimoto_coords: [5e-324, -0.5],
        string_modes: [7],
      },
      {
        dredge_insight: 'x'.repeat(60_000),
        quasimoto_coords: [1.7976931348623157e308],
        string_modes: [1, 1_000_000],
      },
      { dredge_insight: 'four', quasimoto_coords: [0.3333333333333333], string_modes: [3, 2, 1] },
    ];
    const waiting: string[] = [];
    for (const params of waitingParams)
      waiting.push(await submit(mcp, { operation: 'unified_inference', params }));
    // Over the queued params bound: refused, never stored.
    const tooLarge = await send(`${mcp}/tasks`, 'POST', {
      operation: 'unified_inference',
      params: { dredge_insight: 'x', pad: 'y'.repeat(1_100_000) },
    });
    expect(tooLarge.status).toBe(413);

    servers[0]!.child.kill('SIGKILL');
    await servers[0]!.stop();
    servers.splice(0);

    // Every accepted task is in the store, its params byte for byte.
    const rows = new Map(pendingRows(cwd).map((row) => [row.id, row]));
    expect([...rows.keys()].sort()).toEqual([retried, lastAttempt, ...waiting].sort());
    expect(rows.get(retried)?.state).toBe('running');
    waiting.forEach((id, i) => expect(rows.get(id)?.params).toBe(JSON.stringify(waitingParams[i])));

    mcp = await up(cwd);
    // Answered at once from the store, before the dead server's lease lapses and the tasks are taken over.
    expect((await send(`${mcp}/tasks/${waiting[0]}`, 'GET')).body).toMatchObject({ success: true });

    for (const [i, id] of waiting.entries()) {
      const done = await until(mcp, id, FINISHED, 60_000);
      expect(done).toMatchObject({ status: 'completed', attempts: 1, error: null });
      const direct = await send(`${mcp}/mcp`, 'POST', {
        operation: 'unified_inference',
        params: waitingParams[i],
      });
      expect((done.result as Record<string, unknown>).unified_field).toEqual(direct.body.unified_field);
    }
    expect(await until(mcp, retried, FINISHED, 60_000)).toMatchObject({
      status: 'completed',
      attempts: 2,
      result: { success: true, epochs: 100_000 },
    });
    expect(await until(mcp, lastAttempt, FINISHED, 60_000)).toMatchObject({
      status: 'failed',
      attempts: 1,
      error: { code: 'interrupted', message: expect.stringContaining('no attempt left (1 of 1)') },
    });
    expect(pendingRows(cwd)).toEqual([]);
    expect(await servers[0]!.stop()).toBe(0);
  }, 120_000);
});
