import { afterEach, describe, expect, it } from 'vitest';
import { startDredgeMcp, type DredgeProcess } from '../helpers/dredge-process.js';

const children: DredgeProcess[] = [];
afterEach(async () => {
  for (const running of children.splice(0)) {
    running.child.kill('SIGKILL');
    await running.stop();
  }
});

async function started(args: string[], env: NodeJS.ProcessEnv = {}): Promise<DredgeProcess> {
  const running = await startDredgeMcp(args, env);
  children.push(running);
  return running;
}

describe('dredge mcp', () => {
  it('serves the JSON API on the port it is given, with the device it is given', async () => {
    const { url, child, stop } = await started(['--device', 'cuda']);
    const response = await fetch(`${url}/mcp`, {
      method: 'POST',
      headers: { 'content-type': 'application/json' },
      body: JSON.stringify({ operation: 'unified_inference', params: {} }),
    });
    expect(await response.json()).toMatchObject({ success: true, coupled_amplitude: 1.5, device: 'cpu' });
    expect(child.pid).toBeGreaterThan(0);
    expect(await stop()).toBe(0);
  });

  it('on SIGTERM finishes the request in flight, then exits 0', async () => {
    const { url, stop, output } = await started([]);
    const slow = fetch(`${url}/mcp`, {
      method: 'POST',
      headers: { 'content-type': 'application/json' },
      body: JSON.stringify({
        operation: 'benchmark',
        params: { model_type: 'quasimoto_ensemble', config: { epochs: 2000 } },
      }),
    });
    await new Promise((resolveWait) => setTimeout(resolveWait, 300));
    const exit = stop();
    const response = await slow;
    expect(response.status).toBe(200);
    expect(await response.json()).toMatchObject({ success: true, epochs: 2000 });
    expect(await exit).toBe(0);
    expect(output()).toContain('draining in-flight requests');
    expect(output()).toContain('stopped cleanly');
  }, 60_000);

  it('stops at start-up with one line when the configuration is invalid', async () => {
    await expect(started([], { CACHE_TTL: '-5' })).rejects.toThrow(
      'exited with 1:\nInvalid configuration: CACHE_TTL="-5" (environment variable) is not allowed; expected a whole number from 1 to 31536000 seconds.\n',
    );
  });
});
