/**
 * The plumbing of the HTTP benchmark, against a stand-in: the hook that starts the original server from
 * DREDGE_BENCH_ORIGINAL_COMMAND (here a small node:http server started through the same shell command), and the
 * open-loop generator's hand-written HTTP/1.1 over it. Nothing here measures speed.
 */
import { connect } from 'node:net';
import { describe, expect, it } from 'vitest';
import { runOpenLoop } from '../../bench/support/open-loop-generator.js';
import { originalCommand, startOriginalServer } from '../../bench/support/original-server.js';

/**
 * A server on $PORT that answers POST /mcp with the body it was sent (409 for a body it has seen before, 500 for one
 * that holds "fail"), and whose shell stays as its parent.
 */
const STAND_IN = `${JSON.stringify(process.execPath)} -e '
  const seen = new Set();
  require("node:http").createServer((request, response) => {
    const chunks = [];
    request.on("data", (chunk) => chunks.push(chunk));
    request.on("end", () => {
      const body = Buffer.concat(chunks);
      const status = request.url !== "/mcp" || body.includes("fail") ? 500 : seen.has(String(body)) ? 409 : 200;
      seen.add(String(body));
      response.writeHead(status, { "content-type": "application/json", "content-length": body.length });
      response.end(body);
    });
  }).listen(Number(process.env.PORT), "127.0.0.1");
'; echo stopped >/dev/null`;

function refuses(url: string): Promise<boolean> {
  const { hostname, port } = new URL(url);
  return new Promise((resolve) => {
    const socket = connect({ host: hostname, port: Number(port) });
    socket.once('connect', () => {
      socket.destroy();
      resolve(false);
    });
    socket.once('error', () => resolve(true));
  });
}

describe('the original server hook', () => {
  it('is off unless the variable names a command', () => {
    expect(originalCommand({})).toBeUndefined();
    expect(originalCommand({ DREDGE_BENCH_ORIGINAL_COMMAND: '  ' })).toBeUndefined();
    expect(originalCommand({ DREDGE_BENCH_ORIGINAL_COMMAND: 'python -m x' })).toBe('python -m x');
  });

  it('starts the command on $PORT, waits until it listens, and stops everything it started', async () => {
    const server = await startOriginalServer(STAND_IN);
    try {
      const response = await fetch(`${server.url}/mcp`, { method: 'POST', body: '{"echo":1}' });
      expect(await response.text()).toBe('{"echo":1}');
    } finally {
      await server.stop();
    }
    expect(await refuses(server.url)).toBe(true);
  });

  it('says so when the command exits without listening', async () => {
    await expect(startOriginalServer('exit 3')).rejects.toThrow(
      /DREDGE_BENCH_ORIGINAL_COMMAND exited with 3 before listening/,
    );
  });

  it('carries the open-loop generator: every scheduled request sent once, each with a body of its own, and answered', async () => {
    const server = await startOriginalServer(STAND_IN);
    try {
      const result = await runOpenLoop(
        server.url,
        { name: 'echo', body: '{"n":{n}}', unique: true },
        200,
        0.5,
        1000,
        4,
      );
      expect(result.answered).toBe(100);
      expect(result.errors).toBe(0);
      expect(result.answeredPerSecond).toBe(200);
      // Latency counts from the intended time, so it is never negative.
      expect(result.p50).toBeGreaterThan(0);
    } finally {
      await server.stop();
    }
  });

  it('counts answers other than 2xx as errors, not as latencies', async () => {
    const server = await startOriginalServer(STAND_IN);
    try {
      const result = await runOpenLoop(server.url, { name: 'x', body: '{"fail":1}' }, 100, 0.2, 0, 2);
      expect(result.answered).toBe(0);
      expect(result.errors).toBe(20);
    } finally {
      await server.stop();
    }
  });
});
