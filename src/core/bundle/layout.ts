/**
 * The layout of a model bundle: one model (type, configuration, version, training summary and every tensor) as
 * bytes that any DREDGE, or a browser, can read back bit-exactly.
 *
 * ```
 * offset 0   8 bytes  magic "DREDGEMB"
 *        8   u32 LE   format number (BUNDLE_FORMAT)
 *        12  u32 LE   header length in bytes (UTF-8 JSON, BundleHeader)
 *        16  u64 LE   the bundle's total length in bytes, checksum included
 *        24  8 bytes  zero (reserved)
 *        32  header   JSON text, then zeros to the next multiple of 8
 *        …   tensors  little-endian float64 values: parameters, then buffers, in the model's own order, each
 *                     where the header's table says (offsets from the first tensor byte, all 8-aligned)
 *        end−32       SHA-256 of every byte before it
 * ```
 *
 * The total length is written up front so that a cut-short file is told from a damaged one before anything else
 * is read; the checksum comes last so that a writer can stream the bundle and hash as it goes.
 */

/** "DREDGEMB": a DREDGE model bundle. */
export const BUNDLE_MAGIC: Uint8Array = Uint8Array.from('DREDGEMB', (char) => char.charCodeAt(0));
/** The format this build writes, and the highest it reads. Readers refuse a higher number with a sentence. */
export const BUNDLE_FORMAT = 1;
/** Bytes before the header: magic, format, header length, total length, reserved. */
export const BUNDLE_PREFIX_BYTES = 32;
/** Bytes of the SHA-256 checksum that ends every bundle. */
export const BUNDLE_CHECKSUM_BYTES = 32;
/**
 * The longest header: the tensor table of the largest ensemble (256 six-dimensional waves, a few thousand names)
 * and a training summary of 500 points take well under this; more is a damaged or hostile bundle.
 */
export const MAX_BUNDLE_HEADER_BYTES = 4 * 1024 * 1024;
/** The one element type of this format's tensors. */
export const BUNDLE_DTYPE = 'float64';

/** One tensor of the table: where its values lie in the bundle. */
export interface BundleTensor {
  /** PyTorch's name (`network.0.weight`, `waves.3.A`, …): the model's own tensor table decides the order. */
  readonly name: string;
  /** Trainable values (`parameter`) or state such as BatchNorm's running statistics (`buffer`). */
  readonly kind: 'parameter' | 'buffer';
  readonly dtype: typeof BUNDLE_DTYPE;
  readonly shape: readonly number[];
  /** Values (not bytes). */
  readonly length: number;
  /** Where its first byte is, from the start of the tensor data (the first multiple of 8 after the header). */
  readonly offset: number;
}

/** The JSON header: what the model is, and where its tensors are. */
export interface BundleHeader {
  readonly model_type: string;
  /** The model's configuration as the model reports it (`model.config`). */
  readonly config: Readonly<Record<string, unknown>>;
  /** The configuration its creator asked for, as load_model echoes it (absent keys took defaults). */
  readonly request_config: Readonly<Record<string, unknown>>;
  /** The model's version number (it counts changes of its values), as get_parameters reports it. */
  readonly version: number;
  /** PyTorch's mode flag when it was bundled (served models are in evaluation mode: false). */
  readonly training_mode: boolean;
  /** The last training's summary, as the host keeps it (plain JSON), or null when it was never trained. */
  readonly training_summary: unknown;
  readonly tensors: readonly BundleTensor[];
}

/** `n` rounded up to a multiple of 8, so every tensor starts 8-aligned. */
export function alignTo8(n: number): number {
  return Math.ceil(n / 8) * 8;
}
