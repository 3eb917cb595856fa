import { existsSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { parse as parseDotEnv } from 'dotenv';
import { ConfigError } from './errors.js';
import { DOTENV, DREDGE_JSON } from './file-names.js';
import { isConfigKeyName, type ConfigKeyName } from './keys.js';

/** Where a value came from, lowest precedence first. */
export const CONFIG_SOURCES = ['default', 'file', 'dotenv', 'env', 'flag'] as const;
export type ConfigSource = (typeof CONFIG_SOURCES)[number];

export const SOURCE_DESCRIPTIONS: Record<ConfigSource, string> = {
  default: 'built-in default',
  file: '.dredge.json',
  dotenv: '.env file',
  env: 'environment variable',
  flag: 'command-line flag',
};

export type RawValues = Partial<Record<ConfigKeyName, unknown>>;

export interface ConfigLayer {
  readonly source: ConfigSource;
  /** A file path, or a word such as "environment". */
  readonly origin: string;
  readonly values: RawValues;
  /** Where single keys came from when the layer knows better than `origin` (the flag that set each). */
  readonly keyOrigins?: Partial<Record<ConfigKeyName, string>>;
}

/** The origin of values set by command-line flags when the flag is not known. */
export const COMMAND_LINE = 'command line';

export { DOTENV, DREDGE_JSON };

/** `.dredge.json` in the current directory, else in the home directory; undefined when neither exists. */
export function findDredgeJson(cwd: string, homeDir: string | undefined): string | undefined {
  const candidates = [join(cwd, DREDGE_JSON), ...(homeDir ? [join(homeDir, DREDGE_JSON)] : [])];
  return candidates.find((path) => existsSync(path));
}

export function readDredgeJson(path: string): ConfigLayer {
  let parsed: unknown;
  try {
    parsed = JSON.parse(readFileSync(path, 'utf8'));
  } catch (error) {
    const reason = error instanceof Error ? error.message : String(error);
    throw new ConfigError(`Invalid configuration file ${path}: not valid JSON (${reason}).`);
  }
  if (typeof parsed !== 'object' || parsed === null || Array.isArray(parsed)) {
    throw new ConfigError(`Invalid configuration file ${path}: expected a JSON object of KEY: value pairs.`);
  }
  const values: RawValues = {};
  for (const [name, value] of Object.entries(parsed)) {
    if (!isConfigKeyName(name)) {
      // A typo in a file the user wrote on purpose is worth stopping for; see `dredge config init`.
      throw new ConfigError(`Invalid configuration file ${path}: unknown key ${name}.`, name);
    }
    if (value !== null && typeof value === 'object') {
      throw new ConfigError(
        `Invalid configuration file ${path}: ${name} must be a string, number or boolean.`,
        name,
      );
    }
    values[name] = value === null ? undefined : value;
  }
  return { source: 'file', origin: path, values };
}

/** The `.env` file of the current directory. Unknown keys are ignored, as they are in the environment. */
export function readDotEnv(cwd: string): ConfigLayer | undefined {
  const path = join(cwd, DOTENV);
  if (!existsSync(path)) return undefined;
  return { source: 'dotenv', origin: path, values: pickKnownKeys(parseDotEnv(readFileSync(path))) };
}

export function environmentLayer(env: NodeJS.ProcessEnv): ConfigLayer {
  return { source: 'env', origin: 'environment', values: pickKnownKeys(env) };
}

/** `flagNames` says which flag set each key (`--port`, `--set`), for messages that name it. */
export function flagLayer(flags: RawValues, flagNames: FlagNames = {}): ConfigLayer {
  return { source: 'flag', origin: COMMAND_LINE, values: flags, keyOrigins: flagNames };
}

/** The flag that set each key of the command-line layer, as the user typed it: `--port`, `--data-dir`, `--set`. */
export type FlagNames = Partial<Record<ConfigKeyName, string>>;

function pickKnownKeys(record: Record<string, string | undefined>): RawValues {
  const values: RawValues = {};
  for (const [name, value] of Object.entries(record)) {
    if (isConfigKeyName(name) && value !== undefined) values[name] = value;
  }
  return values;
}
