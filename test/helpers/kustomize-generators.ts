import { createHash } from 'node:crypto';
import { readFileSync } from 'node:fs';
import { basename } from 'node:path';
import { asArray, asObject, asString, isJsonObject, type JsonObject } from './json-value.js';

/**
 * kustomize's configMapGenerator and secretGenerator, for `literals`, `files` and `envs` with the behaviours
 * create and merge, and the hash suffix kustomize gives a generated object's name.
 */

export type GeneratorKind = 'ConfigMap' | 'Secret';

export interface GeneratorSpec {
  readonly kind: GeneratorKind;
  readonly name: string;
  readonly behavior: 'create' | 'merge';
  /** The Secret's type (Opaque unless the generator says). */
  readonly type: string | undefined;
  /** Key → value; a key given twice is refused, as kustomize refuses it. */
  readonly data: ReadonlyMap<string, string>;
}

const GENERATOR_FIELDS = new Set(['name', 'behavior', 'literals', 'files', 'envs', 'type']);
const ENV_NAME = /^[-._a-zA-Z][-._a-zA-Z0-9]*$/;
const DATA_KEY = /^[-._a-zA-Z0-9]+$/;

/**
 * Reads one generator entry. `resolve` turns a path of the kustomization into an absolute one, refusing any path
 * outside its directory, as kustomize's default load restrictions do.
 */
export function readGenerator(
  kind: GeneratorKind,
  entry: JsonObject,
  resolve: (path: string) => string,
): GeneratorSpec {
  const where = `${kind === 'ConfigMap' ? 'configMapGenerator' : 'secretGenerator'} entry`;
  for (const field of Object.keys(entry)) {
    if (!GENERATOR_FIELDS.has(field) || (field === 'type' && kind !== 'Secret')) {
      throw new Error(`${where} field '${field}' is not supported by this renderer`);
    }
  }
  const name = asString(entry.name, `${where} name`);
  const behavior = entry.behavior === undefined ? 'create' : asString(entry.behavior, `${where} behavior`);
  if (behavior !== 'create' && behavior !== 'merge') {
    throw new Error(
      `${where} ${name}: behavior ${behavior} is not supported by this renderer (create, merge)`,
    );
  }
  const data = new Map<string, string>();
  const put = (key: string, value: string, from: string): void => {
    if (!DATA_KEY.test(key)) throw new Error(`${where} ${name}: '${key}' (${from}) is not a valid data key`);
    if (data.has(key)) throw new Error(`${where} ${name}: the key '${key}' is given twice`);
    data.set(key, value);
  };
  for (const path of strings(entry.envs, `${where} ${name} envs`)) {
    for (const [key, value] of parseEnvFile(readFileSync(resolve(path), 'utf8'), path)) put(key, value, path);
  }
  for (const source of strings(entry.files, `${where} ${name} files`)) {
    const equals = source.indexOf('=');
    const key = equals === -1 ? basename(source) : source.slice(0, equals);
    const path = equals === -1 ? source : source.slice(equals + 1);
    const bytes = readFileSync(resolve(path));
    put(key, kind === 'Secret' ? bytes.toString('latin1') : utf8Text(bytes, path), path);
  }
  for (const literal of strings(entry.literals, `${where} ${name} literals`)) {
    const equals = literal.indexOf('=');
    if (equals <= 0) throw new Error(`${where} ${name}: literal '${literal}' is not KEY=value`);
    put(literal.slice(0, equals), unquote(literal.slice(equals + 1)), 'literal');
  }
  const type = entry.type === undefined ? undefined : asString(entry.type, `${where} ${name} type`);
  return { kind, name, behavior, type, data };
}

function strings(value: JsonObject[string] | undefined, where: string): string[] {
  if (value === undefined) return [];
  return asArray(value, where).map((item, i) => asString(item, `${where}[${i}]`));
}

/** kustomize trims every quote character from both ends of a literal's value (strings.Trim(value, `"'`)). */
function unquote(value: string): string {
  return value.replace(/^["']+|["']+$/g, '');
}

/** A ConfigMap's file as text; kustomize would put other bytes in binaryData, which this renderer does not make. */
function utf8Text(bytes: Buffer, path: string): string {
  try {
    return new TextDecoder('utf-8', { fatal: true }).decode(bytes);
  } catch {
    throw new Error(`${path} is not UTF-8 text (binaryData is not supported by this renderer)`);
  }
}

/**
 * An env file as kustomize reads it: one KEY=value a line, taken literally after the first `=` (no quotes, no
 * trailing comments); leading white space is dropped; blank lines and lines starting with `#` are skipped. A line
 * with a name alone would be read from kustomize's own environment: refused, as a rendering must not depend on it.
 */
export function parseEnvFile(text: string, path: string): Array<[string, string]> {
  const pairs: Array<[string, string]> = [];
  const lines = text.replace(/^\uFEFF/, '').split('\n');
  lines.forEach((raw, index) => {
    const line = raw.replace(/\r$/, '').trimStart();
    if (line === '' || line.startsWith('#')) return;
    const equals = line.indexOf('=');
    const key = equals === -1 ? line : line.slice(0, equals);
    if (!ENV_NAME.test(key)) throw new Error(`${path}:${index + 1}: '${key}' is not a valid variable name`);
    if (equals === -1) {
      throw new Error(`${path}:${index + 1}: '${key}' has no value (it would be read from the environment)`);
    }
    pairs.push([key, line.slice(equals + 1)]);
  });
  return pairs;
}

/** The object a `create` generator makes (data as Kubernetes holds it: a Secret's base64-encoded). */
export function generatedObject(spec: GeneratorSpec): JsonObject {
  const data: JsonObject = {};
  for (const [key, value] of spec.data) {
    data[key] = spec.kind === 'Secret' ? wrappedBase64(Buffer.from(value, 'latin1')) : value;
  }
  const object: JsonObject = { apiVersion: 'v1', kind: spec.kind, metadata: { name: spec.name }, data };
  if (spec.kind === 'Secret') object.type = spec.type ?? 'Opaque';
  return object;
}

/**
 * Base64 as kustomize writes a Secret's values: a text of 70 characters or more is cut into lines of 70, each
 * ending with a newline (Kubernetes' decoder skips them; the name's hash covers them).
 */
function wrappedBase64(bytes: Buffer): string {
  const encoded = bytes.toString('base64');
  if (encoded.length < BASE64_LINE) return encoded;
  let wrapped = '';
  for (let i = 0; i < encoded.length; i += BASE64_LINE) wrapped += `${encoded.slice(i, i + BASE64_LINE)}\n`;
  return wrapped;
}

const BASE64_LINE = 70;

/** `existing` with the data of a `merge` generator of the same name merged in (the generator's values win). */
export function mergeGenerated(existing: JsonObject, spec: GeneratorSpec): JsonObject {
  const made = generatedObject(spec);
  const result = structuredClone(existing);
  const base = isJsonObject(existing.data) ? existing.data : {};
  result.data = { ...base, ...asObject(made.data, 'generated data') };
  if (spec.kind === 'Secret' && spec.type !== undefined) result.type = spec.type;
  return result;
}

/**
 * The suffix kustomize appends to a generated object's name: the first ten hex digits of the SHA-256 of a JSON
 * text of its kind, type and data, with 0 1 3 a e replaced by g h k m t (so it never looks like a number or a
 * word). kustomize v5 looks the name up as the single field "metadata/name", finds none, and hashes an empty name:
 * the same is done here, or the suffixes would differ from kustomize's.
 */
export function nameHash(object: JsonObject): string {
  const kind = asString(object.kind, 'kind');
  const encoded: JsonObject =
    kind === 'Secret'
      ? { data: object.data ?? '', kind, name: '', type: object.type ?? '' }
      : { data: object.data ?? '', kind, name: '' };
  const hex = createHash('sha256').update(goJson(encoded)).digest('hex');
  return hex.slice(0, 10).replace(/[013ae]/g, (digit) => SUFFIX_LETTERS[digit]!);
}

const SUFFIX_LETTERS: Record<string, string> = { '0': 'g', '1': 'h', '3': 'k', a: 'm', e: 't' };

/** JSON as Go's encoding/json writes it: keys sorted, and <, >, &, U+2028 and U+2029 escaped. */
function goJson(value: JsonObject[string]): string {
  if (typeof value === 'string') {
    return JSON.stringify(value).replace(
      /[<>&\u2028\u2029]/g,
      (c) => `\\u${c.charCodeAt(0).toString(16).padStart(4, '0')}`,
    );
  }
  if (Array.isArray(value)) return `[${value.map(goJson).join(',')}]`;
  if (isJsonObject(value)) {
    const keys = Object.keys(value).sort();
    return `{${keys.map((key) => `${goJson(key)}:${goJson(value[key]!)}`).join(',')}}`;
  }
  return JSON.stringify(value);
}
