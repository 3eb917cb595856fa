import { describe, expect, it } from 'vitest';
import { isJsonRpcBody } from '../../../src/app/mcp/http-route.js';
import { TASK_POLL_INTERVAL_MS, detailedTaskOnWire, taskOnWire } from '../../../src/app/mcp/task-wire.js';
import type { TaskView } from '../../../src/services/queue/index.js';

const TTL = 86_400_000;

function view(overrides: Partial<TaskView>): TaskView {
  return {
    task_id: 't-1',
    operation: 'train',
    status: 'pending',
    created_at: '2026-01-01T00:00:00.000Z',
    started_at: null,
    completed_at: null,
    attempts: 0,
    max_attempts: 3,
    result: null,
    error: null,
    worker: null,
    progress: null,
    ...overrides,
  };
}

describe('our tasks as the Tasks extension shows them', () => {
  it('shows a waiting or running task as working, with what it waits for or its progress, and a poll hint', () => {
    expect(taskOnWire(view({}), TTL)).toEqual({
      taskId: 't-1',
      status: 'working',
      statusMessage: 'waiting for a worker',
      createdAt: '2026-01-01T00:00:00.000Z',
      lastUpdatedAt: '2026-01-01T00:00:00.000Z',
      ttlMs: TTL,
      pollIntervalMs: TASK_POLL_INTERVAL_MS,
    });
    expect(taskOnWire(view({ attempts: 1 }), TTL).statusMessage).toBe('waiting to be retried');
    const running = view({ status: 'running', started_at: '2026-01-01T00:00:01.000Z' });
    expect(taskOnWire(running, TTL)).toMatchObject({
      status: 'working',
      statusMessage: 'running',
      lastUpdatedAt: '2026-01-01T00:00:01.000Z',
    });
    expect(taskOnWire({ ...running, progress: { progress: 5, total: 20 } }, TTL).statusMessage).toBe(
      '5 of 20',
    );
    expect(
      taskOnWire({ ...running, progress: { progress: 5, total: 20, message: 'epoch 5/20: loss 0.1' } }, TTL)
        .statusMessage,
    ).toBe('epoch 5/20: loss 0.1');
  });

  it('ends a task as the call would have ended: its answer, an isError body, or invalid params', () => {
    const ended = { started_at: '2026-01-01T00:00:01.000Z', completed_at: '2026-01-01T00:00:02.000Z' };
    const completed = detailedTaskOnWire(
      view({ ...ended, status: 'completed', result: { success: true, version: 5 } }),
      TTL,
    );
    expect(completed).toMatchObject({
      status: 'completed',
      lastUpdatedAt: ended.completed_at,
      result: {
        resultType: 'complete',
        content: [{ type: 'text', text: '{"success":true,"version":5}' }],
        structuredContent: { success: true, version: 5 },
      },
    });
    expect(completed).not.toHaveProperty('pollIntervalMs');
    const notFound = { code: 'not_found', message: 'Model not found: m' };
    expect(detailedTaskOnWire(view({ ...ended, status: 'failed', error: notFound }), TTL)).toMatchObject({
      status: 'completed',
      result: {
        isError: true,
        structuredContent: { success: false, error: 'Model not found: m', code: 'not_found' },
      },
    });
    const invalid = {
      code: 'invalid_input',
      message: 'params.epochs must be a whole number from 1 to 100000',
    };
    expect(detailedTaskOnWire(view({ ...ended, status: 'failed', error: invalid }), TTL)).toMatchObject({
      status: 'failed',
      error: { code: -32602, message: invalid.message },
    });
    const cancelled = detailedTaskOnWire(view({ ...ended, status: 'cancelled' }), TTL);
    expect(cancelled).toMatchObject({ status: 'cancelled' });
    expect(cancelled).not.toHaveProperty('result');
  });
});

describe('telling the JSON API from the protocol on POST /mcp', () => {
  it('takes an object with jsonrpc, or an array, for the protocol; anything else for the JSON API', () => {
    expect(isJsonRpcBody({ jsonrpc: '2.0', id: 1, method: 'tools/list' })).toBe(true);
    expect(isJsonRpcBody([{ jsonrpc: '2.0', id: 1, method: 'tools/list' }])).toBe(true);
    expect(isJsonRpcBody([])).toBe(true);
    expect(isJsonRpcBody({ operation: 'list_models' })).toBe(false);
    expect(isJsonRpcBody({ operation: 'x', params: { jsonrpc: '2.0' } })).toBe(false);
    expect(isJsonRpcBody(Object.create({ jsonrpc: '2.0' }))).toBe(false);
    for (const other of [null, 'jsonrpc', 42, true]) expect(isJsonRpcBody(other)).toBe(false);
  });
});
