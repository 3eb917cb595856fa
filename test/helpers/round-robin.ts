import { createServer, request as forward, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';

export interface RoundRobin {
  readonly url: string;
  /** Which backend (its index) answered each request, in order. */
  readonly served: number[];
  close(): Promise<void>;
}

/**
 * A plain round-robin HTTP balancer on 127.0.0.1, as a stateless deployment puts in front of its replicas (nginx
 * and haproxy are not needed for a test): each request goes to the next backend in turn, with its method, path,
 * headers and body, and its answer (an event stream too) is piped back; it records who answered.
 */
export async function startRoundRobin(backends: readonly string[]): Promise<RoundRobin> {
  const served: number[] = [];
  let next = 0;
  const balancer: Server = createServer((incoming, outgoing) => {
    const index = next++ % backends.length;
    served.push(index);
    const target = new URL(incoming.url ?? '/', backends[index]);
    const proxied = forward(target, { method: incoming.method, headers: incoming.headers }, (answer) => {
      outgoing.writeHead(answer.statusCode ?? 502, answer.headers);
      answer.pipe(outgoing);
    });
    proxied.on('error', () => outgoing.destroy());
    outgoing.on('close', () => proxied.destroy());
    incoming.pipe(proxied);
  });
  await new Promise<void>((resolve) => balancer.listen(0, '127.0.0.1', resolve));
  return {
    url: `http://127.0.0.1:${(balancer.address() as AddressInfo).port}`,
    served,
    close: () => {
      balancer.closeAllConnections();
      return new Promise((resolve) => balancer.close(() => resolve()));
    },
  };
}
