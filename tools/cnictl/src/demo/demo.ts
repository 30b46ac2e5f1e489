import { randomBytes } from 'node:crypto';
import { mkdirSync, mkdtempSync, readdirSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { loadNetwork } from '../conf/load.ts';
import { ResultCache } from '../runtime/cache.ts';
import { ChainRunner, type Attachment } from '../runtime/chain.ts';
import { ExecInvoker } from '../runtime/invoke.ts';
import { probeVersions } from '../runtime/probe.ts';
import { DemoHost } from './host.ts';

export interface DemoOptions {
  /** Where the plugins are (default: beside the running executable). */
  cniPath: string[];
  pods: number;
  portmap: boolean;
  say: (line: string) => void;
}

const HOST_PORT = 8080;

/**
 * Pods on a bridge, for real, out of the host's way: a "node" namespace holds the bridge, the
 * veths' host ends and the firewall rules (every plugin runs under `nsenter --net=<node>`, the
 * way a runtime on that node would run it); each pod is a namespace of its own. Every name has a
 * random prefix; conf, cache and IPAM state live in a temp dir; all of it is removed at the end.
 * Returns the number of failed checks.
 */
export async function runDemo(opts: DemoOptions): Promise<number> {
  const { say } = opts;
  const prefix = `ctsdemo${randomBytes(2).toString('hex')}`;
  const tmp = mkdtempSync(join(tmpdir(), 'cnictl-demo-'));
  const host = new DemoHost();
  const subnet = `10.244.${1 + randomBytes(1)[0]! % 250}`;
  let failures = 0;
  const verdict = (ok: boolean, line: string): void => {
    if (!ok) failures++;
    say(`${ok ? 'ok  ' : 'FAIL'}  ${line}`);
  };
  try {
    const node = await host.createNetns(`${prefix}-node`);
    const confDir = join(tmp, 'net.d');
    mkdirSync(confDir);
    const ipamDir = join(tmp, 'ipam');
    const invoker = new ExecInvoker(['nsenter', `--net=${node}`, '--']);
    const version = await commonVersion(invoker, opts.cniPath, opts.portmap ? ['bridge', 'host-local', 'portmap'] : ['bridge', 'host-local']);
    writeFileSync(join(confDir, '10-demo.conflist'), JSON.stringify(conflist(prefix, version, subnet, ipamDir, opts.portmap), null, 2));
    const list = loadNetwork(confDir, prefix);
    say(`cni-ts demo: network "${prefix}" (${opts.portmap ? 'bridge + host-local + portmap' : 'bridge + host-local'}, CNI ${version}), plugins from ${opts.cniPath.join(':')}`);
    say(`      namespaces ${prefix}-*, config, result cache and IP store under ${tmp}`);
    const runner = new ChainRunner(invoker, new ResultCache(join(tmp, 'cache')), opts.cniPath);
    const pods: Array<{ name: string; att: Attachment; ip: string; gateway: string }> = [];
    for (let i = 1; i <= opts.pods; i++) {
      const name = `pod${i}`;
      const att: Attachment = {
        containerId: `${prefix}-${name}`,
        netns: await host.createNetns(`${prefix}-${name}`),
        ifName: 'eth0',
        cniArgs: [['IgnoreUnknown', '1'], ['K8S_POD_NAME', name]],
        capabilityArgs: opts.portmap && i === 1 ? { portMappings: [{ hostPort: HOST_PORT, containerPort: 80, protocol: 'tcp' }] } : {},
      };
      const started = performance.now();
      const result = await runner.add(list, att);
      const ms = (performance.now() - started).toFixed(0);
      const ip = (result.ips as Array<{ address: string; gateway?: string }> | undefined)?.[0];
      if (!ip) throw new Error(`ADD of ${name} returned no IP address`);
      pods.push({ name, att, ip: ip.address.split('/')[0]!, gateway: ip.gateway ?? `${subnet}.1` });
      const port = opts.portmap && i === 1 ? `, hostPort ${HOST_PORT} -> :80` : '';
      say(`ADD   ${name}: ${ip.address} via ${ip.gateway ?? '-'}${port}  (${ms} ms for the chain)`);
    }

    for (const [i, pod] of pods.entries()) {
      const peer = pods[(i + 1) % pods.length]!;
      if (peer !== pod) verdict(await host.succeeds(pod.att.netns, ['ping', '-c', '1', '-W', '2', peer.ip]), `ping ${pod.name} -> ${peer.name} (${peer.ip})`);
      verdict(await host.succeeds(pod.att.netns, ['ping', '-c', '1', '-W', '2', pod.gateway]), `ping ${pod.name} -> gateway (${pod.gateway})`);
    }
    if (opts.portmap) await checkHostPort(host, node, pods[0]!, tmp, verdict);
    for (const pod of pods) {
      const state = await runner.check(list, pod.att).then((s) => s, (e: Error) => e);
      verdict(!(state instanceof Error), `CHECK ${pod.name}${state instanceof Error ? `: ${state.message}` : ''}`);
    }

    for (const pod of pods) {
      await runner.del(list, pod.att, (m) => say(`      ${m}`));
      say(`DEL   ${pod.name}`);
    }
    const veths = (await host.output(node, ['ip', '-o', 'link', 'show', 'type', 'veth'])).trim();
    verdict(veths === '', `no veth left on the node${veths ? `: ${veths}` : ''}`);
    const reserved = listIps(join(ipamDir, prefix));
    verdict(reserved.length === 0, `IP store empty${reserved.length ? `: still reserved ${reserved.join(', ')}` : ''}`);
    const cached = listDir(join(tmp, 'cache', 'results'));
    verdict(cached.length === 0, `result cache empty${cached.length ? `: ${cached.join(', ')}` : ''}`);
  } finally {
    await host.cleanup();
    rmSync(tmp, { recursive: true, force: true });
    say(`      removed the namespaces ${prefix}-* and ${tmp}`);
  }
  return failures;
}

/** The newest CNI version every plugin of the chain speaks (the Go reference 1.1.1 stops at 1.0.0). */
async function commonVersion(invoker: ExecInvoker, path: string[], types: string[]): Promise<string> {
  const supported = await Promise.all(types.map((t) => probeVersions(invoker, t, path, '1.1.0')));
  const version = ['1.1.0', '1.0.0', '0.4.0'].find((v) => supported.every((s) => s.includes(v)));
  if (!version) throw new Error(`the plugins in ${path.join(':')} share no CNI version of 1.1.0, 1.0.0 or 0.4.0`);
  return version;
}

function conflist(name: string, cniVersion: string, subnet: string, dataDir: string, portmap: boolean): Record<string, unknown> {
  const plugins: Array<Record<string, unknown>> = [
    {
      type: 'bridge',
      bridge: `${name}br`,
      isGateway: true,
      ipMasq: true,
      hairpinMode: true,
      ipam: { type: 'host-local', ranges: [[{ subnet: `${subnet}.0/24` }]], routes: [{ dst: '0.0.0.0/0' }], dataDir },
    },
  ];
  if (portmap) plugins.push({ type: 'portmap', capabilities: { portMappings: true }, snat: true });
  return { cniVersion, name, plugins };
}

/** A web server in the first pod, fetched from the node at gateway:hostPort (portmap's DNAT). */
async function checkHostPort(
  host: DemoHost,
  node: string,
  pod: { name: string; att: Attachment; gateway: string },
  tmp: string,
  verdict: (ok: boolean, line: string) => void,
): Promise<void> {
  const www = join(tmp, 'www');
  mkdirSync(www);
  writeFileSync(join(www, 'index.html'), `hello from ${pod.name}\n`);
  host.background(pod.att.netns, ['busybox', 'httpd', '-f', '-p', '80', '-h', www]);
  let body = '';
  for (let attempt = 0; attempt < 20 && !body.includes('hello'); attempt++) {
    body = await host.output(node, ['curl', '-sS', '-m', '2', `http://${pod.gateway}:${HOST_PORT}/`]).catch(() => '');
    if (!body) await new Promise((r) => setTimeout(r, 100));
  }
  const ok = body.includes(`hello from ${pod.name}`);
  verdict(ok, `node ${pod.gateway}:${HOST_PORT} -> ${pod.name}:80 (portmap DNAT)${ok ? `: "${body.trim()}"` : ''}`);
}

/** host-local's reservations: files named after an IP (not its lock or last_reserved_ip.*). */
function listIps(dir: string): string[] {
  return listDir(dir).filter((f) => /^[0-9a-f.:]+$/i.test(f) && (f.includes('.') || f.includes(':')));
}

function listDir(dir: string): string[] {
  try {
    return readdirSync(dir);
  } catch {
    return [];
  }
}
