import { JSON_RPC_EXAMPLES, NOT_ALLOWED_RESPONSE, PROTOCOL_REFUSALS } from './json-rpc.js';
import { pathParameters, propertyOf, ref, type JsonSchema } from './json-schema.js';
import { componentNames } from './operation-components.js';
import { OPERATION_EXAMPLES } from './operation-examples.js';
import {
  answerOf,
  json,
  type Example,
  type OperationName,
  type ParamsOf,
  type RouteDoc,
} from './route-doc.js';

/** Body examples for `POST /mcp`: one per operation, and the protocol's. */
function mcpExamples(operations: readonly OperationName[]): Record<string, Example> {
  const examples: Record<string, Example> = {};
  for (const { name, summary } of operations) {
    const params = OPERATION_EXAMPLES[name];
    if (params === undefined) continue;
    examples[name] = { summary: `${name}: ${summary}`, value: { operation: name, params } };
  }
  return { ...examples, ...JSON_RPC_EXAMPLES };
}

/** What a refusal of the protocol looks like: JSON-RPC's shape. */
const PROTOCOL_ERROR_ANSWERS: Readonly<Record<string, JsonSchema>> = Object.fromEntries(
  Object.entries(PROTOCOL_REFUSALS).map(([status, description]) => [
    status,
    json(description, ref('JsonRpcResponse')),
  ]),
);

/** The protocol's answers to a POST. */
function protocolAnswers(): Record<string, JsonSchema> {
  return {
    '200': {
      description:
        'The JSON-RPC response; or, when the client accepts it and progress goes out before the result, an event stream whose last event is the response.',
      content: {
        'application/json': { schema: ref('JsonRpcResponse') },
        'text/event-stream': { schema: { type: 'string' } },
      },
    },
    '202': { description: 'A notification (or a client’s response): accepted, nothing to answer.' },
    ...PROTOCOL_ERROR_ANSWERS,
  };
}

const PROTOCOL_POST_DESCRIPTION =
  'The Model Context Protocol over stateless Streamable HTTP: every catalogue operation is a tool of the same ' +
  'name. Send `Accept: application/json, text/event-stream`. No session is kept, so any replica answers any ' +
  'request; closing the connection cancels the call.';

/** GET and DELETE on the protocol's paths, which sessions would need: refused. */
const SESSIONLESS_405: RouteDoc = {
  tag: 'Model Context Protocol',
  summary: 'Not allowed: the server keeps no sessions',
  answers: { '405': NOT_ALLOWED_RESPONSE },
};

/** `GET /` of the MCP server: the capabilities. */
export const CAPABILITIES_ROOT: RouteDoc = {
  tag: 'Operations',
  summary: 'The capabilities',
  description: 'The catalogue’s `list_capabilities`: the models and operations this server serves.',
  operation: 'list_capabilities',
  answers: { '200': answerOf('list_capabilities') },
};

/** The MCP server's own routes: the JSON API and the protocol at `/mcp`, and the tasks. */
export function mcpRouteDocs(
  operations: readonly OperationName[],
  paramsOf: ParamsOf,
): Record<string, RouteDoc> {
  const taskId = pathParameters({ id: propertyOf(paramsOf('get_task'), 'task_id') });
  const mcpBody: JsonSchema = {
    description:
      'Either the JSON API’s `{operation, params}` (one of the catalogue’s operations, below) or a Model Context ' +
      'Protocol message (a body with `jsonrpc`, or a batch of them).',
    oneOf: [ref('OperationRequest'), ref('JsonRpcMessage'), ref('JsonRpcBatch')],
  };
  return {
    'POST /mcp': {
      tag: 'Operations',
      summary: 'Run an operation (JSON API), or a Model Context Protocol message',
      description:
        '`{"operation": …, "params": {…}}` runs the catalogue operation named (each one’s params are below, with ' +
        `an example) and answers \`{"success": true, …}\`. A body with \`jsonrpc\` is the Model Context Protocol. ` +
        PROTOCOL_POST_DESCRIPTION,
      anyOperation: true,
      body: mcpBody,
      bodyExamples: mcpExamples(operations),
      answers: {
        ...protocolAnswers(),
        '200': {
          description:
            'JSON API: the operation’s answer. Protocol: the JSON-RPC response, or an event stream ending with it.',
          content: {
            'application/json': { schema: { oneOf: [ref('OperationAnswer'), ref('JsonRpcResponse')] } },
            'text/event-stream': { schema: { type: 'string' } },
          },
        },
      },
      refusals: {
        400: ['The body names no operation (`operation` is not a string), or `params` is not an object.'],
        404: ['`operation` names no operation of the catalogue.'],
      },
      refusalExamples: {
        400: 'params.max_modes must be a whole number from 1 to 10000',
        404: 'Unknown operation: nowhere',
      },
    },
    'GET /mcp': SESSIONLESS_405,
    'DELETE /mcp': SESSIONLESS_405,
    'POST /mcp/protocol': {
      tag: 'Model Context Protocol',
      summary: 'A Model Context Protocol message (the former path, an alias of POST /mcp)',
      description: PROTOCOL_POST_DESCRIPTION,
      access:
        'Any valid key (with AUTH_ENABLED); each tool call needs its operation’s scope, and a refusal of the call ' +
        '(a missing scope, a rate limit, a parameter out of bounds) is in the JSON-RPC answer, not its status.',
      body: { oneOf: [ref('JsonRpcMessage'), ref('JsonRpcBatch')] },
      bodyExamples: JSON_RPC_EXAMPLES,
      answers: protocolAnswers(),
    },
    'GET /mcp/protocol': SESSIONLESS_405,
    'DELETE /mcp/protocol': SESSIONLESS_405,
    'POST /tasks': {
      tag: 'Tasks',
      summary: 'Queue an operation as a task',
      description:
        'The catalogue’s `submit_task`: answers at once with the task’s id; the caller needs `write` and the scope ' +
        'of the operation queued.',
      operation: 'submit_task',
      body: ref(componentNames('submit_task').params),
      bodyExamples: { train: { summary: 'Queue a training', value: OPERATION_EXAMPLES.submit_task } },
      answers: {
        '202': {
          ...answerOf('submit_task', 'Queued.'),
          headers: { Location: { type: 'string', description: '/tasks/{id}: where to read the task' } },
        },
      },
      refusals: {
        403: ['The key lacks the scope of the operation queued.'],
        404: ['`operation` names no operation of the catalogue.'],
        413: ['`params` is more JSON than a task may carry.'],
        503: ['The queue is full.'],
      },
      refusalExamples: { 404: 'Unknown operation: nowhere' },
    },
    'GET /models/:id/bundle': {
      tag: 'Operations',
      summary: 'A model as a bundle (bytes)',
      description:
        'The catalogue’s `export_model`, answered as the bundle’s bytes themselves rather than base64 in JSON; ' +
        '`?version=V` exports a kept version. Its ETag is the bundle’s SHA-256.',
      operation: 'export_model',
      params: pathParameters({ id: propertyOf(paramsOf('export_model'), 'model_id') }),
      answers: {
        '200': {
          description: 'The bundle (`dredge import FILE` or POST /models/import loads it).',
          content: { 'application/octet-stream': { schema: { type: 'string', format: 'binary' } } },
          headers: {
            ETag: { type: 'string', description: 'The bundle’s SHA-256, in hex, quoted' },
            'Content-Disposition': {
              type: 'string',
              description: 'attachment; filename="<id>-v<version>.dredge"',
            },
          },
        },
      },
      refusals: { 413: ['The bundle would be larger than MAX_BUNDLE_BYTES.'] },
    },
    'POST /models/import': {
      tag: 'Operations',
      summary: 'Load a bundle (bytes) as a new model',
      description:
        'The catalogue’s `import_model`, with the bundle as the body itself (Content-Type: ' +
        'application/octet-stream, at most MAX_BUNDLE_BYTES) rather than base64 in JSON.',
      operation: 'import_model',
      answers: { '201': answerOf('import_model', 'Imported.') },
      refusals: {
        400: [
          'The bundle is truncated, tampered (its SHA-256 does not match), of a future format or malformed.',
        ],
        413: ['The body is larger than MAX_BUNDLE_BYTES.'],
        415: ['The body is not application/octet-stream.'],
      },
      refusalExamples: { 400: 'params.bundle is truncated: it has 100 of its 2120 bytes' },
    },
    'GET /tasks': {
      tag: 'Tasks',
      summary: 'The queue’s statistics',
      operation: 'get_queue_stats',
      answers: { '200': answerOf('get_queue_stats') },
    },
    'GET /tasks/:id': {
      tag: 'Tasks',
      summary: 'Read a task',
      operation: 'get_task',
      params: taskId,
      answers: { '200': answerOf('get_task') },
      refusals: { 404: ['No task of the caller’s tenant has that id.'] },
      refusalExamples: {
        404: 'Task not found: 3f0c5d2e-8a41-4b6f-9d3c-2e7a1b0c9f84 (unknown, or its result has expired)',
      },
    },
    'DELETE /tasks/:id': {
      tag: 'Tasks',
      summary: 'Cancel a task',
      operation: 'cancel_task',
      params: taskId,
      answers: { '200': answerOf('cancel_task') },
      refusals: { 404: ['No task of the caller’s tenant has that id.'] },
      refusalExamples: {
        404: 'Task not found: 3f0c5d2e-8a41-4b6f-9d3c-2e7a1b0c9f84 (unknown, or its result has expired)',
      },
    },
  };
}
