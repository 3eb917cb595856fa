import type { Client } from '@modelcontextprotocol/client';
import {
  createTaskSessionFromClient,
  type JsonRpcResponse,
  type RawClientDispatch,
  type TaskEnabledSession,
} from '@modelcontextprotocol/ext-tasks/client';
import { MODERN_REVISION } from './mcp-clients.js';

type JsonValue = Parameters<RawClientDispatch>[0];

/** The client's identity and capabilities, as a task session frames every request it sends itself. */
const FRAMING = {
  protocolVersion: MODERN_REVISION,
  clientInfo: { name: 'dredge-tasks-test', version: '1.0.0' },
  clientCapabilities: {},
};

/**
 * A Tasks session (`@modelcontextprotocol/ext-tasks`) over a connected v2 client at `url`. The v2 SDK's client
 * refuses the extension's results (a `tools/call` answered with a task), so the session sends `tools/call` and
 * `tasks/*` itself through `rawDispatch`: one JSON-RPC POST with the standard headers (`Mcp-Method`, `Mcp-Name`,
 * `MCP-Protocol-Version`), its answer read from JSON or from an event stream's last message.
 */
export function taskSession(
  client: Client,
  url: string,
  headers: Record<string, string> = {},
): TaskEnabledSession {
  let id = 0;
  const rawDispatch: RawClientDispatch = async (request, options): Promise<JsonRpcResponse> => {
    const message = request as { method: string; params?: { name?: string } };
    const response = await fetch(url, {
      method: 'POST',
      headers: {
        'content-type': 'application/json',
        accept: 'application/json, text/event-stream',
        'mcp-protocol-version': MODERN_REVISION,
        'mcp-method': message.method,
        ...(message.method === 'tools/call' && message.params?.name
          ? { 'mcp-name': message.params.name }
          : {}),
        ...headers,
        ...options?.context?.headers,
      },
      body: JSON.stringify({ jsonrpc: '2.0', id: `task-${++id}`, ...message }),
      ...(options?.signal ? { signal: options.signal } : {}),
    });
    const answer = lastMessage(await response.text(), response.headers.get('content-type') ?? '');
    return 'error' in answer
      ? { kind: 'error', error: answer.error }
      : { kind: 'result', result: answer.result };
  };
  return createTaskSessionFromClient(client, { endpointId: url, rawDispatch, v2RequestFraming: FRAMING });
}

/** A JSON-RPC answer from a JSON body, or the last message of an event stream (progress may come before it). */
function lastMessage(
  text: string,
  contentType: string,
): { result: JsonValue } | { error: Extract<JsonRpcResponse, { kind: 'error' }>['error'] } {
  if (!contentType.includes('text/event-stream')) return JSON.parse(text) as { result: JsonValue };
  const data = text
    .split('\n')
    .filter((line) => line.startsWith('data:'))
    .map((line) => JSON.parse(line.slice(5)) as { id?: unknown; result?: JsonValue });
  const answer = data.findLast((message) => message.id !== undefined);
  if (!answer) throw new Error(`an event stream without an answer: ${text.slice(0, 200)}`);
  return answer as { result: JsonValue };
}
