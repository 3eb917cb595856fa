import { SECRET_FILE_SUFFIX } from './sources.js';
import { CONFIG_KEYS, CONFIG_KEY_NAMES } from './keys.js';

/**
 * The text of `.env.example`: every key, what it does, what is allowed, and its default. Generated from the
 * key table so that the file can never drift from the code (a test compares them).
 */
export function renderEnvExample(): string {
  const lines = [
    '# DREDGE configuration. Copy to .env (or set the same names in the environment, in .dredge.json, or with',
    '# `dredge --set KEY=VALUE`). Precedence, lowest first: built-in defaults, .dredge.json, .env, environment, flags.',
    '# An empty value means "not set". Regenerate this file with `npm run docs:env`.',
  ];
  for (const name of CONFIG_KEY_NAMES) {
    const key = CONFIG_KEYS[name];
    const value = key.secret || key.defaultValue === undefined ? '' : String(key.defaultValue);
    lines.push('', `# ${key.description}`, `# Allowed: ${key.allowed}.`, `${name}=${value}`);
  }
  return lines.join('\n') + '\n';
}

/** The README's configuration reference, as a Markdown table. */
export function renderConfigTable(): string {
  const rows = CONFIG_KEY_NAMES.map((name) => {
    const key = CONFIG_KEYS[name];
    const shown = key.defaultValue === undefined ? '(unset)' : `\`${String(key.defaultValue)}\``;
    const secret = key.secret
      ? ` Secret: always redacted; may instead be read from the file \`${name}${SECRET_FILE_SUFFIX}\` names.`
      : '';
    return `| \`${name}\` | ${shown} | ${key.allowed} | ${key.description}${secret} |`;
  });
  return (
    ['| key | default | allowed | what it does |', '| --- | --- | --- | --- |', ...rows].join('\n') + '\n'
  );
}
