import { CLIENT_CAPABILITIES_META_KEY, type Server, type ServerContext } from '@modelcontextprotocol/server';
import { z } from 'zod';
import { DredgeError } from '../../services/errors.js';
import { requestContext } from '../operations/request-context.js';
import { runOperation, type Catalogue } from '../operations/index.js';
import type { AppServices } from '../services.js';
import type { ProtocolFacts } from './protocol-facts.js';
import { detailedTaskOnWire, taskViewOf } from './task-wire.js';
import { protocolError } from './tool-results.js';

/** The Tasks extension's identifier: a server advertises it, a client declares it on each request. */
export const TASKS_EXTENSION = 'io.modelcontextprotocol/tasks';

/**
 * Whether the request's client declared the Tasks extension in its per-request capabilities (2026-07-28): only
 * such a client can follow a task, so only its tool calls may be answered with one. A 2025-11-25 client has no
 * per-request envelope, and always gets the result itself.
 */
export function acceptsTasks(ctx: ServerContext): boolean {
  const envelope: Readonly<Record<string, unknown>> | undefined = ctx.mcpReq.envelope;
  const capabilities = envelope?.[CLIENT_CAPABILITIES_META_KEY];
  if (!isObject(capabilities) || !isObject(capabilities.extensions)) return false;
  return isObject(capabilities.extensions[TASKS_EXTENSION]);
}

function isObject(value: unknown): value is Readonly<Record<string, unknown>> {
  return typeof value === 'object' && value !== null && !Array.isArray(value);
}

/**
 * A task request's params: its id, as `submit_task` answered it (the operations check its form, with their own
 * sentences). Other members (`_meta`, a client's own) are let through, as the extension's schemas let them.
 */
const TASK_PARAMS = z.looseObject({ taskId: z.string() });

/** `tasks/update`'s params: DREDGE's tasks never ask for input, so there is never anything to update. */
const UPDATE_PARAMS = z.looseObject({
  taskId: z.string(),
  inputResponses: z.record(z.string(), z.unknown()),
});

/**
 * The server side of the Tasks extension, on our task service: `tasks/get` answers a task's status, progress and,
 * once it ended, its result; `tasks/cancel` cancels it; `tasks/update` has nothing to update. Each runs the
 * catalogue operation of the same meaning (`get_task`, `cancel_task`) with the caller's facts, so a task is its
 * tenant's and the scopes are those of `/tasks`; tasks live in the queue (local or BullMQ), so any replica sharing
 * it answers for any task. The extension has no listing method; `get_queue_stats` counts them.
 */
export function registerTaskMethods(
  server: Server,
  services: AppServices,
  catalogue: Catalogue,
  facts: ProtocolFacts,
): void {
  const ttlMs = services.config.queue.resultTtlMs;
  const run = async (operation: string, taskId: string, ctx: ServerContext) => {
    const context = requestContext(services, { ...facts, signal: ctx.mcpReq.signal });
    try {
      return await runOperation(catalogue.find(operation), { task_id: taskId }, context);
    } catch (error) {
      if (error instanceof DredgeError) throw protocolError(error);
      throw error;
    }
  };

  server.setRequestHandler('tasks/get', { params: TASK_PARAMS }, async (params, ctx) => {
    const outcome = await run('get_task', params.taskId, ctx);
    // The task is the result itself (the SDK adds `resultType: complete`).
    return detailedTaskOnWire(taskViewOf(outcome.value), ttlMs);
  });

  server.setRequestHandler('tasks/cancel', { params: TASK_PARAMS }, async (params, ctx) => {
    await run('cancel_task', params.taskId, ctx);
    return {};
  });

  server.setRequestHandler('tasks/update', { params: UPDATE_PARAMS }, async (params, ctx) => {
    // Found first, so that an unknown (or another tenant's) task is "not found", as for get and cancel.
    await run('get_task', params.taskId, ctx);
    return {};
  });
}
