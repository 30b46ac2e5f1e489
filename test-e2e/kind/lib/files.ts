import { readdirSync, readFileSync } from 'node:fs';
import { dirname, join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { run } from '../../podman/lib/sh.ts';
import { loadYamlDocuments, parseYamlDocuments, type K8sObject } from './manifests.ts';

/** test-e2e/kind: the files a user runs. */
export const KIND_DIR = resolve(dirname(fileURLToPath(import.meta.url)), '..');

export const scripts = (): string[] => readdirSync(KIND_DIR).filter((f) => f.endsWith('.sh'));
export const yamlFiles = (): string[] => readdirSync(KIND_DIR).filter((f) => /\.ya?ml$/.test(f));
export const text = (file: string): string => readFileSync(join(KIND_DIR, file), 'utf8');

/** The flannel manifest as flannel-manifest.sh prints it (with or without cni-ts's installer). */
export function flannelManifest(withInstaller: boolean): string {
  const r = run(['bash', join(KIND_DIR, 'flannel-manifest.sh'), ...(withInstaller ? [] : ['--without-installer'])]);
  if (r.code !== 0) throw new Error(`flannel-manifest.sh: ${r.stderr}`);
  return r.stdout;
}

/** Every Kubernetes object a recipe applies, labelled by where it comes from. */
export function appliedObjects(): { source: string; obj: K8sObject }[] {
  const from = (source: string, objs: K8sObject[]) => objs.map((obj) => ({ source, obj }));
  return [
    ...from('flannel-manifest.sh', parseYamlDocuments(flannelManifest(true))),
    ...from('flannel-manifest.sh --without-installer', parseYamlDocuments(flannelManifest(false))),
    ...from('install-daemonset.yaml', loadYamlDocuments(join(KIND_DIR, 'install-daemonset.yaml'))),
    ...from('pods.yaml', loadYamlDocuments(join(KIND_DIR, 'pods.yaml'))),
  ];
}

type PodSpec = { initContainers?: Container[]; containers: Container[]; volumes?: { name: string; hostPath?: { path: string } }[] };
export type Container = { name: string; image: string; command?: string[]; volumeMounts?: { name: string; mountPath: string }[] };

export function daemonSetPodSpec(objs: K8sObject[], name: string): PodSpec {
  const ds = objs.find((o) => o.kind === 'DaemonSet' && o.metadata?.name === name);
  if (!ds) throw new Error(`no DaemonSet ${name}`);
  return (ds as unknown as { spec: { template: { spec: PodSpec } } }).spec.template.spec;
}

/** The host directory a container mount comes from (hostPath volumes only). */
export function hostPathOf(spec: PodSpec, container: Container, mountPath: string): string | undefined {
  const mount = container.volumeMounts?.find((m) => m.mountPath === mountPath);
  return spec.volumes?.find((v) => v.name === mount?.name)?.hostPath?.path;
}
