/**
 * The security benchmark's servers over sockets, in one process: each variant listens on its own loopback port;
 * the parent asks for this process's CPU time (`cpu`, answered in µs) around each turn of load, then `stop`s it.
 */
import { VARIANTS, startServer, type Server } from './security-servers.js';

const servers: Server[] = [];
for (const variant of VARIANTS) servers.push(await startServer(variant));
const urls = await Promise.all(servers.map((server) => server.app.listen({ host: '127.0.0.1', port: 0 })));

process.on('message', (message) => {
  if (message === 'cpu') {
    const { user, system } = process.cpuUsage();
    process.send?.(user + system);
  } else if (message === 'stop') {
    void Promise.all(servers.map((server) => server.close())).then(() => process.exit(0));
  }
});
process.send?.({ servers: servers.map((server, i) => ({ url: urls[i], headers: server.headers })) });
