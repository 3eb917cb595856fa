import { homedir } from 'node:os';
import { ConfigError } from './errors.js';
import { budgetShare } from './memory-budget.js';
import { REDACTED, redactUrlCredentials } from './redact.js';
import { toDredgeConfig, type DredgeConfig } from './dredge-config.js';
import { CONFIG_KEYS, CONFIG_KEY_NAMES, type ConfigKeyName, type ConfigValues } from './keys.js';
import {
  currentPlatform,
  detectMobileTerminal,
  type MobileTerminal,
  type PlatformFacts,
} from './platform.js';
import {
  COMMAND_LINE,
  SOURCE_DESCRIPTIONS,
  environmentLayer,
  findDredgeJson,
  flagLayer,
  readDotEnv,
  readDredgeJson,
  type ConfigLayer,
  type ConfigSource,
  type FlagNames,
  type RawValues,
} from './sources.js';

export interface LoadConfigOptions {
  /** Where `.dredge.json` and `.env` are looked for first and relative paths are resolved (default: process.cwd()). */
  readonly cwd?: string;
  /** Where `.dredge.json` is looked for when the current directory has none (default: os.homedir()). */
  readonly homeDir?: string;
  readonly env?: NodeJS.ProcessEnv;
  /** Values from command-line flags: the highest precedence. */
  readonly flags?: RawValues;
  /** Which flag set each of `flags` (`--port`, `--set`), so that messages can name it. */
  readonly flagNames?: FlagNames;
  readonly platform?: PlatformFacts;
}

export interface ValueOrigin {
  readonly source: ConfigSource;
  readonly origin: string;
}

export interface LoadedConfig {
  readonly config: DredgeConfig;
  readonly values: Readonly<ConfigValues>;
  /** Which layer set each key. */
  readonly origins: Readonly<Record<ConfigKeyName, ValueOrigin>>;
  /** The files that took part, in precedence order. */
  readonly files: readonly string[];
  readonly mobileTerminal: MobileTerminal | undefined;
}

/**
 * Merges built-in defaults ← `.dredge.json` (cwd, else home) ← `.env` (cwd) ← environment ← flags,
 * then validates every key. An empty value means "not set" and does not override a lower layer.
 * Throws ConfigError with a one-line message on the first bad value.
 */
export function loadConfig(options: LoadConfigOptions = {}): LoadedConfig {
  const cwd = options.cwd ?? process.cwd();
  const env = options.env ?? process.env;
  const platform = options.platform ?? currentPlatform(env);
  const mobileTerminal = detectMobileTerminal(platform);

  const dredgeJson = findDredgeJson(cwd, options.homeDir ?? safeHomeDir());
  const layers: ConfigLayer[] = [
    { source: 'default', origin: 'built-in', values: platformDefaults(mobileTerminal) },
    ...(dredgeJson ? [readDredgeJson(dredgeJson)] : []),
    ...optional(readDotEnv(cwd)),
    environmentLayer(env),
    flagLayer(options.flags ?? {}, options.flagNames),
  ];

  const raw: RawValues = {};
  const origins = {} as Record<ConfigKeyName, ValueOrigin>;
  for (const name of CONFIG_KEY_NAMES) origins[name] = { source: 'default', origin: 'built-in' };
  for (const layer of layers) {
    for (const name of CONFIG_KEY_NAMES) {
      const value = layer.values[name];
      if (value === undefined || (typeof value === 'string' && value.trim() === '')) continue;
      raw[name] = value;
      origins[name] = { source: layer.source, origin: layer.keyOrigins?.[name] ?? layer.origin };
    }
  }

  applyBudgetShares(raw, origins);
  const values = validate(raw, origins);
  return {
    config: toDredgeConfig(values, cwd),
    values,
    origins,
    files: layers.filter((l) => l.source === 'file' || l.source === 'dotenv').map((l) => l.origin),
    mobileTerminal,
  };
}

/**
 * Keys left at their default that follow MEMORY_BUDGET take their share of it (see memory-budget.ts); the origin
 * says so, for `dredge config show`. A budget that is not valid is left for `validate` to name.
 */
function applyBudgetShares(raw: RawValues, origins: Record<ConfigKeyName, ValueOrigin>): void {
  const parsed = CONFIG_KEYS.MEMORY_BUDGET.schema.safeParse(raw.MEMORY_BUDGET);
  if (!parsed.success) return;
  for (const name of CONFIG_KEY_NAMES) {
    if (origins[name].source !== 'default') continue;
    const share = budgetShare(name, parsed.data as number);
    if (share === undefined) continue;
    raw[name] = String(share);
    origins[name] = { source: 'default', origin: 'MEMORY_BUDGET' };
  }
}

function validate(raw: RawValues, origins: Record<ConfigKeyName, ValueOrigin>): ConfigValues {
  const values: Record<string, unknown> = {};
  for (const name of CONFIG_KEY_NAMES) {
    const key = CONFIG_KEYS[name];
    const result = key.schema.safeParse(raw[name]);
    if (!result.success) {
      const shown = key.secret ? REDACTED : redactUrlCredentials(JSON.stringify(raw[name]));
      const from = describeOrigin(origins[name]);
      throw new ConfigError(
        `Invalid configuration: ${name}=${shown} (${from}) is not allowed; expected ${key.allowed}.`,
        name,
      );
    }
    values[name] = result.data;
  }
  return values as ConfigValues;
}

/** `environment variable`, `.env file /srv/.env`, `command-line flag --port`, `built-in default`. */
export function describeOrigin(origin: ValueOrigin): string {
  if (origin.source === 'default' && origin.origin === 'MEMORY_BUDGET') return 'share of MEMORY_BUDGET';
  const what = SOURCE_DESCRIPTIONS[origin.source];
  const named =
    origin.source === 'file' ||
    origin.source === 'dotenv' ||
    (origin.source === 'flag' && origin.origin !== COMMAND_LINE);
  return named ? `${what} ${origin.origin}` : what;
}

/**
 * How a key got its value, written as the user set it, to name it in a message: `--port 3002`, `--set
 * MCP_SERVER_PORT=3002`, `MCP_SERVER_PORT=3002 from the environment`, `MCP_SERVER_PORT=3002 in /srv/.env`, `the
 * default MCP_SERVER_PORT=3002`. A secret's value is redacted.
 */
export function describeSetting(
  loaded: Pick<LoadedConfig, 'values' | 'origins'>,
  name: ConfigKeyName,
): string {
  const origin = loaded.origins[name];
  const shown = CONFIG_KEYS[name].secret ? REDACTED : String(loaded.values[name]);
  const setting = `${name}=${shown}`;
  switch (origin.source) {
    case 'flag':
      if (origin.origin === '--set') return `--set ${setting}`;
      return origin.origin === COMMAND_LINE ? `${setting} on the command line` : `${origin.origin} ${shown}`;
    case 'env':
      return `${setting} from the environment`;
    case 'file':
    case 'dotenv':
      return `${setting} in ${origin.origin}`;
    case 'default':
      return `the default ${setting}`;
  }
}

function platformDefaults(mobileTerminal: MobileTerminal | undefined): RawValues {
  return mobileTerminal ? { NUM_WORKERS: 1 } : {};
}

function safeHomeDir(): string | undefined {
  try {
    return homedir();
  } catch {
    return undefined;
  }
}

function optional<T>(value: T | undefined): T[] {
  return value === undefined ? [] : [value];
}
