import { HttpTransport } from './http-transport.js';
import type { CallOptions, ClientOptions } from './options.js';
import type { OperationAnswer, OperationName, ParamsArgument } from './operation-types.js';
import { health, ready, type HealthAnswer, type ReadinessAnswer } from './probes.js';
import { SAFE_OPERATIONS } from './safe-operations.js';
import { TaskClient } from './task-client.js';

/**
 * A client of the MCP server (MCP_SERVER_PORT, 3002 by default): its JSON API (`POST /mcp`), typed by operation,
 * its tasks (`/tasks`) and its probes. (The Model Context Protocol, on the same `POST /mcp`, is for MCP clients.)
 */
export class McpServerClient {
  /** Queued tasks: submit, get, cancel, stats, wait, result, run. */
  readonly tasks: TaskClient;
  readonly #transport: HttpTransport;

  constructor(options: ClientOptions) {
    this.#transport = new HttpTransport(options);
    this.tasks = new TaskClient(this.#transport);
  }

  get baseUrl(): string {
    return this.#transport.baseUrl;
  }

  /**
   * `POST /mcp {operation, params}`: runs the operation and answers its success answer, typed from the
   * operation's schemas (`client.call('inference', {model_id, inputs: {x: [0.5]}})`); a refusal throws a
   * `DredgeClientError` with the server's status and code.
   */
  call<N extends OperationName>(
    operation: N,
    ...[params, options]: ParamsArgument<N, [options?: CallOptions]>
  ): Promise<OperationAnswer<N>> {
    return this.#transport.send(
      {
        method: 'POST',
        path: '/mcp',
        body: { operation, params: params ?? {} },
        safe: SAFE_OPERATIONS.has(operation),
        operation,
      },
      options,
    );
  }

  /** `GET /`: what the server offers (list_capabilities' answer). */
  capabilities(options?: CallOptions): Promise<OperationAnswer<'list_capabilities'>> {
    return this.#transport.send(
      { method: 'GET', path: '/', safe: true, operation: 'list_capabilities' },
      options,
    );
  }

  health(options?: CallOptions): Promise<HealthAnswer> {
    return health(this.#transport, options);
  }

  ready(options?: CallOptions): Promise<ReadinessAnswer> {
    return ready(this.#transport, options);
  }
}
