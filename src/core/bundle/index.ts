export {
  BUNDLE_CHECKSUM_BYTES,
  BUNDLE_DTYPE,
  BUNDLE_FORMAT,
  BUNDLE_MAGIC,
  BUNDLE_PREFIX_BYTES,
  MAX_BUNDLE_HEADER_BYTES,
  type BundleHeader,
  type BundleTensor,
} from './layout.js';
export { BundleRefusal, type BundleRefusalReason } from './bundle-error.js';
export { sha256, toHex } from './checksum.js';
export {
  bundleHeader,
  encodeBundle,
  encodeBundleWithChecksum,
  type BundleExtras,
  type EncodedBundle,
} from './encode.js';
export { decodeBundle, readBundlePrefix, type BundlePrefix, type DecodedBundle } from './decode.js';
