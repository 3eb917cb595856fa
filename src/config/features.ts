/**
 * Which capabilities this build really has. A configuration key belongs to one feature; a key whose
 * feature is not built yet is accepted (so existing env files load) but reported as inactive by
 * `dredge config show` and `dredge health`, never silently pretended to work.
 * Adding a capability means adding its name to `BUILT_FEATURES`.
 */
export const FEATURES = [
  'core',
  'logging',
  'compute',
  'cache',
  'telemetry',
  'servers',
  'dredge-server',
  'store',
  'workers',
  'queue',
  'batch',
  'access',
  'integrations',
  'legacy',
] as const;

export type Feature = (typeof FEATURES)[number];

const BUILT_FEATURES: ReadonlySet<Feature> = new Set<Feature>([
  'core',
  'logging',
  'compute',
  'cache',
  'telemetry',
  'servers',
  'dredge-server',
  'store',
  'workers',
  'queue',
  'batch',
  'access',
  'integrations',
]);

export function isFeatureBuilt(feature: Feature): boolean {
  return BUILT_FEATURES.has(feature);
}
