import { spawn, type ChildProcess } from 'node:child_process';
import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';

const bin = resolve(import.meta.dirname, '../../dist/src/cli/main.js');
const children: ChildProcess[] = [];
afterEach(() => {
  for (const child of children.splice(0)) child.kill('SIGKILL');
});

/** `dredge mcp` as a real process; resolves with its URL once it says it is listening. */
function startDredgeMcp(
  args: string[],
  env: NodeJS.ProcessEnv = {},
): Promise<{ child: ChildProcess; url: string; output: () => string }> {
  const cwd = mkdtempSync(join(tmpdir(), 'dredge-cli-mcp-'));
  const child = spawn(process.execPath, [bin, 'mcp', '--host', '127.0.0.1', '--port', '0', ...args], {
    cwd,
    env: { PATH: process.env.PATH, HOME: cwd, LOG_LEVEL: 'info', ...env },
  });
  children.push(child);
  let output = '';
  child.stdout?.on('data', (chunk: Buffer) => (output += chunk.toString()));
  child.stderr?.on('data', (chunk: Buffer) => (output += chunk.toString()));
  return new Promise((resolveStart, reject) => {
    const timer = setTimeout(() => reject(new Error(`dredge mcp did not start:\n${output}`)), 15_000);
    child.stdout?.on('data', () => {
      const match = /listening on (http:\/\/[\d.]+:\d+)/.exec(output);
      if (match) {
        clearTimeout(timer);
        resolveStart({ child, url: match[1]!, output: () => output });
      }
    });
    child.once('exit', (code) => reject(new Error(`dredge mcp exited with ${code}:\n${output}`)));
  });
}

function exited(child: ChildProcess): Promise<number | null> {
  return new Promise((resolveExit) => child.once('exit', (code) => resolveExit(code)));
}

describe('dredge mcp', () => {
  it('serves the JSON API on the port it is given, with the device it is given', async () => {
    const { url, child } = await startDredgeMcp(['--device', 'cuda']);
    const response = await fetch(`${url}/mcp`, {
      method: 'POST',
      headers: { 'content-type': 'application/json' },
      body: JSON.stringify({ operation: 'unified_inference', params: {} }),
    });
    expect(await response.json()).toMatchObject({ success: true, coupled_amplitude: 1.5, device: 'cpu' });
    child.kill('SIGTERM');
    expect(await exited(child)).toBe(0);
  });

  it('on SIGTERM finishes the request in flight, then exits 0', async () => {
    const { url, child, output } = await startDredgeMcp([]);
    const slow = fetch(`${url}/mcp`, {
      method: 'POST',
      headers: { 'content-type': 'application/json' },
      body: JSON.stringify({
        operation: 'benchmark',
        params: { model_type: 'quasimoto_ensemble', config: { epochs: 2000 } },
      }),
    });
    await new Promise((resolveWait) => setTimeout(resolveWait, 300));
    const exit = exited(child);
    child.kill('SIGTERM');
    const response = await slow;
    expect(response.status).toBe(200);
    expect(await response.json()).toMatchObject({ success: true, epochs: 2000 });
    expect(await exit).toBe(0);
    expect(output()).toContain('draining in-flight requests');
    expect(output()).toContain('stopped cleanly');
  }, 60_000);

  it('stops at start-up with one line when the configuration is invalid', async () => {
    await expect(startDredgeMcp([], { CACHE_TTL: '-5' })).rejects.toThrow(
      'exited with 1:\nInvalid configuration: CACHE_TTL="-5" (environment variable) is not allowed; expected a whole number from 1 to 31536000 seconds.\n',
    );
  });
});
