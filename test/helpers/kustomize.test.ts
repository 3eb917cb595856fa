import { spawnSync } from 'node:child_process';
import { mkdirSync, writeFileSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { isDeepStrictEqual } from 'node:util';
import { parseAllDocuments } from 'yaml';
import { describe, expect, it } from 'vitest';
import { findBinary } from './binaries.js';
import type { JsonObject } from './json-value.js';
import { renderKustomization } from './kustomize.js';
import { useTempDirs } from './temp-dir.js';

/**
 * The renderer against kustomize: the expected objects below are what `kubectl kustomize` (kustomize v5.5.0)
 * printed for the same files, and where kubectl is installed each case is compared with it again.
 */

const tempDir = useTempDirs();
const kubectl = findBinary('kubectl');

/** Writes `files` (path → content) under a fresh directory and answers it. */
function tree(files: Record<string, string>): string {
  const dir = tempDir();
  for (const [path, content] of Object.entries(files)) {
    mkdirSync(dirname(join(dir, path)), { recursive: true });
    writeFileSync(join(dir, path), content);
  }
  return dir;
}

const KUSTOMIZATION = 'apiVersion: kustomize.config.k8s.io/v1beta1\nkind: Kustomization\n';
const DEPLOYMENT = `apiVersion: apps/v1
kind: Deployment
metadata:
  name: app
spec:
  selector:
    matchLabels: {app: demo}
  template:
    metadata:
      labels: {app: demo}
    spec:
      containers:
        - name: app
          image: app:0.0.1
`;

function expectSameAsKubectl(dir: string, rendered: readonly JsonObject[]): void {
  if (kubectl === undefined) return;
  const result = spawnSync(kubectl, ['kustomize', dir], { encoding: 'utf8', timeout: 20_000 });
  expect(result.status, result.stderr).toBe(0);
  const theirs = parseAllDocuments(result.stdout).map((document) => document.toJS() as JsonObject);
  const key = (object: JsonObject): string => JSON.stringify([object.kind, object.metadata]);
  const sorted = (objects: readonly JsonObject[]): JsonObject[] =>
    [...objects].sort((a, b) => key(a).localeCompare(key(b)));
  expect(isDeepStrictEqual(sorted(rendered), sorted(theirs)), result.stdout).toBe(true);
}

describe('renderKustomization', () => {
  it("generates ConfigMaps and Secrets with kustomize's names, data and references", () => {
    const dir = tree({
      'kustomization.yaml': `${KUSTOMIZATION}namespace: demo
resources: [deployment.yaml]
configMapGenerator:
  - name: settings
    envs: [settings.env]
    literals: [EXTRA="quoted <&> value"]
secretGenerator:
  - name: credentials
    files: [token=token.txt]
images:
  - name: app
    newName: registry.example.com/app
    newTag: 1.2.3
`,
      'settings.env': '# a comment\n\n  LOG_LEVEL=debug\nGREETING=hello = world  \n',
      'token.txt': 'a-token-long-enough-to-be-cut-into-two-lines-of-base64-by-kustomize-0123456789',
      'deployment.yaml': DEPLOYMENT.replace(
        '          image: app:0.0.1\n',
        `          image: app:0.0.1
          envFrom:
            - configMapRef: {name: settings}
          volumeMounts:
            - {name: credentials, mountPath: /run/secrets/app}
      volumes:
        - name: credentials
          secret: {secretName: credentials}
`,
      ),
    });
    const rendered = renderKustomization(dir);
    expect(rendered).toEqual([
      {
        apiVersion: 'apps/v1',
        kind: 'Deployment',
        metadata: { name: 'app', namespace: 'demo' },
        spec: {
          selector: { matchLabels: { app: 'demo' } },
          template: {
            metadata: { labels: { app: 'demo' } },
            spec: {
              containers: [
                {
                  name: 'app',
                  image: 'registry.example.com/app:1.2.3',
                  envFrom: [{ configMapRef: { name: 'settings-k6fbfm64g7' } }],
                  volumeMounts: [{ name: 'credentials', mountPath: '/run/secrets/app' }],
                },
              ],
              volumes: [{ name: 'credentials', secret: { secretName: 'credentials-t66g8b54h6' } }],
            },
          },
        },
      },
      {
        apiVersion: 'v1',
        kind: 'ConfigMap',
        metadata: { name: 'settings-k6fbfm64g7', namespace: 'demo' },
        data: { EXTRA: 'quoted <&> value', GREETING: 'hello = world  ', LOG_LEVEL: 'debug' },
      },
      {
        apiVersion: 'v1',
        kind: 'Secret',
        metadata: { name: 'credentials-t66g8b54h6', namespace: 'demo' },
        data: {
          token:
            'YS10b2tlbi1sb25nLWVub3VnaC10by1iZS1jdXQtaW50by10d28tbGluZXMtb2YtYmFzZT\nY0LWJ5LWt1c3RvbWl6ZS0wMTIzNDU2Nzg5\n',
        },
        type: 'Opaque',
      },
    ]);
    expectSameAsKubectl(dir, rendered);
  });

  it("merges an overlay's generator into its base's, runs components on it, and hashes the merged data", () => {
    const dir = tree({
      'base/kustomization.yaml': `${KUSTOMIZATION}namespace: demo
resources: [service.yaml]
configMapGenerator:
  - name: settings
    literals: [A=1]
`,
      'base/service.yaml':
        'apiVersion: v1\nkind: Service\nmetadata: {name: app}\nspec:\n  selector: {app: demo}\n  ports: [{port: 80}]\n',
      'component/kustomization.yaml':
        'apiVersion: kustomize.config.k8s.io/v1alpha1\nkind: Component\nlabels:\n  - pairs: {team: physics}\n',
      'overlay/kustomization.yaml': `${KUSTOMIZATION}resources: [../base]
components: [../component]
configMapGenerator:
  - name: settings
    behavior: merge
    literals: [B=2]
`,
    });
    const rendered = renderKustomization(join(dir, 'overlay'));
    expect(rendered).toEqual([
      {
        apiVersion: 'v1',
        kind: 'Service',
        metadata: { name: 'app', namespace: 'demo', labels: { team: 'physics' } },
        spec: { selector: { app: 'demo' }, ports: [{ port: 80 }] },
      },
      {
        apiVersion: 'v1',
        kind: 'ConfigMap',
        metadata: { name: 'settings-66h9cbh964', namespace: 'demo', labels: { team: 'physics' } },
        data: { A: '1', B: '2' },
      },
    ]);
    expectSameAsKubectl(join(dir, 'overlay'), rendered);
  });

  it("puts a patched list's items first, each merged with the item of its key, then the others", () => {
    const dir = tree({
      'kustomization.yaml': `${KUSTOMIZATION}resources: [deployment.yaml]\npatches:\n  - path: patch.yaml\n`,
      'deployment.yaml': DEPLOYMENT.replace(
        '          image: app:0.0.1\n',
        `          image: app:0.0.1
          env: [{name: A, value: a}, {name: B, value: b}, {name: C, value: c}]
        - name: sidecar
          image: sidecar:1.0.0
`,
      ),
      'patch.yaml': `apiVersion: apps/v1
kind: Deployment
metadata: {name: app}
spec:
  template:
    spec:
      containers:
        - name: sidecar
          image: sidecar:2.0.0
        - name: app
          env: [{name: X, value: x}, {name: C, value: cc}]
`,
    });
    const rendered = renderKustomization(dir);
    const containers = (rendered[0]!.spec as { template: { spec: { containers: JsonObject[] } } }).template
      .spec.containers;
    expect(containers.map((container) => container.name)).toEqual(['sidecar', 'app']);
    expect(containers[1]!.env).toEqual([
      { name: 'X', value: 'x' },
      { name: 'C', value: 'cc' },
      { name: 'A', value: 'a' },
      { name: 'B', value: 'b' },
    ]);
    expectSameAsKubectl(dir, rendered);
  });

  describe('refuses what it does not implement, rather than render it differently', () => {
    const refusals: Array<[string, Record<string, string>, RegExp]> = [
      [
        'a kustomization field it does not know',
        { 'kustomization.yaml': `${KUSTOMIZATION}namePrefix: x-\n` },
        /namePrefix.*not supported/,
      ],
      [
        'commonLabels (selectors too)',
        { 'kustomization.yaml': `${KUSTOMIZATION}commonLabels: {a: b}\n` },
        /commonLabels.*not supported/,
      ],
      [
        'labels that reach into selectors',
        { 'kustomization.yaml': `${KUSTOMIZATION}labels:\n  - pairs: {a: b}\n    includeSelectors: true\n` },
        /includeSelectors is not supported/,
      ],
      [
        'a patch with a target',
        {
          'kustomization.yaml': `${KUSTOMIZATION}resources: [d.yaml]\npatches:\n  - path: p.yaml\n    target: {kind: Deployment}\n`,
          'd.yaml': DEPLOYMENT,
          'p.yaml': '- op: replace\n  path: /spec/replicas\n  value: 2\n',
        },
        /target is not supported/,
      ],
      [
        'a JSON 6902 patch',
        {
          'kustomization.yaml': `${KUSTOMIZATION}resources: [d.yaml]\npatches:\n  - path: p.yaml\n`,
          'd.yaml': DEPLOYMENT,
          'p.yaml': '- op: replace\n  path: /spec/replicas\n  value: 2\n',
        },
        /must be a mapping/,
      ],
      [
        'a patch directive',
        {
          'kustomization.yaml': `${KUSTOMIZATION}resources: [d.yaml]\npatches:\n  - path: p.yaml\n`,
          'd.yaml': DEPLOYMENT,
          'p.yaml': 'apiVersion: apps/v1\nkind: Deployment\nmetadata: {name: app}\n$patch: delete\n',
        },
        /directive \$patch is not supported/,
      ],
      [
        'a patch of a list whose merge strategy it does not know',
        {
          'kustomization.yaml': `${KUSTOMIZATION}resources: [d.yaml]\npatches:\n  - path: p.yaml\n`,
          'd.yaml': DEPLOYMENT,
          'p.yaml':
            'apiVersion: apps/v1\nkind: Deployment\nmetadata: {name: app}\nspec:\n  template:\n    spec:\n      tolerations: [{key: a, operator: Exists}]\n',
        },
        /tolerations of a Deployment is not supported/,
      ],
      [
        'a patch that matches nothing',
        {
          'kustomization.yaml': `${KUSTOMIZATION}resources: [d.yaml]\npatches:\n  - patch: '{apiVersion: apps/v1, kind: Deployment, metadata: {name: other}}'\n`,
          'd.yaml': DEPLOYMENT,
        },
        /matches 0 objects/,
      ],
      [
        'a generator option',
        {
          'kustomization.yaml': `${KUSTOMIZATION}configMapGenerator:\n  - name: a\n    literals: [A=1]\n    options: {disableNameSuffixHash: true}\n`,
        },
        /options' is not supported/,
      ],
      [
        'the replace behaviour',
        {
          'kustomization.yaml': `${KUSTOMIZATION}configMapGenerator:\n  - name: a\n    behavior: replace\n    literals: [A=1]\n`,
        },
        /behavior replace is not supported/,
      ],
      [
        'an env file line read from the environment',
        {
          'kustomization.yaml': `${KUSTOMIZATION}configMapGenerator:\n  - name: a\n    envs: [a.env]\n`,
          'a.env': 'HOME\n',
        },
        /HOME' has no value/,
      ],
      [
        'a file outside the kustomization',
        {
          'k/kustomization.yaml': `${KUSTOMIZATION}secretGenerator:\n  - name: a\n    files: [../secret]\n`,
          secret: 'x',
        },
        /outside the kustomization's directory/,
      ],
      [
        'a remote resource',
        { 'kustomization.yaml': `${KUSTOMIZATION}resources: [https://example.com/x.yaml]\n` },
        /remote resource/,
      ],
      [
        'a kustomization without its kind',
        { 'kustomization.yaml': 'resources: []\n' },
        /expected apiVersion/,
      ],
      [
        'a kind it does not know how to namespace',
        {
          'kustomization.yaml': `${KUSTOMIZATION}namespace: demo\nresources: [c.yaml]\n`,
          'c.yaml': 'apiVersion: batch/v1\nkind: CronJob\nmetadata: {name: a}\nspec: {}\n',
        },
        /CronJob is not a kind this renderer knows/,
      ],
      [
        'a replica count for nothing',
        { 'kustomization.yaml': `${KUSTOMIZATION}replicas: [{name: absent, count: 2}]\n` },
        /names no Deployment or StatefulSet absent/,
      ],
    ];
    for (const [what, files, message] of refusals) {
      it(what, () => {
        const dir = tree(files);
        const root = Object.keys(files).some((path) => path.startsWith('k/')) ? join(dir, 'k') : dir;
        expect(() => renderKustomization(root)).toThrow(message);
      });
    }
  });
});
