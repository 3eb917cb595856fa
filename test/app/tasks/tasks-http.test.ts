import { randomBytes } from 'node:crypto';
import { setTimeout as sleep } from 'node:timers/promises';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startMcpServer, type RunningMcpServer } from '../../helpers/mcp-server.js';

/** The /tasks resource and the task operations on a server running its own tasks (QUEUE_BACKEND=local). */
describe('tasks on a server with the local queue', () => {
  let server: RunningMcpServer;

  beforeAll(async () => {
    // Bodies up to 4 MiB, so that params over their own 1 MiB bound reach it.
    server = await startMcpServer({
      TRACE_SAMPLE_RATIO: '1',
      TASK_BACKOFF: '0.05',
      MAX_BODY_BYTES: String(4 * 1024 * 1024),
    });
  });

  afterAll(async () => {
    await server?.close();
  });

  async function request(method: string, path: string, body?: unknown, headers: Record<string, string> = {}) {
    const response = await fetch(`${server.url}${path}`, {
      method,
      headers: body === undefined ? headers : { 'content-type': 'application/json', ...headers },
      ...(body === undefined ? {} : { body: typeof body === 'string' ? body : JSON.stringify(body) }),
    });
    return {
      status: response.status,
      location: response.headers.get('location'),
      body: (await response.json()) as Record<string, unknown>,
    };
  }

  async function finished(id: string): Promise<Record<string, unknown>> {
    for (let i = 0; i < 400; i++) {
      const { body } = await request('GET', `/tasks/${id}`);
      if (['completed', 'failed', 'cancelled'].includes(body.status as string)) return body;
      await sleep(25);
    }
    throw new Error(`task ${id} did not finish`);
  }

  it('queues with POST /tasks (202 and Location), runs, and answers the result on GET /tasks/{id}', async () => {
    const traceId = randomBytes(16).toString('hex');
    const params = { dredge_insight: 'Digital memory', quasimoto_coords: [0.1, 0.2], string_modes: [1, 2] };
    const submitted = await request(
      'POST',
      '/tasks',
      { operation: 'unified_inference', params },
      { traceparent: `00-${traceId}-${randomBytes(8).toString('hex')}-01` },
    );
    expect(submitted.status).toBe(202);
    expect(submitted.body).toMatchObject({
      success: true,
      status: 'pending',
      operation: 'unified_inference',
    });
    expect(submitted.location).toBe(`/tasks/${submitted.body.task_id as string}`);
    const done = await finished(submitted.body.task_id as string);
    const direct = await server.call('unified_inference', params);
    expect(done).toMatchObject({ success: true, status: 'completed', attempts: 1, error: null });
    expect((done.result as Record<string, unknown>).unified_field).toEqual(direct.body.unified_field);
    // The task's span continues the submitting request's trace.
    const spans = server.services.telemetry.tracing.recentSpans({ traceId });
    const taskSpan = spans.find((span) => span.operationName === 'task unified_inference');
    expect(spans.map((span) => span.spanID)).toContain(taskSpan?.parentSpanID);
  });

  it('serves the same through the operations, cancels, and counts in GET /tasks', async () => {
    const slow = await server.call('submit_task', {
      operation: 'benchmark',
      params: { model_type: 'quasimoto_ensemble', config: { epochs: 50_000 } },
    });
    expect(slow.status).toBe(200);
    const id = slow.body.task_id as string;
    for (
      let i = 0;
      i < 200 && (await server.call('get_task', { task_id: id })).body.status !== 'running';
      i++
    ) {
      await sleep(25);
    }
    const cancelled = await request('DELETE', `/tasks/${id}`);
    expect(cancelled).toMatchObject({ status: 200, body: { status: 'cancelled', task_id: id } });
    const stats = await request('GET', '/tasks');
    expect(stats.body).toMatchObject({ success: true, backend: 'local', waiting: 0, running: 0, workers: 1 });
    expect((await server.call('get_queue_stats', {})).body).toMatchObject({ backend: 'local' });
  });

  it('records a failed task with the operation’s error', async () => {
    const submitted = await request('POST', '/tasks', {
      operation: 'inference',
      params: { model_id: 'quasimoto_1d_999', inputs: { x: [0.1] } },
    });
    expect(await finished(submitted.body.task_id as string)).toMatchObject({
      status: 'failed',
      attempts: 1,
      error: { code: 'not_found', message: 'Model not found: quasimoto_1d_999' },
    });
  });

  it('does not retry what waiting cannot fix, and rounds a tiny timeout up to a millisecond', async () => {
    const unconfigured = await request('POST', '/tasks', { operation: 'get_dependabot_alerts', attempts: 5 });
    expect(await finished(unconfigured.body.task_id as string)).toMatchObject({
      status: 'failed',
      attempts: 1,
      error: { code: 'unavailable', message: 'GITHUB_TOKEN not set' },
    });
    const hurried = await request('POST', '/tasks', {
      operation: 'benchmark',
      params: { model_type: 'quasimoto_ensemble', config: { epochs: 2000 } },
      timeout: 1e-9,
    });
    expect(await finished(hurried.body.task_id as string)).toMatchObject({
      status: 'failed',
      error: { code: 'timeout', message: expect.stringContaining('(0.001 s)') },
    });
  });

  it.each([
    ['a body that is not an object', '[1,2]', 400, 'must be a JSON object'],
    ['no operation', {}, 400, 'params.operation'],
    ['an unknown operation', { operation: 'launch_rockets' }, 404, 'Unknown operation: launch_rockets'],
    ['a task operation', { operation: 'get_task', params: {} }, 400, 'tasks cannot queue tasks'],
    [
      'invalid params',
      { operation: 'string_spectrum', params: { max_modes: 0 } },
      400,
      'params.params.max_modes',
    ],
    ['0 attempts', { operation: 'unified_inference', attempts: 0 }, 400, 'params.attempts'],
    ['21 attempts', { operation: 'unified_inference', attempts: 21 }, 400, 'from 1 to 20'],
    ['a negative timeout', { operation: 'unified_inference', timeout: -1 }, 400, 'params.timeout'],
    ['a huge timeout', { operation: 'unified_inference', timeout: 1e9 }, 400, 'params.timeout'],
    [
      'a timeout over the maximum',
      { operation: 'unified_inference', timeout: 86_400.5 },
      400,
      'params.timeout must be a number greater than 0 and at most 86400',
    ],
    ['params that are not an object', { operation: 'unified_inference', params: [1] }, 400, 'params.params'],
    [
      'params over 1 MiB',
      {
        operation: 'unified_inference',
        params: { dredge_insight: 'x'.repeat(60_000), pad: 'y'.repeat(1_100_000) },
      },
      413,
      'params.params must be at most 1048576 bytes',
    ],
  ])('answers POST /tasks with %s: %i naming the field', async (_what, body, status, sentence) => {
    const answer = await request('POST', '/tasks', body);
    expect(answer.status).toBe(status);
    expect(answer.body).toMatchObject({ success: false, error: expect.stringContaining(sentence) });
  });

  it.each([
    ['GET', `/tasks/${'a'.repeat(65)}`, 400, 'params.task_id'],
    ['GET', '/tasks/not%20an%20id', 400, 'params.task_id'],
    ['GET', '/tasks/%E0%A4%A', 400, 'broken percent-encoding'],
    ['GET', `/tasks/${'b'.repeat(500)}`, 400, 'longer than 100 characters'],
    ['GET', '/tasks/0f8fad5b-d9cb-469f-a165-70867728950e', 404, 'Task not found'],
    ['DELETE', '/tasks/0f8fad5b-d9cb-469f-a165-70867728950e', 404, 'Task not found'],
  ])('answers %s %s with %i', async (method, path, status, sentence) => {
    const answer = await request(method, path);
    expect(answer.status).toBe(status);
    expect(answer.body.error).toEqual(expect.stringContaining(sentence));
  });
});

describe('task results over TASK_RESULT_MAX_BYTES', () => {
  it('fail the task with too_large naming the key, instead of storing a row of any size', async () => {
    const server = await startMcpServer({ TASK_RESULT_MAX_BYTES: '4096' });
    try {
      const loaded = await server.call('load_model', {
        model_type: 'quasimoto_ensemble',
        config: { n_waves: 64 },
      });
      const params = { model_id: loaded.body.model_id };
      const direct = await server.call('get_parameters', params);
      expect(JSON.stringify(direct.body).length).toBeGreaterThan(4096);
      const { body } = await server.call('submit_task', { operation: 'get_parameters', params, attempts: 3 });
      const done = await server.services.tasks.wait(body.task_id as string, 10_000);
      expect(done).toMatchObject({
        status: 'failed',
        attempts: 1,
        result: null,
        error: { code: 'too_large' },
      });
      expect(done?.error?.message).toMatch(
        /^get_parameters answered \d+ bytes of JSON, more than a task may keep as its result \(TASK_RESULT_MAX_BYTES, 4096 bytes\): run it as a request instead\.$/,
      );
    } finally {
      await server.close();
    }
  });
});
