import type { Client } from '@modelcontextprotocol/client';
import type { TaskEnabledSession, TaskExecutionEvent } from '@modelcontextprotocol/ext-tasks/client';
import { afterAll, beforeAll, expect, it } from 'vitest';
import { MCP_PATH } from '../../../src/app/mcp/http-route.js';
import { describeWithRedis } from '../../helpers/describe-with-redis.js';
import { startDredgeMcp, type DredgeProcess } from '../../helpers/dredge-process.js';
import { startDredgeWorker, type DredgeWorkerProcess } from '../../helpers/dredge-worker.js';
import { modernHttpClient, type ToolResult } from '../../helpers/mcp-clients.js';
import { taskSession } from '../../helpers/mcp-tasks.js';
import { startRoundRobin, type RoundRobin } from '../../helpers/round-robin.js';

/**
 * Tasks across replicas: two `dredge mcp` processes sharing Redis (models in its store, tasks in its BullMQ queue)
 * behind a round-robin balancer, and a `dredge worker` running the tasks. A client starts a training through one
 * replica and follows it, request by request, through whichever the balancer picks; another client, talking to the
 * other replica only, reads the same task.
 */
/** Loads a model through the JSON API of the replica at `url`; its id. */
async function loadModel(url: string): Promise<string> {
  const loaded = await fetch(`${url}/mcp`, {
    method: 'POST',
    headers: { 'content-type': 'application/json' },
    body: JSON.stringify({
      operation: 'load_model',
      params: { model_type: 'quasimoto_ensemble', config: { seed: 5 } },
    }),
  });
  return String(((await loaded.json()) as { model_id: string }).model_id);
}

describeWithRedis('the Tasks extension across two replicas sharing Redis (BullMQ)', (redis) => {
  let replicas: DredgeProcess[];
  let worker: DredgeWorkerProcess;
  let balancer: RoundRobin;
  const opened: Array<{ session: TaskEnabledSession; client: Client }> = [];

  async function sessionAt(url: string): Promise<TaskEnabledSession> {
    const client = await modernHttpClient(`${url}${MCP_PATH}`);
    const session = taskSession(client, `${url}${MCP_PATH}`);
    opened.push({ session, client });
    return session;
  }

  beforeAll(async () => {
    const env = {
      LOG_LEVEL: 'warn',
      QUEUE_BACKEND: 'bullmq',
      STORE_BACKEND: 'redis',
      REDIS_URL: redis().url,
    };
    [replicas, worker] = await Promise.all([
      Promise.all([startDredgeMcp([], env), startDredgeMcp([], env)]),
      startDredgeWorker(redis().url, env),
    ]);
    balancer = await startRoundRobin(replicas.map((replica) => replica.url));
  }, 60_000);

  afterAll(async () => {
    for (const { session, client } of opened) {
      await session.close();
      await client.close();
    }
    await balancer?.close();
    await Promise.all([...(replicas ?? []).map((replica) => replica.stop()), worker?.stop()]);
  });

  it('starts a training through one replica and follows it, with its progress, through both', async () => {
    const session = await sessionAt(balancer.url);
    const modelId = await loadModel(replicas[0]!.url);
    const before = balancer.served.length;
    const execution = await session.callTool('train', { model_id: modelId, epochs: 4000 });
    expect(execution.kind).toBe('task');
    const taskId = execution.handle!.taskId;

    // A second client on the other replica alone sees the same task.
    const other = await sessionAt(replicas[1]!.url);
    expect((await other.task(taskId).snapshot()).taskId).toBe(taskId);

    const messages: string[] = [];
    const { outcome } = await execution.settle({
      onEvent: (event: TaskExecutionEvent<unknown>) => {
        if (event.type === 'task' && event.task.statusMessage) messages.push(event.task.statusMessage);
      },
    });
    expect(outcome.status).toBe('completed');
    const result = (outcome as { result: ToolResult }).result;
    expect(result.structuredContent).toMatchObject({ success: true, model_id: modelId, epochs: 4000 });
    // The worker reported progress while it trained; the replicas answered it from the queue.
    expect(messages.some((message) => /^epoch \d+\/4000: loss /.test(message))).toBe(true);
    // Created on one replica, polled on both.
    expect(new Set(balancer.served.slice(before))).toEqual(new Set([0, 1]));
    // The other replica reads the finished task and its result too.
    const seen = await other.task(taskId).result();
    expect(seen.status).toBe('completed');
    expect((seen as { result: ToolResult }).result.structuredContent).toEqual(result.structuredContent);
  }, 60_000);

  it('cancels through one replica a task started through the other', async () => {
    const starter = await sessionAt(replicas[0]!.url);
    const canceller = await sessionAt(replicas[1]!.url);
    const modelId = await loadModel(replicas[0]!.url);
    const execution = await starter.callTool('submit_task', {
      operation: 'train',
      params: { model_id: modelId, epochs: 50_000 },
    });
    const taskId = execution.handle!.taskId;
    await canceller.cancelTask(taskId);
    const { outcome } = await execution.settle();
    expect(outcome.status).toBe('cancelled');
    expect((await canceller.task(taskId).snapshot()).status).toBe('cancelled');
    // Stopped before it trained to the end (50,000 epochs would take about a minute).
    const parameters = await fetch(`${replicas[1]!.url}/mcp`, {
      method: 'POST',
      headers: { 'content-type': 'application/json' },
      body: JSON.stringify({ operation: 'get_parameters', params: { model_id: modelId } }),
    });
    expect(((await parameters.json()) as { version: number }).version).toBeLessThan(50_000);
  }, 60_000);
});
