import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { BatchReport } from '../../src/app/batch/index.js';
import { dredge } from '../helpers/cli.js';
import { freePort } from '../helpers/free-port.js';
import { startMcpServer, type RunningMcpServer } from '../helpers/mcp-server.js';
import { useTempDirs } from '../helpers/temp-dir.js';

const tempDir = useTempDirs();
const dirs = () => ({ cwd: tempDir(), homeDir: tempDir(), env: { LOG_LEVEL: 'silent' } });

async function batchJson(
  args: string[],
  options: ReturnType<typeof dirs> & { env: NodeJS.ProcessEnv } = dirs(),
): Promise<{ code: number; report: BatchReport }> {
  const run = await dredge(['batch', '--json', ...args], options);
  expect(run.stderr).toBe('');
  return { code: run.code, report: JSON.parse(run.stdout) as BatchReport };
}

/** Every field of the documented --json schema, with its type. */
function expectSchema(report: BatchReport): void {
  expect(Object.keys(report).sort()).toEqual(
    [
      'schema_version',
      'mode',
      'target',
      'workers',
      'cache',
      'source',
      'interrupted',
      'total_tasks',
      'completed',
      'successful',
      'failed',
      'abandoned',
      'cache_hits',
      'cache_hit_rate',
      'total_time_s',
      'throughput_per_s',
      'latency_ms',
      'errors',
      'server',
    ].sort(),
  );
  expect(report.schema_version).toBe(1);
  for (const key of [
    'workers',
    'total_tasks',
    'completed',
    'successful',
    'failed',
    'abandoned',
    'cache_hits',
  ] as const) {
    expect(Number.isInteger(report[key])).toBe(true);
  }
  expect(report.total_time_s).toBeGreaterThan(0);
  expect(report.throughput_per_s).toBeCloseTo(report.completed / report.total_time_s, 6);
  expect(Object.keys(report.latency_ms).sort()).toEqual(
    ['method', 'count', 'min', 'mean', 'median', 'p95', 'p99', 'max'].sort(),
  );
  const { min, median, p95, p99, max } = report.latency_ms;
  expect(min! <= median! && median! <= p95! && p95! <= p99! && p99! <= max!).toBe(true);
  expect(Object.keys(report.server).sort()).toEqual(['cache_stats', 'metrics_counters', 'problem', 'source']);
}

describe('dredge batch, in process', () => {
  it('--json: the documented document, with the repeats answered from the cache', async () => {
    const { code, report } = await batchJson(['--tasks', '100', '--workers', '1']);
    expect(code).toBe(0);
    expectSchema(report);
    expect(report).toMatchObject({
      mode: 'in-process',
      target: 'this process',
      workers: 1,
      cache: 'on',
      source: { kind: 'generated', seed: 1, repeats: true },
      interrupted: false,
      total_tasks: 100,
      completed: 100,
      successful: 100,
      failed: 0,
      abandoned: 0,
      cache_hits: 19,
      cache_hit_rate: 0.19,
      errors: [],
      server: {
        source: 'this process',
        metrics_counters: { mcp_unified_inference: 100, mcp_unified_inference_cache_hit: 19 },
        cache_stats: { hits: 19, misses: 81, backend_type: 'memory' },
        problem: null,
      },
    });
    expect(report.latency_ms.count).toBe(100);
  });

  it('--no-cache: no cache, no repeats, no hits', async () => {
    const { code, report } = await batchJson([
      '--tasks',
      '50',
      '--workers',
      '4',
      '--no-cache',
      '--seed',
      '9',
    ]);
    expect(code).toBe(0);
    expect(report).toMatchObject({
      cache: 'off',
      workers: 4,
      source: { kind: 'generated', seed: 9, repeats: false },
      cache_hits: 0,
      cache_hit_rate: 0,
      server: { cache_stats: { enabled: false } },
    });
  });

  it('prints the original’s report on a terminal, with a progress bar on stderr unless --no-spinner', async () => {
    const run = await dredge(['batch', '--tasks', '20'], { ...dirs(), tty: true });
    expect(run.code).toBe(0);
    for (const label of [
      'RESULTS',
      'Total Tasks:      20',
      'Successful:       20',
      'Failed:           0',
      'Cache Hits:       3',
      'Cache Hit Rate:   15.0%',
      'Total Time:',
      'Throughput:',
      'Min:',
      'Mean:',
      'Median:',
      'P95:',
      'P99:',
      'Max:',
      'Server Metrics (this process):',
      '"mcp_unified_inference": 20',
      'Cache Statistics:',
    ]) {
      expect(run.stdout).toContain(label);
    }
    expect(run.stderr).toMatch(/\r\[[█░]+\] \d+\/20/);
    const quiet = await dredge(['batch', '--tasks', '20', '--no-spinner'], { ...dirs(), tty: true });
    expect(quiet.stderr).toBe('');
  });

  it('runs a task file and exits 1 when some tasks fail, listing the failures', async () => {
    const options = dirs();
    const file = join(options.cwd, 'tasks.jsonl');
    writeFileSync(
      file,
      [
        '{"operation": "string_spectrum", "params": {"max_modes": 10}}',
        '{"operation": "string_spectrum", "params": {"max_modes": 10}}',
        '{"operation": "string_parameters", "params": {"energy_scale": 1}}',
        '{"operation": "string_spectrum", "params": {"max_modes": 0}, "id": "bad"}',
      ].join('\n'),
    );
    const { code, report } = await batchJson(['--file', file, '--workers', '1'], options);
    expect(code).toBe(1);
    expect(report).toMatchObject({
      source: { kind: 'file', path: file },
      total_tasks: 4,
      successful: 3,
      failed: 1,
      cache_hits: 1,
      errors: [{ code: 'invalid_input', count: 1, first_task: 'bad' }],
    });
  });

  it('refuses a bad task file with its line and reason, exit 2', async () => {
    const options = dirs();
    const file = join(options.cwd, 'tasks.jsonl');
    writeFileSync(file, '{"operation": "get_metrics"}\n{"operation": "get_metrics", "params": 3}\n');
    const run = await dredge(['batch', '--file', file], options);
    expect(run.code).toBe(2);
    expect(run.stdout).toBe('');
    expect(run.stderr).toBe(`Bad task file: ${file} line 2: params must be a JSON object\n`);
  });

  it.each([
    [['--tasks', '0'], '--tasks must be a whole number from 1 to 1,000,000 (got "0").'],
    [['--tasks', '1000001'], '--tasks must be a whole number from 1 to 1,000,000 (got "1000001").'],
    [['--tasks', '1e3'], '--tasks must be a whole number from 1 to 1,000,000 (got "1e3").'],
    [['--workers', '1025'], '--workers must be a whole number from 1 to 1,024 (got "1025").'],
    [['--workers', '-1'], '--workers must be a whole number from 1 to 1,024 (got "-1").'],
    [['--seed', 'x'], '--seed must be a whole number from 0 to 9,007,199,254,740,991 (got "x").'],
    [
      ['--url', 'ftp://example.com'],
      '--url must be an http:// or https:// URL such as http://127.0.0.1:3002 (got "ftp://example.com").',
    ],
    [
      ['--url', 'http://x', '--distributed'],
      '--distributed and --url cannot be used together: the tasks go either to the queue or to a server.',
    ],
    [
      ['--file', 'a.jsonl', '--tasks', '5'],
      '--file cannot be used with --tasks or --seed: the file says which tasks run.',
    ],
  ])('refuses %j with a sentence, exit 2', async (args, sentence) => {
    const run = await dredge(['batch', ...args], dirs());
    expect(run.code).toBe(2);
    expect(run.stderr).toBe(`${sentence}\n`);
    expect(run.stdout).toBe('');
  });

  it('says its bounds and exit codes in --help', async () => {
    const run = await dredge(['batch', '--help'], dirs());
    expect(run.stdout).toMatch(/1 to 1,000,000/);
    expect(run.stdout).toMatch(/1 to 1024/);
    expect(run.stdout).toMatch(/130 stopped by Ctrl-C/);
  });
});

describe('dredge batch --url, against a real server', () => {
  let server: RunningMcpServer;
  beforeAll(async () => {
    server = await startMcpServer();
  });
  afterAll(() => server.close());

  it("runs the mix over HTTP and reports the server's counters and cache", async () => {
    const { code, report } = await batchJson(['--url', server.url, '--tasks', '60', '--workers', '3']);
    expect(code).toBe(0);
    expectSchema(report);
    expect(report).toMatchObject({
      mode: 'http',
      target: server.url,
      cache: 'server',
      completed: 60,
      successful: 60,
      server: { source: server.url, metrics_counters: { mcp_unified_inference: 60 }, problem: null },
    });
    expect(report.cache_hits).toBeGreaterThanOrEqual(9);
    expect(report.server.cache_stats).toMatchObject({ hits: report.cache_hits });
  });

  it('exits 1 with a sentence when no server answers', async () => {
    const port = await freePort();
    const run = await dredge(['batch', '--url', `http://127.0.0.1:${port}`], dirs());
    expect(run.code).toBe(1);
    expect(run.stderr).toMatch(
      new RegExp(`^Cannot reach a DREDGE server at http://127\\.0\\.0\\.1:${port}: .*ECONNREFUSED`),
    );
  });
});

describe('dredge batch --url, against a server with authentication', () => {
  let server: RunningMcpServer;
  const key = 'batch-test-administrator-key-0123456789';
  beforeAll(async () => {
    server = await startMcpServer({ AUTH_ENABLED: 'true', API_KEY: key });
  });
  afterAll(() => server.close());

  it('sends API_KEY as a bearer key; without it every task is refused', async () => {
    const withKey = await batchJson(['--url', server.url, '--tasks', '10'], {
      ...dirs(),
      env: { LOG_LEVEL: 'silent', API_KEY: key },
    });
    expect(withKey.report).toMatchObject({ completed: 10, successful: 10 });
    const without = await dredge(['batch', '--json', '--url', server.url, '--tasks', '10'], dirs());
    const report = JSON.parse(without.stdout) as BatchReport;
    expect(report).toMatchObject({ completed: 10, successful: 0 });
  });
});
