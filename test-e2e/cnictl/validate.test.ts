import { spawnSync } from 'node:child_process';
import { mkdirSync, readFileSync, symlinkSync, writeFileSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { cnictlIn, DIST_BIN, REFERENCE_BIN } from '../lib/exec.ts';
import { Workspace } from '../lib/workspace.ts';

// `cnictl validate` (the built executable) on a corpus of conf dirs built from
// fixtures/validate/: each mistake of the issue, reported as the plugin's own ADD would, with
// the exit code its worst finding asks for (0 clean, 1 warnings, 2 problems).
const CORPUS = join(dirname(fileURLToPath(import.meta.url)), 'fixtures/validate');

interface Finding {
  severity: 'problem' | 'warning' | 'info';
  check: string;
  file: string;
  message: string;
  fix?: string;
}

let ws: Workspace;
beforeEach(() => {
  ws = new Workspace('ctscf-validate-');
});
afterEach(() => ws.remove());

/** Copy corpus files into the conf dir (as `as`), their placeholders filled for this workspace. */
function install(name: string, as = name, dir = ws.confDir): void {
  const text = readFileSync(join(CORPUS, name), 'utf8').replaceAll('@WS@', ws.root).replaceAll('@BR@', 'ctscfbr0');
  writeFileSync(join(dir, as), text);
}

/** A CNI_PATH holding only these of our plugins (symlinks to the multi-call executable). */
function binDir(...plugins: string[]): string {
  const dir = join(ws.root, 'bin');
  mkdirSync(dir, { recursive: true });
  for (const p of plugins) symlinkSync(join(DIST_BIN, 'cni-ts'), join(dir, p));
  return dir;
}

const validate = (...args: string[]) => cnictlIn(undefined, ['validate', '--conf-dir', ws.confDir, '--cni-path', DIST_BIN, ...args]);
function findings(...args: string[]): { code: number; findings: Finding[] } {
  const r = validate('--json', ...args);
  return { code: r.code, findings: JSON.parse(r.stdout) as Finding[] };
}
const worst = (fs: Finding[], file: string): Finding[] => fs.filter((f) => f.file.endsWith(file) && f.severity !== 'info');
const SUBNET_ENV = 'FLANNEL_NETWORK=10.244.0.0/16\nFLANNEL_SUBNET=10.244.3.1/24\nFLANNEL_MTU=1450\nFLANNEL_IPMASQ=true\n';

describe('cnictl validate', () => {
  it('a clean 1.1.0 list: exit 0, and it names the list CRI runtimes use', () => {
    install('clean.conflist');
    const r = findings();
    expect(r.code).toBe(0);
    expect(r.findings).toEqual([expect.objectContaining({ severity: 'info', check: 'default-network', message: expect.stringContaining('use this list for every pod') })]);
    expect(validate().stdout).toMatch(/^ok +.*clean\.conflist \(network "clean", version 1\.1\.0\)\n/);
  });

  it('a typo\'d key (isGatway) is a warning with "did you mean", exit 1', () => {
    install('typo-isGatway.conflist');
    const r = findings();
    expect(r.code).toBe(1);
    expect(worst(r.findings, 'typo-isGatway.conflist')).toEqual([
      { severity: 'warning', check: 'unknown-key', file: expect.any(String), message: 'unknown key "plugins[0].isGatway" (did you mean "isGateway"?): no plugin reads it', fix: 'rename it to "isGateway"' },
    ]);
  });

  it.each([
    ['isGateway-string.conflist', 'isGateway: must be true or false, not "true"'],
    ['mtu-string.conflist', 'mtu: must be an integer from 0 to 65535, not "1450"'],
    ['flat-ranges.conflist', 'ipam.ranges[0]: must be a list, not {"subnet":"10.88.0.0/16"}'],
  ])('%s: the refusal bridge\'s or host-local\'s ADD would give, exit 2', (file, msg) => {
    install(file);
    const r = findings();
    expect(r.code).toBe(2);
    expect(worst(r.findings, file)).toEqual([expect.objectContaining({ severity: 'problem', check: 'config', message: `plugins[0] "bridge": ADD would fail with code 7: ${msg}` })]);
  });

  it('a missing IPAM plugin binary is a problem naming it and CNI_PATH', () => {
    install('missing-ipam-binary.conflist');
    const r = findings();
    expect(r.code).toBe(2);
    expect(worst(r.findings, 'missing-ipam-binary.conflist')).toEqual([
      expect.objectContaining({ check: 'binary', message: `plugins[0] "bridge"'s IPAM: no executable "static" in CNI_PATH (${DIST_BIN}): every ADD of this list fails`, fix: expect.stringContaining('not part of cni-ts') }),
    ]);
  });

  it('a missing flannel subnetFile is a problem naming the file, with the fix', () => {
    install('missing-subnetFile.conflist');
    const r = findings();
    expect(r.code).toBe(2);
    expect(worst(r.findings, 'missing-subnetFile.conflist')).toEqual([
      expect.objectContaining({ check: 'subnetFile', message: expect.stringContaining(`${ws.root}/run/flannel/subnet.env does not exist`), fix: expect.stringContaining('start flanneld') }),
    ]);
  });

  it('with subnet.env present, the delegate config flannel would build is judged by bridge\'s parser', () => {
    writeFileSync(join(ws.root, 'subnet.env'), SUBNET_ENV);
    install('flannel-subnet-env.conflist');
    const r = findings();
    expect(r.code).toBe(2);
    expect(worst(r.findings, 'flannel-subnet-env.conflist')).toEqual([
      expect.objectContaining({ check: 'config', message: expect.stringMatching(/the delegate config built from .*subnet\.env would fail with code 7: mtu: must be an integer/) }),
    ]);
  });

  it('two conflists that put different subnets on one bridge: a problem on the second', () => {
    install('bridge-subnet-a.conflist', '10-a.conflist');
    install('bridge-subnet-b.conflist', '20-b.conflist');
    const r = findings();
    expect(r.code).toBe(2);
    expect(worst(r.findings, '10-a.conflist')).toEqual([]);
    expect(worst(r.findings, '20-b.conflist')).toEqual([
      expect.objectContaining({ check: 'bridge', message: expect.stringMatching(/^bridge "ctscfbr0" is also used by 10-a\.conflist \(network "neta", 10\.88\.0\.0\/16\); this list gives it 10\.99\.0\.0\/16/) }),
    ]);
  });

  it('flannel\'s bridge (from subnet.env) and a bridge list on the same cni0 with another subnet', () => {
    writeFileSync(join(ws.root, 'subnet.env'), SUBNET_ENV);
    install('10-flannel.conflist');
    install('11-crio-ipv4-bridge.conflist');
    const bridge = findings().findings.filter((f) => f.check === 'bridge');
    expect(bridge).toEqual([expect.objectContaining({ file: expect.stringContaining('11-crio-ipv4-bridge.conflist'), message: expect.stringContaining('(network "cbr0", 10.244.3.0/24); this list gives it 10.85.0.0/16') })]);
  });

  it('11-crio-ipv4-bridge.conflist shadows 10-flannel.conflist when flannel cannot run: both files say so', () => {
    writeFileSync(join(ws.root, 'subnet.env'), SUBNET_ENV);
    install('10-flannel.conflist');
    install('11-crio-ipv4-bridge.conflist');
    const path = binDir('bridge', 'host-local', 'portmap'); // no flannel on this node
    const r = JSON.parse(cnictlIn(undefined, ['validate', '--json', '--conf-dir', ws.confDir, '--cni-path', path]).stdout) as Finding[];
    const shadow = r.filter((f) => f.check === 'default-network');
    expect(shadow).toEqual([
      expect.objectContaining({ severity: 'warning', file: expect.stringContaining('11-crio-ipv4-bridge.conflist'), message: expect.stringContaining('it shadows 10-flannel.conflist (network "cbr0")') }),
      expect.objectContaining({ severity: 'problem', file: expect.stringContaining('10-flannel.conflist'), message: expect.stringContaining('CRI-O skips it and uses 11-crio-ipv4-bridge.conflist (network "crio") instead') }),
    ]);
    expect(r).toContainEqual(expect.objectContaining({ check: 'binary', message: expect.stringContaining('no executable "flannel"'), fix: `cnictl install --dir ${path} flannel` }));
  });

  it('when flannel can run, 10-flannel.conflist is the default and 11-crio-ipv4-bridge.conflist is never used by CRI runtimes', () => {
    writeFileSync(join(ws.root, 'subnet.env'), SUBNET_ENV);
    install('10-flannel.conflist');
    install('11-crio-ipv4-bridge.conflist');
    const shadow = findings().findings.filter((f) => f.check === 'default-network');
    expect(shadow).toEqual([
      expect.objectContaining({ severity: 'info', file: expect.stringContaining('10-flannel.conflist'), message: expect.stringContaining('first file in name order') }),
      expect.objectContaining({ severity: 'info', file: expect.stringContaining('11-crio-ipv4-bridge.conflist'), message: expect.stringContaining('CRI runtimes never use this list') }),
    ]);
  });

  it('a list below 1.1.0: a warning that runtimes never send it STATUS or GC', () => {
    install('old-version.conflist');
    const r = findings();
    expect(r.code).toBe(1);
    expect(worst(r.findings, 'old-version.conflist')).toEqual([expect.objectContaining({ severity: 'warning', message: expect.stringContaining('runtimes never send STATUS or GC to this list') })]);
  });

  it('reads libcni 1.3\'s drop-in dir <confdir>/<network>/*.conf and judges its plugins too', () => {
    install('with-drop-in.conflist');
    mkdirSync(join(ws.confDir, 'dropin'));
    install('drop-in-portmap.conf', '50-portmap.conf', join(ws.confDir, 'dropin'));
    const r = findings();
    expect(r.code).toBe(2);
    expect(r.findings).toContainEqual(expect.objectContaining({ severity: 'info', check: 'drop-in', message: expect.stringContaining('dropin/50-portmap.conf are appended') }));
    expect(r.findings).toContainEqual(expect.objectContaining({ check: 'config', message: 'plugins[1] "portmap": ADD would fail with code 7: markMasqBit: must be an integer from 0 to 31, not 99' }));
  });

  it('honours NETCONFPATH and CNI_PATH, and takes one FILE', () => {
    install('typo-isGatway.conflist');
    install('mtu-string.conflist');
    const env = { ...process.env, NETCONFPATH: ws.confDir, CNI_PATH: DIST_BIN };
    const all = spawnSync(join(DIST_BIN, 'cnictl'), ['validate'], { env, encoding: 'utf8' });
    expect(all.status).toBe(2);
    expect(all.stdout).toContain('typo-isGatway.conflist');
    const one = spawnSync(join(DIST_BIN, 'cnictl'), ['validate', join(ws.confDir, 'typo-isGatway.conflist')], { env, encoding: 'utf8' });
    expect(one.status).toBe(1);
    expect(one.stdout).not.toContain('mtu-string');
  });

  it('the reference plugins: a version they do not speak, a missing plugin, a list without type, a shadowed name, broken JSON', () => {
    ws.writeList('10-newer.conflist', { cniVersion: '1.1.0', name: 'newer', plugins: [{ type: 'bridge' }] });
    ws.writeList('20-missing.conflist', { cniVersion: '1.0.0', name: 'missing', plugins: [{ type: 'nosuchplugin' }] });
    ws.writeList('30-notype.conflist', { cniVersion: '1.0.0', name: 'notype', plugins: [{ bridge: 'x' }] });
    ws.writeList('40-dup.conflist', { cniVersion: '1.0.0', name: 'newer', plugins: [{ type: 'bridge' }] });
    writeFileSync(join(ws.confDir, '50-broken.conf'), '{"name": ');
    const r = cnictlIn(undefined, ['validate', '--conf-dir', ws.confDir, '--cni-path', REFERENCE_BIN]);
    expect(r.code).toBe(2);
    expect(r.stdout).toMatch(/PROBLEM +.*10-newer.conflist.*\n(.*\n)*? +- PROBLEM: plugins\[0\] "bridge" does not support version 1\.1\.0 \(it supports .*1\.0\.0\)/);
    expect(r.stdout).toMatch(/- PROBLEM: plugins\[0\] "nosuchplugin": no executable "nosuchplugin" in CNI_PATH/);
    expect(r.stdout).toMatch(/PROBLEM +.*30-notype\.conflist\n +- PROBLEM: .*plugins\[0\]: missing "type"/);
    expect(r.stdout).toMatch(/PROBLEM +.*40-dup.conflist.*\n(.*\n)*? +- PROBLEM: network name "newer" is also used by .*10-newer\.conflist/);
    expect(r.stdout).toMatch(/PROBLEM +.*50-broken\.conf\n +- PROBLEM: .*not valid JSON/);
  });
});
