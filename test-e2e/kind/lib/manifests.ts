import { readFileSync } from 'node:fs';
import { parseAllDocuments } from 'yaml';
import { DaemonSet } from 'kubernetes-models/apps/v1';
import { ClusterRole, ClusterRoleBinding } from 'kubernetes-models/rbac.authorization.k8s.io/v1';
import { ConfigMap, Namespace, Pod, ServiceAccount } from 'kubernetes-models/v1';
import { validate as validateDaemonSet } from 'kubernetes-models/_schemas/IoK8sApiAppsV1DaemonSet';
import { validate as validateClusterRole } from 'kubernetes-models/_schemas/IoK8sApiRbacV1ClusterRole';
import { validate as validateClusterRoleBinding } from 'kubernetes-models/_schemas/IoK8sApiRbacV1ClusterRoleBinding';
import { validate as validateConfigMap } from 'kubernetes-models/_schemas/IoK8sApiCoreV1ConfigMap';
import { validate as validateNamespace } from 'kubernetes-models/_schemas/IoK8sApiCoreV1Namespace';
import { validate as validatePod } from 'kubernetes-models/_schemas/IoK8sApiCoreV1Pod';
import { validate as validateServiceAccount } from 'kubernetes-models/_schemas/IoK8sApiCoreV1ServiceAccount';

export type K8sObject = { apiVersion?: string; kind?: string; metadata?: { name?: string; namespace?: string }; [key: string]: unknown };

interface Model {
  validate(): void;
}

/** The kinds our manifests use: the typed model (its validate() throws) and its raw schema check. */
const KINDS: Record<string, { model: new (data: never) => Model; schema: (data: unknown) => boolean }> = {
  'v1/Namespace': { model: Namespace, schema: validateNamespace },
  'v1/ServiceAccount': { model: ServiceAccount, schema: validateServiceAccount },
  'v1/ConfigMap': { model: ConfigMap, schema: validateConfigMap },
  'v1/Pod': { model: Pod, schema: validatePod },
  'apps/v1/DaemonSet': { model: DaemonSet, schema: validateDaemonSet },
  'rbac.authorization.k8s.io/v1/ClusterRole': { model: ClusterRole, schema: validateClusterRole },
  'rbac.authorization.k8s.io/v1/ClusterRoleBinding': { model: ClusterRoleBinding, schema: validateClusterRoleBinding },
};

/** Every YAML document of a multi-document text; a YAML syntax error throws. */
export function parseYamlDocuments(text: string): K8sObject[] {
  return parseAllDocuments(text).map((doc) => {
    if (doc.errors.length > 0) throw new Error(doc.errors.map((e) => e.message).join('; '));
    return doc.toJS() as K8sObject;
  });
}

export function loadYamlDocuments(path: string): K8sObject[] {
  return parseYamlDocuments(readFileSync(path, 'utf8'));
}

/**
 * Problems of one object against the Kubernetes OpenAPI schema: what the typed model reports, and
 * fields the schema does not know. The generated schemas allow unknown fields, but the API server
 * rejects them (kubectl's strict field validation), and a misspelt field is the likeliest slip:
 * the schema check runs on a proxy that records every field it reads, and a field it never reads
 * is unknown.
 */
export function objectProblems(obj: K8sObject): string[] {
  const kind = KINDS[`${obj.apiVersion}/${obj.kind}`];
  if (!kind) return [`no schema for ${obj.apiVersion} ${obj.kind}`];
  const problems: string[] = [];
  try {
    new kind.model(obj as never).validate();
  } catch (e) {
    problems.push((e as Error).message);
  }
  const read = new Map<object, Set<PropertyKey>>();
  kind.schema(tracked(obj, read));
  problems.push(...unreadFields(obj, read, '').map((path) => `unknown field ${path}`));
  return problems;
}

function tracked(value: unknown, read: Map<object, Set<PropertyKey>>): unknown {
  if (value === null || typeof value !== 'object') return value;
  const seen = new Set<PropertyKey>();
  read.set(value, seen);
  return new Proxy(value, {
    get(target, key, receiver) {
      seen.add(key);
      return tracked(Reflect.get(target, key, receiver), read);
    },
  });
}

function unreadFields(value: unknown, read: Map<object, Set<PropertyKey>>, path: string): string[] {
  if (value === null || typeof value !== 'object') return [];
  const seen = read.get(value);
  if (!seen) return [];
  return Object.entries(value).flatMap(([k, v]) =>
    !Array.isArray(value) && !seen.has(k) ? [`${path}/${k}`] : unreadFields(v, read, `${path}/${k}`),
  );
}
