export { ConfigError } from './errors.js';
export type { DatabaseSettings, DredgeConfig } from './dredge-config.js';
export {
  CONFIG_KEYS,
  CONFIG_KEY_NAMES,
  isConfigKeyName,
  type ConfigKeyName,
  type ConfigValues,
} from './keys.js';
export { isFeatureBuilt, type Feature } from './features.js';
export {
  loadConfig,
  describeOrigin,
  describeSetting,
  type LoadedConfig,
  type LoadConfigOptions,
  type ValueOrigin,
} from './load.js';
export { redactValues, redactUrlCredentials, REDACTED } from './redact.js';
export {
  DREDGE_JSON,
  DOTENV,
  findDredgeJson,
  type ConfigSource,
  type FlagNames,
  type RawValues,
} from './sources.js';
export { detectMobileTerminal, currentPlatform, MOBILE_HELP_WIDTH, type MobileTerminal } from './platform.js';
