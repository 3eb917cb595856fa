import {
  ConfigError,
  detectMobileTerminal,
  currentPlatform,
  isConfigKeyName,
  loadConfig,
  type LoadConfigOptions,
  type LoadedConfig,
  type MobileTerminal,
  type RawValues,
} from '../config/index.js';
import type { CliIO } from './io.js';

/** Options every command accepts; they become the command-line layer of the configuration. */
export interface GlobalOptions {
  readonly set?: string[];
  readonly logLevel?: string;
  readonly device?: string;
  readonly dataDir?: string;
  readonly spinner?: boolean;
}

export interface CliContext {
  readonly io: CliIO;
  readonly mobileTerminal: MobileTerminal | undefined;
  /** Spinners and progress bars: off with --no-spinner and whenever stdout is not a terminal. */
  readonly spinnerEnabled: boolean;
  readonly configOptions: LoadConfigOptions;
  /**
   * Loads and validates the merged configuration; throws ConfigError with one line on a bad value.
   * `commandFlags` are a command's own options (e.g. `mcp --port`), as keys of the flag layer.
   */
  loadConfig(commandFlags?: RawValues): LoadedConfig;
}

export function createContext(io: CliIO, options: GlobalOptions): CliContext {
  const configOptions: LoadConfigOptions = {
    cwd: io.cwd,
    env: io.env,
    homeDir: io.homeDir,
    flags: flagsToConfig(options),
  };
  return {
    io,
    mobileTerminal: detectMobileTerminal(currentPlatform(io.env)),
    spinnerEnabled: options.spinner !== false && io.stdout.isTTY === true,
    configOptions,
    loadConfig: (commandFlags = {}) =>
      loadConfig({ ...configOptions, flags: { ...configOptions.flags, ...commandFlags } }),
  };
}

/** `--set KEY=VALUE` (repeatable) and the named shortcuts, as configuration keys. */
export function flagsToConfig(options: GlobalOptions): RawValues {
  const flags: RawValues = {};
  for (const assignment of options.set ?? []) {
    const separator = assignment.indexOf('=');
    const name = separator > 0 ? assignment.slice(0, separator) : assignment;
    if (separator <= 0) throw new ConfigError(`Invalid --set ${assignment}: expected KEY=VALUE.`, name);
    if (!isConfigKeyName(name))
      throw new ConfigError(`Invalid --set ${assignment}: unknown key ${name}.`, name);
    flags[name] = assignment.slice(separator + 1);
  }
  if (options.logLevel !== undefined) flags.LOG_LEVEL = options.logLevel;
  if (options.device !== undefined) flags.DEVICE = options.device;
  if (options.dataDir !== undefined) flags.DATA_DIR = options.dataDir;
  return flags;
}
