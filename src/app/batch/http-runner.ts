import type { BatchRunner, ServerSnapshot, BatchTaskFailure, BatchTaskOutcome } from './batch-runner.js';
import type { BatchTask } from './batch-task.js';
import { KeepAliveClient, TimeoutError, type ClientSecurity, type HttpAnswer } from './http-client.js';
import { snapshotFromAnswers } from './server-snapshot.js';

/**
 * Sends each task to a running server's JSON API (`POST /mcp {operation, params}`) over keep-alive
 * connections: the original's API, so this also load-tests anything that speaks it.
 */
export class HttpRunner implements BatchRunner {
  readonly mode = 'http';
  readonly target: string;
  private readonly client: KeepAliveClient;

  constructor(
    /** The server's base URL (`http://host:3002`). */
    baseUrl: URL,
    connections: number,
    /** Longest wait for one answer (BATCH_TIMEOUT), in ms; 0: no limit. */
    private readonly timeoutMs: number,
    /** The key to send (API_KEY), for a server with AUTH_ENABLED, and an authority to trust for https. */
    security: ClientSecurity = {},
  ) {
    this.client = new KeepAliveClient(baseUrl, connections, security);
    this.target = baseUrl.href.replace(/\/$/, '');
  }

  /** Fails with a sentence when nothing answers at the URL, so a run does not become N identical failures. */
  async checkReachable(): Promise<void> {
    let answer: HttpAnswer;
    try {
      answer = await this.client.send('GET', 'health', undefined, new AbortController().signal, 5_000);
    } catch (error) {
      throw new Error(`Cannot reach a DREDGE server at ${this.target}: ${networkReason(error)}.`);
    }
    if (answer.status >= 500) {
      throw new Error(`The server at ${this.target} is not healthy: GET /health answered ${answer.status}.`);
    }
  }

  async run(task: BatchTask, cancel: AbortSignal): Promise<BatchTaskOutcome> {
    let answer: HttpAnswer;
    try {
      answer = await this.client.send(
        'POST',
        'mcp',
        { operation: task.operation, params: task.params },
        cancel,
        this.timeoutMs,
      );
    } catch (error) {
      const code = error instanceof TimeoutError ? 'timeout' : cancel.aborted ? 'cancelled' : 'unavailable';
      return { success: false, error: { code, message: networkReason(error) } };
    }
    const body = parseBody(answer.body);
    if (answer.status === 200 && body?.success === true)
      return { success: true, cached: body.cached === true };
    return { success: false, error: failureOfAnswer(answer, body) };
  }

  serverSnapshot(): Promise<ServerSnapshot> {
    return snapshotFromAnswers(this.target, async (operation) => {
      const answer = await this.client.send(
        'POST',
        'mcp',
        { operation, params: {} },
        new AbortController().signal,
        10_000,
      );
      if (answer.status !== 200) throw new Error(`HTTP ${answer.status}`);
      return JSON.parse(answer.body) as unknown;
    });
  }

  async close(): Promise<void> {
    this.client.close();
  }
}

function parseBody(text: string): Record<string, unknown> | undefined {
  try {
    const value = JSON.parse(text) as unknown;
    return typeof value === 'object' && value !== null ? (value as Record<string, unknown>) : undefined;
  } catch {
    return undefined;
  }
}

function failureOfAnswer(answer: HttpAnswer, body: Record<string, unknown> | undefined): BatchTaskFailure {
  const code = typeof body?.code === 'string' ? body.code : `http_${answer.status}`;
  const message =
    typeof body?.error === 'string'
      ? body.error
      : `HTTP ${answer.status} ${answer.body.slice(0, 120)}`.trim();
  return { code, message };
}

function networkReason(error: unknown): string {
  if (!(error instanceof Error)) return String(error);
  const code = (error as NodeJS.ErrnoException).code;
  return code && !error.message.includes(code) ? `${error.message} (${code})` : error.message;
}
