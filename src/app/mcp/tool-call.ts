import type { CallToolRequest, CallToolResult, ServerContext } from '@modelcontextprotocol/server';
import { DredgeError, errorBody } from '../../services/errors.js';
import { tooDeepError, valueTooDeep } from '../json-depth.js';
import { requestContext } from '../operations/request-context.js';
import { runOperation, type Catalogue, type ProgressUpdate } from '../operations/index.js';
import type { AppServices } from '../services.js';
import type { ProtocolFacts } from './protocol-facts.js';
import { answersWithTask, queueCall } from './task-calls.js';
import { taskOnWire } from './task-wire.js';
import { acceptsTasks } from './tasks-extension.js';
import { invalidParams, toolAnswer, toolFailure } from './tool-results.js';

/**
 * `tools/call`: the operation of the tool's name, run by `runOperation` with the exchange's facts (so validation,
 * scopes, rate limits, caching, metrics and tracing are the JSON API's), its signal (the client cancelling, or
 * going away) and its progress token. Input that fails validation is a JSON-RPC "invalid params" error with the
 * catalogue's sentence; any other failure is a tool result with `isError` and the JSON API's error body. A client
 * that accepts tasks gets the long calls (see `answersWithTask`) as a task of the task service instead.
 */
export async function callTool(
  request: CallToolRequest,
  ctx: ServerContext,
  services: AppServices,
  catalogue: Catalogue,
  facts: ProtocolFacts,
): Promise<CallToolResult> {
  const { name, arguments: args } = request.params;
  const operation = catalogue.get(name);
  if (!operation)
    throw invalidParams(new DredgeError('invalid_input', `Unknown tool: ${name.slice(0, 100)}`));
  // Over stdio the SDK hands the arguments over parsed, at any depth (over HTTP the body parser has already
  // refused deeper bodies): checked before anything copies, validates or serializes them.
  if (valueTooDeep(args)) throw invalidParams(tooDeepError('The tool’s input'));
  const progressToken = request.params._meta?.progressToken;
  // Progress is reported from inside synchronous compute steps; the notifications are awaited before the result
  // goes out, so that none arrives after it (a client stops listening for progress once it has the result).
  const notifications: Array<Promise<void>> = [];
  const progress = (update: ProgressUpdate) => {
    if (progressToken === undefined) return;
    notifications.push(
      ctx.mcpReq
        .notify({ method: 'notifications/progress', params: { progressToken, ...update } })
        .catch(() => undefined),
    );
  };
  const context = requestContext(services, { ...facts, signal: ctx.mcpReq.signal, progress });
  try {
    if (acceptsTasks(ctx) && (await answersWithTask(operation, args, catalogue, context))) {
      const queued = await queueCall(operation, args, catalogue, context);
      const task = taskOnWire(queued, services.config.queue.resultTtlMs);
      // The extension's answer to a call it turned into a task (the SDK passes a `resultType` other than
      // `complete` through for tools/call); `content` is the empty list a tool result without one gets.
      return { content: [], resultType: 'task', ...task } as CallToolResult;
    }
    const outcome = await runOperation(operation, args ?? {}, context).finally(() =>
      Promise.all(notifications),
    );
    return toolAnswer(outcome.json, outcome.value);
  } catch (error) {
    if (!(error instanceof DredgeError)) throw error;
    if (error.code === 'invalid_input') throw invalidParams(error);
    // A 2025 client checks structured content against the tool's output schema even in an error result (the v1
    // SDK does), which an error body does not match: it gets the body as text only. A 2026-07-28 request carries
    // its per-request envelope; such clients read an error's structured content as the error it is.
    return toolFailure(errorBody(error), ctx.mcpReq.envelope !== undefined);
  }
}
