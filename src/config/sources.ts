import { existsSync, readFileSync, statSync } from 'node:fs';
import { join } from 'node:path';
import { parse as parseDotEnv } from 'dotenv';
import { ConfigError } from './errors.js';
import { DOTENV, DREDGE_JSON } from './file-names.js';
import { CONFIG_KEYS, isConfigKeyName, type ConfigKeyName } from './keys.js';

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
  return withSecretFiles({ source: 'dotenv', origin: path, values: {} }, parseDotEnv(readFileSync(path)));
}

export function environmentLayer(env: NodeJS.ProcessEnv): ConfigLayer {
  return withSecretFiles({ source: 'env', origin: 'environment', values: {} }, env);
}

/** The most bytes a `<KEY>_FILE` may hold: a secret is a line, never a file to stream. */
export const MAX_SECRET_FILE_BYTES = 64 * 1024;

/** The suffix of a variable naming the file that holds a secret key's value (Docker's and Kubernetes' secrets). */
export const SECRET_FILE_SUFFIX = '_FILE';

/**
 * The layer's known keys from `record`, and each secret key (API_KEY, DATABASE_URL, …) named by `<KEY>_FILE`
 * read from that file, without its trailing newline: secrets mounted as files (`/run/secrets/…`) stay out of the
 * environment, where any process of the user can read them. Setting both a key and its `_FILE` is refused, as is
 * an unreadable or oversized file, naming the variable.
 */
function withSecretFiles(layer: ConfigLayer, record: Record<string, string | undefined>): ConfigLayer {
  const values = pickKnownKeys(record);
  const keyOrigins: Partial<Record<ConfigKeyName, string>> = {};
  for (const [name, key] of Object.entries(CONFIG_KEYS) as Array<[ConfigKeyName, { secret: boolean }]>) {
    const fileVariable = `${name}${SECRET_FILE_SUFFIX}`;
    const path = record[fileVariable];
    if (!key.secret || path === undefined || path === '') continue;
    if (values[name] !== undefined) {
      throw new ConfigError(
        `Invalid configuration (${layer.origin}): set ${name} or ${fileVariable}, not both.`,
        name,
      );
    }
    values[name] = readSecretFile(fileVariable, path, name);
    keyOrigins[name] = `${fileVariable} (${path})`;
  }
  return { ...layer, values, keyOrigins };
}

function readSecretFile(variable: string, path: string, name: ConfigKeyName): string {
  try {
    const size = statSync(path).size;
    if (size > MAX_SECRET_FILE_BYTES) {
      throw new Error(`it has ${size} bytes, more than the ${MAX_SECRET_FILE_BYTES} a secret may have`);
    }
    return readFileSync(path, 'utf8').replace(/\r?\n$/, '');
  } catch (error) {
    const reason = error instanceof Error ? error.message : String(error);
    throw new ConfigError(`Invalid ${variable}: cannot read ${path} (${reason}).`, name);
  }
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
