import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { BatchReport } from '../../../src/app/batch/index.js';
import { dredge } from '../../helpers/cli.js';
import { startMcpServer, type RunningMcpServer } from '../../helpers/mcp-server.js';
import { useTempDirs } from '../../helpers/temp-dir.js';
import { TENANTS_ON, keyOf, operation } from './tenant-keys.js';

const tempDir = useTempDirs();

/**
 * `dredge batch --url` against a server with tenants: a batch runs with its key's tenant, so a batch sent with
 * one tenant's key can use that tenant's model and one sent with another tenant's key finds no such model.
 */
describe('tenants through dredge batch over HTTP', () => {
  let server: RunningMcpServer;
  let alpha: string;
  let beta: string;
  let model: string;
  let folder: string;
  let file: string;

  beforeAll(async () => {
    server = await startMcpServer({ ...TENANTS_ON });
    alpha = await keyOf(server.services, 'alpha');
    beta = await keyOf(server.services, 'beta');
    const loaded = await operation(server.url, alpha, 'load_model', { model_type: 'quasimoto_1d' });
    model = String(loaded.body.model_id);
    // Made here rather than with tempDir, whose folders go after each test.
    folder = mkdtempSync(join(tmpdir(), 'dredge-tenancy-batch-'));
    file = join(folder, 'tasks.jsonl');
    const task = (x: number) =>
      JSON.stringify({ operation: 'inference', params: { model_id: model, inputs: { x: [x], t: [0] } } });
    writeFileSync(file, `${[0.1, 0.2, 0.3].map(task).join('\n')}\n`);
  });
  afterAll(async () => {
    await server?.close();
    rmSync(folder, { recursive: true, force: true });
  });

  async function batchAs(key: string): Promise<{ code: number; report: BatchReport }> {
    const run = await dredge(['batch', '--json', '--url', server.url, '--file', file], {
      cwd: tempDir(),
      homeDir: tempDir(),
      env: { LOG_LEVEL: 'silent', API_KEY: key },
    });
    if (!run.stdout) throw new Error(`no report (exit ${run.code}): ${run.stderr}`);
    return { code: run.code, report: JSON.parse(run.stdout) as BatchReport };
  }

  it("runs a tenant's batch on its own model", async () => {
    const { code, report } = await batchAs(alpha);
    expect(code).toBe(0);
    expect(report).toMatchObject({ mode: 'http', completed: 3, successful: 3, failed: 0 });
  });

  it("finds no model of another tenant: each task is 'Model not found', as for an unknown id", async () => {
    const { code, report } = await batchAs(beta);
    expect(code).toBe(1);
    expect(report).toMatchObject({
      successful: 0,
      failed: 3,
      errors: [{ code: 'not_found', message: `Model not found: ${model}`, count: 3 }],
    });
  });
});
