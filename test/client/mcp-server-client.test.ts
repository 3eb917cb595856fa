import { inspect } from 'node:util';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { DredgeClientError, McpServerClient } from '../../src/client/index.js';
import { startMcpServer, type RunningMcpServer } from '../helpers/mcp-server.js';
import { expectNoSecret, keyWith, recordingFetch, rejectionOf } from './client-test-kit.js';

describe('McpServerClient against a real MCP server with AUTH_ENABLED', () => {
  let server: RunningMcpServer;
  let writer: string;
  let reader: string;
  let client: McpServerClient;

  beforeAll(async () => {
    server = await startMcpServer({ AUTH_ENABLED: 'true' });
    [writer, reader] = await Promise.all([
      keyWith(server.services, 'read', 'write'),
      keyWith(server.services, 'read'),
    ]);
    client = new McpServerClient({ baseUrl: server.url, apiKey: writer });
  });
  afterAll(async () => {
    await server?.close();
  });

  it('runs operations through POST /mcp and answers what the JSON API answers', async () => {
    const loaded = await client.call('load_model', { model_type: 'quasimoto_1d', config: { seed: 7 } });
    expect(loaded).toMatchObject({ success: true, model_type: 'quasimoto_1d', version: 0 });
    const modelId: string = loaded.model_id;
    const inferred = await client.call('inference', {
      model_id: modelId,
      inputs: { x: [0.25, 0.5], t: [0] },
    });
    // The same request sent by hand gets the same answer.
    const direct = await fetch(`${server.url}/mcp`, {
      method: 'POST',
      headers: { 'content-type': 'application/json', authorization: `Bearer ${writer}` },
      body: JSON.stringify({
        operation: 'inference',
        params: { model_id: modelId, inputs: { x: [0.25, 0.5], t: [0] } },
      }),
    });
    const sentByHand = (await direct.json()) as Record<string, unknown>;
    expect({ ...inferred, cached: undefined }).toEqual({ ...sentByHand, cached: undefined });
    expect(inferred.output).toHaveLength(2);
    // An operation whose params all have defaults is called without any.
    const spectrum = await client.call('string_spectrum');
    expect(spectrum).toMatchObject({ success: true, max_modes: 10, dimensions: 10 });
    expect((await client.call('list_models')).count).toBe(1);
  });

  it('sends the key as Authorization: Bearer, and answers GET / with the capabilities', async () => {
    const recorded = recordingFetch();
    const recording = new McpServerClient({
      baseUrl: `${server.url}/`,
      apiKey: reader,
      fetch: recorded.fetch,
    });
    const capabilities = await recording.capabilities();
    expect(capabilities.capabilities.operations).toContain('inference');
    expect(recorded.seen).toEqual([
      expect.objectContaining({
        method: 'GET',
        url: `${server.url}/`,
        status: 200,
        authorization: `Bearer ${reader}`,
      }),
    ]);
    expect(await recording.health()).toMatchObject({ status: 'healthy' });
    expect(await recording.ready()).toMatchObject({ status: 'ready' });
  });

  it('throws the server’s refusals as DredgeClientError with status, code and the sentence', async () => {
    const invalid = await rejectionOf(client.call('string_spectrum', { max_modes: 0 }));
    expect(invalid).toBeInstanceOf(DredgeClientError);
    expect(invalid).toMatchObject({
      status: 400,
      code: 'invalid_input',
      method: 'POST',
      url: `${server.url}/mcp`,
      operation: 'string_spectrum',
      retryAfter: undefined,
    });
    expect((invalid as Error).message).toMatch(/^params\.max_modes must be a whole number from 1 to 10000/);

    const missing = await rejectionOf(client.call('get_parameters', { model_id: 'quasimoto_1d_999999' }));
    expect(missing).toMatchObject({
      status: 404,
      code: 'not_found',
      message: 'Model not found: quasimoto_1d_999999',
    });

    const anonymous = new McpServerClient({ baseUrl: server.url });
    expect(await rejectionOf(anonymous.call('list_models'))).toMatchObject({
      status: 401,
      code: 'unauthorized',
    });

    const readOnly = new McpServerClient({ baseUrl: server.url, apiKey: reader });
    const forbidden = await rejectionOf(readOnly.call('load_model', { model_type: 'quasimoto_1d' }));
    expect(forbidden).toMatchObject({
      status: 403,
      code: 'forbidden',
      message: 'load_model needs the write scope; this key has: read.',
    });
  });

  it('never shows the API key: not in errors, their causes, nor the client itself', async () => {
    const wrongKey = `${writer.slice(0, -10)}${writer.at(-10) === 'B' ? 'C' : 'B'}${writer.slice(-9)}`;
    const wrong = new McpServerClient({ baseUrl: server.url, apiKey: wrongKey });
    const refused = await rejectionOf(wrong.call('list_models'));
    expect(refused).toMatchObject({ status: 401 });
    expectNoSecret(refused, wrongKey);
    expectNoSecret(wrong, wrongKey);
    expect(inspect(client)).not.toContain(writer);

    // A server that is not there: the network failure keeps fetch's own error as its cause.
    const away = new McpServerClient({ baseUrl: 'http://127.0.0.1:9', apiKey: writer });
    const unreachable = await rejectionOf(away.call('list_models'));
    expect(unreachable).toMatchObject({ status: 0, code: 'network_error' });
    expect((unreachable as Error).cause).toBeInstanceOf(Error);
    expectNoSecret(unreachable, writer);

    // A fetch whose failure repeats the request's headers: the key is hidden, and the cause left out.
    const echoing = new McpServerClient({
      baseUrl: server.url,
      apiKey: writer,
      fetch: (_url, init) =>
        Promise.reject(new Error(`proxy refused ${new Headers(init.headers).get('authorization')}`)),
    });
    const echoed = await rejectionOf(echoing.call('list_models'));
    expect(echoed).toMatchObject({ code: 'network_error' });
    expect((echoed as Error).cause).toBeUndefined();
    expect((echoed as Error).message).toContain('proxy refused Bearer [api key]');
    expectNoSecret(echoed, writer);
  });
});

describe('McpServerClient tasks against a real MCP server', () => {
  let server: RunningMcpServer;
  let client: McpServerClient;

  beforeAll(async () => {
    server = await startMcpServer({ AUTH_ENABLED: 'true', WORKER_CONCURRENCY: '2' });
    client = new McpServerClient({
      baseUrl: server.url,
      apiKey: await keyWith(server.services, 'read', 'write'),
    });
  });
  afterAll(async () => {
    await server?.close();
  });

  /** A benchmark that trains for several seconds (7 s on this project's machine), cancelled long before. */
  const longBenchmark = { model_type: 'quasimoto_1d', config: { epochs: 100_000, seed: 1 } } as const;

  it('submits a task, waits for it with backoff, and reads its result', async () => {
    const submitted = await client.tasks.submit('string_spectrum', { max_modes: 5 });
    expect(submitted).toMatchObject({ success: true, operation: 'string_spectrum' });
    expect(['pending', 'running', 'completed']).toContain(submitted.status);
    const finished = await client.tasks.wait(submitted.task_id, { initialIntervalMs: 10 });
    expect(finished).toMatchObject({ status: 'completed', error: null, task_id: submitted.task_id });
    const result = await client.tasks.result<'string_spectrum'>(submitted.task_id);
    const direct = await client.call('string_spectrum', { max_modes: 5 });
    expect(result.energy_spectrum).toEqual(direct.energy_spectrum);
    expect((await client.tasks.get(submitted.task_id)).result).toEqual(result);
  });

  it('runs a task to its result in one call, and reports the queue', async () => {
    const benchmark = await client.tasks.run('benchmark', {
      model_type: 'quasimoto_1d',
      config: { epochs: 20, seed: 3 },
    });
    expect(benchmark).toMatchObject({ success: true, model_type: 'quasimoto_1d', epochs: 20 });
    const stats = await client.tasks.stats();
    expect(stats).toMatchObject({ success: true, backend: 'local' });
    expect(stats.completed).toBeGreaterThanOrEqual(1);
  });

  it('throws a failed task’s failure from run and result, with its code and task id', async () => {
    const failure = await rejectionOf(
      client.tasks.run('inference', { model_id: 'quasimoto_1d_424242', inputs: { x: [1] } }),
    );
    expect(failure).toBeInstanceOf(DredgeClientError);
    expect(failure).toMatchObject({
      code: 'not_found',
      status: 0,
      operation: 'inference',
      message: 'Model not found: quasimoto_1d_424242',
    });
    const taskId = (failure as DredgeClientError).taskId;
    expect(taskId).toMatch(/^[A-Za-z0-9-]+$/);
    expect(await rejectionOf(client.tasks.result(taskId!))).toMatchObject({ code: 'not_found' });
  });

  it('refuses a bad task at submission, naming the field', async () => {
    const refused = await rejectionOf(client.tasks.submit('string_spectrum', { max_modes: -1 }));
    expect(refused).toMatchObject({ status: 400, code: 'invalid_input', operation: 'submit_task' });
    expect((refused as Error).message).toMatch(/params\.params\.max_modes must be/);
  });

  it('stops waiting at its timeout or its signal while the task goes on, and cancels it', async () => {
    const submitted = await client.tasks.submit('benchmark', longBenchmark);
    const polls: string[] = [];
    const started = performance.now();
    const timedOut = await rejectionOf(
      client.tasks.wait(submitted.task_id, { timeoutMs: 400, onPoll: (task) => polls.push(task.status) }),
    );
    expect(performance.now() - started).toBeLessThan(2_000);
    expect(timedOut).toMatchObject({ code: 'timeout', status: 0, taskId: submitted.task_id });
    expect(polls.length).toBeGreaterThanOrEqual(2);
    expect(await rejectionOf(client.tasks.result(submitted.task_id))).toMatchObject({
      code: 'task_not_finished',
    });

    const controller = new AbortController();
    setTimeout(() => controller.abort(), 150);
    const aborted = await rejectionOf(client.tasks.wait(submitted.task_id, { signal: controller.signal }));
    expect(aborted).toMatchObject({ code: 'aborted', taskId: submitted.task_id });

    const cancelled = await client.tasks.cancel(submitted.task_id);
    expect(cancelled.task_id).toBe(submitted.task_id);
    expect((await client.tasks.wait(submitted.task_id)).status).toBe('cancelled');
    expect(await rejectionOf(client.tasks.result(submitted.task_id))).toMatchObject({
      code: 'task_cancelled',
      taskId: submitted.task_id,
    });
  });
});
