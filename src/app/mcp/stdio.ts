import { StdioServerTransport } from '@modelcontextprotocol/sdk/server/stdio.js';
import type { Catalogue } from '../operations/index.js';
import type { AppServices } from '../services.js';
import { createProtocolServer } from './protocol-server.js';
import { toolList } from './tool-list.js';

/**
 * Serves the Model Context Protocol over this process's stdin and stdout, as desktop clients start their servers;
 * resolves when the client closes the connection. Nothing else may write to stdout meanwhile (logs go to stderr).
 * The client that starts the process holds its environment, so it acts as the key the environment gives: with
 * AUTH_ENABLED, API_KEY (an administrator of the default tenant; a missing one is a 401 before anything is
 * served); without, as every local caller does.
 */
export async function serveStdio(services: AppServices, catalogue: Catalogue): Promise<void> {
  const principal = await services.authenticator.authenticate(services.config.security.apiKey);
  const server = createProtocolServer(services, catalogue, toolList(catalogue), principal, 'stdio');
  const transport = new StdioServerTransport();
  const closed = new Promise<void>((resolve) => {
    server.onclose = () => resolve();
    process.stdin.once('end', () => resolve());
  });
  await server.connect(transport);
  await closed;
  await server.close();
}
