import { objectAt, objectsAt, type JsonObject } from './json-value.js';
import { containerPort, containers, namespaceOf, ofKind, podLabels, selects } from './kubernetes-objects.js';

/**
 * Whether NetworkPolicies let a connection in, decided as Kubernetes decides it for ingress: a pod no policy
 * selects takes every connection; a pod some policy selects takes one that a rule of one of them allows, where a
 * rule allows when one of its peers matches the client (a pod selector alone: pods of the policy's namespace; a
 * namespace selector: pods of the namespaces it selects, narrowed by a pod selector beside it) and one of its
 * ports is the connection's (a named port is resolved on the receiving pod). IP blocks are not evaluated.
 */

export interface Client {
  readonly namespace: string;
  /** The namespace's labels; Kubernetes sets kubernetes.io/metadata.name on every namespace. */
  readonly namespaceLabels?: Readonly<Record<string, string>>;
  readonly labels: Readonly<Record<string, string>>;
}

export function admits(
  objects: readonly JsonObject[],
  target: JsonObject,
  port: number,
  client: Client,
): boolean {
  const namespace = namespaceOf(target);
  const labels = podLabels(target);
  const policies = ofKind(objects, 'NetworkPolicy').filter(
    (policy) =>
      namespaceOf(policy) === namespace &&
      appliesToIngress(policy) &&
      selects(objectAt(policy, ['spec', 'podSelector']) ?? {}, labels),
  );
  if (policies.length === 0) return true;
  const clientNamespaceLabels = {
    'kubernetes.io/metadata.name': client.namespace,
    ...client.namespaceLabels,
  };
  return policies.some((policy) =>
    objectsAt(policy, ['spec', 'ingress']).some((rule) => {
      const peers = objectsAt(rule, ['from']);
      // An empty or missing list of peers (or of ports) allows every one.
      const peerMatches =
        peers.length === 0 ||
        peers.some((peer) => {
          const namespaceSelector = objectAt(peer, ['namespaceSelector']);
          const podSelector = objectAt(peer, ['podSelector']);
          if (!namespaceSelector && !podSelector) return false;
          const inNamespace = namespaceSelector
            ? selects(namespaceSelector, clientNamespaceLabels)
            : client.namespace === namespace;
          return inNamespace && (!podSelector || selects(podSelector, client.labels));
        });
      const ports = objectsAt(rule, ['ports']);
      const portMatches =
        ports.length === 0 ||
        ports.some((allowed) => {
          if (allowed.port === undefined) return true;
          if (allowed.port === port) return true;
          return containers(target).some((container) => containerPort(container, allowed.port) === port);
        });
      return peerMatches && portMatches;
    }),
  );
}

function appliesToIngress(policy: JsonObject): boolean {
  const types = objectAt(policy, ['spec'])?.policyTypes;
  return !Array.isArray(types) || types.includes('Ingress');
}
