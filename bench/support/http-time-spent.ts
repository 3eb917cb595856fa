/**
 * Where a request's time goes, two ways, each in one run:
 *
 * - the ladder: the server's CPU per request as layers are added, each on a fresh process under the same load —
 *   bare node:http, Fastify alone, Fastify with every DREDGE plugin (both answering the same fixed bytes), then the
 *   MCP server on hits and on misses. Each step's difference is what that layer costs.
 * - the profile: the MCP server's event loop sampled every 100 µs while the load runs (misses, then hits), its self
 *   time sorted into categories by where the code lives, per request.
 */
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { startChildServer } from './child-server.js';
import { runLoad, type Workload } from './load-generator.js';
import { CATEGORIES, timePerRequest, type CpuProfile } from './profile-categories.js';
import {
  CONNECTIONS,
  HIT,
  MISS,
  measureBare,
  measureFixedBytes,
  measureMcp,
  type Row,
} from './http-workloads.js';

function measureLayer(layer: 'fastify' | 'plugins', bytes: string, seconds: number): Promise<Row> {
  const name =
    layer === 'fastify'
      ? 'Fastify alone, same bytes'
      : "Fastify with DREDGE's HTTP plugins (createBaseServer), same bytes";
  return measureFixedBytes(name, './layered-server-process.js', [layer, bytes], seconds);
}

/** The ladder's rows (bare, Fastify, plugins, hits, misses), each with its CPU per request. */
export async function measureLadder(bytes: string, seconds: number): Promise<Row[]> {
  return [
    await measureBare(bytes, seconds),
    await measureLayer('fastify', bytes, seconds),
    await measureLayer('plugins', bytes, seconds),
    await measureMcp({ name: 'MCP server, unified_inference, all hits', body: HIT }, seconds),
    await measureMcp(
      { name: 'MCP server, unified_inference, all misses', body: MISS, unique: true },
      seconds,
    ),
  ];
}

/** The ladder as a table, each row with the step from the row before. */
export function formatLadder(rows: readonly Row[]): string {
  const bare = rows[0] as Row;
  const lines = [
    '| layer (8 connections, same answer bytes) | requests/s | vs bare | server CPU µs/request | added by this layer µs |',
    '| --- | ---: | ---: | ---: | ---: |',
  ];
  rows.forEach((row, i) => {
    // Misses are measured against hits: a miss is a hit's path plus the computation and the cache write.
    const previous = rows[i - 1];
    const step =
      previous?.cpuPerRequest === undefined || row.cpuPerRequest === undefined
        ? ''
        : (row.cpuPerRequest - previous.cpuPerRequest).toFixed(0);
    lines.push(
      `| ${row.name} | ${Math.round(row.requestsPerSecond)} | ${(row.requestsPerSecond / bare.requestsPerSecond).toFixed(2)} | ${row.cpuPerRequest?.toFixed(0) ?? ''} | ${step} |`,
    );
  });
  return lines.join('\n');
}

/** The MCP server under one workload with its event loop profiled: µs of self time per request by category. */
async function profileWorkload(workload: Workload, seconds: number): Promise<Map<string, number>> {
  const folder = mkdtempSync(join(tmpdir(), 'dredge-profile-'));
  const file = join(folder, 'profile.cpuprofile');
  try {
    const server = await startChildServer('./mcp-server-process.js', { BENCH_CPU_PROFILE: file });
    let requests: number;
    try {
      server.markStart();
      requests = (await runLoad(server.url, workload, CONNECTIONS, seconds)).requestsPerSecond * seconds;
    } finally {
      await server.stop();
    }
    return timePerRequest(JSON.parse(readFileSync(file, 'utf8')) as CpuProfile, requests);
  } finally {
    rmSync(folder, { recursive: true, force: true });
  }
}

/**
 * The profile table: a row per category, a column each for misses and hits: the category's share of the event
 * loop's busy time, and that share of the CPU per request measured without the profiler (`missCpu`, `hitCpu`, from
 * the ladder of the same run), since sampling every 100 µs slows what it samples.
 */
export async function measureProfile(seconds: number, missCpu: number, hitCpu: number): Promise<string> {
  const misses = await profileWorkload({ name: 'misses', body: MISS, unique: true }, seconds);
  const hits = await profileWorkload({ name: 'hits', body: HIT }, seconds);
  const total = (spent: Map<string, number>) => [...spent.values()].reduce((a, b) => a + b, 0);
  const [missTotal, hitTotal] = [total(misses), total(hits)];
  const cell = (spent: Map<string, number>, category: string, all: number, cpu: number) => {
    const share = (spent.get(category) ?? 0) / all;
    return `${(share * 100).toFixed(0)} % | ${(share * cpu).toFixed(1)}`;
  };
  const lines = [
    '| where (event loop, self time) | miss share | miss ≈ µs | hit share | hit ≈ µs |',
    '| --- | ---: | ---: | ---: | ---: |',
    ...CATEGORIES.map(
      (category) =>
        `| ${category} | ${cell(misses, category, missTotal, missCpu)} | ${cell(hits, category, hitTotal, hitCpu)} |`,
    ),
    `| **all: the server's CPU per request, measured without the profiler** | | **${missCpu.toFixed(0)}** | | **${hitCpu.toFixed(0)}** |`,
  ];
  return lines.join('\n');
}
