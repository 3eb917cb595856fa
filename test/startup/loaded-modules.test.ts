/**
 * What a command loads, checked by listing the modules a real `dredge` process loaded (every ES module and
 * CommonJS file, recorded by record-loaded-modules.mjs through Node's module hooks). Start-up time and memory are
 * measured by bench/startup.ts; this test catches the regression that would cost them — a heavy import put back
 * on a path that does not use it — without timing anything.
 */
import { spawn, spawnSync } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import * as nodeModule from 'node:module';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { freePort } from '../helpers/free-port.js';
import { DREDGE_BIN } from '../helpers/spawn-dredge.js';

const RECORDER = path.join(import.meta.dirname, 'record-loaded-modules.mjs');
// Synchronous module hooks (module.registerHooks) arrived in Node.js 22.15; the floor check runs without them.
const hooksAvailable = typeof (nodeModule as { registerHooks?: unknown }).registerHooks === 'function';

const scratch = mkdtempSync(path.join(tmpdir(), 'dredge-loaded-'));
afterAll(() => rmSync(scratch, { recursive: true, force: true }));

/** The embedded defaults in an empty DATA_DIR, with no backend or exporter named by this shell. */
function defaultsEnv(name: string, extra: NodeJS.ProcessEnv = {}): NodeJS.ProcessEnv {
  return {
    PATH: process.env.PATH,
    HOME: scratch,
    DATA_DIR: path.join(scratch, `${name}-data`),
    LOG_LEVEL: 'silent',
    DREDGE_LOADED_MODULES_FILE: path.join(scratch, `${name}.txt`),
    ...extra,
  };
}

/** The packages (and our own folders) among the loaded module URLs. */
function loadedPackages(listFile: string): Set<string> {
  const names = new Set<string>();
  for (const url of readFileSync(listFile, 'utf8').split('\n')) {
    const dependency = /\/node_modules\/((?:@[^/]+\/)?[^/]+)\//.exec(url);
    if (dependency) names.add(dependency[1] as string);
    const own = /\/dist\/src\/([^/]+\/[^/.]+)/.exec(url);
    if (own && !dependency) names.add(`dredge:${own[1]}`);
  }
  return names;
}

async function answered(url: string, init?: RequestInit): Promise<number> {
  const response = await fetch(url, init);
  await response.arrayBuffer();
  return response.status;
}

/** Runs `dredge mcp` on the embedded defaults, sends it `requests`, stops it, and lists what it loaded. */
async function mcpServerLoads(
  name: string,
  requests: (url: string) => Promise<void>,
  extraEnv: NodeJS.ProcessEnv = {},
): Promise<Set<string>> {
  const port = await freePort();
  const env = defaultsEnv(name, extraEnv);
  const child = spawn(
    process.execPath,
    ['--import', RECORDER, DREDGE_BIN, 'mcp', '--host', '127.0.0.1', '--port', String(port)],
    { env, stdio: ['ignore', 'pipe', 'pipe'] },
  );
  let output = '';
  child.stdout.on('data', (chunk: Buffer) => (output += chunk.toString()));
  child.stderr.on('data', (chunk: Buffer) => (output += chunk.toString()));
  const exited = new Promise<number | null>((resolve) => child.once('exit', (code) => resolve(code)));
  const url = `http://127.0.0.1:${port}`;
  try {
    const deadline = Date.now() + 20_000;
    for (;;) {
      if (child.exitCode !== null) throw new Error(`dredge mcp exited early:\n${output}`);
      if (Date.now() > deadline) throw new Error(`dredge mcp did not answer:\n${output}`);
      const status = await answered(`${url}/health`).catch(() => 0);
      if (status === 200) break;
      await new Promise((resolve) => setTimeout(resolve, 20));
    }
    await requests(url);
  } finally {
    child.kill('SIGTERM');
  }
  expect(await exited, output).toBe(0);
  return loadedPackages(env.DREDGE_LOADED_MODULES_FILE as string);
}

const post = (url: string, body: unknown) =>
  answered(url, {
    method: 'POST',
    headers: { 'content-type': 'application/json', accept: 'application/json, text/event-stream' },
    body: JSON.stringify(body),
  });

/** Loaded only by the commands, backends and requests that use them. */
const ON_DEMAND = [
  '@modelcontextprotocol/server',
  'bullmq',
  'ioredis',
  '@opentelemetry/exporter-trace-otlp-http',
  'piscina',
  'pino-pretty',
  'ajv',
  '@fastify/ajv-compiler',
  // The OpenAPI document and its page, built on the first GET /openapi.json or /docs.
  '@fastify/swagger',
  '@fastify/swagger-ui',
  '@fastify/static',
  'yaml',
];

describe.skipIf(!hooksAvailable)('what a command loads', () => {
  it('`dredge --version` loads commander and the command line, nothing else', () => {
    const env = defaultsEnv('version');
    const result = spawnSync(process.execPath, ['--import', RECORDER, DREDGE_BIN, '--version'], {
      env,
      encoding: 'utf8',
    });
    expect(result.status, result.stderr).toBe(0);
    const loaded = loadedPackages(env.DREDGE_LOADED_MODULES_FILE as string);
    expect(loaded).toContain('commander');
    const dependencies = [...loaded].filter((name) => !name.startsWith('dredge:'));
    expect(dependencies).toEqual(['commander']);
    const own = [...loaded].filter((name) => name.startsWith('dredge:'));
    for (const folder of own)
      expect(folder).not.toMatch(/^dredge:(services|app\/(http|mcp|operations|tasks))/);
  });

  it('`dredge mcp` on the embedded defaults answers the JSON API without the MCP SDK, Redis, BullMQ or the pool', async () => {
    const loaded = await mcpServerLoads('mcp', async (url) => {
      expect(await post(`${url}/mcp`, { operation: 'unified_inference', params: {} })).toBe(200);
      expect(
        await post(`${url}/mcp`, { operation: 'load_model', params: { model_type: 'quasimoto_1d' } }),
      ).toBe(200);
    });
    // What it does use, so that an empty list cannot pass.
    for (const used of ['fastify', 'zod', 'better-sqlite3', 'prom-client', 'pino'])
      expect(loaded).toContain(used);
    for (const unused of ON_DEMAND) expect(loaded, unused).not.toContain(unused);
  });

  it('the MCP SDK loads with the first protocol request', async () => {
    const loaded = await mcpServerLoads('protocol', async (url) => {
      const initialize = {
        jsonrpc: '2.0',
        id: 1,
        method: 'initialize',
        params: {
          protocolVersion: '2025-11-25',
          capabilities: {},
          clientInfo: { name: 'loaded-modules-test', version: '1' },
        },
      };
      expect(await post(`${url}/mcp`, initialize)).toBe(200);
    });
    expect(loaded).toContain('@modelcontextprotocol/server');
    // The SDK of protocol 2025 and before is the tests' client, never the server's.
    expect(loaded).not.toContain('@modelcontextprotocol/sdk');
    expect(loaded).not.toContain('bullmq');
  });

  it('the OTLP exporter loads when an endpoint is configured', async () => {
    const loaded = await mcpServerLoads('otlp', () => Promise.resolve(), {
      OTEL_EXPORTER_OTLP_ENDPOINT: 'http://127.0.0.1:9',
    });
    expect(loaded).toContain('@opentelemetry/exporter-trace-otlp-http');
  });
});
