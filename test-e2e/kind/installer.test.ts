import { existsSync, mkdirSync, mkdtempSync, rmSync, statSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { DIST_BIN, runPlugin } from '../lib/exec.ts';
import { run } from '../podman/lib/sh.ts';
import { daemonSetPodSpec, flannelManifest } from './lib/files.ts';
import { parseYamlDocuments } from './lib/manifests.ts';

/**
 * The installer the manifests run, run here for real: the image's /opt/cni-ts/bin is dist/bin (the
 * Dockerfile links the same names to the same executable), and the node's /opt/cni/bin, mounted at
 * /host/opt/cni/bin, is a temp dir. Then the conflist flannel's install-cni init container writes
 * is checked against the installed plugins with `cnictl validate`, as a node would load it.
 */
describe('the installer init container, run against dist/bin', () => {
  let host: string;
  let command: string[];
  const asOnThisMachine = (argv: string[]) =>
    argv.map((a) => a.replace(/^\/opt\/cni-ts\/bin\//, `${DIST_BIN}/`).replace(/^\/host\//, `${host}/host/`));
  const nodeBin = () => join(host, 'host/opt/cni/bin');

  beforeAll(() => {
    host = mkdtempSync(join(tmpdir(), 'cts-kind-install-'));
    const spec = daemonSetPodSpec(parseYamlDocuments(flannelManifest(true)), 'kube-flannel-ds');
    command = spec.initContainers!.find((c) => c.name === 'install-cni-plugin')!.command!;
  });
  afterAll(() => rmSync(host, { recursive: true, force: true }));

  it('puts flannel, bridge, host-local, portmap and loopback in the node dir, each answering VERSION, and cnictl', () => {
    const r = run(asOnThisMachine(command));
    expect(r.code, r.stderr).toBe(0);
    expect(run([join(nodeBin(), 'cnictl'), 'version']).stdout).toMatch(/^cnictl \S+ \(cni-ts\)/);
    for (const plugin of ['flannel', 'bridge', 'host-local', 'portmap', 'loopback']) {
      expect(statSync(join(nodeBin(), plugin)).mode & 0o111).not.toBe(0);
      const v = runPlugin(join(nodeBin(), plugin), { command: 'VERSION', config: { cniVersion: '1.0.0' } });
      expect(v.code, v.stderr).toBe(0);
      expect(v.json?.supportedVersions).toEqual(expect.arrayContaining(['0.3.1', '1.0.0']));
    }
  });

  it('is a no-op when run again (an init container reruns on every pod restart)', () => {
    const r = run(asOnThisMachine(command));
    expect(r.code, r.stderr).toBe(0);
    expect(r.stdout.trim().split('\n').every((line) => line.includes('up to date'))).toBe(true);
  });

  it("the node's flannel conflist loads against the installed plugins (cnictl validate)", () => {
    const confDir = join(host, 'etc/cni/net.d');
    mkdirSync(confDir, { recursive: true });
    const configMap = parseYamlDocuments(flannelManifest(true)).find((o) => o.kind === 'ConfigMap')!;
    writeFileSync(join(confDir, '10-flannel.conflist'), (configMap.data as Record<string, string>)['cni-conf.json']!);
    const r = run([join(DIST_BIN, 'cnictl'), 'validate', '--conf-dir', confDir, '--cni-path', nodeBin()]);
    // cnictl picks the version as libcni ≥ 1.2 does: 1.1.0, from cniVersions.
    expect(r.stdout).toMatch(/^\S+ +.*10-flannel\.conflist \(network "cbr0", version 1\.1\.0\)/m);
    // This machine runs no flanneld: its subnet.env is the one thing missing.
    const findings = JSON.parse(run([join(DIST_BIN, 'cnictl'), 'validate', '--json', '--conf-dir', confDir, '--cni-path', nodeBin()]).stdout) as Array<{ severity: string; check: string }>;
    expect(findings.filter((f) => f.severity !== 'info').map((f) => f.check), r.stdout).toEqual(existsSync('/run/flannel/subnet.env') ? [] : ['subnetFile']);
  });
});
