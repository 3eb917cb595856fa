import { serveStdio as serveProtocol } from '@modelcontextprotocol/server/stdio';
import { ROOT_CONTEXT } from '../../services/telemetry/index.js';
import type { Catalogue } from '../operations/index.js';
import type { AppServices } from '../services.js';
import type { ProtocolFacts } from './protocol-facts.js';
import { createProtocolServer } from './protocol-server.js';
import { toolList } from './tool-list.js';

/**
 * Serves the Model Context Protocol over this process's stdin and stdout, as desktop clients start their servers;
 * resolves when the client closes the connection. Nothing else may write to stdout meanwhile (logs go to stderr).
 * The SDK's entry decides the connection's revision from its first message: a 2026-07-28 client's request (or its
 * `server/discover`) or a 2025 client's `initialize`; the same protocol server serves either.
 *
 * The client that starts the process holds its environment, so it acts as the key the environment gives: with
 * AUTH_ENABLED, API_KEY (an administrator of the default tenant; a missing one is a 401 before anything is
 * served); without, as every local caller does.
 */
export async function serveStdio(services: AppServices, catalogue: Catalogue): Promise<void> {
  const principal = await services.authenticator.authenticate(services.config.security.apiKey);
  const facts: ProtocolFacts = { principal, client: 'stdio', trace: ROOT_CONTEXT, inputBytes: 0 };
  const tools = toolList(catalogue);
  const ended = new Promise<void>((resolve) => {
    process.stdin.once('end', () => resolve());
    process.stdin.once('close', () => resolve());
  });
  const connection = serveProtocol(() => createProtocolServer(services, catalogue, tools, facts), {
    onerror: (error) => services.logger.debug({ err: error }, 'MCP message refused or failed'),
  });
  await ended;
  await connection.close();
}
