import { ref, type JsonSchema } from './json-schema.js';

/**
 * The Model Context Protocol's messages as far as HTTP sees them (JSON-RPC 2.0): the document points to the MCP
 * specification for the methods, and shows how a tool call names a catalogue operation.
 */
export const JSON_RPC_SCHEMAS: Readonly<Record<string, JsonSchema>> = {
  JsonRpcMessage: {
    type: 'object',
    description:
      'A Model Context Protocol message (JSON-RPC 2.0): a request (with `id`) or a notification (without). ' +
      '`tools/call` with `{name, arguments}` runs the catalogue operation `name` with `arguments` as its params; ' +
      'see https://modelcontextprotocol.io/specification for every method.',
    properties: {
      jsonrpc: { const: '2.0' },
      id: { type: ['string', 'integer'] },
      method: {
        type: 'string',
        description: '`initialize`, `tools/list`, `tools/call`, `resources/read`, …',
      },
      params: { type: 'object' },
    },
    required: ['jsonrpc', 'method'],
  },
  JsonRpcBatch: {
    type: 'array',
    description: 'Several messages in one body, for the protocol revisions that allow batches.',
    items: ref('JsonRpcMessage'),
    minItems: 1,
  },
  JsonRpcResponse: {
    type: 'object',
    description:
      'The answer to a request: its `result`, or an `error` (an argument outside its bound is `-32602` with the ' +
      'field and the limit in `message`; an operation’s own failure is a result with `isError: true` and the JSON ' +
      'API’s error body).',
    properties: {
      jsonrpc: { const: '2.0' },
      id: { type: ['string', 'integer', 'null'] },
      result: { type: 'object' },
      error: ref('JsonRpcError'),
    },
    required: ['jsonrpc', 'id'],
  },
  JsonRpcError: {
    type: 'object',
    properties: {
      code: { type: 'integer' },
      message: { type: 'string' },
      data: {},
    },
    required: ['code', 'message'],
  },
};

/** Examples of protocol messages to `POST /mcp`, beside the operations' bodies. */
export const JSON_RPC_EXAMPLES: Readonly<Record<string, { summary: string; value: unknown }>> = {
  'mcp: initialize': {
    summary: 'Model Context Protocol: initialize',
    value: {
      jsonrpc: '2.0',
      id: 1,
      method: 'initialize',
      params: {
        protocolVersion: '2025-06-18',
        capabilities: {},
        clientInfo: { name: 'example-client', version: '1.0.0' },
      },
    },
  },
  'mcp: tools/list': {
    summary: 'Model Context Protocol: list the tools (one per operation)',
    value: { jsonrpc: '2.0', id: 2, method: 'tools/list' },
  },
  'mcp: tools/call': {
    summary: 'Model Context Protocol: call string_spectrum',
    value: {
      jsonrpc: '2.0',
      id: 3,
      method: 'tools/call',
      params: { name: 'string_spectrum', arguments: { max_modes: 5 } },
    },
  },
};

/** `405` of the protocol's GET and DELETE: the server is stateless, so there is no session to stream or end. */
export const NOT_ALLOWED_RESPONSE: JsonSchema = {
  description:
    'The server keeps no sessions: there is no stream to open or session to end; send POST. `Allow: POST`.',
  headers: { Allow: { type: 'string', const: 'POST' } },
  content: {
    'application/json': {
      schema: ref('JsonRpcResponse'),
      example: {
        jsonrpc: '2.0',
        error: { code: -32000, message: 'Method not allowed: this server is stateless; send POST /mcp.' },
        id: null,
      },
    },
  },
};

/** The protocol's own refusals, in JSON-RPC's shape (the server's refusals before it are in ErrorBody's). */
export const PROTOCOL_REFUSALS: Readonly<Record<string, string>> = {
  '400':
    'The message is not valid JSON-RPC, or its headers (`MCP-Protocol-Version`, `Mcp-Method`) disagree with it.',
  '406': 'The `Accept` header does not list both `application/json` and `text/event-stream`.',
};
