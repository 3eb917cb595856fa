import { StdioServerTransport } from '@modelcontextprotocol/sdk/server/stdio.js';
import type { Catalogue } from '../operations/index.js';
import type { AppServices } from '../services.js';
import { createProtocolServer } from './protocol-server.js';
import { toolList } from './tool-list.js';

/**
 * Serves the Model Context Protocol over this process's stdin and stdout, as desktop clients start their servers;
 * resolves when the client closes the connection. Nothing else may write to stdout meanwhile (logs go to stderr).
 */
export async function serveStdio(services: AppServices, catalogue: Catalogue): Promise<void> {
  const server = createProtocolServer(services, catalogue, toolList(catalogue));
  const transport = new StdioServerTransport();
  const closed = new Promise<void>((resolve) => {
    server.onclose = () => resolve();
    process.stdin.once('end', () => resolve());
  });
  await server.connect(transport);
  await closed;
  await server.close();
}
