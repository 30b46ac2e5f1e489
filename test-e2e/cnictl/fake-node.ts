import { spawnSync } from 'node:child_process';
import { chmodSync, linkSync, mkdirSync, mkdtempSync, rmSync, symlinkSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { NetnsFixture } from '@cni-ts/linux/testing';
import { DIST_BIN, inNetns, type ProcessOutput } from '../lib/exec.ts';

export interface DoctorFinding {
  check: string;
  severity: 'ok' | 'warn' | 'problem';
  message: string;
  fix: string | null;
}

/**
 * A private node for doctor: its own network namespace (sysctls, links, routes and rules are
 * per namespace) and its own conf, bin, cache, IPAM, flannel and subnet.env paths, so a test
 * can break each thing on purpose and never reads or changes the host's.
 */
export class FakeNode {
  readonly ns = new NetnsFixture('op');
  readonly root = mkdtempSync(join(tmpdir(), 'ctsop-node-'));
  readonly confDir = join(this.root, 'net.d');
  readonly binDir = join(this.root, 'bin');
  readonly cacheDir = join(this.root, 'cache');
  readonly dataDir = join(this.root, 'ipam');
  readonly flannelDir = join(this.root, 'flannel');
  readonly subnetFile = join(this.root, 'subnet.env');
  readonly netns: string;
  /** A bridge name of this node's own. */
  readonly bridge: string;

  constructor(plugins: readonly string[] = ['bridge', 'host-local', 'portmap', 'flannel', 'loopback']) {
    this.netns = this.ns.path(this.ns.create('node'));
    this.bridge = `${this.ns.prefix.slice(0, 11)}br`;
    mkdirSync(this.confDir);
    mkdirSync(this.binDir);
    for (const p of plugins) linkSync(join(DIST_BIN, p), join(this.binDir, p));
    this.sh('sysctl', '-qw', 'net.ipv4.ip_forward=1');
  }

  pod(name: string): string {
    return this.ns.path(this.ns.create(name));
  }

  writeList(file: string, list: unknown): void {
    writeFileSync(join(this.confDir, file), JSON.stringify(list));
  }

  /** kube-flannel's conflist (0.3.1, flannel then portmap), with this node's paths. */
  flannelList(delegate: Record<string, unknown> = {}): void {
    this.writeList('10-flannel.conflist', {
      cniVersion: '0.3.1',
      name: 'cbr0',
      plugins: [
        { type: 'flannel', subnetFile: this.subnetFile, dataDir: this.flannelDir, delegate: { hairpinMode: true, isDefaultGateway: true, bridge: this.bridge, ...delegate }, ipam: { dataDir: this.dataDir } },
        { type: 'portmap', capabilities: { portMappings: true } },
      ],
    });
  }

  subnetEnv(text: string): void {
    writeFileSync(this.subnetFile, text);
  }

  /** A plugin file of our making in the bin dir (a script, or bytes that are not this machine's). */
  plugin(name: string, content: string | Buffer, mode = 0o755): void {
    rmSync(join(this.binDir, name), { force: true });
    writeFileSync(join(this.binDir, name), content);
    chmodSync(join(this.binDir, name), mode);
  }

  /** A command in the node's namespace; throws when it fails. */
  sh(...argv: string[]): string {
    const r = inNetns(this.netns, argv);
    if (r.code !== 0) throw new Error(`${argv.join(' ')}: ${r.stderr}`);
    return r.stdout;
  }

  cnictl(args: string[], env: Record<string, string> = {}): ProcessOutput {
    const r = spawnSync('nsenter', [`--net=${this.netns}`, '--', join(DIST_BIN, 'cnictl'), ...args, '--conf-dir', this.confDir, '--cache-dir', this.cacheDir, '--cni-path', this.binDir], {
      encoding: 'utf8',
      env: { ...process.env, NETCONFPATH: '', CNI_PATH: '', ...env },
      timeout: 60_000,
    });
    return { code: r.status ?? -1, stdout: r.stdout ?? '', stderr: r.stderr ?? '' };
  }

  /** doctor --json on this node (through --netns, as an operator would point it at one). */
  doctor(extra: string[] = [], env: Record<string, string> = {}): { code: number; findings: DoctorFinding[]; stderr: string } {
    const r = spawnSync(
      join(DIST_BIN, 'cnictl'),
      ['doctor', '--json', '--netns', this.netns, '--conf-dir', this.confDir, '--bin-dir', this.binDir, '--cache-dir', this.cacheDir, '--data-dir', this.dataDir, '--subnet-file', this.subnetFile, ...extra],
      { encoding: 'utf8', env: { ...process.env, NETCONFPATH: '', CNI_PATH: '', ...env }, timeout: 60_000 },
    );
    let findings: DoctorFinding[];
    try {
      findings = JSON.parse(r.stdout) as DoctorFinding[];
    } catch {
      throw new Error(`doctor printed no JSON (exit ${r.status}): ${r.stdout}\n${r.stderr}`);
    }
    return { code: r.status ?? -1, findings, stderr: r.stderr };
  }

  /** A PATH of this node's own holding every tool doctor runs except those named. */
  pathWithout(...tools: string[]): string {
    const dir = join(this.root, 'path');
    mkdirSync(dir, { recursive: true });
    for (const t of ['ip', 'nsenter', 'iptables', 'iptables-save', 'ip6tables-save', 'iptables-legacy-save', 'iptables-nft-save', 'nft', 'sysctl']) {
      const where = spawnSync('bash', ['-c', `command -v ${t}`], { encoding: 'utf8' }).stdout.trim();
      if (where && !tools.includes(t)) symlinkSync(where, join(dir, t));
    }
    return dir;
  }

  remove(): void {
    this.ns.cleanup();
    rmSync(this.root, { recursive: true, force: true });
  }
}

/** The findings of one check, and the first one matching `message`. */
export const named = (findings: DoctorFinding[], check: string): DoctorFinding[] => findings.filter((f) => f.check === check);
