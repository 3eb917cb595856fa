import { readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { PassThrough } from 'node:stream';
import { describe, expect, it } from 'vitest';
import { runCli } from '../../src/cli/run-cli.js';
import { createModel, encodeBundle, SeededRandom } from '../../src/core/index.js';
import { commandInFreshPlace } from '../helpers/cli.js';
import { useTempDirs } from '../helpers/temp-dir.js';

/** A trained-looking StringTheoryNN with BatchNorm statistics, bundled as a served model is (evaluation mode). */
async function someBundle(): Promise<Uint8Array> {
  const model = createModel('string_theory', {
    dimensions: 2,
    hiddenSize: 5,
    numLayers: 2,
    useBatchNorm: true,
  });
  const random = new SeededRandom(3);
  for (let i = 0; i < model.buffers.length; i++) model.buffers[i] = random.normal();
  model.markChanged();
  model.eval();
  return encodeBundle(model, { requestConfig: { dimensions: 2, hidden_size: 5 } });
}

describe('dredge export and dredge import', () => {
  const tempDir = useTempDirs();

  it('imports a bundle as a new model and exports it again byte for byte, to a file and to stdout', async () => {
    const place = tempDir();
    const env = { DATA_DIR: join(place, 'data'), LOG_LEVEL: 'silent' };
    const options = { cwd: place, homeDir: place, env };
    const bundle = await someBundle();
    writeFileSync(join(place, 'in.dredge'), bundle);
    const { run } = { run: (...argv: string[]) => commandInFreshPlaceRun(argv, options) };

    const imported = await run('import', 'in.dredge');
    expect(imported.code, imported.stderr).toBe(0);
    const id = imported.stdout.trim();
    expect(id).toMatch(/^string_theory_\d+$/);
    expect(imported.stderr).toMatch(new RegExp(`^Imported in\\.dredge as ${id} \\(string_theory, version 1`));

    const toFile = await run('export', id, '-o', 'out.dredge');
    expect(toFile.code, toFile.stderr).toBe(0);
    expect(readFileSync(join(place, 'out.dredge'))).toEqual(Buffer.from(bundle));

    // An earlier version that is not kept: the registry's own sentence.
    const notKept = await run('export', id, '--model-version', '0');
    expect(notKept.code).toBe(1);
    expect(notKept.stderr).toContain(id);

    const toStdout = await run('export', id);
    expect(toStdout.code, toStdout.stderr).toBe(0);
    expect(toStdout.bytes).toEqual(Buffer.from(bundle));

    // `--version V`, as the issue spells it, names the model's version after `export`: the current one here.
    const byVersion = await run('export', id, '--version', '1', '-o', 'v1.dredge');
    expect(byVersion.code, byVersion.stderr).toBe(0);
    expect(readFileSync(join(place, 'v1.dredge'))).toEqual(Buffer.from(bundle));
    expect((await run('export', id, '--version=0')).stderr).toContain(id);
  });

  it('says which way a bad bundle fails, and what is unknown', async () => {
    const { run } = commandInFreshPlace(tempDir, 'import');
    const place = tempDir();
    const bundle = await someBundle();
    writeFileSync(join(place, 'cut.dredge'), bundle.subarray(0, 100));
    const cut = await run(join(place, 'cut.dredge'));
    expect(cut.code).toBe(1);
    expect(cut.stderr).toContain(`bundle is truncated: it has 100 of its ${bundle.length} bytes`);
    const altered = Buffer.from(bundle);
    altered[altered.length - 40]! ^= 1;
    writeFileSync(join(place, 'altered.dredge'), altered);
    expect((await run(join(place, 'altered.dredge'))).stderr).toContain(
      'does not match its SHA-256 checksum',
    );
    expect((await run(join(place, 'missing.dredge'))).code).toBe(1);

    const exporter = commandInFreshPlace(tempDir, 'export');
    const unknown = await exporter.run('quasimoto_1d_7');
    expect(unknown.code).toBe(1);
    expect(unknown.stderr.trim()).toBe('Model not found: quasimoto_1d_7');
    const badVersion = await exporter.run('quasimoto_1d_7', '--model-version', 'x');
    expect(badVersion.code).toBe(2);
    expect(badVersion.stderr.trim()).toBe('--model-version must be a whole number ≥ 0.');
  });
});

/** `dredge …` with stdout kept as bytes (an exported bundle is binary). */
async function commandInFreshPlaceRun(
  argv: string[],
  options: { cwd: string; homeDir: string; env: NodeJS.ProcessEnv },
): Promise<{ code: number; stdout: string; bytes: Buffer; stderr: string }> {
  const stdout = Object.assign(new PassThrough(), { isTTY: false, columns: 80 });
  const stderr = Object.assign(new PassThrough(), { isTTY: false });
  const out: Buffer[] = [];
  let err = '';
  stdout.on('data', (chunk: Buffer) => out.push(chunk));
  stderr.on('data', (chunk: Buffer) => (err += chunk.toString()));
  const code = await runCli(argv, { stdout, stderr, ...options });
  const bytes = Buffer.concat(out);
  return { code, stdout: bytes.toString(), bytes, stderr: err };
}
