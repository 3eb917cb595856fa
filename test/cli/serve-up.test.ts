import { createServer } from 'node:net';
import { afterEach, describe, expect, it } from 'vitest';
import { startServersProcess, type ServersProcess } from '../helpers/dredge-servers-process.js';

const children: ServersProcess[] = [];
afterEach(async () => {
  for (const running of children.splice(0)) {
    running.child.kill('SIGKILL');
    await running.stop();
  }
});

async function started(args: string[], env: NodeJS.ProcessEnv = {}): Promise<ServersProcess> {
  const running = await startServersProcess(args, env);
  children.push(running);
  return running;
}

async function json(url: string, body?: unknown): Promise<Record<string, unknown>> {
  const response = await fetch(url, {
    method: body === undefined ? 'GET' : 'POST',
    ...(body === undefined
      ? {}
      : { headers: { 'content-type': 'application/json' }, body: JSON.stringify(body) }),
  });
  return (await response.json()) as Record<string, unknown>;
}

describe('dredge serve', () => {
  it('starts the DREDGE server, prints its URL and the dashboard’s, and stops cleanly on SIGTERM', async () => {
    const running = await started(['serve', '--host', '127.0.0.1', '--port', '0']);
    const url = running.urls['DREDGE server']!;
    expect(running.urls.Dashboard).toBe(`${url}/dashboard`);
    expect(await json(`${url}/`)).toMatchObject({ name: 'DREDGE x Dolly' });
    expect(await json(`${url}/lift`, { insight_text: 'from a real process' })).toMatchObject({
      lifted: true,
    });
    expect((await fetch(running.urls.Dashboard!)).status).toBe(200);
    expect(await running.stop()).toBe(0);
    expect(running.output()).toContain('stopped cleanly');
  });
});

describe('dredge up', () => {
  it('starts both servers in one process sharing its services, and prints both URLs and the dashboard’s', async () => {
    const running = await started(['up', '--host', '127.0.0.1', '--port', '0', '--mcp-port', '0']);
    const dredge = running.urls['DREDGE server']!;
    const mcp = running.urls['DREDGE MCP server']!;
    expect(dredge).not.toBe(mcp);
    expect(running.urls.Dashboard).toBe(`${dredge}/dashboard`);
    // A model loaded through the MCP server shows on the DREDGE server's dashboard: one store, one process.
    const loaded = await json(`${mcp}/mcp`, {
      operation: 'load_model',
      params: { model_type: 'quasimoto_1d' },
    });
    const summary = (await json(`${dredge}/api/dashboard`)) as {
      models: { items: Array<{ model_id: string }> };
    };
    expect(summary.models.items.map((model) => model.model_id)).toContain(loaded.model_id);
    expect(await json(`${mcp}/health`)).toMatchObject({ status: 'healthy' });
    expect(await running.stop()).toBe(0);
    expect(running.output()).toContain('stopped cleanly');
  });

  it('refuses every interface without authentication, naming both ways out', async () => {
    await expect(started(['up', '--host', '0.0.0.0', '--port', '0', '--mcp-port', '0'])).rejects.toThrow(
      /exited with 2:[\s\S]*Refusing to listen on 0\.0\.0\.0 \(set by --host 0\.0\.0\.0\) without authentication[\s\S]*AUTH_ENABLED=true[\s\S]*ALLOW_INSECURE_BIND=true/,
    );
  });

  it('prints a dashboard URL a browser can open when it listens on every interface', async () => {
    const running = await started(['up', '--host', '0.0.0.0', '--port', '0', '--mcp-port', '0'], {
      ALLOW_INSECURE_BIND: 'true',
    });
    expect(running.urls.Dashboard).toMatch(/^http:\/\/(127\.0\.0\.1|localhost):\d+\/dashboard$/);
    expect((await fetch(running.urls.Dashboard!)).status).toBe(200);
  });

  it('stops with one line and exit code 1 when a port is taken, leaving nothing listening', async () => {
    const blocker = createServer();
    await new Promise<void>((resolve) => blocker.listen(0, '127.0.0.1', resolve));
    const taken = (blocker.address() as { port: number }).port;
    try {
      await expect(
        started(['up', '--host', '127.0.0.1', '--port', '0', '--mcp-port', String(taken)]),
      ).rejects.toThrow(
        new RegExp(
          `exited with 1:[\\s\\S]*Cannot listen on 127\\.0\\.0\\.1:${taken}: the port is in use \\(set by --mcp-port ${taken}\\)\\.`,
        ),
      );
    } finally {
      blocker.close();
    }
  });
});
