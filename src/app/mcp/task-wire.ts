import type { CallToolResult } from '@modelcontextprotocol/server';
import type { TaskView } from '../../services/queue/index.js';
import { toolAnswer, toolFailure } from './tool-results.js';

/**
 * The Tasks extension's wire shapes (`io.modelcontextprotocol/tasks`, protocol revision 2026-07-28), as the
 * extension's own schemas (`@modelcontextprotocol/ext-tasks/core/v2`, a client package) define them, written here
 * for the server side: a task is its id, status, times, retention and a poll hint; `tasks/get` adds the outcome.
 */
export type TaskStatus = 'working' | 'input_required' | 'completed' | 'failed' | 'cancelled';

export type TaskOnWire = {
  readonly taskId: string;
  readonly status: TaskStatus;
  readonly statusMessage?: string;
  readonly createdAt: string;
  readonly lastUpdatedAt: string;
  /** How long the task can be read after it finished, in ms (TASK_RESULT_TTL). */
  readonly ttlMs: number | null;
  readonly pollIntervalMs?: number;
};

/** `tasks/get`'s answer: the task, and once it ended its tool result (completed) or JSON-RPC error (failed). */
export type DetailedTaskOnWire = TaskOnWire & {
  readonly result?: CallToolResult & { readonly resultType: 'complete' };
  readonly error?: { readonly code: number; readonly message: string; readonly data?: unknown };
};

/** A task operation's answer (`submit_task`, `get_task`, `cancel_task`: the task's view, with `success`). */
export function taskViewOf(answer: Readonly<Record<string, unknown>>): TaskView {
  return answer as unknown as TaskView;
}

/** How often a client is asked to poll: a training's progress moves every few hundred milliseconds. */
export const TASK_POLL_INTERVAL_MS = 500;

/**
 * Our task as the extension sees it. Pending and running are both `working` (a retried task goes back to pending,
 * still working); its progress, or what it waits for, is the status message. A finished task ends as the same
 * tools/call would have: its answer, or the JSON API's error body as an `isError` result, is `completed`; only
 * input that failed validation, which a direct call answers with JSON-RPC's "invalid params", is `failed`.
 */
export function taskOnWire(view: TaskView, ttlMs: number): TaskOnWire {
  const status = wireStatus(view);
  const message = statusMessage(view);
  return {
    taskId: view.task_id,
    status,
    ...(message === undefined ? {} : { statusMessage: message }),
    createdAt: view.created_at,
    lastUpdatedAt: view.completed_at ?? view.started_at ?? view.created_at,
    ttlMs,
    ...(status === 'working' ? { pollIntervalMs: TASK_POLL_INTERVAL_MS } : {}),
  };
}

/** `tasks/get`'s answer for our task: the task, with its tool result or error once it has ended. */
export function detailedTaskOnWire(view: TaskView, ttlMs: number): DetailedTaskOnWire {
  const task = taskOnWire(view, ttlMs);
  if (task.status === 'failed' && view.error) {
    return { ...task, error: { code: INVALID_PARAMS, message: view.error.message } };
  }
  if (task.status !== 'completed') return task;
  const result =
    view.status === 'completed'
      ? toolAnswer(JSON.stringify(view.result), asObject(view.result))
      : toolFailure({
          success: false,
          error: view.error?.message ?? 'The task failed.',
          code: view.error?.code ?? 'internal',
        });
  return { ...task, result: { resultType: 'complete', ...result } };
}

/** JSON-RPC's "invalid params", the code a direct call's validation failure carries. */
const INVALID_PARAMS = -32602;

function wireStatus(view: TaskView): TaskStatus {
  switch (view.status) {
    case 'pending':
    case 'running':
      return 'working';
    case 'completed':
      return 'completed';
    case 'cancelled':
      return 'cancelled';
    case 'failed':
      return view.error?.code === 'invalid_input' ? 'failed' : 'completed';
  }
}

function statusMessage(view: TaskView): string | undefined {
  if (view.status === 'pending') return view.attempts > 0 ? 'waiting to be retried' : 'waiting for a worker';
  if (view.status !== 'running') return undefined;
  const progress = view.progress;
  if (!progress) return 'running';
  return progress.message ?? `${progress.progress} of ${progress.total}`;
}

function asObject(value: unknown): Readonly<Record<string, unknown>> {
  return value !== null && typeof value === 'object' && !Array.isArray(value)
    ? (value as Record<string, unknown>)
    : { value };
}
