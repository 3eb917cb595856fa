import { writeFileSync } from 'node:fs';
import { join, posix } from 'node:path';
import { asString, objectAt, objectsAt, type JsonObject } from './json-value.js';
import { named, podSpec, quantity } from './kubernetes-objects.js';

/**
 * The environment a container of a rendered workload starts with, made as the kubelet makes it: the ConfigMaps and
 * Secrets of `envFrom`, then `env` in its order, each `$(NAME)` replaced by a variable defined above it, values
 * from the downward API (the pod's address and name, the container's limits) and from ConfigMap and Secret keys.
 * Every `<KEY>_FILE` variable must name a file a mounted Secret provides; that file's content is written under
 * `secretDir` and the variable points there, so that DREDGE's configuration loader can read it here.
 */

export interface PodFacts {
  readonly podIP: string;
  readonly podName: string;
}

export interface ContainerEnvironment {
  readonly env: Record<string, string>;
  /** Each variable that is only a helper of others: referenced as $(NAME) by a later variable. */
  readonly referenced: ReadonlySet<string>;
  /** What the kubelet would not do as the manifest expects (a missing reference, a file no Secret provides). */
  readonly problems: readonly string[];
}

const REFERENCE = /\$\(([A-Za-z_][A-Za-z0-9_]*)\)/g;

export function containerEnvironment(
  workload: JsonObject,
  container: JsonObject,
  objects: readonly JsonObject[],
  facts: PodFacts,
  secretDir: string,
): ContainerEnvironment {
  const env: Record<string, string> = {};
  const referenced = new Set<string>();
  const problems: string[] = [];
  const containerName = asString(container.name, 'container name');
  const namespace = asString(objectAt(workload, ['metadata'])?.namespace, 'namespace');

  for (const from of objectsAt(container, ['envFrom'])) {
    const configMap = objectAt(from, ['configMapRef']);
    if (configMap)
      Object.assign(env, dataOf(objects, 'ConfigMap', asString(configMap.name, 'configMapRef name')));
    const secret = objectAt(from, ['secretRef']);
    if (secret) Object.assign(env, dataOf(objects, 'Secret', asString(secret.name, 'secretRef name')));
  }
  for (const variable of objectsAt(container, ['env'])) {
    const name = asString(variable.name, 'env name');
    if (typeof variable.value === 'string') {
      env[name] = variable.value.replace(REFERENCE, (whole, reference: string) => {
        if (!Object.hasOwn(env, reference)) {
          problems.push(`${containerName}: ${name} refers to $(${reference}), which is not defined above it`);
          return whole;
        }
        referenced.add(reference);
        return env[reference]!;
      });
      continue;
    }
    const source = objectAt(variable, ['valueFrom']);
    const value = source ? valueFrom(source, container, objects, facts, namespace) : undefined;
    if (value === undefined) problems.push(`${containerName}: ${name} has no value this test can make`);
    else env[name] = value;
  }
  for (const [name, path] of Object.entries(env)) {
    if (!name.endsWith('_FILE')) continue;
    const content = mountedSecretFile(workload, container, path, objects);
    if (typeof content !== 'string') {
      problems.push(`${containerName}: ${name}=${path}: ${content.problem}`);
      continue;
    }
    const local = join(secretDir, `${containerName}-${name}`);
    writeFileSync(local, content);
    env[name] = local;
  }
  return { env, referenced, problems };
}

function dataOf(
  objects: readonly JsonObject[],
  kind: 'ConfigMap' | 'Secret',
  name: string,
): Record<string, string> {
  const data: Record<string, string> = {};
  for (const [key, value] of Object.entries(objectAt(named(objects, kind, name), ['data']) ?? {})) {
    const text = asString(value, `${kind} ${name} ${key}`);
    data[key] = kind === 'Secret' ? Buffer.from(text, 'base64').toString('utf8') : text;
  }
  return data;
}

function valueFrom(
  source: JsonObject,
  container: JsonObject,
  objects: readonly JsonObject[],
  facts: PodFacts,
  namespace: string,
): string | undefined {
  const field = objectAt(source, ['fieldRef'])?.fieldPath;
  if (field === 'status.podIP') return facts.podIP;
  if (field === 'metadata.name') return facts.podName;
  if (field === 'metadata.namespace') return namespace;
  const resource = objectAt(source, ['resourceFieldRef']);
  if (resource) {
    // The kubelet divides by the divisor (1 by default) and rounds up: 512Mi is 536870912, 500m of CPU is 1.
    const [section, name] = asString(resource.resource, 'resourceFieldRef resource').split('.');
    const amount = quantity(objectAt(container, ['resources', section!])?.[name!]);
    const divisor = resource.divisor === undefined ? 1 : quantity(resource.divisor);
    return String(Math.ceil(amount / divisor));
  }
  for (const [ref, kind] of [
    ['configMapKeyRef', 'ConfigMap'],
    ['secretKeyRef', 'Secret'],
  ] as const) {
    const key = objectAt(source, [ref]);
    if (key) return dataOf(objects, kind, asString(key.name, `${ref} name`))[asString(key.key, `${ref} key`)];
  }
  return undefined;
}

/** The content of the file at `path` in the container, when a mounted Secret provides it. */
function mountedSecretFile(
  workload: JsonObject,
  container: JsonObject,
  path: string,
  objects: readonly JsonObject[],
): string | { problem: string } {
  for (const mount of objectsAt(container, ['volumeMounts'])) {
    const mountPath = asString(mount.mountPath, 'mountPath');
    const relative = posix.relative(mountPath, path);
    if (relative === '' || relative.startsWith('..') || posix.isAbsolute(relative)) continue;
    const volume = objectsAt(podSpec(workload), ['volumes']).find((v) => v.name === mount.name);
    const secret = volume && objectAt(volume, ['secret']);
    if (!secret) return { problem: `${mountPath} is not a Secret volume` };
    const secretName = asString(secret.secretName, 'secretName');
    const items = objectsAt(secret, ['items']);
    const item = items.find((candidate) => candidate.path === relative);
    const key = items.length > 0 ? item?.key : relative;
    if (typeof key !== 'string')
      return { problem: `the Secret volume at ${mountPath} has no item ${relative}` };
    const data = dataOf(objects, 'Secret', secretName);
    if (!Object.hasOwn(data, key)) return { problem: `the Secret ${secretName} has no key ${key}` };
    return data[key]!;
  }
  return { problem: 'no volume is mounted there' };
}
