import type { Command } from 'commander';
import { createAppServices } from '../../app/create-services.js';
import { createDredgeServer } from '../../app/http/dredge-server.js';
import { createCatalogue } from '../../app/operations/index.js';
import { closeOnSignals } from '../../app/run-server.js';
import { createLogger } from '../../services/telemetry/index.js';
import type { CliContext } from '../context.js';
import { writeLine } from '../io.js';
import { listenOrExit } from '../listen.js';

export function registerServeCommand(program: Command, context: () => CliContext): void {
  program
    .command('serve')
    .description(
      'start the DREDGE server on DREDGE_SERVER_PORT: POST /lift, /insights, the dashboard (/dashboard), /metrics',
    )
    .option('--host <address>', 'address to listen on (BIND_HOST)')
    .option('--port <port>', 'port to listen on (DREDGE_SERVER_PORT)')
    .action(async (options: { host?: string; port?: string }) => {
      const ctx = context();
      const loaded = ctx.loadConfig({
        ...(options.host === undefined ? {} : { BIND_HOST: options.host }),
        ...(options.port === undefined ? {} : { DREDGE_SERVER_PORT: options.port }),
      });
      const logger = createLogger({ level: loaded.config.telemetry.logLevel });
      const services = await createAppServices(loaded, { serviceName: 'dredge-api', logger });
      const app = await createDredgeServer(services, createCatalogue());
      const { host, dredgePort: port } = loaded.config.servers;
      const url = await listenOrExit(app, { host, port, key: 'DREDGE_SERVER_PORT' }, ctx.io).catch(
        async (error: unknown) => {
          await app.close();
          await services.close();
          throw error;
        },
      );
      writeLine(ctx.io.stdout, `DREDGE server listening on ${url} (POST /lift, GET /insights, GET /metrics)`);
      writeLine(ctx.io.stdout, `Dashboard: ${url}/dashboard`);
      await closeOnSignals([{ name: 'dredge', app, url }], () => services.close(), logger);
    });
}
