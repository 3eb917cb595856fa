import { z } from 'zod';
import {
  BUNDLE_CHECKSUM_BYTES,
  decodeBundle,
  encodeBundleWithChecksum,
  readBundlePrefix,
  toHex,
  type AnyModel,
  type BundleExtras,
} from '../../core/index.js';
import { JsonText } from '../../services/cache/index.js';
import { DredgeError } from '../../services/errors.js';
import type { RegisteredModel } from '../../services/store/index.js';
import { answer, count, modelIdOut, modelTypeOut, parameterCountOut, versionOut } from './answer.js';
import { describeModel } from './models.js';
import { modelIdSchema } from './model-ref.js';
import {
  READS_ONLY,
  defineModelOperation,
  defineOperation,
  type OperationContext,
  type RequestContext,
} from './operation.js';
import { wholeNumber } from './schema.js';

/**
 * The work of writing or reading a bundle, per value (parameters and buffers): copying 8 bytes, hashing them with
 * SHA-256 (WebCrypto copies its input first) and, for JSON, base64 — about 10 ns, counted as ten multiply-adds.
 * Above COMPUTE_INLINE_WORK (100,000 values, 800 KB, at its default) the bundle is made or read on the compute pool.
 */
export const BUNDLE_WORK_PER_VALUE = 10;

/** The most bytes MAX_BUNDLE_BYTES may allow (its key's own bound), so the base64 text's schema is bounded too. */
const MAX_BUNDLE_BYTES_BOUND = 1024 ** 3;
const MAX_BASE64_LENGTH = Math.ceil(MAX_BUNDLE_BYTES_BOUND / 3) * 4;

/** 413 for a bundle over MAX_BUNDLE_BYTES, before it is read or written. */
function tooLarge(bytes: number, context: RequestContext, what: string): DredgeError {
  const limit = context.services.config.compute.maxBundleBytes;
  return new DredgeError(
    'too_large',
    `${what} must be at most ${limit} bytes (MAX_BUNDLE_BYTES); this one has ${bytes}.`,
  );
}

/** Values a bundle of the model holds: parameters and buffers. */
function valueCount(model: AnyModel): number {
  return model.parameters.length + model.buffers.length;
}

/**
 * What a bundle's answer carries besides its JSON: the bundle's bytes, for a door that sends them as they are
 * (`GET /models/{id}/bundle`). Never written into JSON (`toJSON` answers undefined, so the member is left out).
 */
export class BundleBytes {
  constructor(readonly bytes: Uint8Array) {}

  toJSON(): undefined {
    return undefined;
  }
}

/** The bundle's bytes behind an export_model answer made with `include_bundle: false`, if it holds them. */
export function bundleBytesOf(value: Readonly<Record<string, unknown>>): Uint8Array | undefined {
  const raw = value.bundle_bytes;
  return raw instanceof BundleBytes ? raw.bytes : undefined;
}

const sha256Out = z
  .string()
  .describe(
    'The bundle’s SHA-256 (64 hex digits): its last 32 bytes, the checksum of everything before them',
  );
const byteSizeOut = count('The bundle’s size in bytes (before base64)');

export const exportModel = defineModelOperation({
  name: 'export_model',
  title: 'Export a model as a bundle',
  scope: 'read',
  effects: READS_ONLY,
  description:
    'A model as a portable bundle (a versioned, checksummed binary: type, configuration, version, training summary ' +
    'and every tensor as little-endian float64), answered as base64 in `bundle`, with its size in bytes and its ' +
    'SHA-256; import_model (here or on any DREDGE) loads it as a new model, bit-exactly. Over HTTP, ' +
    'GET /models/{id}/bundle answers the bytes themselves. Bundles are bounded by MAX_BUNDLE_BYTES.',
  input: z.object({
    model_id: modelIdSchema.describe('The id of the model to export, as load_model answered it'),
    version: wholeNumber(0, Number.MAX_SAFE_INTEGER)
      .optional()
      .describe(
        'Which of its kept versions to export (the version number get_parameters reports), whole, ≥ 0; ' +
          'absent: the current one',
      ),
    include_bundle: z
      .boolean({ error: 'must be true or false' })
      .optional()
      .describe('false: answer the bundle’s size and SHA-256 without the bundle itself (default true)'),
  }),
  output: answer({
    model_id: modelIdOut,
    model_type: modelTypeOut,
    n_parameters: parameterCountOut,
    version: versionOut.describe('The version exported'),
    bytes: byteSizeOut,
    sha256: sha256Out,
    bundle: z
      .string()
      .optional()
      .describe(
        'The bundle as base64 (absent with include_bundle: false); at most MAX_BUNDLE_BYTES before it',
      ),
  }),
  model: (input) => input.model_id,
  workFormula: `${BUNDLE_WORK_PER_VALUE} × values (parameters and buffers)`,
  work(_input, { model }, context) {
    // Each value takes 8 bytes: a model past the bound is refused before anything is written.
    const least = 8 * valueCount(model);
    if (least > context.services.config.compute.maxBundleBytes) throw tooLarge(least, context, 'The bundle');
    return BUNDLE_WORK_PER_VALUE * valueCount(model);
  },
  async handle(input, context, current) {
    const registered = await chosenVersion(current, input.version, context);
    const { model } = registered;
    const extras: BundleExtras = {
      requestConfig: registered.requestConfig,
      trainingSummary: registered.training ?? null,
    };
    const facts = {
      model_id: registered.id,
      model_type: registered.type,
      n_parameters: model.parameterCount,
      version: model.version,
    };
    const includeBundle = input.include_bundle ?? true;
    if (includeBundle && context.offLoop) {
      const made = await context.services.compute.bundleBase64(model, extras, context.signal);
      checkSize(made.byteLength, context);
      const head = JSON.stringify({ ...facts, bytes: made.byteLength, sha256: made.sha256 });
      // Megabytes of base64 go out as the thread wrote them, never a string on the event loop.
      return JsonText.joined([`${head.slice(0, -1)},"bundle":"`, made.base64, '"}']);
    }
    const bytes = context.offLoop
      ? await context.services.compute.bundle(model, extras, context.signal)
      : (await encodeBundleWithChecksum(model, extras)).bytes;
    checkSize(bytes.length, context);
    const sha256 = toHex(bytes.subarray(bytes.length - BUNDLE_CHECKSUM_BYTES));
    const result = { ...facts, bytes: bytes.length, sha256 };
    if (includeBundle) return { ...result, bundle: Buffer.from(bytes).toString('base64') };
    const withBytes = { ...result, bundle_bytes: new BundleBytes(bytes) };
    return withBytes;
  },
});

/** The registered model at `version` (the current one when absent or equal); 404 when it is not kept. */
async function chosenVersion(
  current: RegisteredModel,
  version: number | undefined,
  context: OperationContext,
): Promise<RegisteredModel> {
  if (version === undefined || version === current.model.version) return current;
  const { models } = context.services.store;
  const found = await models.getVersion(current.id, version, context.tenant);
  if (!found) throw await models.versionNotKept(current.id, version, context.tenant);
  return found;
}

function checkSize(bytes: number, context: RequestContext): void {
  if (bytes > context.services.config.compute.maxBundleBytes) throw tooLarge(bytes, context, 'The bundle');
}

/** The bundle of import_model's JSON params: its base64 text decoded, or 400 when it is missing or not base64. */
function bundleFromBase64(text: string | undefined): Uint8Array {
  const bytes = text === undefined ? undefined : Buffer.from(text, 'base64');
  // Buffer skips what is not base64: fewer bytes than the text's length says means it was not all base64.
  if (text === undefined || bytes === undefined || bytes.length !== base64Bytes(text)) {
    throw new DredgeError('invalid_input', 'params.bundle must be the bundle as base64 text');
  }
  return bytes;
}

/** Bytes of base64 text of `length` characters (padding counted off), before it is decoded. */
function base64Bytes(text: string): number {
  const padding = text.endsWith('==') ? 2 : text.endsWith('=') ? 1 : 0;
  return Math.floor((text.length / 4) * 3) - padding;
}

const modelSummary = {
  model_id: modelIdOut.describe(
    'The new model’s id: pass it to inference, train, get_parameters, export_model',
  ),
  model_type: modelTypeOut,
  n_parameters: parameterCountOut,
  config: z
    .record(z.string(), z.unknown())
    .describe(
      'The configuration the exported model was asked for (load_model’s config), as the bundle holds it',
    ),
  version: versionOut.describe(
    'The version the bundle held (kept: the imported model answers as the source did)',
  ),
  created_at: z.string().describe('When it was imported, ISO 8601 in UTC'),
  updated_at: z.string().describe('The same as created_at, ISO 8601 in UTC'),
};

export const importModel = defineOperation({
  name: 'import_model',
  title: 'Import a model bundle',
  scope: 'write',
  effects: { readOnly: false, destructive: false, idempotent: false, openWorld: false },
  description:
    'Load a bundle written by export_model (here or on any DREDGE) as a NEW model with a new id, bit-exactly ' +
    '(values, version, configuration), within MAX_MODELS, MAX_MODEL_PARAMETERS and the tenant’s quotas. A ' +
    'truncated, tampered (its SHA-256 does not match), future-format or malformed bundle is refused with a ' +
    'sentence saying which. Over HTTP, POST /models/import takes the bytes themselves.',
  input: z.object({
    bundle: z
      .string({ error: 'must be the bundle as base64 text' })
      .min(1, { error: 'must be the bundle as base64 text' })
      .max(MAX_BASE64_LENGTH, { error: 'must be the bundle as base64 text' })
      .optional()
      .describe(
        'The bundle, as export_model answered it: base64 text of at most MAX_BUNDLE_BYTES bytes ' +
          '(and within MAX_BODY_BYTES as a JSON body). Required, except over POST /models/import, whose body is ' +
          'the bundle itself',
      ),
  }),
  output: answer({
    ...modelSummary,
    bytes: byteSizeOut,
    sha256: sha256Out.describe('The imported bundle’s SHA-256 (64 hex digits), checked'),
  }),
  workFormula: `${BUNDLE_WORK_PER_VALUE / 8} × bundle bytes`,
  work(input, _model, context) {
    const bytes = context.attachment?.byteLength ?? base64Bytes(input.bundle ?? '');
    if (bytes > context.services.config.compute.maxBundleBytes)
      throw tooLarge(bytes, context, 'params.bundle');
    return (BUNDLE_WORK_PER_VALUE / 8) * bytes;
  },
  async handle(input, context) {
    const bytes = context.attachment ?? bundleFromBase64(input.bundle);
    // The fixed start first, on this thread: a bundle that is not one, cut short or from a newer DREDGE is
    // refused before anything is copied or hashed.
    const { totalBytes } = readBundlePrefix(bytes);
    const read = context.offLoop
      ? await context.services.compute.unbundle(bytes, context.signal)
      : await decodeBundle(bytes);
    // Served models answer in evaluation mode, as load_model's do (a bundle of a stored model already is).
    const model = read.model.eval();
    const registered = await context.services.store.models.add(
      model.type,
      model,
      read.requestConfig,
      context.tenant,
    );
    return { ...describeModel(registered), bytes: totalBytes, sha256: read.sha256 };
  },
});
