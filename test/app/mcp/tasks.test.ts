import type { Client } from '@modelcontextprotocol/client';
import type { TaskEnabledSession, TaskExecutionEvent } from '@modelcontextprotocol/ext-tasks/client';
import { taskId as asTaskId } from '@modelcontextprotocol/ext-tasks/core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { MCP_PATH } from '../../../src/app/mcp/http-route.js';
import { httpClient, modernHttpClient, type ToolResult } from '../../helpers/mcp-clients.js';
import { startMcpServer, type RunningMcpServer } from '../../helpers/mcp-server.js';
import { taskSession } from '../../helpers/mcp-tasks.js';
import { keyOf } from '../tenancy/tenant-keys.js';

/** A task id as submit_task makes them (a UUID) that no task has. */
const UNKNOWN_TASK = '00000000-0000-4000-8000-000000000000';

/** A task's tool result, as the session's default codec reads it (2026-07-28's CallToolResult). */
type TaskResult = ToolResult & { resultType: 'complete' };

/** Loads a model through the JSON API and answers its id. */
async function loadModel(server: RunningMcpServer, key?: string): Promise<string> {
  const response = await fetch(`${server.url}/mcp`, {
    method: 'POST',
    headers: { 'content-type': 'application/json', ...(key ? { authorization: `Bearer ${key}` } : {}) },
    body: JSON.stringify({
      operation: 'load_model',
      params: { model_type: 'quasimoto_ensemble', config: { seed: 4 } },
    }),
  });
  return String(((await response.json()) as { model_id: string }).model_id);
}

describe('the Tasks extension (io.modelcontextprotocol/tasks) on the local queue', () => {
  let server: RunningMcpServer;
  let client: Client;
  let session: TaskEnabledSession;

  beforeAll(async () => {
    // A low COMPUTE_INLINE_WORK, so that an inference of a thousand rows is large.
    server = await startMcpServer({ COMPUTE_INLINE_WORK: '10000' });
    client = await modernHttpClient(`${server.url}${MCP_PATH}`);
    session = taskSession(client, `${server.url}${MCP_PATH}`);
  });
  afterAll(async () => {
    await session?.close();
    await client?.close();
    await server?.close();
  });

  it('advertises the extension in server/discover', () => {
    expect(client.getServerCapabilities()?.extensions).toEqual({ 'io.modelcontextprotocol/tasks': {} });
    expect(session.capabilities).toMatchObject({ execution: true, cancellation: true });
  });

  it('runs a training as a task: created at once, its progress in the status, its result once completed', async () => {
    const id = await loadModel(server);
    const execution = await session.callTool('train', { model_id: id, epochs: 3000 });
    expect(execution.kind).toBe('task');
    const taskId = execution.handle!.taskId;
    // The same task through the task service's own door.
    expect((await server.call('get_task', { task_id: taskId })).body).toMatchObject({ operation: 'train' });
    const messages: string[] = [];
    const { outcome } = await execution.settle({
      onEvent: (event: TaskExecutionEvent<unknown>) => {
        if (event.type === 'task' && event.task.statusMessage) messages.push(event.task.statusMessage);
      },
    });
    expect(outcome.status).toBe('completed');
    const result = (outcome as { result: TaskResult }).result;
    expect(result.isError).toBeFalsy();
    expect(result.structuredContent).toMatchObject({
      success: true,
      model_id: id,
      epochs: 3000,
      version: 3000,
    });
    expect(JSON.parse((result.content[0] as { text: string }).text)).toEqual(result.structuredContent);
    expect(messages.some((message) => /^epoch \d+\/3000: loss /.test(message))).toBe(true);
  }, 30_000);

  it('answers a quick call at once, and a large inference (above COMPUTE_INLINE_WORK) as a task', async () => {
    const id = await loadModel(server);
    const small = await session.callTool('inference', { model_id: id, inputs: { x: [0.5], t: [0] } });
    expect(small.kind).toBe('immediate');
    const spectrum = await session.callTool('string_spectrum', { max_modes: 3 });
    expect(spectrum.kind).toBe('immediate');
    const rows = Array.from({ length: 1000 }, (_, i) => i / 1000);
    const large = await session.callTool('inference', { model_id: id, inputs: { x: rows, t: [0] } });
    expect(large.kind).toBe('task');
    const { outcome } = await large.settle();
    expect(outcome.status).toBe('completed');
    const output = (outcome as { result: TaskResult }).result.structuredContent?.output as unknown[];
    expect(output).toHaveLength(1000);
  }, 30_000);

  it('answers submit_task with the task of the operation it queues', async () => {
    const execution = await session.callTool('submit_task', {
      operation: 'string_spectrum',
      params: { max_modes: 4 },
    });
    expect(execution.kind).toBe('task');
    const { outcome } = await execution.settle();
    expect((outcome as { result: TaskResult }).result.structuredContent).toMatchObject({
      energy_spectrum: [0.5, 1, 1.5, 2],
    });
  });

  it('ends a task whose operation fails as the call would have: its error body, flagged isError', async () => {
    const execution = await session.callTool('train', { model_id: 'quasimoto_ensemble_999', epochs: 5 });
    expect(execution.kind).toBe('task');
    const { outcome } = await execution.settle();
    expect(outcome.status).toBe('completed');
    expect((outcome as { result: TaskResult }).result).toMatchObject({
      isError: true,
      structuredContent: {
        success: false,
        error: 'Model not found: quasimoto_ensemble_999',
        code: 'not_found',
      },
    });
  });

  it('fails a task whose input its operation refuses only when it runs, with the JSON-RPC error of a call', async () => {
    // epochs inside config are read by the training itself, so the task is queued and fails when it runs.
    const execution = await session.callTool('benchmark', {
      model_type: 'quasimoto_1d',
      config: { epochs: 1_000_000 },
    });
    expect(execution.kind).toBe('task');
    const { outcome } = await execution.settle();
    expect(outcome.status).toBe('failed');
    expect((outcome as { error: { code?: number; message: string } }).error).toMatchObject({
      code: -32602,
      message: expect.stringContaining('params.config.epochs must be') as string,
    });
  });

  it('refuses invalid arguments at once, as JSON-RPC invalid params naming the field and the limit', async () => {
    const refused = session.callTool('train', { model_id: 'x', epochs: 0 });
    await expect(refused).rejects.toMatchObject({
      code: -32602,
      // The call's own sentence, not submit_task's (`params.params.epochs`).
      message: expect.stringMatching(/^params\.epochs must be/) as string,
    });
  });

  it('cancels a running training: the task ends cancelled and the model keeps its parameters', async () => {
    const id = await loadModel(server);
    const execution = await session.callTool('train', { model_id: id, epochs: 50_000 });
    const taskId = execution.handle!.taskId;
    // Running first, so that the cancellation stops work on the pool rather than a waiting task.
    for (let i = 0; i < 100; i++) {
      if ((await session.task(taskId).snapshot()).statusMessage?.startsWith('epoch')) break;
      await new Promise((resolve) => setTimeout(resolve, 100));
    }
    await execution.cancel();
    const { outcome } = await execution.settle();
    expect(outcome.status).toBe('cancelled');
    expect((await session.task(taskId).snapshot()).status).toBe('cancelled');
    expect((await server.call('get_parameters', { model_id: id })).body.version).toBe(0);
  }, 30_000);

  it('answers an unknown task as invalid params', async () => {
    await expect(session.task(asTaskId('no-such-task')).snapshot()).rejects.toMatchObject({
      code: -32602,
      message: expect.stringContaining('Task not found: no-such-task') as string,
    });
  });

  it('gives a client that did not declare the extension (and a 2025-11-25 one) the result itself', async () => {
    const id = await loadModel(server);
    for (const kind of ['v2', 'v1'] as const) {
      const plain = await httpClient(`${server.url}${MCP_PATH}`, kind);
      try {
        const result = await plain.callTool('train', { model_id: id, epochs: 5 });
        expect(result.structuredContent, kind).toMatchObject({ success: true, epochs: 5 });
      } finally {
        await plain.close();
      }
    }
  });
});

describe('the Tasks extension with tenants and scopes, as for /tasks', () => {
  let server: RunningMcpServer;
  const opened: Array<{ session: TaskEnabledSession; client: Client }> = [];

  async function sessionOf(key: string): Promise<TaskEnabledSession> {
    const headers = { authorization: `Bearer ${key}` };
    const client = await modernHttpClient(`${server.url}${MCP_PATH}`, headers);
    const session = taskSession(client, `${server.url}${MCP_PATH}`, headers);
    opened.push({ session, client });
    return session;
  }

  beforeAll(async () => {
    server = await startMcpServer({ AUTH_ENABLED: 'true', MULTI_TENANT_ENABLED: 'true' });
  });
  afterAll(async () => {
    for (const { session, client } of opened) {
      await session.close();
      await client.close();
    }
    await server?.close();
  });

  it("keeps a task its tenant's: another tenant's key finds it no more than a made-up id", async () => {
    const alphaKey = await keyOf(server.services, 'alpha');
    const alpha = await sessionOf(alphaKey);
    const beta = await sessionOf(await keyOf(server.services, 'beta'));
    const id = await loadModel(server, alphaKey);
    const execution = await alpha.callTool('train', { model_id: id, epochs: 5 });
    const taskId = execution.handle!.taskId;
    await execution.settle();
    const others = await beta
      .task(taskId)
      .snapshot()
      .catch((error: unknown) => error);
    const nobodys = await beta
      .task(asTaskId(UNKNOWN_TASK))
      .snapshot()
      .catch((e: unknown) => e);
    expect(others).toMatchObject({
      code: -32602,
      message: `Task not found: ${taskId} (unknown, or its result has expired)`,
    });
    expect(nobodys).toMatchObject({ code: -32602 });
    await expect(beta.cancelTask(taskId)).rejects.toMatchObject({ code: -32602 });
    expect((await alpha.task(taskId).snapshot()).status).toBe('completed');
  }, 30_000);

  it('runs the call of a key without the write scope as a call, refused as it would be', async () => {
    const reader = await sessionOf(await keyOf(server.services, 'alpha', ['read']));
    const refused = await reader.callTool('train', { model_id: 'quasimoto_1d_1', epochs: 5 });
    expect(refused.kind).toBe('immediate');
    const { outcome } = await refused.settle();
    expect((outcome as { result: TaskResult }).result).toMatchObject({
      isError: true,
      structuredContent: { code: 'forbidden' },
    });
    // Reading tasks needs read, cancelling needs write.
    await expect(reader.cancelTask(asTaskId(UNKNOWN_TASK))).rejects.toMatchObject({
      code: -32000,
      message: expect.stringContaining('cancel_task needs the write scope') as string,
    });
  });
});
