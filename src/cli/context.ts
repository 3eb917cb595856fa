import {
  ConfigError,
  isConfigKeyName,
  loadConfig,
  type ConfigKeyName,
  type FlagNames,
  type LoadConfigOptions,
  type LoadedConfig,
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
  /**
   * Spinners and progress bars: off with --no-spinner and whenever stderr, where they draw, is not a terminal
   * (stdout may be redirected: `dredge batch --json > report.json` still shows its bar).
   */
  readonly spinnerEnabled: boolean;
  readonly configOptions: LoadConfigOptions;
  /**
   * Loads and validates the merged configuration; throws ConfigError with one line on a bad value.
   * `commandFlags` are a command's own options (e.g. `mcp --port`), as keys of the flag layer; `flagNames` says
   * which flag sets each key (`{ MCP_SERVER_PORT: '--port' }`), so that messages name the flag the user typed.
   */
  loadConfig(commandFlags?: RawValues, flagNames?: FlagNames): LoadedConfig;
}

export function createContext(io: CliIO, options: GlobalOptions): CliContext {
  const globalFlags = flagsToConfig(options);
  const configOptions: LoadConfigOptions = {
    cwd: io.cwd,
    env: io.env,
    homeDir: io.homeDir,
    flags: globalFlags.flags,
    flagNames: globalFlags.flagNames,
  };
  return {
    io,
    spinnerEnabled: options.spinner !== false && io.stderr.isTTY === true,
    configOptions,
    loadConfig: (commandFlags = {}, flagNames = {}) => {
      const names: FlagNames = { ...globalFlags.flagNames };
      // The keys a command's own flags set are theirs (a command flag wins over --set); keys they did not set
      // keep the global flag that did.
      for (const name of Object.keys(commandFlags) as ConfigKeyName[]) names[name] = flagNames[name];
      return loadConfig({
        ...configOptions,
        flags: { ...configOptions.flags, ...commandFlags },
        flagNames: names,
      });
    },
  };
}

/** `--set KEY=VALUE` (repeatable) and the named shortcuts, as configuration keys, with the flag that set each. */
export function flagsToConfig(options: GlobalOptions): { flags: RawValues; flagNames: FlagNames } {
  const flags: RawValues = {};
  const flagNames: FlagNames = {};
  for (const assignment of options.set ?? []) {
    const separator = assignment.indexOf('=');
    const name = separator > 0 ? assignment.slice(0, separator) : assignment;
    if (separator <= 0) throw new ConfigError(`Invalid --set ${assignment}: expected KEY=VALUE.`, name);
    if (!isConfigKeyName(name))
      throw new ConfigError(`Invalid --set ${assignment}: unknown key ${name}.`, name);
    flags[name] = assignment.slice(separator + 1);
    flagNames[name] = '--set';
  }
  const shortcuts = [
    ['LOG_LEVEL', '--log-level', options.logLevel],
    ['DEVICE', '--device', options.device],
    ['DATA_DIR', '--data-dir', options.dataDir],
  ] as const;
  for (const [name, flag, value] of shortcuts) {
    if (value === undefined) continue;
    flags[name] = value;
    flagNames[name] = flag;
  }
  return { flags, flagNames };
}
