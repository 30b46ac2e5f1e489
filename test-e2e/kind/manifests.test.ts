import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { run } from '../podman/lib/sh.ts';
import { appliedObjects, daemonSetPodSpec, flannelManifest, hostPathOf, KIND_DIR, text, yamlFiles } from './lib/files.ts';
import { loadYamlDocuments, objectProblems, parseYamlDocuments } from './lib/manifests.ts';

const INSTALL_IMAGE = 'cni-ts-install:dev';
// Every plugin the node's conflists use, and cnictl, for `cnictl doctor` on the node.
const INSTALL_COMMAND = ['/opt/cni-ts/bin/cnictl', 'install', '--dir', '/host/opt/cni/bin', 'bridge', 'host-local', 'portmap', 'flannel', 'loopback', 'cnictl'];

const flannelObjects = () => parseYamlDocuments(flannelManifest(true));
const configMapData = () => flannelObjects().find((o) => o.kind === 'ConfigMap')!.data as Record<string, string>;
const kindConfig = () => loadYamlDocuments(join(KIND_DIR, 'cluster.yaml'))[0] as {
  apiVersion: string;
  kind: string;
  name: string;
  networking: { disableDefaultCNI: boolean; podSubnet: string };
  nodes: { role: string }[];
};

describe('kind manifests, validated offline', () => {
  it.each(yamlFiles())('%s passes yamllint (strict)', (file) => {
    const r = run(['yamllint', '--strict', '-c', join(KIND_DIR, '.yamllint'), join(KIND_DIR, file)]);
    expect(r.code, r.stdout + r.stderr).toBe(0);
  });

  it('the flannel manifest without the installer passes yamllint too', () => {
    const r = run(['yamllint', '--strict', '-c', join(KIND_DIR, '.yamllint'), '-'], { input: flannelManifest(false) });
    expect(r.code, r.stdout + r.stderr).toBe(0);
  });

  it.each(appliedObjects().map(({ source, obj }) => [`${source}: ${obj.kind} ${obj.metadata?.name}`, obj] as const))(
    '%s matches the Kubernetes schema, with no unknown field',
    (_, obj) => {
      expect(objectProblems(obj)).toEqual([]);
    },
  );

  it('the cluster has no default CNI, two workers, and the pod subnet flannel leases from', () => {
    const cfg = kindConfig();
    expect([cfg.apiVersion, cfg.kind]).toEqual(['kind.x-k8s.io/v1alpha4', 'Cluster']);
    expect(cfg.networking.disableDefaultCNI).toBe(true);
    expect(cfg.nodes.filter((n) => n.role === 'worker')).toHaveLength(2);
    expect(JSON.parse(configMapData()['net-conf.json']!).Network).toBe(cfg.networking.podSubnet);
  });

  it('the test pods are pinned to the two workers kind names after the cluster', () => {
    const { name } = kindConfig();
    const pods = loadYamlDocuments(join(KIND_DIR, 'pods.yaml')) as { spec: { nodeSelector: Record<string, string> } }[];
    expect(pods.map((p) => p.spec.nodeSelector['kubernetes.io/hostname'])).toEqual([`${name}-worker`, `${name}-worker2`]);
    expect(text('run.sh')).toContain(`cluster=${name}\n`);
  });

  it("cni-conf.json is kube-flannel's list on our plugins: flannel (bridge delegate, hairpin) then portmap", () => {
    const list = JSON.parse(configMapData()['cni-conf.json']!);
    expect(list.plugins.map((p: { type: string }) => p.type)).toEqual(['flannel', 'portmap']);
    expect(list.plugins[0].delegate).toEqual({ hairpinMode: true, isDefaultGateway: true });
    expect(list.plugins[1].capabilities).toEqual({ portMappings: true });
  });

  it('cni-conf.json keeps kube-flannel\'s cniVersion and offers 1.1.0, where runtimes send STATUS and GC', () => {
    const list = JSON.parse(configMapData()['cni-conf.json']!);
    expect([list.cniVersion, list.cniVersions]).toEqual(['0.3.1', ['0.3.1', '1.1.0']]);
  });

  it('both installers run the image built by build-image.sh, into the hostPath /opt/cni/bin', () => {
    for (const [objs, ds] of [
      [flannelObjects(), 'kube-flannel-ds'],
      [loadYamlDocuments(join(KIND_DIR, 'install-daemonset.yaml')), 'cni-ts-install'],
    ] as const) {
      const spec = daemonSetPodSpec(objs, ds);
      const installer = spec.initContainers?.find((c) => c.image === INSTALL_IMAGE);
      expect(installer?.command).toEqual(INSTALL_COMMAND);
      expect(hostPathOf(spec, installer!, '/host/opt/cni/bin')).toBe('/opt/cni/bin');
    }
    expect(text('build-image.sh')).toContain(`tag="\${1:-${INSTALL_IMAGE}}"`);
    expect(text('run.sh')).toContain(`image=${INSTALL_IMAGE}\n`);
  });

  it("the Dockerfile's entrypoint is the installer command, with every program the node needs linked", () => {
    const dockerfile = text('Dockerfile');
    expect(dockerfile).toContain(`ENTRYPOINT ["${INSTALL_COMMAND[0]}"]`);
    expect(dockerfile).toContain(`CMD ${JSON.stringify(INSTALL_COMMAND.slice(1)).replace(/,/g, ', ')}`);
    const linked = /for name in ([^;]+);/.exec(dockerfile)![1]!.split(' ');
    // The conflist's programs, and loopback, which containerd runs for every pod.
    expect(linked).toEqual(expect.arrayContaining(['cnictl', 'flannel', 'bridge', 'host-local', 'portmap', 'loopback']));
  });

  it("the Dockerfile takes the executable of the image's architecture, and keeps it at /flannel as flannel's image does", () => {
    const dockerfile = text('Dockerfile');
    expect(dockerfile).toMatch(/^ARG TARGETARCH$/m);
    expect(dockerfile).toMatch(/^COPY cni-ts-linux-\$\{TARGETARCH\} \/opt\/cni-ts\/bin\/cni-ts$/m);
    expect(dockerfile).toMatch(/ln \/opt\/cni-ts\/bin\/cni-ts \/flannel$/m);
    // build-image.sh stages the files under the names the COPY line takes.
    expect(text('build-image.sh').match(/"\$context\/cni-ts-linux-\$arch"/g)).toHaveLength(2);
  });
});
