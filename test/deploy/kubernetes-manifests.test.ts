import { spawnSync } from 'node:child_process';
import { cpSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { basename, join, relative, resolve, sep } from 'node:path';
import { isDeepStrictEqual } from 'node:util';
import { parseAllDocuments } from 'yaml';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { CONFIG_KEYS, isConfigKeyName, loadConfig, type DredgeConfig } from '../../src/config/index.js';
import { findBinary } from '../helpers/binaries.js';
import { containerEnvironment, type ContainerEnvironment } from '../helpers/container-environment.js';
import { asArray, asObject, asString, objectAt, objectsAt, type JsonObject } from '../helpers/json-value.js';
import { admits, type Client } from '../helpers/kubernetes-network-policy.js';
import {
  containerPort,
  containers,
  kindOf,
  named,
  namespaceOf,
  nameOf,
  ofKind,
  podAnnotations,
  podLabels,
  podPort,
  podSpec,
  quantity,
  selects,
  stringRecord,
  titleOf,
  workloads,
} from '../helpers/kubernetes-objects.js';
import { schemaProblem, typeProblems } from '../helpers/kubernetes-schema.js';
import { renderKustomization } from '../helpers/kustomize.js';

const root = resolve(import.meta.dirname, '../..');
const MANIFESTS = join(root, 'deploy/kubernetes');
const OVERLAY = 'overlays/production';
const PACKAGE_VERSION = (JSON.parse(readFileSync(join(root, 'package.json'), 'utf8')) as { version: string })
  .version;

/** Stand-ins for the files of the overlay's secrets/ (made where it is applied; never committed, never copied). */
const PLACEHOLDER_SECRETS: Record<string, string> = {
  'api-key': 'dredge_placeholder_0123456789abcdef',
  'database-url': 'postgres://dredge:placeholder-password@postgres:5432/dredge',
  'redis-password': 'placeholder-redis-password',
  'postgres-password': 'placeholder-password',
};

/** What each DREDGE command serves: the port it listens on, and the path that says it is ready. */
const PROCESSES: Record<string, { port: (config: DredgeConfig) => number; readyPath: string }> = {
  mcp: { port: (config) => config.servers.mcpPort, readyPath: '/ready' },
  serve: { port: (config) => config.servers.dredgePort, readyPath: '/ready' },
  // A worker's status server has /health only: it routes no requests, so there is nothing to be ready for.
  worker: { port: (config) => config.telemetry.metricsPort, readyPath: '/health' },
};

/** The namespaces the NetworkPolicies name for the ingress controller and for Prometheus. */
const INGRESS_CONTROLLER: Client = {
  namespace: 'ingress-nginx',
  labels: { 'app.kubernetes.io/name': 'ingress-nginx' },
};
const PROMETHEUS: Client = { namespace: 'monitoring', labels: { 'app.kubernetes.io/name': 'prometheus' } };
const POD_IP = '10.1.2.3';

/** One DREDGE container of the production overlay, with the environment it starts with and what DREDGE makes of it. */
interface DredgeProcess {
  readonly workload: JsonObject;
  readonly container: JsonObject;
  readonly command: string;
  readonly environment: ContainerEnvironment;
  readonly config: DredgeConfig | undefined;
  readonly configError: string | undefined;
}

let work: string;
let base: JsonObject[];
let production: JsonObject[];
let processes: DredgeProcess[];

beforeAll(() => {
  // A copy without anything under secrets/, with placeholders written for the secretGenerator's files.
  work = mkdtempSync(join(tmpdir(), 'dredge-kubernetes-'));
  cpSync(MANIFESTS, work, {
    recursive: true,
    filter: (source) => !relative(MANIFESTS, source).split(sep).slice(0, -1).includes('secrets'),
  });
  writePlaceholderSecrets(join(work, OVERLAY));
  base = renderKustomization(join(work, 'base'));
  production = renderKustomization(join(work, OVERLAY));
  processes = dredgeProcesses(production, work);
});

afterAll(() => {
  rmSync(work, { recursive: true, force: true });
});

function writePlaceholderSecrets(overlay: string): void {
  const kustomization = asObject(
    parseAllDocuments(readFileSync(join(overlay, 'kustomization.yaml'), 'utf8'))[0]!.toJS(),
    'kustomization',
  );
  for (const generator of asArray(kustomization.secretGenerator ?? [], 'secretGenerator')) {
    for (const source of asArray(asObject(generator, 'secretGenerator entry').files ?? [], 'files')) {
      const path = asString(source, 'file').split('=').pop()!;
      const placeholder = PLACEHOLDER_SECRETS[basename(path)];
      if (placeholder === undefined)
        throw new Error(`no placeholder for the secret file ${path}: add one to this test`);
      writeFileSync(join(overlay, path), placeholder);
    }
  }
}

const isDredgeImage = (image: string): boolean => /(^|\/)dredge(:|@|$)/.test(image);

function dredgeProcesses(objects: readonly JsonObject[], dir: string): DredgeProcess[] {
  return ofKind(objects, 'Deployment').flatMap((workload) =>
    containers(workload)
      .filter((container) => isDredgeImage(asString(container.image, 'image')))
      .map((container) => {
        const command = asString(asArray(container.args, `${titleOf(workload)} args`)[0], 'command');
        const environment = containerEnvironment(
          workload,
          container,
          objects,
          { podIP: POD_IP, podName: `${nameOf(workload)}-0` },
          dir,
        );
        try {
          const { config } = loadConfig({ cwd: dir, homeDir: dir, env: environment.env });
          return { workload, container, command, environment, config, configError: undefined };
        } catch (error) {
          return { workload, container, command, environment, config: undefined, configError: String(error) };
        }
      }),
  );
}

/** `<KEY>_FILE` of a secret key (API_KEY_FILE, DATABASE_URL_FILE, …): the file DREDGE reads that secret from. */
function isSecretFileVariable(name: string): boolean {
  const key = name.endsWith('_FILE') ? name.slice(0, -'_FILE'.length) : '';
  return isConfigKeyName(key) && CONFIG_KEYS[key].secret;
}

/** The config of a process, which the configuration test has shown to load. */
function configOf(process: DredgeProcess): DredgeConfig {
  if (!process.config) throw new Error(`${titleOf(process.workload)}: ${process.configError}`);
  return process.config;
}

describe('Kubernetes manifests (deploy/kubernetes)', () => {
  const kubectl = findBinary('kubectl');
  it.skipIf(kubectl === undefined)('render here as `kubectl kustomize` renders them', () => {
    for (const [dir, rendered] of [
      ['base', base],
      [OVERLAY, production],
    ] as const) {
      const result = spawnSync(kubectl!, ['kustomize', join(work, dir)], {
        encoding: 'utf8',
        timeout: 20_000,
      });
      expect(result.status, result.stderr).toBe(0);
      const theirs = parseAllDocuments(result.stdout).map((document) =>
        asObject(document.toJS(), 'document'),
      );
      const byId = (objects: readonly JsonObject[]): Map<string, JsonObject> =>
        new Map(objects.map((object) => [`${titleOf(object)}`, object]));
      const mine = byId(rendered);
      const kustomize = byId(theirs);
      expect([...mine.keys()].sort(), dir).toEqual([...kustomize.keys()].sort());
      for (const [id, object] of mine)
        expect(isDeepStrictEqual(object, kustomize.get(id)), `${dir}: ${id}`).toBe(true);
    }
  });

  it('are valid objects of the Kubernetes API', async () => {
    const problems: string[] = [];
    for (const object of [...base, ...production]) {
      const problem = await schemaProblem(object);
      if (problem) problems.push(`${titleOf(object)}: ${problem}`);
    }
    expect(problems).toEqual([]);
  });

  it('have no field the Kubernetes API does not know', () => {
    expect(typeProblems([...base, ...production])).toEqual([]);
  });

  it('tag every DREDGE container with the package version, and pin every other image', () => {
    const dredgeImages = processes.map((process) => String(process.container.image));
    expect(dredgeImages.length).toBeGreaterThanOrEqual(3);
    for (const image of dredgeImages)
      expect(image).toMatch(new RegExp(`:${PACKAGE_VERSION.replace(/\./g, '\\.')}$`));
    for (const workload of workloads(base)) {
      for (const container of containers(workload)) expect(container.image).toBe(`dredge:${PACKAGE_VERSION}`);
    }
    for (const workload of workloads(production)) {
      for (const container of containers(workload)) {
        // A full version (x.y or x.y.z, with a variant) or a digest: never latest, never a moving major tag.
        expect(String(container.image), titleOf(workload)).toMatch(
          /(:\d+\.\d+(\.\d+)?(-[a-z0-9.]+)?|@sha256:[0-9a-f]{64})$/,
        );
      }
    }
  });

  it('start each DREDGE process with a configuration DREDGE accepts, on the shared backends', () => {
    expect(processes.map((process) => process.command).sort()).toEqual(['mcp', 'serve', 'worker']);
    for (const process of processes) {
      const title = titleOf(process.workload);
      expect(process.environment.problems, title).toEqual([]);
      expect(process.configError, title).toBeUndefined();
      const config = configOf(process);
      expect(config.storage.storeBackend, title).toBe('postgres');
      expect(config.storage.database.url, title).toBe(PLACEHOLDER_SECRETS['database-url']);
      expect(config.storage.queueBackend, title).toBe('bullmq');
      expect(config.cache.backend, title).toBe('redis');
      expect(new URL(config.redis.url).password, title).toBe(PLACEHOLDER_SECRETS['redis-password']);
      expect(config.security.authEnabled, title).toBe(true);
      expect(config.servers.host, title).toBe('0.0.0.0');
      // The kubelet's probes and Prometheus reach the pod by its address, which must be an allowed host.
      expect(config.security.allowedHosts, title).toContain(POD_IP);
      const limits = objectAt(process.container, ['resources', 'limits']);
      expect(config.compute.memoryBudgetBytes, title).toBe(quantity(limits?.memory));
      expect(config.workers.threads, title).toBe(Math.ceil(quantity(limits?.cpu)));
    }
    const servers = processes.filter((process) => process.command !== 'worker');
    for (const process of servers)
      expect(configOf(process).security.apiKey).toBe(PLACEHOLDER_SECRETS['api-key']);
  });

  it('let servers answer to the names their Services and the ingress give them', () => {
    for (const process of processes.filter((p) => p.command !== 'worker')) {
      const allowed = configOf(process).security.allowedHosts;
      const services = ofKind(production, 'Service').filter((service) =>
        selects(objectAt(service, ['spec', 'selector']) ?? {}, podLabels(process.workload)),
      );
      expect(services.length).toBeGreaterThan(0);
      for (const service of services) {
        const name = nameOf(service);
        for (const host of [
          name,
          `${name}.${namespaceOf(service)!}.svc`,
          `${name}.${namespaceOf(service)!}.svc.cluster.local`,
        ])
          expect(allowed).toContain(host);
        for (const ingress of ofKind(production, 'Ingress')) {
          for (const rule of objectsAt(ingress, ['spec', 'rules'])) {
            const routed = objectsAt(rule, ['http', 'paths']).some(
              (path) => objectAt(path, ['backend', 'service'])?.name === name,
            );
            if (routed) expect(allowed).toContain(rule.host);
          }
        }
      }
    }
  });

  it('probe each DREDGE process on the port it listens on: ready on /ready, alive on /health', () => {
    for (const process of processes) {
      const title = titleOf(process.workload);
      const expected = PROCESSES[process.command];
      expect(expected, `${title} runs ${process.command}`).toBeDefined();
      const port = expected!.port(configOf(process));
      for (const [probe, path] of [
        ['readinessProbe', expected!.readyPath],
        ['livenessProbe', '/health'],
        ['startupProbe', '/health'],
      ] as const) {
        const httpGet = objectAt(process.container, [probe, 'httpGet']);
        expect(httpGet?.path, `${title} ${probe}`).toBe(path);
        expect(containerPort(process.container, httpGet?.port), `${title} ${probe} port`).toBe(port);
      }
      // Prometheus finds /metrics where the process serves it: each process serves its own on that port.
      expect(podAnnotations(process.workload)).toMatchObject({
        'prometheus.io/scrape': 'true',
        'prometheus.io/port': String(port),
        'prometheus.io/path': '/metrics',
      });
    }
  });

  it('give every DREDGE process more time to stop than its drain takes', () => {
    for (const process of processes) {
      const title = titleOf(process.workload);
      const config = configOf(process);
      const grace = podSpec(process.workload).terminationGracePeriodSeconds;
      const pause = Number(objectAt(process.container, ['lifecycle', 'preStop', 'sleep'])?.seconds ?? 0);
      // Servers finish the requests in flight (at most REQUEST_TIMEOUT); a worker its running tasks (TASK_TIMEOUT).
      const drainSeconds =
        process.command === 'worker'
          ? config.queue.taskTimeoutMs / 1000
          : config.servers.requestTimeoutMs / 1000;
      expect(typeof grace, title).toBe('number');
      expect(grace as number, title).toBeGreaterThan(pause + drainSeconds);
      if (process.command !== 'worker') expect(pause, `${title}: a preStop pause`).toBeGreaterThan(0);
    }
  });

  it('set only DREDGE configuration keys, and secrets only as files from a Secret', () => {
    const secretValues = Object.values(PLACEHOLDER_SECRETS);
    const configMap = ofKind(production, 'ConfigMap').find((object) =>
      nameOf(object).startsWith('dredge-config-'),
    );
    expect(configMap).toBeDefined();
    for (const [key, value] of Object.entries(stringRecord(objectAt(configMap!, ['data'])))) {
      if (isSecretFileVariable(key)) {
        // A secret's file may be named here: a path, never the secret.
        expect(value, key).toMatch(/^\//);
        continue;
      }
      expect(isConfigKeyName(key), `${key} is a configuration key`).toBe(true);
      if (!isConfigKeyName(key)) continue;
      expect(CONFIG_KEYS[key].secret, `${key} is a secret: it belongs in the Secret`).toBe(false);
      const parsed = CONFIG_KEYS[key].schema.safeParse(value);
      expect(parsed.success, `${key}=${value}: ${CONFIG_KEYS[key].allowed}`).toBe(true);
    }
    for (const object of ofKind(production, 'ConfigMap')) {
      for (const [key, value] of Object.entries(stringRecord(objectAt(object, ['data'])))) {
        expect(value, `${nameOf(object)} ${key}`).not.toMatch(/:\/\/[^/@\s]*:[^/@\s]*@/);
        for (const secret of secretValues)
          expect(value.includes(secret), `${nameOf(object)} ${key} holds a secret`).toBe(false);
      }
    }
    for (const process of processes) {
      for (const variable of objectsAt(process.container, ['env'])) {
        const name = asString(variable.name, 'env name');
        const isSecretFile = isSecretFileVariable(name);
        const isPlainKey = isConfigKeyName(name) && !CONFIG_KEYS[name].secret;
        const isHelper = process.environment.referenced.has(name);
        expect(isSecretFile || isPlainKey || isHelper, `${titleOf(process.workload)}: ${name}`).toBe(true);
      }
    }
  });

  it('run every pod as the restricted Pod Security Standard asks, with requests and limits', () => {
    const namespace = named(production, 'Namespace', 'dredge');
    expect(objectAt(namespace, ['metadata', 'labels'])?.['pod-security.kubernetes.io/enforce']).toBe(
      'restricted',
    );
    const allowedVolumes = new Set([
      'emptyDir',
      'secret',
      'configMap',
      'persistentVolumeClaim',
      'projected',
      'downwardAPI',
    ]);
    for (const workload of workloads(production)) {
      const title = titleOf(workload);
      const pod = podSpec(workload);
      const podSecurity = objectAt(pod, ['securityContext']) ?? {};
      expect(pod.automountServiceAccountToken, `${title}: no API token`).toBe(false);
      for (const host of ['hostNetwork', 'hostPID', 'hostIPC'])
        expect(pod[host], `${title} ${host}`).not.toBe(true);
      for (const volume of objectsAt(pod, ['volumes'])) {
        const type = Object.keys(volume).find((key) => key !== 'name');
        expect(allowedVolumes.has(type ?? ''), `${title} volume ${String(volume.name)}: ${type}`).toBe(true);
      }
      for (const container of containers(workload)) {
        const where = `${title} ${String(container.name)}`;
        const security = objectAt(container, ['securityContext']) ?? {};
        const effective = (field: string): unknown => security[field] ?? podSecurity[field];
        expect(effective('runAsNonRoot'), `${where} runAsNonRoot`).toBe(true);
        expect(effective('runAsUser'), `${where} runAsUser`).not.toBe(0);
        expect(
          objectAt(security, ['seccompProfile'])?.type ?? objectAt(podSecurity, ['seccompProfile'])?.type,
          where,
        ).toBe('RuntimeDefault');
        expect(security.allowPrivilegeEscalation, `${where} allowPrivilegeEscalation`).toBe(false);
        expect(security.privileged, `${where} privileged`).not.toBe(true);
        expect(security.readOnlyRootFilesystem, `${where} readOnlyRootFilesystem`).toBe(true);
        expect(objectAt(security, ['capabilities'])?.drop, `${where} drops every capability`).toEqual([
          'ALL',
        ]);
        expect(objectAt(security, ['capabilities'])?.add, `${where} adds no capability`).toBeUndefined();
        const resources = objectAt(container, ['resources']);
        for (const resource of ['cpu', 'memory']) {
          const request = objectAt(resources ?? {}, ['requests'])?.[resource];
          const limit = objectAt(resources ?? {}, ['limits'])?.[resource];
          expect(limit, `${where} limits.${resource}`).toBeDefined();
          expect(request, `${where} requests.${resource}`).toBeDefined();
          expect(quantity(request), `${where} ${resource}: request within limit`).toBeLessThanOrEqual(
            quantity(limit),
          );
        }
      }
    }
  });

  it('refer only to ConfigMaps, Secrets, keys and ServiceAccounts that exist', () => {
    const problems: string[] = [];
    const need = (
      kind: 'ConfigMap' | 'Secret' | 'ServiceAccount',
      name: unknown,
      key: unknown,
      where: string,
    ): void => {
      const found = production.find((object) => kindOf(object) === kind && nameOf(object) === name);
      if (!found) problems.push(`${where}: no ${kind} ${String(name)}`);
      else if (key !== undefined && !Object.hasOwn(objectAt(found, ['data']) ?? {}, String(key))) {
        problems.push(`${where}: ${kind} ${String(name)} has no key ${String(key)}`);
      }
    };
    for (const workload of workloads(production)) {
      const title = titleOf(workload);
      const pod = podSpec(workload);
      if (pod.serviceAccountName !== undefined)
        need('ServiceAccount', pod.serviceAccountName, undefined, title);
      for (const volume of objectsAt(pod, ['volumes'])) {
        const secret = objectAt(volume, ['secret']);
        for (const item of secret ? objectsAt(secret, ['items']) : [])
          need('Secret', secret!.secretName, item.key, title);
        if (secret && !secret.items) need('Secret', secret.secretName, undefined, title);
        const configMap = objectAt(volume, ['configMap']);
        if (configMap) need('ConfigMap', configMap.name, undefined, title);
      }
      for (const container of containers(workload)) {
        for (const from of objectsAt(container, ['envFrom'])) {
          if (objectAt(from, ['configMapRef']))
            need('ConfigMap', objectAt(from, ['configMapRef'])!.name, undefined, title);
          if (objectAt(from, ['secretRef']))
            need('Secret', objectAt(from, ['secretRef'])!.name, undefined, title);
        }
        for (const variable of objectsAt(container, ['env'])) {
          const configMapKey = objectAt(variable, ['valueFrom', 'configMapKeyRef']);
          if (configMapKey) need('ConfigMap', configMapKey.name, configMapKey.key, title);
          const secretKey = objectAt(variable, ['valueFrom', 'secretKeyRef']);
          if (secretKey) need('Secret', secretKey.name, secretKey.key, title);
        }
      }
    }
    expect(problems).toEqual([]);
  });

  it('route every Service and ingress path to pods that declare its port', () => {
    for (const service of ofKind(production, 'Service')) {
      const selector = objectAt(service, ['spec', 'selector']) ?? {};
      const targets = workloads(production).filter((workload) => selects(selector, podLabels(workload)));
      expect(targets.map(titleOf), `${titleOf(service)} selects one workload's pods`).toHaveLength(1);
      for (const port of objectsAt(service, ['spec', 'ports'])) {
        const target = port.targetPort ?? port.port;
        expect(podPort(targets[0]!, target), `${titleOf(service)} port ${String(target)}`).toBeDefined();
      }
    }
    for (const ingress of ofKind(production, 'Ingress')) {
      for (const rule of objectsAt(ingress, ['spec', 'rules'])) {
        for (const path of objectsAt(rule, ['http', 'paths'])) {
          const backend = objectAt(path, ['backend', 'service']);
          const service = named(production, 'Service', asString(backend?.name, 'backend service'));
          const port = objectAt(backend!, ['port']);
          const declared = objectsAt(service, ['spec', 'ports']).some(
            (candidate) =>
              candidate.name === port?.name || (port?.number !== undefined && candidate.port === port.number),
          );
          expect(declared, `${String(rule.host)} → ${nameOf(service)}`).toBe(true);
        }
      }
    }
  });

  it('autoscale the MCP server and the workers, leaving the replica count to the autoscaler', () => {
    const scaled = ofKind(production, 'HorizontalPodAutoscaler').map((hpa) => {
      const target = objectAt(hpa, ['spec', 'scaleTargetRef']);
      expect(target?.kind, titleOf(hpa)).toBe('Deployment');
      const deployment = named(production, 'Deployment', asString(target?.name, 'scaleTargetRef name'));
      // Applying the manifests again must not reset the count the autoscaler chose.
      expect(
        objectAt(deployment, ['spec'])?.replicas,
        `${titleOf(deployment)} sets replicas`,
      ).toBeUndefined();
      const spec = objectAt(hpa, ['spec'])!;
      expect(Number(spec.minReplicas), titleOf(hpa)).toBeGreaterThanOrEqual(1);
      expect(Number(spec.maxReplicas), titleOf(hpa)).toBeGreaterThanOrEqual(Number(spec.minReplicas));
      // Utilization is measured against the request: every container must have one.
      for (const container of containers(deployment))
        expect(objectAt(container, ['resources', 'requests'])?.cpu).toBeDefined();
      return nameOf(deployment);
    });
    const byCommand = (command: string): string =>
      nameOf(processes.find((process) => process.command === command)!.workload);
    expect(scaled.sort()).toEqual([byCommand('mcp'), byCommand('worker')].sort());
  });

  it('have a disruption budget for each DREDGE Deployment, selecting its pods only', () => {
    const budgeted = ofKind(production, 'PodDisruptionBudget').map((pdb) => {
      const selector = objectAt(pdb, ['spec', 'selector']) ?? {};
      const targets = workloads(production).filter((workload) => selects(selector, podLabels(workload)));
      expect(targets.map(titleOf), titleOf(pdb)).toHaveLength(1);
      return nameOf(targets[0]!);
    });
    for (const process of processes) expect(budgeted).toContain(nameOf(process.workload));
  });

  it('let in only the connections DREDGE needs (NetworkPolicies)', () => {
    for (const policy of ofKind(production, 'NetworkPolicy')) {
      const selector = objectAt(policy, ['spec', 'podSelector']) ?? {};
      const selected = workloads(production).filter((workload) => selects(selector, podLabels(workload)));
      expect(selected.length, `${titleOf(policy)} selects pods`).toBeGreaterThan(0);
    }
    const stranger: Client = { namespace: 'default', labels: { app: 'stranger' } };
    const neighbour: Client = { namespace: 'dredge', labels: { app: 'neighbour' } };
    for (const process of processes) {
      const port = PROCESSES[process.command]!.port(configOf(process));
      const title = titleOf(process.workload);
      expect(admits(production, process.workload, port, PROMETHEUS), `Prometheus → ${title}`).toBe(true);
      expect(admits(production, process.workload, port, INGRESS_CONTROLLER), `ingress → ${title}`).toBe(
        process.command !== 'worker',
      );
      expect(admits(production, process.workload, port, stranger), `another namespace → ${title}`).toBe(
        false,
      );
      expect(admits(production, process.workload, port, neighbour), `an unlabelled pod → ${title}`).toBe(
        false,
      );
    }
    for (const [name, port] of [
      ['redis', 6379],
      ['postgres', 5432],
    ] as const) {
      const store = named(production, 'StatefulSet', name);
      for (const process of processes) {
        const client: Client = { namespace: 'dredge', labels: podLabels(process.workload) };
        expect(admits(production, store, port, client), `${titleOf(process.workload)} → ${name}`).toBe(true);
      }
      for (const client of [INGRESS_CONTROLLER, PROMETHEUS, stranger, neighbour]) {
        expect(
          admits(production, store, port, client),
          `${client.namespace}/${JSON.stringify(client.labels)} → ${name}`,
        ).toBe(false);
      }
    }
  });

  it("keep every replica's PostgreSQL pool within the server's max_connections, rollouts included", () => {
    let connections = 0;
    for (const process of processes) {
      const deployment = process.workload;
      const hpa = ofKind(production, 'HorizontalPodAutoscaler').find(
        (candidate) => objectAt(candidate, ['spec', 'scaleTargetRef'])?.name === nameOf(deployment),
      );
      const replicas = Number(
        hpa ? objectAt(hpa, ['spec'])?.maxReplicas : (objectAt(deployment, ['spec'])?.replicas ?? 1),
      );
      const surge = objectAt(deployment, ['spec', 'strategy', 'rollingUpdate'])?.maxSurge ?? '25%';
      const extra =
        typeof surge === 'number' ? surge : Math.ceil((replicas * parseFloat(String(surge))) / 100);
      connections += (replicas + extra) * configOf(process).storage.database.poolSize;
    }
    const postgres = containers(named(production, 'StatefulSet', 'postgres'))[0]!;
    const args = (Array.isArray(postgres.args) ? postgres.args : []).map(String);
    const setting = args.map((arg) => /^max_connections=(\d+)$/.exec(arg)).find(Boolean);
    const maxConnections = setting ? Number(setting[1]) : 100;
    // PostgreSQL keeps 3 connections (superuser_reserved_connections) for administrators.
    expect(connections).toBeLessThanOrEqual(maxConnections - 3);
  });

  it('keep Redis durable and without eviction, as the task queue needs it', () => {
    const redis = named(production, 'StatefulSet', 'redis');
    const container = containers(redis)[0]!;
    const volume = objectsAt(podSpec(redis), ['volumes']).find((candidate) =>
      objectAt(candidate, ['configMap']),
    );
    const configMap = named(
      production,
      'ConfigMap',
      asString(objectAt(volume!, ['configMap'])?.name, 'configMap name'),
    );
    const conf = asString(objectAt(configMap, ['data'])?.['redis.conf'], 'redis.conf');
    const setting = (name: string): string | undefined =>
      new RegExp(`^${name}\\s+(.+)$`, 'm').exec(conf)?.[1]?.trim();
    expect(setting('appendonly')).toBe('yes');
    // BullMQ refuses to lose jobs: an evicted key is a task lost or run twice.
    expect(setting('maxmemory-policy')).toBe('noeviction');
    expect(quantity(setting('maxmemory')?.replace(/mb$/i, 'Mi'))).toBeLessThan(
      quantity(objectAt(container, ['resources', 'limits'])?.memory),
    );
    for (const name of ['redis', 'postgres']) {
      const claims = objectsAt(named(production, 'StatefulSet', name), ['spec', 'volumeClaimTemplates']);
      expect(
        claims.map((claim) => objectAt(claim, ['metadata'])?.name),
        `${name} keeps its data on a volume`,
      ).toEqual(['data']);
    }
  });
});
