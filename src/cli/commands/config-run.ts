import { existsSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import {
  CONFIG_KEYS,
  CONFIG_KEY_NAMES,
  DOTENV,
  DREDGE_JSON,
  describeOrigin,
  findDredgeJson,
  isFeatureBuilt,
  redactValues,
  type ConfigKeyName,
} from '../../config/index.js';
import { CliExit, writeLine } from '../io.js';
import type { CliContext } from '../context.js';

/** `dredge config show`: every key, its value (secrets redacted) and where it came from. */
export function showConfig(context: CliContext, asJson: boolean): void {
  const loaded = context.loadConfig();
  const shown = redactValues(loaded.values);
  const { stdout } = context.io;
  if (asJson) {
    writeLine(stdout, JSON.stringify(shown, null, 2));
    return;
  }
  const rows = CONFIG_KEY_NAMES.map((name) => ({
    name,
    value: formatValue(shown[name]),
    origin: describeOrigin(loaded.origins[name]),
    remark: note(name),
  }));
  const nameWidth = Math.max(...rows.map((row) => row.name.length));
  const valueWidth = Math.max(...rows.map((row) => row.value.length));
  for (const row of rows) {
    writeLine(
      stdout,
      `${row.name.padEnd(nameWidth)}  ${row.value.padEnd(valueWidth)}  ${row.origin}${row.remark}`,
    );
  }
}

function formatValue(value: unknown): string {
  return value === undefined ? '(unset)' : String(value);
}

function note(name: ConfigKeyName): string {
  const { feature } = CONFIG_KEYS[name];
  if (feature === 'legacy') return '  [no effect]';
  return isFeatureBuilt(feature) ? '' : `  [not active yet: ${feature}]`;
}

/** `dredge config init`: a starter file with every default. */
export function initConfig(context: CliContext, inHome: boolean): void {
  const target = join(inHome ? context.io.homeDir : context.io.cwd, DREDGE_JSON);
  if (existsSync(target)) {
    writeLine(context.io.stderr, `${target} already exists; not overwriting it.`);
    throw new CliExit(1);
  }
  const starter: Record<string, unknown> = {};
  for (const name of CONFIG_KEY_NAMES) {
    const key = CONFIG_KEYS[name];
    if (key.secret || key.feature === 'legacy' || key.defaultValue === undefined) continue;
    starter[name] = key.defaultValue;
  }
  // 'wx' fails if the file appeared since the check above: init never overwrites.
  writeFileSync(target, JSON.stringify(starter, null, 2) + '\n', { flag: 'wx' });
  writeLine(context.io.stdout, `wrote ${target}`);
}

/** `dredge config path`: which configuration files are read. */
export function printPaths(context: CliContext): void {
  const { cwd } = context.io;
  const home = context.io.homeDir;
  const json = findDredgeJson(cwd, home);
  const dotenv = join(cwd, DOTENV);
  const { stdout } = context.io;
  const searched = [join(cwd, DREDGE_JSON), join(home, DREDGE_JSON)].join(', ');
  writeLine(stdout, `${DREDGE_JSON}: ${json ?? `none (looked for ${searched})`}`);
  writeLine(stdout, `${DOTENV}: ${existsSync(dotenv) ? dotenv : `none (looked for ${dotenv})`}`);
}
