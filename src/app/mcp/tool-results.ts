import { ProtocolError, ProtocolErrorCode, type CallToolResult } from '@modelcontextprotocol/server';
import { errorBody, type DredgeError } from '../../services/errors.js';

/** A tool's answer: the JSON API's answer as structured content, and the same JSON as text. */
export function toolAnswer(json: string, value: Readonly<Record<string, unknown>>): CallToolResult {
  return { content: [{ type: 'text', text: json }], structuredContent: { ...value } };
}

/**
 * A failed tool's answer, the JSON API's error body as text and (`structured`) as structured content, flagged
 * `isError`: an unknown model, a missing scope, a full queue are results the model acting on them can read and
 * recover from.
 */
export function toolFailure(
  body: { readonly success: false; readonly error: string; readonly code: string },
  structured = true,
): CallToolResult {
  return {
    content: [{ type: 'text', text: JSON.stringify(body) }],
    ...(structured ? { structuredContent: { ...body } } : {}),
    isError: true,
  };
}

/**
 * How a failure of a request other than a tool's (a resource, a task) reaches the client: a JSON-RPC error whose
 * message is the JSON API's sentence and whose data is its error body, so the stable `code` travels too. Input that
 * names nothing valid (a bad argument, an unknown id) is "invalid params"; anything else (a missing scope, a rate
 * limit, a store away) is a server error in JSON-RPC's implementation-defined range.
 */
export function protocolError(error: DredgeError): ProtocolError {
  const code =
    error.code === 'invalid_input' || error.code === 'not_found'
      ? ProtocolErrorCode.InvalidParams
      : SERVER_ERROR;
  return new ProtocolError(code, error.message, errorBody(error));
}

/** JSON-RPC reserves -32000 to -32099 for implementation-defined server errors; DREDGE uses the first. */
const SERVER_ERROR = -32000;

/** The JSON-RPC answer to arguments that fail validation: "invalid params", with the catalogue's sentence. */
export function invalidParams(error: DredgeError): ProtocolError {
  return new ProtocolError(ProtocolErrorCode.InvalidParams, error.message);
}
