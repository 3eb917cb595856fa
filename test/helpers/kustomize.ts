import { existsSync, readFileSync, statSync } from 'node:fs';
import { isAbsolute, join, relative, resolve, sep } from 'node:path';
import { parseAllDocuments } from 'yaml';
import {
  asArray,
  asObject,
  asString,
  ensureObjectAt,
  objectAt,
  objectsAt,
  type JsonObject,
  type JsonValue,
} from './json-value.js';
import {
  generatedObject,
  mergeGenerated,
  nameHash,
  readGenerator,
  type GeneratorKind,
} from './kustomize-generators.js';
import { strategicMerge } from './kustomize-patch.js';

/**
 * A small kustomize: renders a kustomization directory (`kubectl kustomize DIR`) into the objects it stands for,
 * without a kustomize binary. It follows kustomize v5's order: resources (files, and directories rendered on their
 * own), generators, components (run on the objects gathered so far), then the transformers in kustomize's order —
 * patches, namespace, labels, replicas, images — and, once at the top, the hash suffixes of generated names and the
 * references to them.
 *
 * It supports the fields DREDGE's manifests use, and refuses every other field, option, patch form and kind whose
 * handling it does not implement, so that nothing is silently rendered differently from kustomize.
 */

const KUSTOMIZATION_FIELDS = new Set([
  'apiVersion',
  'kind',
  'namespace',
  'resources',
  'components',
  'configMapGenerator',
  'secretGenerator',
  'patches',
  'labels',
  'replicas',
  'images',
]);

/** Kinds with a pod template at spec.template: labels, images, replicas and references reach into it. */
const WORKLOAD_KINDS = new Set(['Deployment', 'StatefulSet', 'DaemonSet', 'ReplicaSet', 'Job']);
const SCALABLE_KINDS = new Set(['Deployment', 'StatefulSet', 'ReplicaSet']);
const NAMESPACED_KINDS = new Set([
  ...WORKLOAD_KINDS,
  'ConfigMap',
  'Secret',
  'Service',
  'ServiceAccount',
  'PersistentVolumeClaim',
  'HorizontalPodAutoscaler',
  'PodDisruptionBudget',
  'NetworkPolicy',
  'Ingress',
  'ResourceQuota',
  'LimitRange',
]);
const CLUSTER_KINDS = new Set(['Namespace', 'PriorityClass', 'IngressClass']);

/** One object being rendered, and whether a generator made it (its name then gets a hash suffix at the end). */
interface Entry {
  object: JsonObject;
  readonly generated: boolean;
}

/** The objects `dir`'s kustomization renders to, in the order kustomize gathers them. */
export function renderKustomization(dir: string): JsonObject[] {
  const entries = accumulate(resolve(dir), [], false);
  nameGenerated(entries);
  return entries.map((entry) => entry.object);
}

function accumulate(dir: string, parent: Entry[], isComponent: boolean): Entry[] {
  const file = join(dir, 'kustomization.yaml');
  for (const other of ['kustomization.yml', 'Kustomization']) {
    if (existsSync(join(dir, other))) throw new Error(`${dir}: only kustomization.yaml is supported`);
  }
  const kustomization = readSingleDocument(file);
  checkKind(kustomization, isComponent, file);
  for (const field of Object.keys(kustomization)) {
    if (!KUSTOMIZATION_FIELDS.has(field)) {
      throw new Error(`${file}: the field '${field}' is not supported by this renderer`);
    }
  }
  const within = (path: string): string => inside(dir, path, file);
  const entries = isComponent ? parent : [];

  for (const path of strings(kustomization.resources, `${file} resources`)) {
    if (/^[a-z]+:\/\/|^github\.com\//.test(path))
      throw new Error(`${file}: remote resource ${path} is not supported`);
    const target = resolve(dir, path);
    if (statSync(target).isDirectory()) {
      for (const entry of accumulate(target, [], false)) add(entries, entry, file);
    } else {
      for (const object of readDocuments(within(path))) add(entries, { object, generated: false }, file);
    }
  }
  runGenerators(kustomization, entries, within, file);
  for (const path of strings(kustomization.components, `${file} components`)) {
    accumulate(resolve(dir, path), entries, true);
  }
  applyPatches(kustomization, entries, within, file);
  if (kustomization.namespace !== undefined) {
    setNamespace(entries, asString(kustomization.namespace, `${file} namespace`));
  }
  applyLabels(kustomization, entries, file);
  applyReplicas(kustomization, entries, file);
  applyImages(kustomization, entries, file);
  return entries;
}

function checkKind(kustomization: JsonObject, isComponent: boolean, file: string): void {
  const expected = isComponent
    ? { apiVersion: 'kustomize.config.k8s.io/v1alpha1', kind: 'Component' }
    : { apiVersion: 'kustomize.config.k8s.io/v1beta1', kind: 'Kustomization' };
  if (kustomization.apiVersion !== expected.apiVersion || kustomization.kind !== expected.kind) {
    throw new Error(`${file}: expected apiVersion ${expected.apiVersion} and kind ${expected.kind}`);
  }
}

/** An absolute path for `path` of the kustomization in `dir`, refused when it leads outside `dir`. */
function inside(dir: string, path: string, file: string): string {
  const target = resolve(dir, path);
  const rel = relative(dir, target);
  if (rel === '' || rel === '..' || rel.startsWith(`..${sep}`) || isAbsolute(rel)) {
    throw new Error(`${file}: ${path} is outside the kustomization's directory`);
  }
  return target;
}

function add(entries: Entry[], entry: Entry, file: string): void {
  const id = idOf(entry.object);
  if (entries.some((other) => idOf(other.object) === id)) {
    throw new Error(`${file}: the object ${id} is given twice`);
  }
  entries.push(entry);
}

function idOf(object: JsonObject): string {
  const metadata = asObject(object.metadata, `metadata of a ${String(object.kind)}`);
  const namespace = typeof metadata.namespace === 'string' ? metadata.namespace : '';
  return `${String(object.apiVersion)}/${String(object.kind)}/${namespace}/${String(metadata.name)}`;
}

function kindOf(object: JsonObject): string {
  return asString(object.kind, 'kind');
}

function nameOf(object: JsonObject): string {
  return asString(asObject(object.metadata, 'metadata').name, 'metadata.name');
}

function runGenerators(
  kustomization: JsonObject,
  entries: Entry[],
  within: (path: string) => string,
  file: string,
): void {
  const lists: Array<[string, GeneratorKind]> = [
    ['configMapGenerator', 'ConfigMap'],
    ['secretGenerator', 'Secret'],
  ];
  for (const [field, kind] of lists) {
    for (const [i, item] of (kustomization[field] === undefined
      ? []
      : asArray(kustomization[field], field)
    ).entries()) {
      const spec = readGenerator(kind, asObject(item, `${file} ${field}[${i}]`), within);
      const existing = entries.find(
        (entry) => kindOf(entry.object) === kind && nameOf(entry.object) === spec.name,
      );
      if (spec.behavior === 'create') {
        if (existing) throw new Error(`${file}: ${kind} ${spec.name} already exists (use behavior: merge)`);
        entries.push({ object: generatedObject(spec), generated: true });
      } else {
        if (!existing) throw new Error(`${file}: no ${kind} ${spec.name} to merge into`);
        existing.object = mergeGenerated(existing.object, spec);
      }
    }
  }
}

function applyPatches(
  kustomization: JsonObject,
  entries: Entry[],
  within: (path: string) => string,
  file: string,
): void {
  for (const [i, item] of (kustomization.patches === undefined
    ? []
    : asArray(kustomization.patches, 'patches')
  ).entries()) {
    const patch = asObject(item, `${file} patches[${i}]`);
    for (const field of Object.keys(patch)) {
      if (field !== 'path' && field !== 'patch') {
        throw new Error(
          `${file}: patches[${i}].${field} is not supported by this renderer (strategic merge only)`,
        );
      }
    }
    if ((patch.path === undefined) === (patch.patch === undefined)) {
      throw new Error(`${file}: patches[${i}] needs either path or patch`);
    }
    let documents: JsonObject[];
    if (patch.path !== undefined) {
      documents = readDocuments(within(asString(patch.path, `${file} patches[${i}].path`)));
    } else {
      documents = parseDocuments(
        asString(patch.patch, `${file} patches[${i}].patch`),
        `${file} patches[${i}]`,
      );
    }
    for (const document of documents) applyPatch(entries, document, file);
  }
}

function applyPatch(entries: Entry[], patch: JsonObject, file: string): void {
  const kind = kindOf(patch);
  const name = nameOf(patch);
  const group = groupOf(asString(patch.apiVersion, `apiVersion of the patch of ${kind} ${name}`));
  const matches = entries.filter(
    (entry) =>
      kindOf(entry.object) === kind &&
      nameOf(entry.object) === name &&
      groupOf(String(entry.object.apiVersion)) === group,
  );
  if (matches.length !== 1) {
    throw new Error(`${file}: the patch of ${kind} ${name} matches ${matches.length} objects, not one`);
  }
  const [target] = matches;
  const { apiVersion: _apiVersion, kind: _kind, metadata, ...rest } = patch;
  const body: JsonObject = { ...rest };
  const patchedMetadata = { ...asObject(metadata, 'patch metadata') };
  if (patchedMetadata.namespace !== undefined) {
    throw new Error(
      `${file}: the patch of ${kind} ${name} names a namespace, which this renderer does not match on`,
    );
  }
  delete patchedMetadata.name;
  if (Object.keys(patchedMetadata).length > 0) body.metadata = patchedMetadata;
  target!.object = strategicMerge(kind, target!.object, body);
}

function groupOf(apiVersion: string): string {
  const slash = apiVersion.indexOf('/');
  return slash === -1 ? '' : apiVersion.slice(0, slash);
}

function setNamespace(entries: Entry[], namespace: string): void {
  for (const { object } of entries) {
    const kind = kindOf(object);
    const metadata = asObject(object.metadata, `metadata of ${kind}`);
    if (kind === 'Namespace') metadata.name = namespace;
    else if (NAMESPACED_KINDS.has(kind)) metadata.namespace = namespace;
    else if (!CLUSTER_KINDS.has(kind)) {
      throw new Error(`${kind} is not a kind this renderer knows to be namespaced or not`);
    }
  }
}

const LABEL_FIELDS = new Set(['pairs', 'includeTemplates', 'includeSelectors']);

function applyLabels(kustomization: JsonObject, entries: Entry[], file: string): void {
  if (kustomization.labels === undefined) return;
  for (const [i, item] of asArray(kustomization.labels, `${file} labels`).entries()) {
    const label = asObject(item, `${file} labels[${i}]`);
    for (const field of Object.keys(label)) {
      if (!LABEL_FIELDS.has(field))
        throw new Error(`${file}: labels[${i}].${field} is not supported by this renderer`);
    }
    if (label.includeSelectors === true) {
      throw new Error(`${file}: labels[${i}].includeSelectors is not supported by this renderer`);
    }
    const pairs = asObject(label.pairs, `${file} labels[${i}].pairs`);
    for (const { object } of entries) {
      Object.assign(ensureObjectAt(object, ['metadata', 'labels']), pairs);
      if (label.includeTemplates !== true || !WORKLOAD_KINDS.has(kindOf(object))) continue;
      Object.assign(ensureObjectAt(object, ['spec', 'template', 'metadata', 'labels']), pairs);
      if (kindOf(object) === 'StatefulSet') {
        for (const claim of objectsAt(object, ['spec', 'volumeClaimTemplates'])) {
          Object.assign(ensureObjectAt(claim, ['metadata', 'labels']), pairs);
        }
      }
    }
  }
}

function applyReplicas(kustomization: JsonObject, entries: Entry[], file: string): void {
  if (kustomization.replicas === undefined) return;
  for (const [i, item] of asArray(kustomization.replicas, `${file} replicas`).entries()) {
    const replica = asObject(item, `${file} replicas[${i}]`);
    const name = asString(replica.name, `${file} replicas[${i}].name`);
    if (typeof replica.count !== 'number') throw new Error(`${file}: replicas[${i}].count must be a number`);
    const targets = entries.filter(
      ({ object }) => SCALABLE_KINDS.has(kindOf(object)) && nameOf(object) === name,
    );
    if (targets.length === 0)
      throw new Error(`${file}: replicas[${i}] names no Deployment or StatefulSet ${name}`);
    for (const { object } of targets) ensureObjectAt(object, ['spec']).replicas = replica.count;
  }
}

const IMAGE_FIELDS = new Set(['name', 'newName', 'newTag', 'digest']);

function applyImages(kustomization: JsonObject, entries: Entry[], file: string): void {
  if (kustomization.images === undefined) return;
  for (const [i, item] of asArray(kustomization.images, `${file} images`).entries()) {
    const image = asObject(item, `${file} images[${i}]`);
    for (const field of Object.keys(image)) {
      if (!IMAGE_FIELDS.has(field))
        throw new Error(`${file}: images[${i}].${field} is not supported by this renderer`);
    }
    const optional = (field: string): string | undefined =>
      image[field] === undefined ? undefined : asString(image[field], `${file} images[${i}].${field}`);
    const change = {
      name: asString(image.name, `${file} images[${i}].name`),
      newName: optional('newName'),
      newTag: optional('newTag'),
      digest: optional('digest'),
    };
    for (const { object } of entries) {
      if (!WORKLOAD_KINDS.has(kindOf(object))) continue;
      for (const list of ['containers', 'initContainers']) {
        for (const container of objectsAt(object, ['spec', 'template', 'spec', list])) {
          if (typeof container.image === 'string') container.image = retag(container.image, change);
        }
      }
    }
  }
}

interface ImageChange {
  readonly name: string;
  readonly newName: string | undefined;
  readonly newTag: string | undefined;
  readonly digest: string | undefined;
}

/** kustomize's image transformer on one reference: the name must match whole, tag and digest are replaced. */
function retag(reference: string, change: ImageChange): string {
  const escaped = change.name.replace(/[.*+?^${}()|[\]\\]/g, '\\$&');
  if (!new RegExp(`^${escaped}(@sha256)?(:[a-zA-Z0-9_.{}-]*)?$`).test(reference)) return reference;
  let [name, tag, digest] = splitImage(reference);
  if (change.newName !== undefined) name = change.newName;
  if (change.newTag !== undefined && change.digest !== undefined) {
    tag = change.newTag;
    digest = change.digest;
  } else if (change.newTag !== undefined) {
    tag = change.newTag;
    digest = '';
  } else if (change.digest !== undefined) {
    digest = change.digest;
    tag = '';
  }
  return `${name}${tag ? `:${tag}` : ''}${digest ? `@${digest}` : ''}`;
}

/** [name, tag, digest] of an image reference; a registry's port is part of the name. */
function splitImage(reference: string): [string, string, string] {
  const at = reference.indexOf('@');
  const digest = at === -1 ? '' : reference.slice(at + 1);
  const rest = at === -1 ? reference : reference.slice(0, at);
  const colon = rest.lastIndexOf(':');
  if (colon === -1 || rest.indexOf('/', colon) !== -1) return [rest, '', digest];
  return [rest.slice(0, colon), rest.slice(colon + 1), digest];
}

/** Where pod templates refer to ConfigMaps and Secrets by name (kustomize's name references, in this subset). */
function referenceSites(
  object: JsonObject,
): Array<{ holder: JsonObject; field: string; kind: GeneratorKind }> {
  const sites: Array<{ holder: JsonObject; field: string; kind: GeneratorKind }> = [];
  const kind = kindOf(object);
  if (kind === 'Ingress') {
    for (const tls of objectsAt(object, ['spec', 'tls']))
      sites.push({ holder: tls, field: 'secretName', kind: 'Secret' });
  }
  if (!WORKLOAD_KINDS.has(kind)) return sites;
  const pod = objectAt(object, ['spec', 'template', 'spec']);
  if (!pod) return sites;
  for (const volume of objectsAt(pod, ['volumes'])) {
    const configMap = objectAt(volume, ['configMap']);
    if (configMap) sites.push({ holder: configMap, field: 'name', kind: 'ConfigMap' });
    const secret = objectAt(volume, ['secret']);
    if (secret) sites.push({ holder: secret, field: 'secretName', kind: 'Secret' });
    for (const source of objectsAt(volume, ['projected', 'sources'])) {
      const projectedConfigMap = objectAt(source, ['configMap']);
      if (projectedConfigMap) sites.push({ holder: projectedConfigMap, field: 'name', kind: 'ConfigMap' });
      const projectedSecret = objectAt(source, ['secret']);
      if (projectedSecret) sites.push({ holder: projectedSecret, field: 'name', kind: 'Secret' });
    }
  }
  for (const pullSecret of objectsAt(pod, ['imagePullSecrets']))
    sites.push({ holder: pullSecret, field: 'name', kind: 'Secret' });
  for (const list of ['containers', 'initContainers']) {
    for (const container of objectsAt(pod, [list])) {
      for (const env of objectsAt(container, ['env'])) {
        const configMapKey = objectAt(env, ['valueFrom', 'configMapKeyRef']);
        if (configMapKey) sites.push({ holder: configMapKey, field: 'name', kind: 'ConfigMap' });
        const secretKey = objectAt(env, ['valueFrom', 'secretKeyRef']);
        if (secretKey) sites.push({ holder: secretKey, field: 'name', kind: 'Secret' });
      }
      for (const from of objectsAt(container, ['envFrom'])) {
        const configMap = objectAt(from, ['configMapRef']);
        if (configMap) sites.push({ holder: configMap, field: 'name', kind: 'ConfigMap' });
        const secret = objectAt(from, ['secretRef']);
        if (secret) sites.push({ holder: secret, field: 'name', kind: 'Secret' });
      }
    }
  }
  return sites;
}

/** Appends each generated object's hash to its name, and renames every reference to it in its namespace. */
function nameGenerated(entries: Entry[]): void {
  for (const entry of entries) {
    const kind = kindOf(entry.object);
    if (!WORKLOAD_KINDS.has(kind) && !NAMESPACED_KINDS.has(kind) && !CLUSTER_KINDS.has(kind)) {
      throw new Error(`${kind} is not a kind this renderer supports`);
    }
  }
  for (const entry of entries) {
    if (!entry.generated) continue;
    const kind = kindOf(entry.object) as GeneratorKind;
    const metadata = asObject(entry.object.metadata, 'metadata');
    const oldName = asString(metadata.name, 'metadata.name');
    const namespace = metadata.namespace;
    const newName = `${oldName}-${nameHash(entry.object)}`;
    metadata.name = newName;
    for (const { object } of entries) {
      if (asObject(object.metadata, 'metadata').namespace !== namespace) continue;
      for (const site of referenceSites(object)) {
        if (site.kind === kind && site.holder[site.field] === oldName) site.holder[site.field] = newName;
      }
    }
  }
}

function readSingleDocument(file: string): JsonObject {
  const documents = readDocuments(file);
  if (documents.length !== 1) throw new Error(`${file} must hold one YAML document`);
  return documents[0]!;
}

function readDocuments(file: string): JsonObject[] {
  return parseDocuments(readFileSync(file, 'utf8'), file);
}

function parseDocuments(text: string, origin: string): JsonObject[] {
  const objects: JsonObject[] = [];
  for (const document of parseAllDocuments(text)) {
    if (document.errors.length > 0) throw new Error(`${origin}: ${document.errors[0]!.message}`);
    const value = document.toJS() as JsonValue;
    if (value === null) continue;
    objects.push(asObject(value, `a document of ${origin}`));
  }
  return objects;
}

function strings(value: JsonValue | undefined, where: string): string[] {
  if (value === undefined) return [];
  return asArray(value, where).map((item, i) => asString(item, `${where}[${i}]`));
}
