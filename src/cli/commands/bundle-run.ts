import { createWriteStream } from 'node:fs';
import { readFile, stat } from 'node:fs/promises';
import { resolve } from 'node:path';
import { finished } from 'node:stream/promises';
import { BundleRefusal, decodeBundle, encodeBundleWithChecksum } from '../../core/index.js';
import { DredgeError } from '../../services/errors.js';
import { DEFAULT_TENANT } from '../../services/store/index.js';
import type { CliContext } from '../context.js';
import { withStore } from '../with-store.js';
import { CliExit, writeLine } from '../io.js';
import type { ExportOptions } from './bundle.js';

/**
 * `dredge export`: the model's bundle (core/bundle) from the configured store, to a file or stdout. The command line
 * is the operator's: it reads a model of any tenant.
 */
export async function exportBundle(ctx: CliContext, options: ExportOptions): Promise<void> {
  const { modelId, version, output } = options;
  const encoded = await withStore(ctx, async (store) => {
    const registered =
      version === undefined
        ? await store.models.get(modelId)
        : await store.models.getVersion(modelId, version);
    if (!registered) {
      const exists = version !== undefined && (await store.models.get(modelId));
      throw exists
        ? await store.models.versionNotKept(modelId, version)
        : new DredgeError('not_found', `Model not found: ${modelId}`);
    }
    const { bytes, sha256 } = await encodeBundleWithChecksum(registered.model, {
      requestConfig: registered.requestConfig,
      trainingSummary: registered.training ?? null,
    });
    return { bytes, sha256, version: registered.model.version };
  });
  const { bytes, sha256 } = encoded;
  const target = output === undefined ? ctx.io.stdout : createWriteStream(resolve(ctx.io.cwd, output));
  target.write(bytes);
  if (output !== undefined) {
    target.end();
    await finished(target);
  }
  writeLine(
    ctx.io.stderr,
    `Exported ${modelId} version ${encoded.version} (${bytes.length} bytes, SHA-256 ${sha256})` +
      (output === undefined ? '.' : ` to ${output}.`),
  );
}

/** `dredge import FILE`: the bundle loaded as a new model of the default tenant; its id on stdout. */
export async function importBundle(ctx: CliContext, file: string): Promise<void> {
  const { config } = ctx.loadConfig();
  const path = resolve(ctx.io.cwd, file);
  const size = await stat(path).then(
    (stats) => stats.size,
    () => fail(ctx, `Cannot read ${file}: no such file.`),
  );
  const { maxBundleBytes } = config.compute;
  if (size > maxBundleBytes) {
    fail(ctx, `${file} has ${size} bytes; a bundle has at most ${maxBundleBytes} (MAX_BUNDLE_BYTES).`);
  }
  const decoded = await decodeBundle(await readFile(path)).catch((error: unknown) => {
    if (error instanceof BundleRefusal) fail(ctx, `${file}: ${error.message}.`);
    throw error;
  });
  const model = decoded.model.eval();
  const registered = await withStore(ctx, (store) =>
    store.models.add(model.type, model, decoded.requestConfig, DEFAULT_TENANT),
  );
  writeLine(ctx.io.stdout, registered.id);
  writeLine(
    ctx.io.stderr,
    `Imported ${file} as ${registered.id} (${model.type}, version ${model.version}, SHA-256 ${decoded.sha256}).`,
  );
}

function fail(ctx: CliContext, message: string): never {
  writeLine(ctx.io.stderr, message);
  throw new CliExit(1);
}
